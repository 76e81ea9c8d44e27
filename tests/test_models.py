"""Models: named constraints (database and full_clean), clean() rules, NFC on save, search_text, as_of, __str__."""

import datetime
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from registry.choices import DatePrecision, RelationshipKind
from registry.models import (
    Appointment,
    Change,
    Citation,
    Document,
    Duty,
    EventAppearance,
    FeedCounter,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
    RegistryRevision,
    SeedBaseline,
    SystemKey,
)
from tests.factories import (
    AppearanceFactory,
    AppointmentFactory,
    CitationFactory,
    DocumentFactory,
    DutyFactory,
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
EXACT = DatePrecision.EXACT
ATTESTED = DatePrecision.ATTESTED
NBSP = "\u00a0"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def messages_of(error: ValidationError) -> dict[str, str]:
    """The error dict of a full_clean() failure, each field's messages joined into one string."""
    return {key: " ".join(messages) for key, messages in error.message_dict.items()}


# -- Named constraints ------------------------------------------------------------------------------------------------
#
# Each case builds a record that breaks exactly one named constraint. The database must refuse to save it
# (IntegrityError) and full_clean() must refuse it with a ValidationError whose message names the field (under the
# field's key where Django can attach it there, else under __all__).


@dataclass(frozen=True)
class Case:
    constraint: str
    build: Callable[[], models.Model]
    key: str  # where full_clean() reports it: a field name or NON_FIELD_ERRORS
    says: str  # a piece of the message naming the field or the rule


def _organization_dissolved_before_founded():
    return OrganizationFactory.build(
        founding_date=D(2020, 1, 1),
        founding_date_precision=EXACT,
        dissolution_date=D(2019, 12, 31),
        dissolution_date_precision=EXACT,
    )


def _organization_founding_date_without_precision():
    return OrganizationFactory.build(founding_date=D(2020, 1, 1), founding_date_precision="")


def _organization_dissolution_date_without_precision():
    return OrganizationFactory.build(dissolution_date=D(2020, 1, 1), dissolution_date_precision="")


def _organization_own_parent():
    organization = OrganizationFactory()
    organization.parent_id = organization.pk
    return organization


def _relationship_duplicate():
    existing = RelationshipFactory()
    return RelationshipFactory.build(subject=existing.subject, object=existing.object, kind=existing.kind)


def _relationship_one_body():
    organization = OrganizationFactory()
    return RelationshipFactory.build(subject=organization, object=organization)


def _relationship_ends_before_start():
    return RelationshipFactory.build(
        subject=OrganizationFactory(),
        object=OrganizationFactory(),
        start_date=D(2024, 6, 1),
        start_date_precision=EXACT,
        end_date=D(2024, 5, 31),
        end_date_precision=EXACT,
    )


def _relationship_start_without_precision():
    return RelationshipFactory.build(
        subject=OrganizationFactory(), object=OrganizationFactory(), start_date=D(2024, 6, 1)
    )


def _relationship_end_without_precision():
    return RelationshipFactory.build(
        subject=OrganizationFactory(), object=OrganizationFactory(), end_date=D(2024, 6, 1)
    )


def _duty_duplicate_order():
    existing = DutyFactory(order=1)
    return DutyFactory.build(organization=existing.organization, order=1)


def _duty_order_zero():
    return DutyFactory.build(organization=OrganizationFactory(), order=0)


def _post_without_seats():
    return PostFactory.build(organization=OrganizationFactory(), seats=0)


def _post_ex_officio_of_itself():
    post = PostFactory()
    post.ex_officio_of_id = post.pk
    return post


def _appointment_duplicate():
    # seats=None, so the seat rule of clean() stays out of the way of the unique constraint.
    existing = AppointmentFactory(post=PostFactory(seats=None))
    return AppointmentFactory.build(person=existing.person, post=existing.post, start_date=existing.start_date)


def _appointment_ends_before_start():
    return AppointmentFactory.build(
        person=PersonFactory(),
        post=PostFactory(),
        start_date=D(2024, 6, 1),
        end_date=D(2024, 5, 31),
        end_date_precision=EXACT,
    )


def _appointment_end_without_precision():
    return AppointmentFactory.build(
        person=PersonFactory(), post=PostFactory(), end_date=D(2024, 12, 31), end_date_precision=""
    )


def _appointment_without_start_precision():
    return AppointmentFactory.build(person=PersonFactory(), post=PostFactory(), start_date_precision="")


def _appointment_capacity_is_the_post():
    post = PostFactory()
    return AppointmentFactory.build(person=PersonFactory(), post=post, capacity=post)


def _document_date_without_precision():
    return DocumentFactory.build(published_on=D(2025, 1, 1), date_precision="")


def _document_duplicate_file_name():
    DocumentFactory(file_name="same-file.txt")
    return DocumentFactory.build(file_name="same-file.txt")


def _citation_duplicate():
    existing = CitationFactory()
    return CitationFactory.build(record=existing.record, document=existing.document, quote=existing.quote)


def _system_key_second_usable_key():
    account = User.objects.create_user("test-system")
    SystemKey.objects.create_key(name="first", account=account)
    second = SystemKey(name="second", account=account)
    SystemKey.objects.assign_key(second)
    return second


def _appointment_vacant_without_an_end():
    return AppointmentFactory.build(
        person=PersonFactory(), post=PostFactory(), start_date=D(2024, 1, 1), leaves_vacant=True
    )


def _citation_without_quote():
    return CitationFactory.build(record=OrganizationFactory(), document=DocumentFactory(), quote="")


def _event_start_without_precision():
    return EventFactory.build(start_date=D(2024, 6, 1), start_date_precision="")


def _event_appearance_twice():
    appearance = AppearanceFactory(appointment=AppointmentFactory(start_date=D(2024, 1, 1)))
    return EventAppearance(event=appearance.event, appointment=appearance.appointment)


def _seed_baseline_duplicate_key():
    SeedBaseline.objects.create(model="person", key="someone", object_id=1, values={})
    return SeedBaseline(model="person", key="someone", object_id=2, values={})


def _second_registry_revision():
    return RegistryRevision(pk=RegistryRevision.ONLY + 1, number=0, changed=timezone.now())


def _second_feed_counter():
    return FeedCounter(pk=FeedCounter.ONLY + 1, last=0)


def _feed_entry_at_a_taken_position():
    taken = Change.objects.filter(position__isnull=False).values_list("position", flat=True).first()
    return Change(position=taken, model="person", object_id=1, type="changed", date=timezone.now(), reason="", data={})


def _identifier_on_two_people():
    from registry.models import Identifier

    first, second = PersonFactory(), PersonFactory()
    Identifier.objects.create(record=first, scheme="wikidata", identifier="Q4115189")
    return Identifier(record=second, scheme="wikidata", identifier="Q4115189")


def _other_name(**values):
    from registry.models import OtherName

    return OtherName(record=OrganizationFactory(), name="Sở Ngoại vụ", **values)


def _other_name_duplicate():
    first = _other_name()
    first.save()
    from registry.models import OtherName

    return OtherName(record=first.record, name=first.name, kind=first.kind)


CASES = [
    Case("registry_identifier_unique_per_kind", _identifier_on_two_people, "identifier", "already carries"),
    Case(
        "registry_othername_end_after_start",
        lambda: _other_name(
            start_date=D(2024, 6, 1), start_date_precision=EXACT, end_date=D(2024, 5, 1), end_date_precision=EXACT
        ),
        "end_date",
        "end_date must be on or after start_date",
    ),
    Case(
        "registry_othername_start_precision",
        lambda: _other_name(start_date=D(2024, 6, 1)),
        "start_date_precision",
        "start_date_precision goes with start_date",
    ),
    Case(
        "registry_othername_end_precision",
        lambda: _other_name(end_date=D(2024, 6, 1)),
        "end_date_precision",
        "end_date_precision goes with end_date",
    ),
    Case("registry_othername_unique_per_record", _other_name_duplicate, "name", "already has this name"),
    Case(
        "registry_organization_dissolved_after_founded",
        _organization_dissolved_before_founded,
        "dissolution_date",
        "dissolution_date must be on or after founding_date",
    ),
    Case(
        "registry_organization_founding_precision",
        _organization_founding_date_without_precision,
        "founding_date_precision",
        "founding_date_precision goes with founding_date",
    ),
    Case(
        "registry_organization_dissolution_precision",
        _organization_dissolution_date_without_precision,
        "dissolution_date_precision",
        "dissolution_date_precision goes with dissolution_date",
    ),
    # Organization.clean() reports the cycle on the parent field before the constraint is checked.
    Case("registry_organization_not_own_parent", _organization_own_parent, "parent", "parent"),
    Case(
        "registry_organizationrelationship_unique_subject_object_kind",
        _relationship_duplicate,
        NON_FIELD_ERRORS,
        "Subject, Object and Kind already exists",
    ),
    Case(
        "registry_organizationrelationship_two_bodies",
        _relationship_one_body,
        "object",
        "two different organizations",
    ),
    Case(
        "registry_organizationrelationship_end_after_start",
        _relationship_ends_before_start,
        "end_date",
        "end_date must be on or after start_date",
    ),
    Case(
        "registry_organizationrelationship_start_precision",
        _relationship_start_without_precision,
        "start_date_precision",
        "start_date_precision goes with start_date",
    ),
    Case(
        "registry_organizationrelationship_end_precision",
        _relationship_end_without_precision,
        "end_date_precision",
        "end_date_precision goes with end_date",
    ),
    Case(
        "registry_duty_unique_order", _duty_duplicate_order, NON_FIELD_ERRORS, "Organization and Order already exists"
    ),
    Case("registry_duty_order_from_one", _duty_order_zero, "order", "order starts at 1"),
    Case("registry_post_at_least_one_seat", _post_without_seats, "seats", "greater than or equal to 1"),
    Case(
        "registry_post_not_ex_officio_of_itself",
        _post_ex_officio_of_itself,
        "ex_officio_of",
        "cannot be held by virtue of itself",
    ),
    Case(
        "registry_appointment_unique_person_post_start",
        _appointment_duplicate,
        NON_FIELD_ERRORS,
        "Person, Post and Start date already exists",
    ),
    Case(
        "registry_appointment_end_after_start",
        _appointment_ends_before_start,
        "end_date",  # Appointment.clean() names the field before the constraint is checked
        "end_date must be on or after start_date",
    ),
    Case(
        "registry_appointment_end_precision",
        _appointment_end_without_precision,
        "end_date_precision",
        "end_date_precision goes with end_date",
    ),
    # A blank start_date_precision is refused by the field itself, so full_clean() names it directly.
    Case(
        "registry_appointment_start_precision",
        _appointment_without_start_precision,
        "start_date_precision",
        "cannot be blank",
    ),
    Case(
        "registry_appointment_vacant_after_an_end",
        _appointment_vacant_without_an_end,
        "leaves_vacant",
        "Only an ended appointment leaves its seat vacant",
    ),
    Case(
        "registry_appointment_capacity_not_post",
        _appointment_capacity_is_the_post,
        "capacity",
        "capacity is another post",
    ),
    Case(
        "registry_document_date_precision",
        _document_date_without_precision,
        "date_precision",
        "goes with its date_precision",
    ),
    Case(
        "registry_document_unique_file_name",
        _document_duplicate_file_name,
        "file_name",
        "registry_document_unique_file_name",
    ),
    Case(
        "registry_citation_unique_quote_per_record",
        _citation_duplicate,
        NON_FIELD_ERRORS,
        "Content type, Object id, Document and Quote already exists",
    ),
    # A blank quote is refused by the field itself, so full_clean() names it directly.
    Case("registry_citation_quote_required", _citation_without_quote, "quote", "cannot be blank"),
    Case(
        "registry_event_start_precision",
        _event_start_without_precision,
        "start_date_precision",
        "start_date_precision goes with start_date",
    ),
    Case(
        "registry_eventappearance_once_per_event",
        _event_appearance_twice,
        NON_FIELD_ERRORS,
        "already exists",
    ),
    Case(
        "registry_seedbaseline_unique_key",
        _seed_baseline_duplicate_key,
        NON_FIELD_ERRORS,
        "Model and Key already exists",
    ),
    Case(
        "registry_registryrevision_single_row",
        _second_registry_revision,
        NON_FIELD_ERRORS,
        "registry_registryrevision_single_row",
    ),
    Case(
        "registry_feedcounter_single_row",
        _second_feed_counter,
        NON_FIELD_ERRORS,
        "registry_feedcounter_single_row",
    ),
    Case("registry_change_unique_position", _feed_entry_at_a_taken_position, "position", "already exists"),
    Case(
        "registry_systemkey_one_usable_key",
        _system_key_second_usable_key,
        NON_FIELD_ERRORS,
        "registry_systemkey_one_usable_key",
    ),
]


def test_every_named_constraint_has_a_case():
    declared = {
        constraint.name
        for model in apps.get_app_config("registry").get_models()
        for constraint in model._meta.constraints
    }
    assert declared == {case.constraint for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.constraint)
def test_database_enforces_named_constraint(case):
    record = case.build()
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()  # save() bypasses full_clean(): only the database stands in the way


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.constraint)
def test_full_clean_refuses_what_the_constraint_refuses(case):
    record = case.build()
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    errors = messages_of(caught.value)
    assert case.key in errors, errors
    assert case.says in errors[case.key]


def test_document_file_name_may_be_blank_on_many_documents():
    DocumentFactory(file_name="")
    second = DocumentFactory.build(file_name="", kind="resolution", text="")
    second.full_clean()
    second.save()
    assert Document.objects.filter(pk=second.pk).exists()


def test_document_without_any_date_needs_no_precision():
    document = DocumentFactory.build(kind="resolution", text="", published_on=None, issued_on=None, date_precision="")
    document.full_clean()
    document.save()


def test_organization_precision_without_date_is_refused():
    organization = OrganizationFactory.build(founding_date=None, founding_date_precision=EXACT)
    with pytest.raises(ValidationError, match="founding_date_precision goes with founding_date"):
        organization.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        organization.save()


def test_valid_records_pass_full_clean():
    organization = OrganizationFactory.build(
        founding_date=D(2020, 1, 1),
        founding_date_precision=EXACT,
        dissolution_date=D(2020, 1, 1),  # same day: allowed
        dissolution_date_precision=EXACT,
    )
    organization.full_clean()
    organization.save()
    RelationshipFactory.build(
        subject=organization,
        object=OrganizationFactory(),
        start_date=D(2020, 1, 1),
        start_date_precision=ATTESTED,
        end_date=D(2020, 1, 1),
        end_date_precision=ATTESTED,
    ).full_clean()
    post = PostFactory(seats=None)
    AppointmentFactory.build(
        person=PersonFactory(), post=post, capacity=PostFactory(), end_date=D(2024, 1, 1), end_date_precision=EXACT
    ).full_clean()


def test_a_system_gets_a_new_key_once_the_old_one_is_revoked():
    account = User.objects.create_user("test-system")
    first, _ = SystemKey.objects.create_key(name="first", account=account)
    first.revoked = True
    first.save()
    second = SystemKey(name="second", account=account)
    SystemKey.objects.assign_key(second)
    second.full_clean()
    second.save()
    assert SystemKey.objects.filter(account=account, revoked=False).get() == second


# -- One seat, one holder: the single_seat copy and PostgreSQL's exclusion constraint ---------------------------------


def test_single_seat_flag_follows_the_post_seats():
    post = PostFactory(seats=1)
    appointment = AppointmentFactory(post=post)
    assert Appointment.objects.get(pk=appointment.pk).single_seat is True
    post.seats = 3
    post.save()
    assert Appointment.objects.get(pk=appointment.pk).single_seat is False
    post.seats = None
    post.save()
    assert Appointment.objects.get(pk=appointment.pk).single_seat is False
    post.seats = 1
    post.save()
    assert Appointment.objects.get(pk=appointment.pk).single_seat is True


def test_postgresql_refuses_two_holders_of_one_seat_on_a_shared_day():
    if connection.vendor != "postgresql":
        pytest.skip("the single-seat exclusion constraint exists on PostgreSQL only")
    post = PostFactory(seats=1)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(post=post, start_date=D(2024, 6, 30))  # save() bypasses clean(); 30 June is shared
    AppointmentFactory(post=post, start_date=D(2024, 7, 1))  # back to back: allowed
    shared = PostFactory(seats=2)
    AppointmentFactory(post=shared, start_date=D(2024, 1, 1))
    AppointmentFactory(post=shared, start_date=D(2024, 1, 1))  # not a single seat: the database lets it be


def test_post_cannot_get_fewer_seats_than_it_has_holders_at_once():
    post = PostFactory(seats=None)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    AppointmentFactory(post=post, start_date=D(2024, 6, 1))
    AppointmentFactory(post=post, start_date=D(2025, 1, 1))  # two at once from 2025 on, three never
    post.seats = 1
    with pytest.raises(ValidationError) as caught:
        post.full_clean()
    assert "More than 1 people" in messages_of(caught.value)["seats"]
    post.seats = 2
    post.full_clean()


# -- Organization.clean: no parent cycles -----------------------------------------------------------------------------


def test_organization_cannot_be_its_own_parent_in_memory():
    organization = OrganizationFactory.build()
    organization.parent = organization
    with pytest.raises(ValidationError) as caught:
        organization.clean()
    assert "parent" in caught.value.message_dict


def test_organization_cannot_take_a_descendant_as_parent():
    grandparent = OrganizationFactory()
    parent = OrganizationFactory(parent=grandparent)
    child = OrganizationFactory(parent=parent)
    grandparent.parent = child  # in memory only
    with pytest.raises(ValidationError) as caught:
        grandparent.clean()
    assert "descendants" in messages_of(caught.value)["parent"]


def test_organization_cycle_is_found_through_fresh_instances_from_the_database():
    top = OrganizationFactory()
    middle = OrganizationFactory(parent=top)
    bottom = OrganizationFactory(parent=middle)
    top_again = Organization.objects.get(pk=top.pk)
    top_again.parent = Organization.objects.get(pk=bottom.pk)
    with pytest.raises(ValidationError):
        top_again.full_clean()


def test_organization_cycle_of_a_seeded_body():
    city = Organization.objects.get(slug="thanh-pho-ho-chi-minh")
    city.parent = Organization.objects.get(slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te")  # its child
    with pytest.raises(ValidationError) as caught:
        city.full_clean()
    assert "parent" in caught.value.message_dict


def test_organization_with_a_proper_parent_chain_is_clean():
    top = OrganizationFactory()
    middle = OrganizationFactory(parent=top)
    bottom = OrganizationFactory.build(parent=middle)
    bottom.clean()
    bottom.full_clean()


def test_organization_cycle_between_two_unsaved_bodies():
    first = OrganizationFactory.build()
    second = OrganizationFactory.build(parent=first)
    first.parent = second
    with pytest.raises(ValidationError):
        first.clean()


def test_organization_cycle_among_three_unsaved_bodies():
    # Unsaved bodies all have pk None: the cycle check must tell them apart by identity, not by pk.
    first = OrganizationFactory.build()
    second = OrganizationFactory.build(parent=first)
    third = OrganizationFactory.build(parent=second)
    first.parent = third
    for body in (first, second, third):
        with pytest.raises(ValidationError):
            body.clean()


def test_unsaved_chain_without_a_cycle_is_clean():
    top = OrganizationFactory.build()
    middle = OrganizationFactory.build(parent=top)
    OrganizationFactory.build(parent=middle).clean()


# -- Appointment.clean: seats and the organization's lifetime ---------------------------------------------------------


def _appoint(post, start, end=None, **kwargs):
    """An unsaved appointment to ``post`` (validated by the test)."""
    if end is not None:
        kwargs.setdefault("end_date_precision", EXACT)
    return AppointmentFactory.build(person=PersonFactory(), post=post, start_date=start, end_date=end, **kwargs)


def test_single_seat_post_refuses_a_second_holder_on_overlapping_days():
    post = PostFactory(seats=1)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1))  # open-ended
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2024, 6, 1), D(2024, 6, 30)).full_clean()
    assert "1 seat" in messages_of(caught.value)["post"]


def test_single_seat_post_refuses_overlap_of_a_single_shared_day():
    post = PostFactory(seats=1)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2024, 6, 30)).full_clean()  # ends are inclusive: 30 June is held twice
    assert "post" in caught.value.message_dict


def test_single_seat_post_refuses_a_holder_whose_term_encloses_an_existing_one():
    post = PostFactory(seats=1)
    AppointmentFactory(post=post, start_date=D(2024, 3, 1), end_date=D(2024, 3, 31), end_date_precision=EXACT)
    with pytest.raises(ValidationError):
        _appoint(post, D(2024, 1, 1), D(2024, 12, 31)).full_clean()
    with pytest.raises(ValidationError):
        _appoint(post, D(2023, 1, 1)).full_clean()  # open-ended, started earlier


def test_single_seat_post_allows_back_to_back_holders():
    post = PostFactory(seats=1)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    successor = _appoint(post, D(2024, 7, 1))
    successor.full_clean()
    successor.save()
    predecessor = _appoint(post, D(2023, 1, 1), D(2023, 12, 31))
    predecessor.full_clean()


def test_existing_appointment_does_not_count_against_itself():
    appointment = AppointmentFactory(post=PostFactory(seats=1))
    appointment.note = "edited"
    appointment.full_clean()


def test_n_seat_post_refuses_holder_number_n_plus_one():
    post = PostFactory(seats=2)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1))
    second = _appoint(post, D(2024, 2, 1))
    second.full_clean()
    second.save()
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2024, 3, 1), D(2024, 3, 1)).full_clean()
    assert "2 seat" in messages_of(caught.value)["post"]


def test_n_seat_post_counts_holders_at_once_not_holders_in_total():
    post = PostFactory(seats=2)
    AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 3, 31), end_date_precision=EXACT)
    AppointmentFactory(post=post, start_date=D(2024, 4, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    # Three holders overlap the first half of 2024, but never more than two on one day.
    _appoint(post, D(2024, 1, 1), D(2024, 6, 30)).full_clean()


def test_twenty_seat_post_takes_twenty_holders_and_refuses_the_twenty_first():
    post = PostFactory(seats=20)
    for _ in range(20):
        holder = _appoint(post, D(2025, 1, 1))
        holder.full_clean()
        holder.save()
    with pytest.raises(ValidationError):
        _appoint(post, D(2025, 1, 1)).full_clean()


def test_post_with_unknown_seats_takes_any_number_of_holders():
    post = PostFactory(seats=None)
    for _ in range(5):
        holder = _appoint(post, D(2024, 1, 1))
        holder.full_clean()
        holder.save()
    assert post.appointments.as_of(D(2024, 1, 1)).count() == 5


def test_appointment_cannot_start_before_its_organization_is_founded():
    organization = OrganizationFactory(founding_date=D(2024, 1, 1), founding_date_precision=ATTESTED)
    post = PostFactory(organization=organization)
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2023, 12, 31)).full_clean()
    assert "founded on 2024-01-01" in messages_of(caught.value)["start_date"]
    _appoint(post, D(2024, 1, 1)).full_clean()  # the founding day itself is fine


def test_appointment_cannot_run_past_its_organization_dissolution():
    organization = OrganizationFactory(dissolution_date=D(2024, 12, 31), dissolution_date_precision=EXACT)
    post = PostFactory(organization=organization)
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2024, 1, 1), D(2025, 1, 1)).full_clean()
    assert "dissolved on 2024-12-31" in messages_of(caught.value)["end_date"]
    with pytest.raises(ValidationError) as caught:
        _appoint(post, D(2024, 1, 1)).full_clean()  # open-ended: would outlive the body
    assert "end_date" in caught.value.message_dict
    _appoint(post, D(2024, 1, 1), D(2024, 12, 31)).full_clean()  # ending on the last day is fine


def test_seeded_chairman_post_refuses_a_second_chairman_in_december_2025():
    chairman = Post.objects.get(slug="ubnd-tp-hcm-chu-tich")
    with pytest.raises(ValidationError) as caught:
        _appoint(chairman, D(2025, 12, 20)).full_clean()
    assert "post" in caught.value.message_dict
    # Between the two recorded terms the seat is free.
    _appoint(chairman, D(2025, 1, 1), D(2025, 6, 30)).full_clean()


# -- Citation.clean: quotes are verbatim ------------------------------------------------------------------------------


def test_citation_refuses_a_quote_not_in_its_document():
    document = DocumentFactory(text="Ông Trần Thử làm Giám đốc Sở Thử nghiệm.")
    citation = CitationFactory.build(record=OrganizationFactory(), document=document, quote="Phó Giám đốc Sở Thử")
    with pytest.raises(ValidationError) as caught:
        citation.full_clean()
    message = messages_of(caught.value)["quote"]
    assert document.slug in message
    assert "Phó Giám đốc Sở Thử" in message


def test_citation_refuses_a_quote_that_differs_in_accents():
    document = DocumentFactory(text="Ông Trần Thử làm Giám đốc Sở Thử nghiệm.")
    citation = CitationFactory.build(record=OrganizationFactory(), document=document, quote="Giam doc So Thu nghiem")
    with pytest.raises(ValidationError):
        citation.clean()


def test_citation_accepts_a_quote_that_differs_only_by_no_break_space():
    document = DocumentFactory(text=f"Ông Trần{NBSP}Thử làm Giám đốc Sở{NBSP}Thử nghiệm.")
    CitationFactory.build(record=OrganizationFactory(), document=document, quote="Trần Thử làm Giám đốc Sở Thử").clean()
    # and the other way round: a no-break space in the quote, a plain space in the text
    CitationFactory.build(record=OrganizationFactory(), document=document, quote=f"làm{NBSP}Giám đốc").full_clean()


def test_citation_accepts_a_decomposed_quote_and_stores_it_nfc():
    document = DocumentFactory(text="Ông Trần Thử làm Giám đốc Sở Thử nghiệm.")
    citation = CitationFactory.build(record=OrganizationFactory(), document=document, quote=nfd("Giám đốc Sở"))
    citation.full_clean()
    citation.save()
    citation.refresh_from_db()
    assert citation.quote == "Giám đốc Sở"


def test_citation_of_a_document_without_text_is_not_checked():
    document = DocumentFactory(kind="resolution", text="")
    CitationFactory.build(record=OrganizationFactory(), document=document, quote="anything at all").full_clean()


def test_citation_of_the_seeded_article_with_no_break_spaces():
    article = Document.objects.get(slug="art-2018-12-25")
    assert f"thành phố{NBSP}thông minh" in article.text
    CitationFactory.build(
        record=OrganizationFactory(), document=article, quote="Đề án xây dựng thành phố thông minh và Đề án"
    ).full_clean()


# -- NFC on save and search_text ------------------------------------------------------------------------------------


def test_decomposed_name_is_stored_nfc():
    person = PersonFactory(name=nfd("Nguyễn Thị Đào"), family_name=nfd("Nguyễn"), given_name=nfd("Đào"))
    stored = Person.objects.get(pk=person.pk)
    assert stored.name == "Nguyễn Thị Đào"
    assert stored.family_name == "Nguyễn"
    assert stored.given_name == "Đào"
    assert Person.objects.filter(name="Nguyễn Thị Đào").count() == 1


def test_every_text_field_is_stored_nfc():
    organization = OrganizationFactory(name=nfd("Sở Thử nghiệm"), note=nfd("Ghi chú về Được"))
    document = DocumentFactory(title=nfd("Nghị quyết thử"), text=nfd("Văn bản đầy đủ"))
    stored_organization = Organization.objects.get(pk=organization.pk)
    stored_document = Document.objects.get(pk=document.pk)
    assert stored_organization.name == "Sở Thử nghiệm"
    assert stored_organization.note == "Ghi chú về Được"
    assert stored_document.title == "Nghị quyết thử"
    assert stored_document.text == "Văn bản đầy đủ"


def test_full_clean_normalises_before_validating():
    organization = OrganizationFactory.build(name=nfd("Sở Thử nghiệm"))
    organization.full_clean()
    assert organization.name == "Sở Thử nghiệm"


def test_search_text_is_folded_from_the_search_fields():
    organization = OrganizationFactory(name="Sở Ngoại vụ Thử", name_en="Test Foreign Affairs", abbreviation="SNV")
    assert Organization.objects.get(pk=organization.pk).search_text == "so ngoai vu thu | test foreign affairs | snv"
    person = PersonFactory(name=nfd("Nguyễn Văn Được"))
    assert Person.objects.get(pk=person.pk).search_text == "nguyen van duoc"
    post = PostFactory(label="Phó Giám đốc", label_en="Deputy Director")
    assert Post.objects.get(pk=post.pk).search_text == "pho giam doc | deputy director"
    document = DocumentFactory(title="Nghị quyết thử", title_en="Test resolution", number="59-NQ/TW")
    assert Document.objects.get(pk=document.pk).search_text == "nghi quyet thu | test resolution | 59-nq/tw"


def test_search_text_follows_a_renamed_record():
    person = PersonFactory(name="Trần Thử")
    person.name = "Lê Đức Thọ"
    person.save()
    assert Person.objects.get(pk=person.pk).search_text == "le duc tho"
    assert Person.objects.filter(search_text__contains="tran").filter(pk=person.pk).count() == 0


def test_a_post_is_found_by_its_title_and_its_body_name():
    body = OrganizationFactory(name="Ban Chỉ đạo Hội nhập Thử")
    member = PostFactory(organization=body, label="Thành viên")
    elsewhere = PostFactory(label="Thành viên")
    assert list(Post.objects.search("thanh vien ban chi dao hoi nhap thu")) == [member]
    assert set(Post.objects.search("thanh vien")) >= {member, elsewhere}


def test_seeded_records_have_search_text():
    assert Person.objects.get(slug="nguyen-van-duoc").search_text == "nguyen van duoc"
    assert Organization.objects.filter(search_text__contains="so ngoai vu").filter(slug="so-ngoai-vu-tp-hcm").exists()
    assert Document.objects.get(slug="nq-153-nq-cp").search_text.endswith("| 153/nq-cp")


# -- as_of ----------------------------------------------------------------------------------------------------------


def test_appointment_as_of_includes_both_ends():
    post = PostFactory()
    appointment = AppointmentFactory(
        post=post, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT
    )
    held = Appointment.objects.filter(post=post)
    assert list(held.as_of(D(2023, 12, 31))) == []
    assert list(held.as_of(D(2024, 1, 1))) == [appointment]
    assert list(held.as_of(D(2024, 3, 15))) == [appointment]
    assert list(held.as_of(D(2024, 6, 30))) == [appointment]
    assert list(held.as_of(D(2024, 7, 1))) == []
    assert appointment.holds_on(D(2024, 6, 30))
    assert not appointment.holds_on(D(2024, 7, 1))


def test_open_appointment_holds_from_its_start_on():
    post = PostFactory()
    appointment = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
    held = Appointment.objects.filter(post=post)
    assert list(held.as_of(D(2023, 12, 31))) == []
    assert list(held.as_of(D(2024, 1, 1))) == [appointment]
    assert list(held.as_of(D(2099, 12, 31))) == [appointment]


def test_one_day_appointment_holds_on_that_day_only():
    post = PostFactory()
    AppointmentFactory(post=post, start_date=D(2024, 5, 5), end_date=D(2024, 5, 5), end_date_precision=ATTESTED)
    held = Appointment.objects.filter(post=post)
    assert held.as_of(D(2024, 5, 4)).count() == 0
    assert held.as_of(D(2024, 5, 5)).count() == 1
    assert held.as_of(D(2024, 5, 6)).count() == 0


def test_appointment_overlapping():
    post = PostFactory(seats=None)
    first = AppointmentFactory(post=post, start_date=D(2024, 1, 1), end_date=D(2024, 1, 31), end_date_precision=EXACT)
    second = AppointmentFactory(post=post, start_date=D(2024, 3, 1))
    on_post = Appointment.objects.filter(post=post)
    assert set(on_post.overlapping(D(2024, 1, 31), D(2024, 3, 1))) == {first, second}
    assert set(on_post.overlapping(D(2024, 2, 1), D(2024, 2, 29))) == set()
    assert set(on_post.overlapping(D(2024, 2, 1), None)) == {second}


def test_organization_as_of():
    lived = OrganizationFactory(
        founding_date=D(2024, 1, 1),
        founding_date_precision=EXACT,
        dissolution_date=D(2024, 12, 31),
        dissolution_date_precision=EXACT,
    )
    undated = OrganizationFactory()
    ours = Organization.objects.filter(pk__in=[lived.pk, undated.pk])
    assert set(ours.as_of(D(2023, 12, 31))) == {undated}
    assert set(ours.as_of(D(2024, 1, 1))) == {lived, undated}
    assert set(ours.as_of(D(2024, 12, 31))) == {lived, undated}
    assert set(ours.as_of(D(2025, 1, 1))) == {undated}
    assert lived.exists_on(D(2024, 12, 31))
    assert not lived.exists_on(D(2025, 1, 1))


def test_seeded_steering_committee_exists_from_2025_12_15():
    committee = Organization.objects.filter(slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    assert not committee.as_of(D(2025, 12, 14)).exists()
    assert committee.as_of(D(2025, 12, 15)).exists()


def test_person_as_of_is_whoever_holds_a_post_that_day():
    holder = PersonFactory()
    idle = PersonFactory()
    AppointmentFactory(person=holder, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision=EXACT)
    AppointmentFactory(person=holder, start_date=D(2025, 1, 1))
    ours = Person.objects.filter(pk__in=[holder.pk, idle.pk])
    assert list(ours.as_of(D(2023, 12, 31))) == []
    assert list(ours.as_of(D(2024, 6, 30))) == [holder]
    assert list(ours.as_of(D(2024, 7, 1))) == []
    assert list(ours.as_of(D(2025, 1, 1))) == [holder]  # one row however many posts


def test_person_as_of_lists_a_person_with_two_posts_once():
    person = PersonFactory()
    AppointmentFactory(person=person, start_date=D(2024, 1, 1))
    AppointmentFactory(person=person, start_date=D(2024, 1, 1))
    assert list(Person.objects.filter(pk=person.pk).as_of(D(2024, 1, 1))) == [person]


def test_relationship_as_of():
    relationship = RelationshipFactory(
        start_date=D(2024, 1, 1), start_date_precision=EXACT, end_date=D(2024, 12, 31), end_date_precision=EXACT
    )
    ours = OrganizationRelationship.objects.filter(pk=relationship.pk)
    assert not ours.as_of(D(2023, 12, 31)).exists()
    assert ours.as_of(D(2024, 1, 1)).exists()
    assert ours.as_of(D(2024, 12, 31)).exists()
    assert not ours.as_of(D(2025, 1, 1)).exists()


def test_post_exists_on_follows_its_organization():
    organization = OrganizationFactory(founding_date=D(2024, 1, 1), founding_date_precision=EXACT)
    post = PostFactory(organization=organization)
    ours = Post.objects.filter(pk=post.pk)
    assert not ours.exists_on(D(2023, 12, 31)).exists()
    assert ours.exists_on(D(2024, 1, 1)).exists()


# -- __str__ --------------------------------------------------------------------------------------------------------


def test_str_of_seeded_records():
    assert str(Organization.objects.get(slug="ubnd-tp-hcm")) == "Ủy ban nhân dân TP.HCM"
    assert str(Person.objects.get(slug="nguyen-van-duoc")) == "Nguyễn Văn Được"
    assert str(Portfolio.objects.get(slug="kinh-te")) == "Hội nhập quốc tế về kinh tế"
    assert str(Post.objects.get(slug="ubnd-tp-hcm-chu-tich")) == "Chủ tịch, Ủy ban nhân dân TP.HCM"
    assert (
        str(Post.objects.get(slug="ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-kinh-te"))
        == "Phó trưởng ban, Ban Chỉ đạo TP.HCM về hội nhập quốc tế (Hội nhập quốc tế về kinh tế)"
    )
    assert str(Document.objects.get(slug="nq-59-nq-tw")) == (
        "59-NQ/TW Nghị quyết số 59-NQ/TW của Bộ Chính trị về hội nhập quốc tế trong tình hình mới"
    )
    article = Document.objects.get(slug="art-2025-12-22")
    assert str(article) == "Đối ngoại đã và đang là nguồn lực quan trọng để TP.HCM phát triển"
    committee = Organization.objects.get(slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    assert str(Duty.objects.get(organization=committee, order=3)) == "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te #3"


def test_str_of_appointment_relationship_and_citation():
    appointment = Appointment.objects.get(
        person__slug="phan-van-mai", post__slug="ubnd-tp-hcm-chu-tich", start_date=D(2023, 4, 26)
    )
    assert str(appointment) == "Phan Văn Mãi – Chủ tịch, Ủy ban nhân dân TP.HCM"
    relationship = OrganizationRelationship.objects.get(
        subject__slug="so-ngoai-vu-tp-hcm", object__slug="bo-ngoai-giao", kind=RelationshipKind.SERVES
    )
    text = str(relationship)
    assert text.startswith("Sở Ngoại vụ TP.HCM serves")
    assert text.endswith("Bộ Ngoại giao")
    citation = CitationFactory(quote="Giám đốc Sở Thử nghiệm")
    assert str(citation) == f"{citation.document.slug}: “Giám đốc Sở Thử nghiệm”"


def test_str_of_citation_shortens_a_long_quote():
    long_quote = "x" * 100
    citation = CitationFactory(document=DocumentFactory(text=long_quote), quote=long_quote)
    assert str(citation) == f"{citation.document.slug}: “{'x' * 60}”"


def test_str_of_factory_records_is_never_empty():
    for record in (
        OrganizationFactory(),
        PersonFactory(),
        PortfolioFactory(),
        PostFactory(portfolio=PortfolioFactory(name="Lĩnh vực thử", name_en="")),
        AppointmentFactory(),
        RelationshipFactory(),
        DutyFactory(),
        DocumentFactory(),
        CitationFactory(),
    ):
        assert str(record).strip(), type(record).__name__
    assert str(PostFactory(portfolio=PortfolioFactory(name="Lĩnh vực thử", name_en=""))).endswith("(Lĩnh vực thử)")


def test_citation_generic_record_points_back():
    organization = OrganizationFactory()
    citation = CitationFactory(record=organization)
    assert Citation.objects.get(pk=citation.pk).record == organization
    assert list(organization.sources.all()) == [citation]
