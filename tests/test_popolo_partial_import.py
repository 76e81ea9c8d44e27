"""Popolo import of a partial file: a left-out key keeps what is stored (duties and a post's body included), each
record is reported once (created, updated or unchanged), and a foreign id becomes a slug with đ folded to d."""

import pytest

from registry.interop import popolo
from registry.models import Duty, Organization, Portfolio, Post
from tests.factories import DocumentFactory, DutyFactory, OrganizationFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

ARTICLE = "art-2025-12-15"
QUOTE = "Thường trực Ban Chỉ đạo gồm 4 thành viên."  # in ARTICLE's text


def applied(document: dict) -> popolo.ImportReport:
    report = popolo.import_document(document, reason="test")
    assert report.applied, report.refused
    return report


def organization_id(organization: Organization) -> str:
    return f"organization/{organization.slug}"


# --- a left-out key keeps what is stored ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [({"order": 1, "text": "Tham mưu"}, "text_en"), ({"order": 1, "text_en": "Advise"}, "text")],
)
def test_a_duty_keeps_the_text_its_item_leaves_out(given, kept):
    duty = DutyFactory(order=1, text="Tham mưu", text_en="Advise")
    report = applied({"organizations": [{"id": organization_id(duty.organization), "duties": [given]}]})
    assert getattr(Duty.objects.get(pk=duty.pk), kept) == getattr(duty, kept)
    assert report.updated == {} and report.unchanged == 1


def test_a_duty_changes_only_the_text_its_item_gives():
    duty = DutyFactory(order=1, text="Tham mưu", text_en="Advise")
    applied({"organizations": [{"id": organization_id(duty.organization), "duties": [{"order": 1, "text": "Mới"}]}]})
    assert Duty.objects.values_list("text", "text_en").get(pk=duty.pk) == ("Mới", "Advise")


def test_a_post_that_leaves_out_its_organization_keeps_it():
    post = PostFactory(label="Giám đốc")
    report = applied({"posts": [{"id": f"post/{post.slug}", "label": "Phó Giám đốc"}]})
    assert report.updated == {f"post/{post.slug}": ["label"]}
    after = Post.objects.get(pk=post.pk)
    assert (after.organization_id, after.label) == (post.organization_id, "Phó Giám đốc")


@pytest.mark.parametrize("organization", [{}, {"organization_id": None}, {"organization_id": ""}])
def test_a_new_post_without_an_organization_is_refused_naming_the_field(organization):
    report = popolo.import_document({"posts": [{"id": "post/giam-doc-moi", "label": "Giám đốc", **organization}]})
    assert report.refused == [
        {"id": "post/giam-doc-moi", "errors": {"organization_id": ["A new post needs an organization_id."]}}
    ]
    assert not Post.objects.filter(slug="giam-doc-moi").exists()


# --- each record is reported once ----------------------------------------------------------------------------------


def test_a_record_whose_only_change_is_a_new_source_is_updated_not_unchanged():
    person = PersonFactory()
    source = {"document_id": f"document/{ARTICLE}", "quote": QUOTE}
    report = applied({"persons": [{"id": f"person/{person.slug}", "sources": [source]}]})
    assert (report.updated, report.unchanged) == ({f"person/{person.slug}": ["sources"]}, 0)


def test_a_record_whose_only_change_is_an_identifier_is_updated_not_unchanged():
    person = PersonFactory()
    identifier = {"scheme": "wikidata", "identifier": "Q4242"}
    report = applied({"persons": [{"id": f"person/{person.slug}", "identifiers": [identifier]}]})
    assert (report.updated, report.unchanged) == ({f"person/{person.slug}": ["identifiers"]}, 0)


def test_an_organization_whose_only_change_is_its_parent_is_updated_not_unchanged():
    organization, parent = OrganizationFactory(), OrganizationFactory()
    report = applied({"organizations": [{"id": organization_id(organization), "parent_id": organization_id(parent)}]})
    assert (report.updated, report.unchanged) == ({organization_id(organization): ["parent"]}, 0)


def test_a_post_whose_only_change_is_its_ex_officio_post_is_updated_not_unchanged():
    post, other = PostFactory(), PostFactory()
    item = {
        "id": f"post/{post.slug}",
        "organization_id": f"organization/{post.organization.slug}",
        "ex_officio_of_id": f"post/{other.slug}",
    }
    report = applied({"posts": [item]})
    assert (report.updated, report.unchanged) == ({f"post/{post.slug}": ["ex_officio_of"]}, 0)


def test_a_changed_duty_is_reported_under_its_organization():
    duty = DutyFactory(order=1, text="Tham mưu")
    item = {"id": organization_id(duty.organization), "duties": [{"order": 1, "text": "Tham mưu, đề xuất"}]}
    report = applied({"organizations": [item]})
    assert (report.updated, report.unchanged) == ({organization_id(duty.organization): ["duties"]}, 0)


def test_a_new_source_of_a_duty_is_reported_as_a_change_of_the_duties():
    duty = DutyFactory(order=1, text="Tham mưu")
    source = {"document_id": f"document/{ARTICLE}", "quote": QUOTE}
    item = {"id": organization_id(duty.organization), "duties": [{"order": 1, "sources": [source]}]}
    report = applied({"organizations": [item]})
    assert (report.updated, report.unchanged) == ({organization_id(duty.organization): ["duties"]}, 0)
    assert list(duty.sources.values_list("quote", flat=True)) == [QUOTE]
    again = applied({"organizations": [item]})
    assert (again.updated, again.unchanged) == ({}, 1)


def test_every_record_of_a_whole_export_imported_again_is_unchanged_once():
    document = popolo.export()
    report = applied(document)
    lists = ("organizations", "persons", "posts", "memberships", "portfolios", "documents", "relationships", "events")
    assert (report.created, report.updated) == ([], {})
    assert report.unchanged == sum(len(document[name]) for name in lists)


# --- a foreign id becomes a slug the Vietnamese way -------------------------------------------------------------


def test_a_foreign_id_folds_d_with_stroke_into_the_slug():
    report = applied({"portfolios": [{"id": "Được Đối ngoại", "name": "Lĩnh vực đối ngoại"}]})
    assert report.created == ["Được Đối ngoại"]
    assert Portfolio.objects.filter(slug="duoc-doi-ngoai").exists()


def test_a_foreign_reference_folds_d_with_stroke_like_the_id_it_names():
    organization = OrganizationFactory(slug="so-doi-ngoai")
    post = {"id": "post/truong-phong", "label": "Trưởng phòng", "role": "head", "organization_id": "Sở Đối ngoại"}
    post["sources"] = [{"document_id": f"document/{DocumentFactory(text='').slug}", "quote": "Trưởng phòng"}]
    applied({"posts": [post]})
    assert Post.objects.get(slug="truong-phong").organization == organization
