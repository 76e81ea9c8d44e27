"""Popolo: the export validates against the Popolo 1.0.1 schemas (resolved locally), the import goes through the
services in one transaction, and a round trip into an empty database gives the same document."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from registry import services
from registry.interop import popolo
from registry.models import Appointment, Change, Identifier, Organization, OtherName, Person, Post

pytestmark = pytest.mark.django_db


def read(response) -> dict:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"].startswith("application/json")
    return json.loads(b"".join(response.streaming_content))


def identify(record, scheme: str, identifier: str):
    values = {"content_type": ContentType.objects.get_for_model(record), "object_id": record.pk}
    return services.record_create(model=Identifier, values={**values, "scheme": scheme, "identifier": identifier})


def test_api_export_is_valid_popolo_with_every_record(api_client):
    document = read(api_client.get(reverse("registry-api:export-popolo")))
    assert popolo.validate(document) == []
    assert len(document["organizations"]) == Organization.objects.count()
    assert len(document["persons"]) == Person.objects.count()
    assert len(document["posts"]) == Post.objects.count()
    assert len(document["memberships"]) == Appointment.objects.count()
    membership = document["memberships"][0]
    assert {"person_id", "post_id", "organization_id", "start_date", "start_date_precision"} <= set(membership)
    assert all(source["url"].startswith("urn:") and source["quote"] for source in membership.get("sources", []))
    assert any("text" in item for item in document["documents"])  # documents with their full text
    assert document["relationships"] and document["portfolios"]


def test_export_carries_identifiers_and_other_names():
    person = Person.objects.order_by("pk").first()
    identify(person, "wikidata", "Q999999991")
    values = {"content_type": ContentType.objects.get_for_model(person), "object_id": person.pk}
    services.record_create(model=OtherName, values={**values, "name": "Nguyen Van Test", "kind": "transliteration"})
    document = popolo.export()
    assert popolo.validate(document) == []
    (shown,) = [item for item in document["persons"] if item["id"] == f"person/{person.slug}"]
    assert shown["identifiers"] == [{"scheme": "wikidata", "identifier": "Q999999991"}]
    assert shown["other_names"] == [{"name": "Nguyen Van Test", "kind": "transliteration"}]


def test_as_of_exports_only_what_holds_that_day(api_client):
    whole = popolo.export()
    then = read(api_client.get(reverse("registry-api:export-popolo"), {"as_of": "2010-01-01"}))
    assert then["meta"]["as_of"] == "2010-01-01"
    assert len(then["memberships"]) == Appointment.objects.as_of(__import__("datetime").date(2010, 1, 1)).count()
    assert len(then["memberships"]) < len(whole["memberships"])
    assert popolo.validate(then) == []
    bad = api_client.get(reverse("registry-api:export-popolo"), {"as_of": "yesterday"})
    assert bad.status_code == 400


def test_validation_finds_what_breaks_the_schemas():
    document = {"persons": [{"id": 7, "identifiers": [{"scheme": "wikidata"}]}], "memberships": [{"start_date": "x"}]}
    problems = popolo.validate(document)
    assert any("id: 7 is not of type" in problem for problem in problems)
    assert any("'identifier' is a required property" in problem for problem in problems)
    assert any("start_date" in problem for problem in problems)


def test_dry_run_reports_and_writes_nothing():
    document = popolo.export()
    person = document["persons"][0]
    person["given_name"] = "Đổi Tên"
    person["identifiers"] = [{"scheme": "vn-civil-servant", "identifier": "079-000-001"}]
    entries = Change.objects.count()
    report = popolo.import_document(document, dry_run=True, reason="test")
    assert report.refused == [] and not report.applied
    assert report.updated == {person["id"]: ["given_name", "identifiers"]}
    assert report.unchanged == len(report_ids(document)) - 1
    assert Change.objects.count() == entries
    assert not Identifier.objects.exists()


def report_ids(document) -> list:
    return [
        item["id"]
        for name in (
            "organizations",
            "persons",
            "posts",
            "memberships",
            "portfolios",
            "documents",
            "relationships",
            "events",
        )
        for item in document[name]
    ]


def test_import_matches_by_identifier_and_writes_through_the_services():
    person = Person.objects.order_by("pk").first()
    identify(person, "vn-civil-servant", "079-000-002")
    document = {
        "persons": [
            {
                "id": "https://other-registry.example/people/42",
                "name": person.name,
                "given_name": "Thử Nghiệm",
                "identifiers": [{"scheme": "vn-civil-servant", "identifier": "079-000-002"}],
            }
        ]
    }
    report = popolo.import_document(document, reason="joined with the national register")
    assert report.applied, report.refused
    # only what the file says changes: left-out keys (family_name, honorific) stay as they are
    assert report.updated == {"https://other-registry.example/people/42": ["given_name"]}
    person.refresh_from_db()
    assert person.given_name == "Thử Nghiệm"
    entry = Change.objects.filter(model="person", object_id=person.pk).latest("id")
    assert entry.reason == "joined with the national register"
    assert report.created == []  # matched, not a new person


def test_a_refused_record_means_nothing_is_imported():
    document = popolo.export()
    document["persons"].append({"id": "person/new-person", "name": "Người Mới"})
    document["memberships"].append(
        {
            "id": "membership/x",
            "person_id": "person/new-person",
            "post_id": "post/does-not-exist",
            "start_date": "2024-01-01",
        }
    )
    document["organizations"][0]["founding_date"] = "2030-01-01"
    document["organizations"][0]["dissolution_date"] = "2020-01-01"
    report = popolo.import_document(document)
    assert not report.applied
    refused = {item["id"]: item["errors"] for item in report.refused}
    assert "post_id" in refused["membership/x"]
    assert "dissolution_date" in refused[document["organizations"][0]["id"]]
    assert not Person.objects.filter(slug="new-person").exists()  # created in the transaction, rolled back


def run(command: list[str], database: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "tests-only-not-a-secret"}
    env.pop("DATABASE_REPLICA_URL", None)
    result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *command],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_round_trip_seeded_registry_into_an_empty_database(tmp_path):
    """Export the seeded registry, import it into a freshly migrated empty SQLite database, export again: the two
    documents are equal, every field compared (ids are natural keys, so they are compared too)."""
    empty, seeded = tmp_path / "empty.sqlite3", tmp_path / "seeded.sqlite3"
    run(["migrate", "--noinput", "-v0"], empty)
    shutil.copy(empty, seeded)
    run(["load_seeds"], seeded)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    run(["export_popolo", "--output", str(first), "--validate"], seeded)
    imported = run(["import_popolo", str(first)], empty)
    assert "imported" in imported.stdout
    run(["export_popolo", "--output", str(second), "--validate"], empty)
    a, b = json.loads(first.read_text()), json.loads(second.read_text())
    assert a["persons"] and a["memberships"] and a["documents"]
    assert a == b
    again = run(["import_popolo", str(first)], empty)  # a second import finds everything in place
    assert "created: 0" in again.stdout and "updated: 0" in again.stdout
