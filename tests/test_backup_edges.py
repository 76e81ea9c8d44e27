"""The fingerprint check of a restore, in-process: a backup without a fingerprint line, one whose line cannot be read,
one whose row counts differ from what it loads, and the restore command's refusal of a file that is not there.

The end-to-end paths (a real backup moved between databases) are tests/test_backup.py and tests/test_backup_snapshot.py.
"""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import backup
from registry.models import Organization


@pytest.fixture
def written(tmp_path, monkeypatch, db):
    """A backup of the test database, written inside the test's transaction."""
    monkeypatch.setattr(backup, "_begin_snapshot", lambda using: None)
    path = tmp_path / "registry.yaml"
    record = backup.backup(path)
    return path, record


def with_fingerprint_line(path, line: str):
    """The backup at ``path`` with its fingerprint line replaced by ``line`` (or removed, for None)."""
    kept = [
        text for text in path.read_text(encoding="utf-8").splitlines() if not text.startswith(backup.FINGERPRINT_PREFIX)
    ]
    if line is not None:
        kept.append(line)
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def test_a_backup_without_a_fingerprint_line_is_refused_before_anything_loads(written):
    path, _ = written
    with_fingerprint_line(path, None)
    assert backup.stored_fingerprint(path) is None
    with pytest.raises(
        backup.FingerprintMismatch, match=r"carries no fingerprint line .*restore it anyway with --no-verify"
    ):
        backup.restore(path)


@pytest.mark.parametrize("garbage", ["{not json", "[1, 2, 3]"])
def test_a_fingerprint_line_that_cannot_be_read_is_named_in_the_refusal(written, garbage):
    path, _ = written
    with_fingerprint_line(path, backup.FINGERPRINT_PREFIX + garbage)
    assert backup.stored_fingerprint(path) == {"unreadable": garbage}
    with pytest.raises(backup.FingerprintMismatch) as refusal:
        backup.restore(path)
    assert f"the backup's fingerprint line cannot be read: {garbage!r}" in str(refusal.value)


def test_row_counts_that_differ_are_named_per_model_and_nothing_stays_loaded(written):
    path, record = written
    held = record["rows"]["registry.organization"]
    claimed = dict(record, rows=dict(record["rows"], **{"registry.organization": held + 1}))
    with_fingerprint_line(path, backup.FINGERPRINT_PREFIX + json.dumps(claimed))
    text = path.read_text(encoding="utf-8")
    assert "    name_en: Ho Chi Minh City\n" in text
    path.write_text(text.replace("    name_en: Ho Chi Minh City\n", "    name_en: Edited in the file\n", 1), "utf-8")
    with pytest.raises(backup.FingerprintMismatch) as refusal:
        backup.restore(path)
    assert f"registry.organization: the backup says {held + 1} rows, the database holds {held}" in str(refusal.value)
    assert "(nothing was restored)" in str(refusal.value)
    assert not Organization.objects.filter(name_en="Edited in the file").exists()
    assert Organization.objects.filter(name_en="Ho Chi Minh City").exists()


def test_the_restore_command_names_a_file_that_is_not_there(tmp_path, db):
    # An empty registry, for the length of the call: foreign keys are checked when the test's transaction ends, by
    # which time the organizations are back.
    organizations = list(Organization.objects.all())
    Organization.objects.all()._raw_delete(Organization.objects.db)
    missing = tmp_path / "absent.yaml.gz"
    try:
        with pytest.raises(CommandError, match=f"^no file {missing}$"):
            call_command("restore_registry", str(missing), stdout=StringIO())
    finally:
        Organization.objects.bulk_create(organizations)
