"""The one text rule (registry.text.text_problem) and every way in that must keep to it: the model's full_clean,
the API and the admin. No control, bidirectional-control, zero-width or noncharacter in any stored text; no stacks
of combining marks; no required name of white space only. Vietnamese in NFC or NFD passes."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from registry.interop import popolo
from registry.models import Person, Portfolio
from registry.seeding import SeedError, load_seed_file
from registry.text import MAX_COMBINING_MARKS, text_problem
from tests.factories import CitationFactory, OrganizationFactory, PersonFactory, PortfolioFactory
from tests.helpers import assert_error, detail_url, list_url
from tests.test_seeding import write_seed

VIETNAMESE = [
    "Nguyễn Văn Được",
    "Thành ủy",
    "Trần Lưu Quang",
    "Ủy ban nhân dân Thành phố Hồ Chí Minh",
    "Đặng Thị Ngọc Thịnh",
]

#: (character, the words of the rule its refusal names)
REFUSED = [
    ("\u0001", "control character"),
    ("\u0007", "control character"),
    ("\u001b", "control character"),
    ("\u007f", "control character"),
    ("\u0085", "control character"),
    *((chr(code), "bidirectional control") for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))),
    ("\u200e", "bidirectional control"),
    ("\u200f", "bidirectional control"),
    ("\u061c", "bidirectional control"),
    *((char, "zero-width character") for char in "\u200b\u200c\u200d\u2060\ufeff"),
    *((chr(code), "noncharacter") for code in (0xFFFF, 0xFFFE, 0xFDD0, 0xFDEF, 0x1FFFF, 0x10FFFE)),
    ("\ud800", "lone surrogate"),
    ("\U000e0041", "invisible tag character"),
]


def ids(cases):
    return [f"U+{ord(char):04X}" for char, _ in cases]


# -- the rule -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIETNAMESE)
def test_vietnamese_passes_composed_and_decomposed(name):
    assert text_problem(name, required=True) is None
    assert text_problem(unicodedata.normalize("NFD", name), required=True) is None


@pytest.mark.parametrize(("char", "rule"), REFUSED, ids=ids(REFUSED))
def test_each_refused_character_is_named_with_its_rule_and_place(char, rule):
    problem = text_problem(f"Nguyễn{char} Văn Được")
    assert problem is not None and rule in problem
    assert f"U+{ord(char):04X} at position 6" in problem
    assert text_problem(f"Ghi chú{char}", multiline=True) is not None


@pytest.mark.parametrize("layout", ["\t", "\n", "\r"])
def test_tabs_and_line_breaks_only_in_multi_line_text(layout):
    assert text_problem(f"Dòng một{layout}dòng hai", multiline=True) is None
    assert "control character" in text_problem(f"Dòng một{layout}dòng hai")


def test_a_line_separator_only_in_multi_line_text():
    assert text_problem("a\u2028b", multiline=True) is None
    assert "line separator" in text_problem("a\u2028b")


@pytest.mark.parametrize("blank", [" ", "   ", "\u00a0\u3000", "\u2003"])
def test_a_required_text_is_not_white_space_only(blank):
    assert text_problem(blank, required=True) == "Must not be white space only."
    assert text_problem(blank) is None  # an optional note of a space is not a name


def test_combining_marks_are_capped_per_character():
    assert text_problem("e" + "\u0302\u0323" * 2) is None  # ệ twice over: four marks
    stacked = "Z" + "\u0301" * (MAX_COMBINING_MARKS + 1)
    assert f"more than {MAX_COMBINING_MARKS} combining marks" in text_problem(stacked)
    assert "combining marks" in text_problem("A" + "\u0300" * 190)
    assert text_problem(("a" + "\u0301" * MAX_COMBINING_MARKS) * 3) is None  # the cap is per character


# -- the model: every way in runs full_clean -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("char", "rule"), REFUSED[:: len(REFUSED) // 6], ids=ids(REFUSED[:: len(REFUSED) // 6]))
def test_full_clean_names_each_text_field(char, rule):
    person = PersonFactory.build(name=f"Lê{char}Văn", family_name=f"Lê{char}", given_name="Văn")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    errors = refused.value.message_dict
    assert set(errors) == {"name", "family_name"}, errors
    assert rule in errors["name"][0]


@pytest.mark.django_db
def test_full_clean_refuses_a_blank_required_name_and_keeps_a_multiline_note():
    organization = OrganizationFactory.build(name="   ", note="Dòng một\nDòng hai\tcột")
    with pytest.raises(ValidationError) as refused:
        organization.full_clean(exclude=["parent"])
    assert refused.value.message_dict["name"] == ["Must not be white space only."]
    assert "note" not in refused.value.message_dict


@pytest.mark.django_db
def test_a_citation_quote_keeps_to_the_rule():
    citation = CitationFactory.build(record=OrganizationFactory(), quote="trích\u202edẫn")
    with pytest.raises(ValidationError) as refused:
        citation.full_clean()
    assert "bidirectional control" in refused.value.message_dict["quote"][0]


@pytest.mark.django_db
def test_vietnamese_names_are_saved_in_nfc():
    person = PersonFactory.build(slug="nguyen-van-duoc-2", name=unicodedata.normalize("NFD", "Nguyễn Văn Được"))
    person.full_clean()
    assert person.name == "Nguyễn Văn Được"


# -- the API: a 400 naming the field, nothing written -----------------------------------------------------------------

BAD_NAMES = [
    pytest.param(f"Lê{char}Văn Thử", id=f"U+{ord(char):04X}")
    for char in "\u0001\u0007\u001b\u202a\u202e\u2066\u2069\u200e\u200f\u200b\u200c\u200d\u2060\ufeff\uffff\ufffe\ufdd0"
] + [pytest.param("    ", id="spaces"), pytest.param("Lê" + "\u0301" * 190, id="190-marks")]


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_NAMES)
def test_posting_a_bad_person_name_is_a_400_naming_it(editor_client, name):
    before = Person.objects.count()
    payload = {"slug": "bad-name", "name": name, "family_name": "Lê", "given_name": "Thử"}
    body = assert_error(editor_client.post(list_url("person"), payload, format="json"), 400, "name")
    assert Person.objects.count() == before
    assert not Person.objects.filter(slug="bad-name").exists()
    assert all(error["field"] == "name" for error in body["errors"]), body


@pytest.mark.django_db
def test_posting_a_vietnamese_person_is_accepted(editor_client):
    payload = {"slug": "nguyen-van-thu", "name": "Nguyễn Văn Được", "family_name": "Nguyễn", "given_name": "Được"}
    response = editor_client.post(list_url("person"), payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Nguyễn Văn Được"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("basename", "make", "field"),
    [
        ("organization", OrganizationFactory, "name_en"),
        ("portfolio", PortfolioFactory, "name"),
        ("person", PersonFactory, "given_name"),
        ("organization", OrganizationFactory, "note"),
    ],
)
def test_changing_any_text_to_a_bad_one_is_a_400_and_nothing_changes(editor_client, basename, make, field):
    record = make()
    before = getattr(record, field)
    response = editor_client.patch(detail_url(basename, record.slug), {field: "Sở\u202eNội vụ"}, format="json")
    assert_error(response, 400, field)
    record.refresh_from_db()
    assert getattr(record, field) == before


# -- the admin --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_refuses_a_name_with_a_bidi_override(superuser_client):
    citations = "registry-citation-content_type-object_id"
    form = {
        "slug": "admin-bad-name",
        "name": "Lĩnh vực\u202eAdmin",
        "name_en": "Area",
        **{f"{citations}-{key}": value for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()},
    }
    response = superuser_client.post(reverse("admin:registry_portfolio_add"), form)
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "bidirectional control" in errors["name"][0]
    assert errors["name"][0] in response.content.decode()
    assert not Portfolio.objects.filter(slug="admin-bad-name").exists()


# -- the seed loader and the Popolo import ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_seed_loader_refuses_a_name_with_a_zero_width_space(tmp_path):
    with pytest.raises(SeedError) as refused:
        load_seed_file(write_seed(tmp_path, {"people": [{"slug": "seed-bad-name", "name": "Trần\u200bThử"}]}))
    assert "zero-width character" in str(refused.value)
    assert not Person.objects.filter(slug="seed-bad-name").exists()


@pytest.mark.django_db
def test_the_popolo_import_refuses_a_name_with_a_bidi_override():

    report = popolo.import_document(
        {"persons": [{"id": "person/popolo-bad-name", "name": "Trần\u202eThử"}]}, reason="t"
    )
    assert not report.applied
    (refused,) = report.refused
    assert "bidirectional control" in refused["errors"]["name"][0], refused
    assert not Person.objects.filter(slug="popolo-bad-name").exists()
