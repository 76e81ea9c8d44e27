"""Popolo import at its edges: every kind of bad input is refused with the field and a reason (and nothing is
written), and the less travelled paths of a good file (null references, honorific prefixes, other names, duties,
sources and identifiers added to records already in the registry) do what docs/interop.md says."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from registry import services
from registry.choices import Honorific
from registry.interop import popolo
from registry.models import (
    Appointment,
    Change,
    Citation,
    Duty,
    Identifier,
    Organization,
    OrganizationRelationship,
    OtherName,
    Person,
    Portfolio,
    Post,
)
from tests.factories import DocumentFactory, OrganizationFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

ARTICLE = "art-2025-12-15"
QUOTE = "Thường trực Ban Chỉ đạo gồm 4 thành viên."  # in ARTICLE's text
NOT_QUOTED = "Thường trực Ban Chỉ đạo gồm 5 thành viên."  # not in it


def refusals(document: dict) -> dict:
    """Import ``document``; it must be refused: {record id: errors}."""
    report = popolo.import_document(document, reason="test")
    assert not report.applied, report.as_dict()
    return {item["id"]: item["errors"] for item in report.refused}


def applied(document: dict) -> popolo.ImportReport:
    report = popolo.import_document(document, reason="test")
    assert report.applied, report.refused
    return report


def identify(record, scheme: str, identifier: str, note: str = "") -> Identifier:
    values = {"content_type": ContentType.objects.get_for_model(record), "object_id": record.pk}
    return services.record_create(
        model=Identifier, values={**values, "scheme": scheme, "identifier": identifier, "note": note}
    )


# --- validation against the schemas --------------------------------------------------------------------------------


def test_validation_names_a_top_level_list_that_is_not_a_list_and_checks_the_others():
    problems = popolo.validate({"persons": {"id": "person/a"}, "memberships": [{"start_date": "x"}]})
    assert problems[0] == "persons: not a list"
    assert any(problem.startswith("memberships[0] (None) start_date:") for problem in problems[1:])


def test_validation_marks_an_item_that_is_not_an_object_with_a_question_mark():
    (problem,) = popolo.validate({"posts": ["post/a"]})
    assert problem.startswith("posts[0] (?) : ")
    assert "is not of type 'object'" in problem


def test_a_valid_empty_document_has_no_problems():
    assert popolo.validate({}) == []


# --- refusals of the whole document or of a whole list ---------------------------------------------------------


@pytest.mark.parametrize("document", [[], "persons", None, 7])
def test_a_document_that_is_not_an_object_is_refused(document):
    report = popolo.import_document(document)
    assert not report.applied
    assert report.refused == [{"id": None, "errors": {"__all__": ["A Popolo document is a JSON object."]}}]
    assert report.created == [] and report.unchanged == 0


@pytest.mark.parametrize("value", ["persons", {"id": "person/a"}, [{"id": "person/a"}, "person/b"], None])
def test_a_list_that_is_not_a_list_of_objects_refuses_the_document(value):
    document = {"persons": value, "portfolios": [{"id": "portfolio/refused-with-the-rest", "name": "Lĩnh vực thử"}]}
    report = popolo.import_document(document)
    assert report.refused == [{"id": "persons", "errors": {"__all__": ["persons must be a list of objects."]}}]
    assert report.created == ["portfolio/refused-with-the-rest"]  # would have been created ...
    assert not Portfolio.objects.filter(slug="refused-with-the-rest").exists()  # ... but nothing is written


# --- refusals of one record --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "extra"),
    [
        ("persons", "person", {"name": "Người Không Mã"}),
        ("organizations", "organization", {"name": "Cơ quan không mã", "classification": "department"}),
        ("portfolios", "portfolio", {"name": "Lĩnh vực không mã"}),
        ("documents", "document", {"title": "Văn bản không mã", "kind": "article"}),
        ("posts", "post", {"label": "Giám đốc", "organization_id": "organization/ubnd-tp-hcm"}),
    ],
)
@pytest.mark.parametrize("popolo_id", [7, None, ""])
def test_a_record_without_a_string_id_is_refused(name, kind, extra, popolo_id):
    item = {**extra} if popolo_id is None else {"id": popolo_id, **extra}
    assert refusals({name: [item]}) == {item.get("id"): {"id": [f"A {kind} needs a string id."]}}


@pytest.mark.parametrize("value", ["13/12/2024", "2024-02-30", 20241213, ["2024-12-13"]])
def test_a_date_that_is_not_iso_8601_is_refused_with_its_value(value):
    organization = Organization.objects.order_by("slug").first()
    errors = refusals({"organizations": [{"id": f"organization/{organization.slug}", "founding_date": value}]})
    assert errors == {
        f"organization/{organization.slug}": {"founding_date": [f"Expected a date YYYY-MM-DD, got {value!r}."]}
    }
    organization_after = Organization.objects.get(pk=organization.pk)
    assert organization_after.founding_date == organization.founding_date


def seeded_membership() -> dict:
    appointment = Appointment.objects.select_related("person", "post").order_by("pk").first()
    return {
        "id": "membership/test",
        "person_id": f"person/{appointment.person.slug}",
        "post_id": f"post/{appointment.post.slug}",
        "start_date": "2030-01-01",
    }


@pytest.mark.parametrize("left_out", ["person_id", "post_id"])
def test_a_membership_needs_a_person_and_a_post(left_out):
    membership = seeded_membership()
    del membership[left_out]
    errors = refusals({"memberships": [membership]})
    assert errors == {
        "membership/test": {
            "post_id": ["A membership needs a person_id and a post_id (the registry appoints to posts)."]
        }
    }


@pytest.mark.parametrize("popolo_id", [{"slug": "x"}, ["membership/test"], 7])
@pytest.mark.parametrize("name", ["memberships", "relationships"])
def test_a_membership_or_relationship_id_that_is_not_a_string_is_refused(name, popolo_id):
    appointments, relationships = Appointment.objects.count(), OrganizationRelationship.objects.count()
    item = {**seeded_membership(), "id": popolo_id}
    report = popolo.import_document({name: [item]}, reason="test")
    assert report.refused == [{"id": popolo_id, "errors": {"id": [f"Expected a string id, got {popolo_id!r}."]}}]
    assert (Appointment.objects.count(), OrganizationRelationship.objects.count()) == (appointments, relationships)


@pytest.mark.parametrize("start_date", [None, ""])
def test_a_membership_needs_a_start_date(start_date):
    membership = {**seeded_membership(), "start_date": start_date}
    assert refusals({"memberships": [membership]}) == {
        "membership/test": {"start_date": ["A membership needs a start_date."]}
    }
    assert not Appointment.objects.filter(start_date=None).exists()


def test_an_unknown_reference_is_refused_with_its_field_and_value():
    post = Post.objects.exclude(portfolio=None).order_by("pk").first()
    errors = refusals({"posts": [{"id": f"post/{post.slug}", "portfolio_id": "portfolio/khong-co"}]})
    assert errors == {f"post/{post.slug}": {"portfolio_id": ["Unknown portfolio 'portfolio/khong-co'."]}}
    assert Post.objects.get(pk=post.pk).portfolio_id == post.portfolio_id


def test_a_source_without_the_document_id_extension_is_refused():
    portfolio = Portfolio.objects.order_by("slug").first()
    source = {"url": "https://example.vn/article", "note": "An article", "quote": QUOTE}
    errors = refusals(
        {
            "portfolios": [
                {
                    "id": f"portfolio/{portfolio.slug}",
                    "sources": [{"document_id": f"document/{ARTICLE}", "quote": QUOTE}, source],
                }
            ]
        }
    )
    assert errors == {
        f"portfolio/{portfolio.slug}": {"sources.1": ["A source needs the registry's document_id extension."]}
    }


def test_a_source_whose_quote_is_not_in_its_document_is_refused():
    person = Person.objects.order_by("slug").first()
    citations = Citation.objects.count()
    errors = refusals(
        {
            "persons": [
                {
                    "id": f"person/{person.slug}",
                    "sources": [{"document_id": f"document/{ARTICLE}", "quote": NOT_QUOTED}],
                }
            ]
        }
    )
    (messages,) = errors[f"person/{person.slug}"].values()
    assert list(errors[f"person/{person.slug}"]) == ["sources.0.quote"]
    assert f"The quote is not in document '{ARTICLE}'" in messages[0]
    assert Citation.objects.count() == citations


def test_a_duty_whose_order_is_not_a_number_is_refused():
    organization = Organization.objects.filter(duties__isnull=False).order_by("slug").first()
    errors = refusals(
        {
            "organizations": [
                {"id": f"organization/{organization.slug}", "duties": [{"order": "first", "text": "Làm thử"}]}
            ]
        }
    )
    assert errors == {
        f"organization/{organization.slug}": {"__all__": ["Field 'order' expected a number but got 'first'."]}
    }


def test_an_identifier_the_model_refuses_is_reported_under_identifiers():
    person = Person.objects.order_by("slug").first()
    errors = refusals(
        {"persons": [{"id": f"person/{person.slug}", "identifiers": [{"scheme": "Wiki Data", "identifier": "Q1"}]}]}
    )
    assert errors == {
        f"person/{person.slug}": {"identifiers.scheme": ["Lower-case ASCII letters, digits, ., _ and -."]}
    }
    assert not Identifier.objects.exists()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"name": "Tên khác", "kind": "nickname"}, "other_names.kind"),
        ({"name": "Tên khác", "start_date": "2020"}, "other_names.start_date"),
        ({"name": "Tên khác", "end_date": "mai"}, "other_names.end_date"),
    ],
)
def test_an_other_name_the_registry_refuses_is_reported_under_other_names(entry, field):
    person = Person.objects.order_by("slug").first()
    errors = refusals({"persons": [{"id": f"person/{person.slug}", "other_names": [entry]}]})
    assert list(errors[f"person/{person.slug}"]) == [field]
    assert not OtherName.objects.exists()


def test_every_refused_record_is_reported_at_once_and_the_good_ones_are_not_written():
    document = {
        "portfolios": [{"id": "portfolio/tot", "name": "Lĩnh vực tốt"}, {"id": 1, "name": "Không mã"}],
        "persons": [{"id": "person/nguoi-tot", "name": "Người Tốt"}, {"id": "person/nguoi-xau", "name": ""}],
        "memberships": [{**seeded_membership(), "start_date": "hôm qua"}],
    }
    errors = refusals(document)
    assert set(errors) == {1, "person/nguoi-xau", "membership/test"}
    assert not Portfolio.objects.filter(slug="tot").exists()
    assert not Person.objects.filter(slug__in=["nguoi-tot", "nguoi-xau"]).exists()


@pytest.mark.parametrize("value", [{"x": 1}, ["organization/ubnd-tp-hcm"], 7])
def test_a_reference_that_is_not_a_string_is_refused_with_its_field(value):
    organization = OrganizationFactory()
    errors = refusals({"organizations": [{"id": f"organization/{organization.slug}", "parent_id": value}]})
    assert errors == {
        f"organization/{organization.slug}": {
            "parent_id": [f"Expected a string id like 'organization/<slug>', got {value!r}."]
        }
    }
    assert Organization.objects.get(pk=organization.pk).parent is None


@pytest.mark.parametrize(
    ("key", "entries", "field", "message"),
    [
        ("sources", ["document/art-2025-12-15"], "sources.0", "Expected an object, got 'document/art-2025-12-15'."),
        ("identifiers", [{"scheme": "wikidata", "identifier": "Q1"}, 7], "identifiers.1", "Expected an object, got 7."),
        ("other_names", ["Tên khác"], "other_names.0", "Expected an object, got 'Tên khác'."),
        ("duties", [["Tham mưu"]], "duties.0", "Expected an object, got ['Tham mưu']."),
        ("sources", "document/art-2025-12-15", "sources", "Expected a list, got 'document/art-2025-12-15'."),
        ("identifiers", {"scheme": "wikidata"}, "identifiers", "Expected a list, got {'scheme': 'wikidata'}."),
        ("other_names", "", "other_names", "Expected a list, got ''."),
        ("duties", 0, "duties", "Expected a list, got 0."),
    ],
)
def test_an_entry_of_a_list_that_is_not_an_object_is_refused_with_its_field(key, entries, field, message):
    organization = OrganizationFactory()
    changes = Change.objects.count()
    item = {"id": f"organization/{organization.slug}", "name": "Tên mới", key: entries}
    assert refusals({"organizations": [item]}) == {item["id"]: {field: [message]}}
    assert Organization.objects.get(pk=organization.pk).name == organization.name
    assert Change.objects.count() == changes


def test_a_source_of_a_duty_that_is_not_an_object_is_refused_with_its_place():
    organization = OrganizationFactory()
    item = {"id": f"organization/{organization.slug}", "duties": [{"order": 1, "text": "Làm", "sources": [3]}]}
    assert refusals({"organizations": [item]}) == {item["id"]: {"duties.0.sources.0": ["Expected an object, got 3."]}}
    assert not Duty.objects.filter(organization=organization).exists()


# --- edge cases of a good file -----------------------------------------------------------------------------------


def test_a_null_reference_clears_it():
    post = Post.objects.exclude(portfolio=None).order_by("pk").first()
    item = {
        "id": f"post/{post.slug}",
        "organization_id": f"organization/{post.organization.slug}",
        "portfolio_id": None,
    }
    report = applied({"posts": [item]})
    assert report.updated == {f"post/{post.slug}": ["portfolio"]}
    assert Post.objects.get(pk=post.pk).portfolio is None


def test_a_left_out_reference_stays_as_it_is():
    post = Post.objects.exclude(portfolio=None).order_by("pk").first()
    report = applied(
        {"posts": [{"id": f"post/{post.slug}", "organization_id": f"organization/{post.organization.slug}"}]}
    )
    assert report.updated == {} and report.unchanged == 1
    assert Post.objects.get(pk=post.pk).portfolio_id == post.portfolio_id


@pytest.mark.parametrize(("prefix", "honorific"), [("Bà", Honorific.BA), ("Ông", Honorific.ONG), ("Dr.", "")])
def test_the_honorific_prefix_is_read_when_the_extension_is_left_out(prefix, honorific):
    person = PersonFactory(honorific=Honorific.ONG)
    applied({"persons": [{"id": f"person/{person.slug}", "name": person.name, "honorific_prefix": prefix}]})
    assert Person.objects.get(pk=person.pk).honorific == honorific


def test_the_honorific_extension_wins_over_the_prefix():
    person = PersonFactory(honorific="")
    applied({"persons": [{"id": f"person/{person.slug}", "honorific": "ba", "honorific_prefix": "Ông"}]})
    assert Person.objects.get(pk=person.pk).honorific == Honorific.BA


def test_other_names_are_added_once_with_exact_precisions_by_default():
    person = PersonFactory()
    entry = {"name": "Tran Thu", "kind": "transliteration", "start_date": "2020-01-01", "end_date": "2024-12-31"}
    item = {"id": f"person/{person.slug}", "other_names": [entry, {"name": "Anh Thử"}]}
    report = applied({"persons": [item]})
    assert report.updated == {f"person/{person.slug}": ["other_names", "other_names"]}
    names = {name.name: name for name in OtherName.objects.filter(object_id=person.pk)}
    assert names["Tran Thu"].start_date == datetime.date(2020, 1, 1)
    assert (names["Tran Thu"].start_date_precision, names["Tran Thu"].end_date_precision) == ("exact", "exact")
    assert (names["Anh Thử"].kind, names["Anh Thử"].start_date, names["Anh Thử"].start_date_precision) == (
        "alternate",
        None,
        "",
    )
    again = applied({"persons": [item]})
    assert again.updated == {} and OtherName.objects.filter(object_id=person.pk).count() == 2


def test_a_known_identifier_with_a_new_note_is_updated_in_place():
    person = PersonFactory()
    identifier = identify(person, "wikidata", "Q123456", note="old note")
    item = {
        "id": f"person/{person.slug}",
        "identifiers": [{"scheme": "wikidata", "identifier": "Q123456", "note": "new"}],
    }
    report = applied({"persons": [item]})
    assert report.updated == {f"person/{person.slug}": ["identifiers"]}
    assert Identifier.objects.get().pk == identifier.pk
    assert Identifier.objects.get().note == "new"


def test_a_new_source_on_a_record_already_there_is_cited_and_reported_once():
    person = PersonFactory()
    item = {"id": f"person/{person.slug}", "sources": [{"document_id": f"document/{ARTICLE}", "quote": QUOTE}]}
    report = applied({"persons": [item]})
    assert report.updated == {f"person/{person.slug}": ["sources"]}
    (citation,) = person.sources.all()
    assert (citation.document.slug, citation.quote, citation.field) == (ARTICLE, QUOTE, "")
    again = applied({"persons": [item]})
    assert again.updated == {} and person.sources.count() == 1


def test_a_source_given_as_a_popolo_note_quotes_the_note():
    person = PersonFactory()
    applied(
        {
            "persons": [
                {"id": f"person/{person.slug}", "sources": [{"document_id": f"document/{ARTICLE}", "note": QUOTE}]}
            ]
        }
    )
    assert list(person.sources.values_list("quote", flat=True)) == [QUOTE]


def test_a_new_duty_of_a_body_already_there_is_reported_as_an_update_of_the_body():
    organization = OrganizationFactory()
    report = applied(
        {"organizations": [{"id": f"organization/{organization.slug}", "duties": [{"order": 1, "text": "Tham mưu"}]}]}
    )
    assert report.updated == {f"organization/{organization.slug}": ["duties"]}
    assert list(Duty.objects.filter(organization=organization).values_list("order", "text")) == [(1, "Tham mưu")]


def test_a_duty_of_a_new_body_is_not_an_update():
    report = applied(
        {
            "organizations": [
                {
                    "id": "organization/co-quan-moi",
                    "name": "Cơ quan mới",
                    "classification": "department",
                    "duties": [{"order": 1, "text": "Tham mưu"}],
                }
            ]
        }
    )
    assert report.created == ["organization/co-quan-moi"] and report.updated == {}
    assert Duty.objects.filter(organization__slug="co-quan-moi").count() == 1


def test_a_foreign_id_is_slugified_into_the_new_records_slug():
    organization = OrganizationFactory()
    report = applied(
        {
            "posts": [
                {
                    "id": "https://other.example/Posts/42",
                    "label": "Giám đốc",
                    "role": "head",
                    "organization_id": f"organization/{organization.slug}",
                    "sources": [{"document_id": f"document/{DocumentFactory().slug}", "quote": "Giám đốc"}],
                }
            ]
        }
    )
    assert report.created == ["https://other.example/Posts/42"]
    post = Post.objects.get(organization=organization)
    assert post.slug == "httpsotherexampleposts42"
    assert post.seats == 1  # a left-out key takes the field's default


def test_null_seats_is_a_value_of_its_own():
    post = PostFactory(seats=3)
    applied(
        {
            "posts": [
                {"id": f"post/{post.slug}", "organization_id": f"organization/{post.organization.slug}", "seats": None}
            ]
        }
    )
    assert Post.objects.get(pk=post.pk).seats is None


def test_the_report_as_a_dict_says_whether_it_was_applied():
    report = popolo.import_document({"portfolios": [{"id": "portfolio/thu", "name": "Thử"}]}, dry_run=True)
    assert report.as_dict() == {
        "dry_run": True,
        "applied": False,
        "created": ["portfolio/thu"],
        "updated": {},
        "unchanged": 0,
        "refused": [],
    }
    assert not Portfolio.objects.filter(slug="thu").exists()


# --- export_popolo: what it writes and what it refuses -----------------------------------------------------------
