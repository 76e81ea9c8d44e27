"""Model rules met outside the API's happy paths: records named as the admin lists them, identifiers and names
owned only by people and bodies that exist, an appointment checked without its post, a search with nothing to
search for, and the cap on sources in one write."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from registry import services
from registry.choices import ChangeType
from registry.http import caching
from registry.models import (
    Appointment,
    Change,
    Document,
    Identifier,
    OtherName,
    Person,
    RegistryRevision,
    SeedBaseline,
    SystemKey,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


class TestNames:
    """What the admin's lists, history and error messages call each record."""

    def test_a_feed_entry_is_its_type_model_and_id(self):
        entry = Change(type=ChangeType.CHANGED, model="post", object_id=7)
        assert str(entry) == "changed post 7"

    def test_a_seed_baseline_is_its_model_and_key(self):
        assert str(SeedBaseline(model="appointment", key="3|9|2025-12-15")) == "appointment 3|9|2025-12-15"

    def test_the_revision_is_its_number_and_moment(self):
        caching.bump()
        revision = RegistryRevision.objects.get()
        assert str(revision) == f"revision {revision.number} ({revision.changed.isoformat()})"

    def test_a_system_key_shows_its_prefix_never_the_key(self, django_user_model):
        account = django_user_model.objects.create_user("portal")
        key, secret = SystemKey.objects.create_key(name="portal", account=account)
        assert str(key) == f"portal ({key.prefix}…)"
        assert secret not in str(key)

    def test_another_name_is_the_name(self):
        person = PersonFactory()
        other = OtherName(content_type=ContentType.objects.get_for_model(Person), object_id=person.pk, name="Ba Thử")
        assert str(other) == "Ba Thử"


class TestOwners:
    def identifier(self, model, object_id) -> Identifier:
        content_type = ContentType.objects.get_for_model(model)
        return Identifier(content_type=content_type, object_id=object_id, scheme="hcmc-unit", identifier="X-1")

    def test_only_people_and_bodies_carry_identifiers(self):
        document = Document.objects.first()
        with pytest.raises(ValidationError) as caught:
            self.identifier(Document, document.pk).full_clean()
        assert "Only people and organizations carry identifiers and names." in caught.value.message_dict["content_type"]

    def test_the_owner_must_exist(self):
        missing = Person.objects.order_by("-pk").first().pk + 1000
        with pytest.raises(ValidationError) as caught:
            self.identifier(Person, missing).full_clean()
        assert caught.value.message_dict["object_id"] == [f"No person with id {missing}."]

    def test_without_a_kind_of_owner_the_field_itself_is_reported(self):
        identifier = Identifier(object_id=1, scheme="hcmc-unit", identifier="X-1")
        with pytest.raises(ValidationError) as caught:
            identifier.full_clean()
        assert "content_type" in caught.value.message_dict


def test_an_appointment_without_its_post_reports_the_missing_field_not_a_crash():
    appointment = Appointment(person=Person.objects.first(), start_date=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError) as caught:
        appointment.full_clean()
    assert set(caught.value.message_dict) == {"post"}


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_a_search_with_no_words_finds_every_record(query):
    assert Person.objects.search(query).count() == Person.objects.count()


def test_one_write_carries_at_most_fifty_sources():
    document = Document.objects.first()
    sources = [{"document": document, "quote": f"trích dẫn {n}"} for n in range(services.MAX_SOURCES + 1)]
    with pytest.raises(ValidationError) as caught:
        services.record_create(model=Person, values={"slug": "test-many-sources", "name": "Trần Thử"}, sources=sources)
    assert caught.value.message_dict == {"sources": ["At most 50 sources in one write."]}
    assert not Person.objects.filter(slug="test-many-sources").exists()
