"""Identifiers and other names of people and organizations: written through the services, shown on the record,
filterable, in the feed and in the admin. The seeds carry none: every test makes its own (facts are sacred)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from registry import services
from registry.models import Change, Identifier, Organization, OtherName, Person
from tests.factories import OrganizationFactory, PersonFactory
from tests.helpers import assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db


def add_identifier(record, scheme="wikidata", identifier="Q1854", reason="test"):
    values = {
        "content_type": ContentType.objects.get_for_model(record),
        "object_id": record.pk,
        "scheme": scheme,
        "identifier": identifier,
    }
    return services.record_create(model=Identifier, values=values, reason=reason)


def test_api_creates_an_identifier_and_the_person_shows_it(editor_client):
    person = PersonFactory()
    response = editor_client.post(
        list_url("identifier"),
        {"person": person.slug, "scheme": "wikidata", "identifier": "Q4115189", "reason": "joined to Wikidata"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["person"]["slug"] == person.slug
    assert response.json()["organization"] is None
    shown = editor_client.get(detail_url("person", person.slug)).json()
    assert shown["identifiers"] == [
        {"id": response.json()["id"], "scheme": "wikidata", "identifier": "Q4115189", "note": ""}
    ]
    entry = Change.objects.filter(model="identifier").latest("id")
    assert entry.reason == "joined to Wikidata"
    assert entry.data["person"]["slug"] == person.slug


def test_identifier_bumps_the_version_of_its_record():
    person = PersonFactory()
    before = Person.objects.get(pk=person.pk).version
    add_identifier(person)
    assert Person.objects.get(pk=person.pk).version == before + 1


def test_api_refuses_an_identifier_without_exactly_one_owner(editor_client):
    person, organization = PersonFactory(), OrganizationFactory()
    both = {"person": person.slug, "organization": organization.slug, "scheme": "x", "identifier": "1"}
    assert_error(editor_client.post(list_url("identifier"), both, format="json"), 400, "person")
    neither = {"scheme": "x", "identifier": "1"}
    assert_error(editor_client.post(list_url("identifier"), neither, format="json"), 400, "person")


def test_wikidata_identifiers_are_checked_and_unique_per_kind(editor_client):
    person, other = PersonFactory(), PersonFactory()
    bad = {"person": person.slug, "scheme": "wikidata", "identifier": "4115189"}
    assert_error(editor_client.post(list_url("identifier"), bad, format="json"), 400, "identifier")
    add_identifier(person, identifier="Q7")
    taken = {"person": other.slug, "scheme": "wikidata", "identifier": "Q7"}
    assert_error(editor_client.post(list_url("identifier"), taken, format="json"), 400, "identifier")
    # the same identifier on a body is another kind of record: allowed
    organization = OrganizationFactory()
    ok = {"organization": organization.slug, "scheme": "wikidata", "identifier": "Q7"}
    assert editor_client.post(list_url("identifier"), ok, format="json").status_code == 201


def test_anonymous_clients_cannot_write_identifiers(api_client):
    person = PersonFactory()
    response = api_client.post(
        list_url("identifier"), {"person": person.slug, "scheme": "x", "identifier": "1"}, format="json"
    )
    assert response.status_code in (401, 403)


@pytest.mark.parametrize("basename, factory", [("person", PersonFactory), ("organization", OrganizationFactory)])
def test_identifier_filter(api_client, basename, factory):
    record, other = factory(), factory()
    add_identifier(record, scheme="vn-civil-servant", identifier="CB:0001")
    add_identifier(other, scheme="vn-civil-servant", identifier="CB:0002")
    response = api_client.get(list_url(basename), {"identifier": "vn-civil-servant:CB:0001", "page_size": 200})
    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == [record.slug]
    assert_error(api_client.get(list_url(basename), {"identifier": "no-colon"}), 400, "identifier")


def test_other_names_with_dates(editor_client):
    organization = OrganizationFactory()
    response = editor_client.post(
        list_url("othername"),
        {
            "organization": organization.slug,
            "name": "Sở Ngoại vụ TP.HCM (cũ)",
            "kind": "former",
            "language": "vi",
            "start_date": "1976-01-01",
            "start_date_precision": "inferred",
            "end_date": "2025-06-30",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["end_date_precision"] == "exact"  # a date written without precision is exact
    shown = editor_client.get(detail_url("organization", organization.slug)).json()
    assert [name["name"] for name in shown["other_names"]] == ["Sở Ngoại vụ TP.HCM (cũ)"]
    backwards = {"organization": organization.slug, "name": "x", "start_date": "2025-01-01", "end_date": "2024-01-01"}
    assert_error(editor_client.post(list_url("othername"), backwards, format="json"), 400, "end_date")


def test_deleting_a_person_deletes_its_identifiers_through_the_services():
    person = PersonFactory()
    identifier = add_identifier(person)
    services.record_delete(instance=person, reason="duplicate")
    assert not Identifier.objects.filter(pk=identifier.pk).exists()
    assert Change.objects.filter(model="identifier", object_id=identifier.pk, type="deleted").exists()


def test_admin_inline_saves_identifiers_through_the_services(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "root-password"))
    organization = OrganizationFactory()
    url = reverse("admin:registry_organization_change", args=[organization.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "legal_basis"}
    data["loaded_version"] = organization.version
    data["change_reason"] = "identifier from the unit register"
    for formset in page.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        if formset.formset.model is Identifier:
            data[f"{prefix}-TOTAL_FORMS"] = "1"
            data[f"{prefix}-0-scheme"] = "hcmc-unit"
            data[f"{prefix}-0-identifier"] = "000.00.12.H29"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    identifier = Identifier.objects.get(scheme="hcmc-unit")
    assert identifier.record == organization
    assert Change.objects.filter(model="identifier", object_id=identifier.pk).get().reason == (
        "identifier from the unit register"
    )
    assert OtherName.objects.count() == 0
    assert Organization.objects.get(pk=organization.pk).version > organization.version
