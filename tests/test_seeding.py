"""The seed loader: idempotent, strict, transactional, every quote checked; and the seeded data's own integrity."""

import copy
import datetime
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from registry.choices import DocumentKind
from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.seeding import SEED_FILE, SEEDS_DIR, SeedError, load_seed_file
from registry.text import comparable

pytestmark = pytest.mark.django_db

ARTICLE_FILE = "000_37f1db9f1cb7fc10.txt"  # art-2025-12-15
GOOD_QUOTE = "Thường trực Ban Chỉ đạo gồm 4 thành viên."  # in ARTICLE_FILE
BAD_QUOTE = "Thường trực Ban Chỉ đạo gồm 5 thành viên."  # not in it


def seed_data() -> dict:
    return yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))


def seeded_record(section: str, **match) -> dict:
    """A deep copy of one record of seeds/registry.yaml."""
    for record in seed_data()[section]:
        if all(record.get(key) == value for key, value in match.items()):
            return copy.deepcopy(record)
    raise LookupError(f"no {section} record with {match}")


def write_seed(folder: Path, data: dict, *, with_article: bool = False) -> Path:
    """Write a seed file into ``folder``; with_article copies a seeded article next to it as test-article.txt."""
    if with_article:
        shutil.copy(SEEDS_DIR / ARTICLE_FILE, folder / "test-article.txt")
    path = folder / "registry.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


TEST_ARTICLE = {
    "slug": "test-article",
    "kind": "article",
    "file_name": "test-article.txt",
    "title": "Bài báo thử",
    "published_on": datetime.date(2025, 12, 15),
    "date_precision": "exact",
}


# -- Idempotence ----------------------------------------------------------------------------------------------------


def test_loading_the_seed_file_again_changes_nothing():
    before = {model: model.objects.count() for model in (Organization, Document, Citation, Appointment, Duty)}
    report = load_seed_file()
    assert report.changed is False
    assert sum(report.created.values()) == 0
    assert sum(report.updated.values()) == 0
    assert report.unchanged["organizations"] == Organization.objects.count()
    assert report.unchanged["documents"] == Document.objects.count()
    assert report.unchanged["portfolios"] == Portfolio.objects.count()
    assert report.unchanged["people"] == Person.objects.count()
    assert report.unchanged["posts"] == Post.objects.count()
    assert report.unchanged["appointments"] == Appointment.objects.count()
    assert report.unchanged["organization relationships"] == OrganizationRelationship.objects.count()
    assert report.unchanged["duties"] == Duty.objects.count()
    assert report.unchanged["citations"] == Citation.objects.count()
    assert {model: model.objects.count() for model in before} == before
    assert report.lines()[-1] == "nothing changed"


def test_load_seeds_command_prints_nothing_changed_on_a_second_run():
    out = StringIO()
    call_command("load_seeds", stdout=out)
    output = out.getvalue()
    assert "nothing changed" in output
    assert "total:   0 created,   0 updated" in output


def test_load_seeds_command_refuses_a_bad_file(tmp_path):
    path = write_seed(tmp_path, {"persons": []})
    with pytest.raises(CommandError, match=r"nothing written.*unknown section"):
        call_command("load_seeds", "--file", str(path), stdout=StringIO())


# -- Refusals: nothing is written -----------------------------------------------------------------------------------


def test_quote_not_in_document_is_refused_and_nothing_is_written(tmp_path):
    path = write_seed(
        tmp_path,
        {
            "organizations": [
                {
                    "slug": "test-body-defined-first",
                    "name": "Cơ quan thử",
                    "classification": "office",
                    "sources": [{"document": "test-article", "quote": GOOD_QUOTE}],
                }
            ],
            "documents": [TEST_ARTICLE],
            "people": [
                {
                    "slug": "test-person-misquoted",
                    "name": "Trần Thử",
                    "sources": [{"document": "test-article", "quote": BAD_QUOTE}],
                }
            ],
        },
        with_article=True,
    )
    with pytest.raises(SeedError) as caught:
        load_seed_file(path)
    message = str(caught.value)
    assert "test-person-misquoted" in message
    assert BAD_QUOTE in message
    assert "test-article" in message
    # The transaction was rolled back: records written before the refusal are gone too.
    assert not Organization.objects.filter(slug="test-body-defined-first").exists()
    assert not Document.objects.filter(slug="test-article").exists()
    assert not Person.objects.filter(slug="test-person-misquoted").exists()


def test_the_same_file_with_a_good_quote_loads(tmp_path):
    path = write_seed(
        tmp_path,
        {
            "documents": [TEST_ARTICLE],
            "people": [
                {
                    "slug": "test-person-quoted",
                    "name": "Trần Thử",
                    "sources": [{"document": "test-article", "quote": GOOD_QUOTE}],
                }
            ],
        },
        with_article=True,
    )
    report = load_seed_file(path)
    assert report.created["documents"] == 1
    assert report.created["people"] == 1
    assert report.created["citations"] == 1
    person = Person.objects.get(slug="test-person-quoted")
    assert [citation.quote for citation in person.sources.all()] == [GOOD_QUOTE]
    assert Document.objects.get(slug="test-article").text == (SEEDS_DIR / ARTICLE_FILE).read_text(encoding="utf-8")


def test_duty_text_is_checked_as_a_quote(tmp_path):
    committee = seeded_record("organizations", slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    committee["duties"][0]["text"] = "một nhiệm vụ không có trong bài báo"
    path = write_seed(tmp_path, {"organizations": [committee]})
    with pytest.raises(SeedError, match="một nhiệm vụ không có trong bài báo"):
        load_seed_file(path)
    assert Duty.objects.get(organization__slug=committee["slug"], order=1).text.startswith("triển khai")


def test_unknown_key_is_refused(tmp_path):
    path = write_seed(tmp_path, {"people": [{"slug": "test-person-typo", "name": "Trần Thử", "honorfic": "ong"}]})
    with pytest.raises(SeedError, match=r"test-person-typo.*unknown key\(s\) \['honorfic'\]"):
        load_seed_file(path)
    assert not Person.objects.filter(slug="test-person-typo").exists()


def test_unknown_key_in_a_source_is_refused(tmp_path):
    person = seeded_record("people", slug="ngo-le-van")
    person["sources"][0]["page"] = 1
    path = write_seed(tmp_path, {"people": [person]})
    with pytest.raises(SeedError, match="a source needs document and quote"):
        load_seed_file(path)


def test_missing_required_key_is_refused(tmp_path):
    path = write_seed(tmp_path, {"people": [{"slug": "test-person-nameless"}]})
    with pytest.raises(SeedError, match=r"missing key\(s\) \['name'\]"):
        load_seed_file(path)


def test_unknown_section_is_refused(tmp_path):
    path = write_seed(
        tmp_path,
        {
            "people": [{"slug": "test-person-valid", "name": "Trần Thử"}],
            "persons": [{"slug": "test-person-elsewhere", "name": "Trần Thử"}],
        },
    )
    with pytest.raises(SeedError, match=r"unknown section\(s\) \['persons'\]"):
        load_seed_file(path)
    assert not Person.objects.filter(slug__in=["test-person-valid", "test-person-elsewhere"]).exists()


def test_missing_referenced_slug_is_refused(tmp_path):
    path = write_seed(
        tmp_path,
        {
            "organizations": [{"slug": "test-body-orphan", "name": "Cơ quan thử", "classification": "office"}],
            "posts": [
                {
                    "slug": "test-body-orphan-giam-doc",
                    "organization": "no-such-body",
                    "label": "Giám đốc",
                    "role": "head",
                }
            ],
        },
    )
    with pytest.raises(SeedError, match="no organization with slug 'no-such-body'"):
        load_seed_file(path)
    assert not Organization.objects.filter(slug="test-body-orphan").exists()


def test_missing_source_document_is_refused(tmp_path):
    person = seeded_record("people", slug="ngo-le-van")
    person["sources"][0]["document"] = "no-such-document"
    path = write_seed(tmp_path, {"people": [person]})
    with pytest.raises(SeedError, match="no document with slug 'no-such-document'"):
        load_seed_file(path)


def test_missing_article_file_is_refused(tmp_path):
    path = write_seed(tmp_path, {"documents": [TEST_ARTICLE]})  # test-article.txt not copied
    with pytest.raises(SeedError, match=re.escape("file_name 'test-article.txt' is not in")):
        load_seed_file(path)


def test_record_the_models_refuse_is_refused(tmp_path):
    path = write_seed(
        tmp_path,
        {
            "posts": [
                {
                    "slug": "test-post-seatless",
                    "organization": "ubnd-tp-hcm",
                    "label": "Thử",
                    "role": "head",
                    "seats": 0,
                    "sources": [{"document": "art-2025-12-15", "quote": "Chủ tịch UBND TP.HCM"}],
                }
            ]
        },
    )
    with pytest.raises(
        SeedError, match=r"test-post-seatless.*refused.*seats: Ensure this value is greater than or equal to 1"
    ):
        load_seed_file(path)


def test_appointment_beyond_the_seats_is_refused(tmp_path):
    # A second term of the chairman, overlapping his first: cited and dated so that it keeps the seed rules.
    intruder = {
        "person": "nguyen-van-duoc",
        "post": "ubnd-tp-hcm-chu-tich",
        "start_date": datetime.date(2025, 12, 20),
        "start_date_precision": "inferred",
        "sources": [{"document": "art-2025-12-15", "quote": "Ông Nguyễn Văn Được, Chủ tịch UBND TP.HCM"}],
    }
    path = write_seed(tmp_path, {"appointments": [intruder]})
    with pytest.raises(SeedError, match=r"post=ubnd-tp-hcm-chu-tich.*refused: post:"):
        load_seed_file(path)
    assert not Appointment.objects.filter(post__slug="ubnd-tp-hcm-chu-tich", start_date=intruder["start_date"]).exists()


@pytest.mark.parametrize("content", ["- just\n- a list\n", "organizations: [\n"])
def test_malformed_file_is_refused(tmp_path, content):
    path = tmp_path / "registry.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SeedError):
        load_seed_file(path)


# -- Updates --------------------------------------------------------------------------------------------------------


def test_changed_value_is_reported_as_updated(tmp_path):
    record = seeded_record("organizations", slug="bo-chinh-tri")
    record["name_en"] = "Politburo (renamed in a test)"
    path = write_seed(tmp_path, {"organizations": [record]})
    report = load_seed_file(path)
    assert report.changed is True
    assert report.updated["organizations"] == 1
    assert report.created["organizations"] == 0
    assert report.unchanged["citations"] == len(record["sources"])
    assert Organization.objects.get(slug="bo-chinh-tri").name_en == "Politburo (renamed in a test)"
    assert Organization.objects.get(slug="bo-chinh-tri").search_text.endswith("politburo (renamed in a test) | ")
    assert load_seed_file(path).changed is False  # and loading it again changes nothing


def test_changed_appointment_is_updated_by_its_natural_key(tmp_path):
    record = seeded_record("appointments", person="ngo-le-van", post="bo-ngoai-giao-thu-truong")
    record["note"] = "A note added in a test."
    path = write_seed(tmp_path, {"appointments": [record]})
    count = Appointment.objects.count()
    report = load_seed_file(path)
    assert report.updated["appointments"] == 1
    assert Appointment.objects.count() == count
    assert Appointment.objects.get(person__slug="ngo-le-van").note == "A note added in a test."


def test_removing_an_optional_key_resets_the_field_to_its_default(tmp_path):
    group = seeded_record("organizations", slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te")
    for key in ("note", "founding_date", "founding_date_precision"):
        del group[key]
    members = seeded_record("posts", slug="ban-chi-dao-hoi-nhap-quoc-te-thanh-vien")
    del members["seats"]  # was 20
    deputy_minister = seeded_record("posts", slug="bo-ngoai-giao-thu-truong")
    del deputy_minister["seats"]  # was null
    path = write_seed(tmp_path, {"organizations": [group], "posts": [members, deputy_minister]})
    report = load_seed_file(path)
    assert report.updated["organizations"] == 1
    assert report.updated["posts"] == 2
    group_now = Organization.objects.get(slug=group["slug"])
    assert group_now.note == ""
    assert group_now.founding_date is None
    assert group_now.founding_date_precision == ""
    assert Post.objects.get(slug=members["slug"]).seats == 1  # the field's default
    assert Post.objects.get(slug=deputy_minister["slug"]).seats == 1


def test_removing_an_optional_reference_clears_it(tmp_path):
    post = seeded_record("posts", slug="ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-kinh-te")
    del post["portfolio"]
    path = write_seed(tmp_path, {"posts": [post]})
    assert load_seed_file(path).updated["posts"] == 1
    assert Post.objects.get(slug=post["slug"]).portfolio is None


def test_removing_legal_basis_clears_it(tmp_path):
    committee = seeded_record("organizations", slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    del committee["legal_basis"]
    path = write_seed(tmp_path, {"organizations": [committee]})
    report = load_seed_file(path)
    assert report.updated["organizations"] == 1
    assert not Organization.objects.get(slug=committee["slug"]).legal_basis.exists()


def test_changing_legal_basis_is_reported_as_updated(tmp_path):
    committee = seeded_record("organizations", slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    committee["legal_basis"] = ["nq-59-nq-tw"]
    path = write_seed(tmp_path, {"organizations": [committee]})
    report = load_seed_file(path)
    assert report.updated["organizations"] == 1
    assert list(Organization.objects.get(slug=committee["slug"]).legal_basis.values_list("slug", flat=True)) == [
        "nq-59-nq-tw"
    ]


# -- Integrity of the seeded data -----------------------------------------------------------------------------------


def test_every_quote_is_in_its_document():
    checked = 0
    for citation in Citation.objects.select_related("document"):
        if citation.document.text:
            assert comparable(citation.quote) in comparable(citation.document.text), (
                citation.document.slug,
                citation.quote,
            )
            checked += 1
    assert checked == Citation.objects.count()  # every seeded quote is from a seeded article


def test_every_seeded_article_has_its_file_text():
    articles = Document.objects.filter(kind=DocumentKind.ARTICLE)
    assert articles.count() == 5
    for article in articles:
        assert article.text == (SEEDS_DIR / article.file_name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "queryset",
    [
        Organization.objects.all(),
        Person.objects.all(),
        Post.objects.all(),
        Appointment.objects.all(),
        OrganizationRelationship.objects.all(),
        Portfolio.objects.all(),
        Duty.objects.all(),
        Document.objects.exclude(kind=DocumentKind.ARTICLE),
    ],
    ids=lambda queryset: queryset.model.__name__,
)
def test_every_seeded_record_has_a_citation(queryset):
    assert queryset.exists()
    uncited = queryset.annotate(source_count=Count("sources")).filter(source_count=0)
    assert [str(record) for record in uncited] == []


def test_citations_point_at_existing_records():
    for citation in Citation.objects.select_related("content_type"):
        assert citation.record is not None, (citation.content_type.model, citation.object_id)


# -- Strictness of the loader: slips in the YAML are refused or harmless ----------------------------------------------


def test_unquoted_number_in_a_text_field_is_refused_or_stored_as_text(tmp_path):
    resolution = seeded_record("documents", slug="nq-31-bo-chinh-tri")
    resolution["number"] = 31  # the seed file quotes it ("31"); an unquoted one is an easy slip
    path = write_seed(tmp_path, {"documents": [resolution]})
    try:
        load_seed_file(path)
    except SeedError:
        return  # refused with a message: acceptable
    assert Document.objects.get(slug="nq-31-bo-chinh-tri").number == "31"
    assert load_seed_file(path).changed is False


def test_quoted_date_is_refused_or_idempotent(tmp_path):
    resolution = seeded_record("documents", slug="nq-153-nq-cp")
    resolution["issued_on"] = "2025-05-31"
    path = write_seed(tmp_path, {"documents": [resolution]})
    try:
        load_seed_file(path)
    except SeedError:
        return  # refused with a message: acceptable
    assert load_seed_file(path).changed is False


def test_removing_a_duty_from_the_file_removes_it(tmp_path):
    committee = seeded_record("organizations", slug="ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te")
    committee["duties"] = committee["duties"][:13]
    path = write_seed(tmp_path, {"organizations": [committee]})
    report = load_seed_file(path)
    assert report.changed is True
    assert Duty.objects.filter(organization__slug=committee["slug"]).count() == 13


def test_a_key_written_twice_in_a_record_is_refused(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text("people:\n  - slug: test-person-twice\n    name: Trần Thử\n    name: Lê Thử\n", encoding="utf-8")
    with pytest.raises(SeedError):
        load_seed_file(path)


def test_two_records_with_the_same_slug_are_refused(tmp_path):
    path = write_seed(
        tmp_path,
        {"people": [{"slug": "test-person-dup", "name": "Trần Thử"}, {"slug": "test-person-dup", "name": "Lê Thử"}]},
    )
    with pytest.raises(SeedError):
        load_seed_file(path)
