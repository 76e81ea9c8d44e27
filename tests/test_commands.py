"""The management commands in-process: what each refuses (a CommandError that says why, and nothing written), what
each prints, and the paths the end-to-end tests (tests/test_popolo.py, tests/test_backup.py) do not take."""

import datetime
import json
import re
import time
from io import StringIO

import pytest
import yaml
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from registry import services
from registry.changes import webhooks
from registry.fingerprint import EXCLUDED_MODELS, NOT_CONTENT, canonical
from registry.groups import EDITOR, READER
from registry.interop import popolo
from registry.management.commands import generate_registry
from registry.management.commands.generate_registry import LARGEST_SCALE, scale
from registry.models import Change, Identifier, Organization, Person, Portfolio, SystemKey
from registry.seeding import SEED_FILE
from registry.synthetic import generation
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def run(name: str, *args, **options) -> tuple[str, str]:
    """Run a command; (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(name, *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def refused(name: str, *args, match: str, **options) -> str:
    """Run a command that must fail with a CommandError matching ``match``; its stderr."""
    err = StringIO()
    with pytest.raises(CommandError, match=match):
        call_command(name, *args, stdout=StringIO(), stderr=err, **options)
    return err.getvalue()


def write_json(tmp_path, value, name: str = "registry.json"):
    path = tmp_path / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


# --- import_popolo ------------------------------------------------------------------------------------------------


def test_import_refuses_a_file_it_cannot_read(tmp_path):
    missing = tmp_path / "missing.json"
    refused("import_popolo", str(missing), match=rf"^Cannot read {re.escape(str(missing))}: .*No such file")


def test_import_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"persons": [', encoding="utf-8")
    refused("import_popolo", str(path), match=r"^Cannot read .*broken\.json: Expecting value")


def test_import_refuses_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"persons": [{"id": "person/a", "name": "Lê"}]}'.encode("latin-1"))
    refused("import_popolo", str(path), match=r"^Cannot read .*latin1\.json: 'utf-8' codec can't decode")


def test_import_refuses_json_that_is_not_an_object(tmp_path):
    stderr = refused("import_popolo", str(write_json(tmp_path, [])), match=r"^1 Popolo schema violation\(s\): nothing")
    assert stderr.splitlines() == ["not a JSON object"]


def test_import_refuses_schema_violations_and_writes_nothing(tmp_path):
    document = {
        "persons": [{"id": 7, "name": "Người Sai"}, {"id": "person/nguoi-dung", "name": "Người Đúng"}],
        "memberships": [{"id": "membership/x"}],
    }
    people, entries = Person.objects.count(), Change.objects.count()
    stderr = refused("import_popolo", str(write_json(tmp_path, document)), match=r"violation\(s\): nothing imported")
    problems = stderr.splitlines()
    assert problems == popolo.validate(document)
    assert any(line.startswith("persons[0] (7) id: 7 is not of type") for line in problems)
    assert (Person.objects.count(), Change.objects.count()) == (people, entries)


def test_import_prints_what_it_created_and_updated_and_keeps_the_file_name_as_reason(tmp_path):
    person = PersonFactory(given_name="Cũ")
    document = {
        "persons": [{"id": f"person/{person.slug}", "name": person.name, "given_name": "Mới"}],
        "portfolios": [{"id": "portfolio/thu-nghiem", "name": "Lĩnh vực thử nghiệm"}],
    }
    stdout, _ = run("import_popolo", str(write_json(tmp_path, document, "national.json")))
    assert stdout.splitlines() == [
        "created: 1",
        "  + portfolio/thu-nghiem",
        "updated: 1",
        f"  ~ person/{person.slug}: given_name",
        "unchanged: 0",
        "imported",
    ]
    entry = Change.objects.filter(model="person", object_id=person.pk).latest("id")
    assert entry.reason == "Popolo import of national.json"
    assert Portfolio.objects.filter(slug="thu-nghiem").exists()


def test_import_keeps_the_given_reason(tmp_path):
    document = {"portfolios": [{"id": "portfolio/ly-do", "name": "Lĩnh vực có lý do"}]}
    run("import_popolo", str(write_json(tmp_path, document)), "--reason", "joined with the national register")
    portfolio = Portfolio.objects.get(slug="ly-do")
    assert Change.objects.get(model="portfolio", object_id=portfolio.pk).reason == "joined with the national register"


def test_import_dry_run_prints_the_report_as_json_and_writes_nothing(tmp_path):
    document = {"portfolios": [{"id": "portfolio/chi-thu", "name": "Chỉ thử"}]}
    entries = Change.objects.count()
    stdout, _ = run("import_popolo", str(write_json(tmp_path, document)), "--dry-run", "--json")
    *report, last = stdout.splitlines()
    assert last == "dry run: nothing written"
    assert json.loads("\n".join(report)) == {
        "dry_run": True,
        "applied": False,
        "created": ["portfolio/chi-thu"],
        "updated": {},
        "unchanged": 0,
        "refused": [],
    }
    assert Change.objects.count() == entries
    assert not Portfolio.objects.filter(slug="chi-thu").exists()


def test_import_prints_each_refused_record_and_fails(tmp_path):
    document = {
        "portfolios": [{"id": "portfolio/hop-le", "name": "Hợp lệ"}],
        "memberships": [
            {"id": "membership/x", "person_id": "person/khong-ai", "post_id": "post/x", "start_date": "2024"}
        ],
    }
    out = StringIO()
    with pytest.raises(CommandError, match=r"^1 record\(s\) refused: nothing imported\.$"):
        call_command("import_popolo", str(write_json(tmp_path, document)), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[-1] == '  ! refused membership/x: {"person_id": ["Unknown person \'person/khong-ai\'."]}'
    assert "imported" not in lines
    assert not Portfolio.objects.filter(slug="hop-le").exists()


# --- export_popolo ------------------------------------------------------------------------------------------------


def test_export_validate_needs_an_output_file_and_writes_nothing_without_one(capsys):
    out = StringIO()
    with pytest.raises(CommandError, match=r"^--validate needs --output\.$"):
        call_command("export_popolo", "--validate", stdout=out, stderr=StringIO())
    assert (out.getvalue(), capsys.readouterr().out) == ("", "")


def test_export_refuses_a_day_that_is_not_iso_8601(tmp_path):
    refused("export_popolo", "--as-of", "22/12/2025", match="--as-of: invalid fromisoformat value")


def test_export_to_a_file_reports_its_size_and_the_day(tmp_path):
    path = tmp_path / "registry.json"
    _, stderr = run("export_popolo", "--output", str(path), "--as-of", "2024-12-13", "--validate")
    size = len(path.read_bytes())
    assert re.fullmatch(rf"wrote {re.escape(str(path))}: {size} bytes in \d+\.\d\d s", stderr.splitlines()[0])
    assert stderr.splitlines()[1] == "valid against the Popolo 1.0.1 schemas"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["meta"]["as_of"] == "2024-12-13"
    assert document == popolo.export(datetime.date(2024, 12, 13))


def test_export_to_standard_output_is_the_document_on_the_stdout_it_is_given(capsys):
    stdout, stderr = run("export_popolo")
    assert json.loads(stdout) == popolo.export()
    assert (stderr, capsys.readouterr().out) == ("", "")  # nothing about a file, nothing around the given stdout


def test_export_validate_names_each_schema_violation(tmp_path):
    person = PersonFactory()
    # not through the services (the models refuse an empty identifier); the export leaves it out, the schema needs it
    Identifier.objects.create(
        content_type=ContentType.objects.get_for_model(person), object_id=person.pk, scheme="wikidata", identifier=""
    )
    path = tmp_path / "registry.json"
    stderr = refused("export_popolo", "--output", str(path), "--validate", match=r"^1 Popolo schema violation\(s\)\.$")
    assert re.search(
        rf"persons\[\d+\] \(person/{person.slug}\) identifiers/0/identifier: 'identifier' is a required", stderr
    )
    assert "valid against" not in stderr
    assert path.exists()  # written, then found invalid


# --- create_system_account -----------------------------------------------------------------------------------------


def key_of(stdout: str) -> str:
    return stdout.strip().splitlines()[-1]


def test_a_key_may_expire_today_and_works_to_the_end_of_the_day(today_is):
    today_is(datetime.date(2025, 12, 22))
    stdout, _ = run("create_system_account", "portal", "--expires", "2025-12-22")
    system_key = SystemKey.objects.get(account__username="portal")
    expiry = timezone.localtime(system_key.expiry_date)
    assert (expiry.date(), expiry.time()) == (datetime.date(2025, 12, 22), datetime.time.max)
    assert system_key.is_valid(key_of(stdout))


def test_an_expiry_yesterday_is_refused_with_the_day(today_is):
    today_is(datetime.date(2025, 12, 22))
    refused("create_system_account", "portal", "--expires", "2025-12-21", match=r"^--expires 2025-12-21 is in the past")
    assert not User.objects.filter(username="portal").exists()  # nothing written, not even the account


def test_an_expiry_that_is_not_a_date_is_refused():
    refused("create_system_account", "portal", "--expires", "next year", match="--expires: invalid fromisoformat value")


def test_an_unknown_group_is_refused():
    refused("create_system_account", "portal", "--group", "admins", match=r"--group: invalid choice: 'admins'")
    assert not User.objects.filter(username="portal").exists()


def test_a_second_run_updates_the_account_moves_its_group_and_revokes_the_old_key():
    first, _ = run("create_system_account", "portal", "--group", EDITOR)
    assert first.splitlines()[0] == f"created system account 'portal' in group '{EDITOR}'"
    assert "revoked" not in first
    second, _ = run("create_system_account", "portal", "--group", READER)
    assert second.splitlines()[:2] == [
        f"updated system account 'portal' in group '{READER}'",
        "revoked 1 earlier key(s)",
    ]
    account = User.objects.get(username="portal")
    assert list(account.groups.values_list("name", flat=True)) == [READER]
    keys = SystemKey.objects.filter(account=account)
    assert sorted(keys.values_list("revoked", flat=True)) == [False, True]
    assert keys.get(revoked=False).is_valid(key_of(second))
    assert not keys.get(revoked=True).is_valid(key_of(second))


# --- deliver_webhooks -----------------------------------------------------------------------------------------------


def test_the_worker_looks_for_due_endpoints_every_poll_and_stops_on_interrupt(monkeypatch):
    looks = []

    def due():
        looks.append(time.monotonic())
        if len(looks) == 3:
            raise KeyboardInterrupt
        return []  # nothing due: the worker waits a poll, then looks again

    monkeypatch.setattr(webhooks, "due", due)
    _, stderr = run("deliver_webhooks", "--poll", "0.05")
    assert len(looks) == 3
    assert stderr == "stopped\n"


# --- load_seeds -----------------------------------------------------------------------------------------------------


def test_check_of_the_seed_file_finds_no_differences_and_writes_nothing():
    entries = Change.objects.count()
    stdout, _ = run("load_seeds", "--check")
    assert stdout.splitlines() == ["no differences"]
    assert Change.objects.count() == entries


def test_check_of_a_bad_seed_file_is_refused(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text("persons: []\n", encoding="utf-8")
    refused("load_seeds", "--check", "--file", str(path), match=r"^Seeds refused, nothing written: .*unknown section")


def test_check_of_a_file_with_a_new_record_names_it_and_writes_nothing(tmp_path):
    portfolio = {
        "slug": "kinh-te-so",
        "name": "Hội nhập quốc tế về kinh tế số",
        "sources": [{"document": "art-2025-12-15", "quote": "Thường trực Ban Chỉ đạo gồm 4 thành viên."}],
    }
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump({"portfolios": [portfolio]}, allow_unicode=True), encoding="utf-8")
    entries = Change.objects.count()
    stdout, _ = run("load_seeds", "--check", "--file", str(path))
    lines = stdout.splitlines()
    assert "create: portfolio kinh-te-so" in lines
    assert lines[-1] == "differences found; nothing written"
    assert not Portfolio.objects.filter(slug="kinh-te-so").exists()
    assert Change.objects.count() == entries


def test_a_missing_seed_file_is_refused(tmp_path):
    refused("load_seeds", "--file", str(tmp_path / "nowhere.yaml"), match=r"^Seeds refused, nothing written: ")
    assert SEED_FILE.exists()


# --- generate_registry ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["0", "-5"])
def test_generate_refuses_a_batch_size_below_one(size):
    organizations = Organization.objects.count()
    refused("generate_registry", "--batch-size", size, match=r"^--batch-size must be at least 1\.$")
    assert Organization.objects.count() == organizations


def test_generate_passes_its_options_on_and_reports_a_registry_not_empty(monkeypatch):
    calls = []

    def refuse(**options):
        calls.append(options)
        raise generation.RegistryNotEmpty("The database already holds registry records (registry_person: 9).")

    monkeypatch.setattr(generate_registry, "generate", refuse)
    refused(
        "generate_registry",
        "--scale",
        "0.25",
        "--seed",
        "7",
        "--batch-size",
        "50",
        match=r"^The database already holds registry records \(registry_person: 9\)\.$",
    )
    (options,) = calls
    assert {name: options[name] for name in ("scale", "seed", "batch_size")} == {
        "scale": 0.25,
        "seed": 7,
        "batch_size": 50,
    }


@pytest.mark.parametrize(("value", "number"), [("10", 10.0), ("0.001", 0.001), ("1e0", 1.0)])
def test_a_scale_up_to_the_largest_is_accepted(value, number):
    assert scale(value) == number


@pytest.mark.parametrize("value", ["nan", "inf", "10.01", "1e9", "", "một"])
def test_a_scale_outside_the_range_is_refused_with_the_value(value):
    with pytest.raises(CommandError) as refusal:
        scale(value)
    assert str(refusal.value) == (
        f"--scale must be a number above 0 and at most {LARGEST_SCALE:g} (1.0: national), not {value!r}."
    )


# --- restore_registry and registry_fingerprint -------------------------------------------------------------------


def test_restore_refuses_a_registry_that_holds_data(tmp_path):
    organizations = Organization.objects.count()
    refused("restore_registry", str(tmp_path / "backup.yaml.gz"), match="already holds registry data; restore into an")
    assert Organization.objects.count() == organizations


def test_the_fingerprint_prints_counts_a_total_and_a_hash():
    stdout, _ = run("registry_fingerprint")
    *counts, rows, sha = stdout.splitlines()
    counted = dict(line.split(": ") for line in counts)
    assert counted["registry.organization"] == str(Organization.objects.count())
    assert counted["registry.person"] == str(Person.objects.count())
    assert not set(counted) & (EXCLUDED_MODELS | NOT_CONTENT)
    assert not any(label.startswith(("contenttypes.", "sessions.", "axes.")) for label in counted)
    assert list(counted) == sorted(counted)
    assert rows == f"rows: {sum(int(count) for count in counted.values())}"
    assert re.fullmatch(r"sha256: [0-9a-f]{64}", sha)


def test_the_fingerprint_changes_with_the_content_and_only_with_it():
    first, _ = run("registry_fingerprint")
    assert run("registry_fingerprint")[0] == first
    organization = Organization.objects.order_by("pk").first()
    services.record_update(instance=organization, changes={"note": "changed for the fingerprint"}, reason="test")
    second, _ = run("registry_fingerprint")
    assert second.splitlines()[-1] != first.splitlines()[-1]


def test_canonical_form_writes_dates_in_iso_and_other_values_as_text():
    import decimal
    import uuid

    value = {"b": datetime.date(2025, 12, 22), "a": decimal.Decimal("1.50"), "c": uuid.UUID(int=1)}
    assert canonical(value) == '{"a": "1.50", "b": "2025-12-22", "c": "00000000-0000-0000-0000-000000000001"}'
