"""The documentation stays true to the files it names: links resolve, and every setting is in the operations guide."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\((?!https?://|#|mailto:)(?P<target>[^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_names_a_file_that_exists():
    broken = [
        f"{document.relative_to(ROOT)}: {match['target']}"
        for document in DOCUMENTS
        for match in LINK.finditer(document.read_text(encoding="utf-8"))
        if not (document.parent / match["target"]).exists()
    ]
    assert broken == []


def test_the_operations_guide_names_every_variable_of_the_example_env_file():
    variables = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    guide = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert variables, "the pattern finds the example file's variables"
    assert sorted(name for name in variables if f"`{name}`" not in guide) == []
