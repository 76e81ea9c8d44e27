"""A membership's role in the Popolo export is its post's role as Popolo's readers show it (the Vietnamese label),
with the code beside it in ``role_code``; an import of the export reads it back unchanged. The refusal classes are
one, and a date without its precision is exact by one rule."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from registry import services
from registry.choices import DatePrecision, PostRole
from registry.interop import popolo
from registry.models import Appointment
from registry.models.base import precision_or_exact
from registry.seeding import SeedError

pytestmark = pytest.mark.django_db

LABELS = {
    PostRole.HEAD: "Người đứng đầu",
    PostRole.PERMANENT_DEPUTY_HEAD: "Cấp phó thường trực",
    PostRole.DEPUTY_HEAD: "Cấp phó",
    PostRole.MEMBER: "Thành viên",
}


@pytest.mark.parametrize(("code", "label"), LABELS.items())
def test_each_role_has_its_vietnamese_label(code, label):
    assert popolo.role_label(code) == label


def test_a_post_without_a_role_gives_its_membership_none():
    assert popolo.role_label("") is None


def test_memberships_carry_the_label_in_role_and_the_code_beside_it():
    document = popolo.export()
    assert popolo.validate(document) == []
    appointments = Appointment.objects.select_related("person", "post")
    roles = {popolo.membership_id(a): a.post.role for a in appointments}
    assert document["memberships"]
    for membership in document["memberships"]:
        code = roles[membership["id"]]
        assert membership.get("role") == LABELS.get(code)
        assert membership.get("role_code") == (code or None)
    assert any(membership.get("role_code") == PostRole.HEAD for membership in document["memberships"])
    posts = {item["id"]: item for item in document["posts"]}
    assert all(item.get("role", "") in {*PostRole.values, ""} for item in posts.values())  # a post keeps its code


def test_the_export_imported_again_changes_nothing():
    document = popolo.export()
    report = popolo.import_document(document, dry_run=True)
    assert report.refused == []
    assert report.created == [] and report.updated == {}


def test_popolo_and_seed_refusals_are_the_services_refusal():
    assert issubclass(popolo.Refusal, services.Refused)
    assert issubclass(SeedError, services.Refused)
    said = SeedError("seeds/registry.yaml: expected a mapping of sections, got list.")
    assert str(said) == "seeds/registry.yaml: expected a mapping of sections, got list."
    assert said.errors == {NON_FIELD_ERRORS: ["seeds/registry.yaml: expected a mapping of sections, got list."]}
    mapped = popolo.Refusal({"id": ["A person needs a string id."]})
    assert mapped.errors == {"id": ["A person needs a string id."]}


@pytest.mark.parametrize(
    ("date", "precision", "expected"),
    [
        (datetime.date(2025, 3, 1), "", DatePrecision.EXACT),
        (datetime.date(2025, 3, 1), None, DatePrecision.EXACT),
        (datetime.date(2025, 3, 1), DatePrecision.ATTESTED, DatePrecision.ATTESTED),
        (None, "", ""),
        (None, DatePrecision.INFERRED, DatePrecision.INFERRED),
    ],
)
def test_no_precision_means_exact(date, precision, expected):
    assert precision_or_exact(date, precision) == expected
