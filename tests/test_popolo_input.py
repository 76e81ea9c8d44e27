"""A Popolo file is refused as a whole, before any transaction or lock, when it is too large, nests too deeply, has
too many records, or names one record twice (both places named); nothing is written."""

import json
import time
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from registry.interop import popolo
from registry.interop.popolo.reading import MAX_NESTING
from registry.jsondepth import nesting_depth
from registry.models import Person

pytestmark = pytest.mark.django_db


def person(index: int, **extra) -> dict:
    return {"id": f"person/input-{index}", "name": f"Nguyễn Văn Nhập {index}", **extra}


def write(tmp_path, content) -> str:
    path = tmp_path / "popolo.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content, ensure_ascii=False), "utf-8")
    return str(path)


@pytest.fixture
def never_imported():
    """The import itself (its transaction, its locks) must not be reached: the file is refused before."""
    with mock.patch.object(popolo, "import_document", side_effect=AssertionError("reached the import")) as patched:
        yield patched
    assert not patched.called


def test_two_records_with_one_id_are_refused_naming_both_places():
    people = Person.objects.count()
    items = [person(i) for i in range(8)]
    items[7] = person(3, name="Nguyễn Văn Khác")
    report = popolo.import_document({"persons": items}, reason="test")
    assert not report.applied
    assert report.refused == [
        {
            "id": "person/input-3",
            "errors": {
                "persons.7.id": [
                    "'person/input-3' names the same record as persons.3.id: one record, one id (merge the two, or "
                    "give each its own id)."
                ]
            },
        }
    ]
    assert Person.objects.count() == people
    assert not report.created and not report.unchanged


def test_two_ids_that_name_one_slug_are_one_record_too():
    report = popolo.import_document({"persons": [person(1), {"id": "input-1", "name": "Khác"}]}, reason="test")
    assert list(report.refused[0]["errors"]) == ["persons.1.id"]
    assert "persons.0.id" in report.refused[0]["errors"]["persons.1.id"][0]


def test_one_id_in_two_lists_is_not_a_duplicate():
    report = popolo.import_document(
        {"persons": [person(1)], "portfolios": [{"id": "person/input-1", "name": "Danh mục"}]}, reason="test"
    )
    assert report.applied, report.refused


@override_settings(POPOLO_IMPORT_MAX_RECORDS=3)
def test_a_document_with_more_records_than_the_setting_is_refused_unwritten():
    people = Person.objects.count()
    report = popolo.import_document({"persons": [person(i) for i in range(4)]}, reason="test")
    assert report.refused == [
        {
            "id": None,
            "errors": {
                "__all__": [
                    "The document has 4 records; an import takes at most 3 (POPOLO_IMPORT_MAX_RECORDS): split it "
                    "into several files."
                ]
            },
        }
    ]
    assert Person.objects.count() == people


def test_the_command_refuses_a_duplicate_id_with_both_places_before_the_import(tmp_path, capsys, never_imported):
    path = write(tmp_path, {"persons": [person(1), person(2), person(1)]})
    with pytest.raises(CommandError, match=r"^1 refusal\(s\) of the whole document: nothing imported\.$"):
        call_command("import_popolo", path)
    err = capsys.readouterr().err
    assert "persons.2.id" in err and "the same record as persons.0.id" in err


@override_settings(POPOLO_IMPORT_MAX_RECORDS=3)
def test_the_command_refuses_too_many_records_before_the_import(tmp_path, capsys, never_imported):
    path = write(tmp_path, {"persons": [person(i) for i in range(4)]})
    with pytest.raises(CommandError, match="of the whole document"):
        call_command("import_popolo", path)
    assert "at most 3 (POPOLO_IMPORT_MAX_RECORDS)" in capsys.readouterr().err


def test_100000_levels_of_nesting_are_refused_before_the_import(tmp_path, never_imported):
    path = write(tmp_path, '{"persons": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(CommandError) as refusal:
        call_command("import_popolo", path)
    assert str(refusal.value) == (
        f"popolo.json nests deeper than {MAX_NESTING} levels of arrays and objects: not a Popolo document. "
        "Nothing imported."
    )


@override_settings(POPOLO_IMPORT_MAX_BYTES=1_000)
def test_a_file_larger_than_the_setting_is_refused_before_it_is_read(tmp_path, never_imported):
    path = write(tmp_path, {"persons": [person(i) for i in range(40)]})
    with pytest.raises(CommandError, match=r"is \d[\d,]* bytes; an import takes at most 1,000 \(POPOLO_IMPORT_MAX"):
        call_command("import_popolo", path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[1, 2]", "1 Popolo schema violation"),
        ('{"persons": [', "Cannot read .*: Expecting"),
        ("\udcff", "Cannot read .*: 'utf-8' codec"),
    ],
)
def test_a_file_that_is_not_a_json_object_is_refused(tmp_path, never_imported, content, message):
    path = tmp_path / "popolo.json"
    path.write_bytes(content.encode("utf-8", errors="surrogateescape"))
    with pytest.raises(CommandError, match=message):
        call_command("import_popolo", str(path))


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ('{"a": [[1], {"b": []}]}', 4),
        ('"[[[ {{ ]"', 0),  # brackets in a string are text
        ('["\\"[[[", 1]', 1),  # an escaped quote does not end the string
        ('["\\\\", [[1]]]', 3),  # an escaped backslash does not escape the quote after it
        ('[["never ends', 2),  # the parser refuses it; counting stops at the open string
    ],
)
def test_nesting_depth_counts_brackets_outside_strings(text, depth):
    assert nesting_depth(text) == depth
    assert nesting_depth(text.encode()) == depth


def test_nesting_depth_stops_past_its_limit():
    assert nesting_depth("[" * 100_000, limit=10) == 11


def test_nesting_depth_is_linear_on_a_hostile_text():
    hostile = '["' + '\\"' * 4_000_000  # a quote followed by many escaped quotes, never closed: 8 MB
    started = time.perf_counter()
    assert nesting_depth(hostile) == 1
    assert time.perf_counter() - started < 10  # generous: does not hang (quadratic would take hours)
