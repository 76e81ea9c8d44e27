"""Re-running the seeds on a live registry never undoes anyone's work, and `--check` writes nothing."""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from registry import services
from registry.models import Appointment, Change, Citation, Organization, Person, Post
from registry.seeding import SEEDS_DIR, load_seed_file
from tests.helpers import action_url, detail_url
from tests.test_seeding import seed_data, write_seed

pytestmark = pytest.mark.django_db

CHAIRMAN = "ubnd-tp-hcm-chu-tich"


def seeds(*options: str) -> list[str]:
    out = io.StringIO()
    call_command("load_seeds", *options, stdout=out)
    return out.getvalue().splitlines()


def test_edits_through_the_api_are_kept_and_reported(editor_client):
    organization = Organization.objects.get(slug="ubnd-tp-hcm")
    appointment = Appointment.objects.filter(end_date__isnull=False).exclude(end_date_precision="exact").first()
    response = editor_client.patch(
        detail_url("organization", organization.slug), {"name_en": "City People's Committee"}, format="json"
    )
    assert response.status_code == 200
    response = editor_client.patch(
        detail_url("appointment", appointment.pk), {"end_date_precision": "exact"}, format="json"
    )
    assert response.status_code == 200

    report = load_seed_file()

    organization.refresh_from_db()
    appointment.refresh_from_db()
    assert organization.name_en == "City People's Committee"
    assert appointment.end_date_precision == "exact"
    assert report.changed is False
    assert f"kept: organization {organization.pk} name_en, edited" in "\n".join(report.kept)
    assert any(line.endswith("by editor") for line in report.kept)
    assert f"kept: appointment {appointment.pk} end_date_precision" in "\n".join(report.kept)


def test_a_succession_on_a_seeded_post_does_not_stop_the_seeds(editor_client):
    chairman = Post.objects.get(slug=CHAIRMAN)
    successor = Person.objects.create(slug="nguoi-ke-nhiem", name="Người Kế Nhiệm")
    response = editor_client.post(
        action_url("post", "succeed", chairman.pk),
        {"person": successor.slug, "start_date": "2026-11-01"},
        format="json",
    )
    assert response.status_code == 201, response.content

    lines = seeds()

    assert lines[-1] == "nothing changed"
    assert Appointment.objects.filter(post=chairman, person=successor, end_date__isnull=True).exists()
    ended = Appointment.objects.get(pk=response.json()["ended"]["id"])
    assert (ended.end_date.isoformat(), ended.end_date_precision) == ("2026-10-31", "exact")
    assert any(line.startswith(f"kept: appointment {ended.pk} end_date") for line in lines)


def test_a_deleted_seeded_citation_is_not_brought_back(editor_client):
    citation = Citation.objects.filter(content_type__model="person").first()
    services.record_delete(instance=citation, reason="wrong source")

    report = load_seed_file()

    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert report.created["citations"] == 0
    assert any(line.startswith("kept: citation") and "deleted" in line for line in report.kept)


def corrected_seed_file(folder: Path) -> Path:
    """The seed file with one correction (the People's Committee's English name), beside copies of the articles."""
    data = seed_data()
    (record,) = [r for r in data["organizations"] if r["slug"] == "ubnd-tp-hcm"]
    record["name_en"] = "People's Committee of Ho Chi Minh City (corrected)"
    for document in data["documents"]:
        if document.get("file_name"):
            shutil.copy(SEEDS_DIR / document["file_name"], folder / document["file_name"])
    return write_seed(folder, data)


def test_a_field_nobody_edited_follows_the_seed_file(tmp_path):
    """The seed file may still correct what only the seeds ever wrote."""
    report = load_seed_file(corrected_seed_file(tmp_path))
    assert report.updated["organizations"] == 1
    assert Organization.objects.get(slug="ubnd-tp-hcm").name_en.endswith("(corrected)")
    entry = Change.objects.filter(model="organization").latest("id")
    assert (entry.user, entry.reason, entry.fields) == ("", "load_seeds", ["name_en"])


def test_check_prints_the_differences_and_writes_nothing(editor_client, tmp_path):
    organization = Organization.objects.get(slug="ubnd-tp-hcm")
    editor_client.patch(detail_url("organization", organization.slug), {"abbreviation": "UBND"}, format="json")
    before = (Change.objects.count(), organization.name_en)

    lines = seeds("--check", "--file", str(corrected_seed_file(tmp_path)))

    assert "update: organization ubnd-tp-hcm name_en: " in "\n".join(lines)
    assert any(line.startswith(f"kept: organization {organization.pk} abbreviation") for line in lines)
    assert lines[-1] == "differences found; nothing written"
    assert (Change.objects.count(), Organization.objects.get(pk=organization.pk).name_en) == before


def test_if_empty_loads_nothing_into_a_registry_that_holds_data():
    before = Change.objects.count()
    assert seeds("--if-empty") == ["the registry already holds data: seeds not loaded"]
    assert Change.objects.count() == before
