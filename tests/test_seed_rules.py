"""The rules of registry/seeding/rules.py: each one refuses a broken seed file, names the record and the rule, and the
loader then writes nothing. The seeded file itself keeps every rule."""

import datetime
import re
import shutil

import pytest
import yaml

from registry.models import Appointment, Document, Organization, OrganizationRelationship
from registry.seeding import SEED_FILE, SEEDS_DIR, SeedError, load_seed_file
from registry.seeding import rules as seed_rules
from tests.test_seeding import seeded_record, write_seed

pytestmark = pytest.mark.django_db

D = datetime.date


def refused(path, *patterns: str) -> str:
    """Load ``path``, expect a SeedError, check each pattern is in its message; return the message."""
    with pytest.raises(SeedError) as error:
        load_seed_file(path)
    message = str(error.value)
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    return message


# -- The seeded file ------------------------------------------------------------------------------------------------


def test_the_seed_file_keeps_every_rule():
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    assert seed_rules.problems(data, seed_rules.known_from_file(data, SEEDS_DIR)) == []


def test_the_latest_documents_are_the_december_2025_articles():
    data = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    known = seed_rules.known_from_file(data, SEEDS_DIR)
    assert known.newest_article == D(2025, 12, 22)
    latest = {slug for slug in known.documents if known.is_latest(slug)}
    assert latest == {"art-2025-12-15", "art-2025-12-22"}


# -- Rule 1: a person-post link needs a sentence that states it -----------------------------------------------------


def test_an_appointment_deduced_from_two_sentences_is_refused(tmp_path):
    """The working group's leader: "do Chủ tịch UBND TP.HCM làm tổ trưởng" + "Chủ tịch UBND TP.HCM Phan Văn Mãi"."""
    deduced = {
        "person": "phan-van-mai",
        "post": "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te-to-truong",
        "capacity": "ubnd-tp-hcm-chu-tich",
        "start_date": D(2023, 4, 26),
        "start_date_precision": "attested",
        "end_date": D(2023, 4, 26),
        "end_date_precision": "attested",
        "sources": [
            {"document": "art-2023-04-26", "quote": "do Chủ tịch UBND TP.HCM làm tổ trưởng"},
            {"document": "art-2023-04-26", "quote": "Chủ tịch UBND TP.HCM Phan Văn Mãi khẳng định"},
        ],
    }
    path = write_seed(tmp_path, {"appointments": [deduced]})
    refused(
        path,
        r"appointments #1 \(person=phan-van-mai, post=to-cong-tac-doi-ngoai-va-hop-tac-quoc-te-to-truong",
        "no citation names the person “Phan Văn Mãi” and the post “Tổ trưởng” and the capacity “Chủ tịch”",
        r"rule: stated appointments",
    )
    assert not Appointment.objects.filter(post__slug=deduced["post"]).exists()


def test_a_deputys_title_does_not_name_the_head_post(tmp_path):
    """ "Phó Chủ tịch Thường trực" contains "Chủ tịch" but names another post."""
    appointment = {
        "person": "nguyen-loc-ha",
        "post": "ubnd-tp-hcm-chu-tich",
        "start_date": D(2025, 12, 22),
        "start_date_precision": "attested",
        "sources": [{"document": "art-2025-12-22", "quote": "ông Nguyễn Lộc Hà, Phó Chủ tịch Thường trực UBND TP.HCM"}],
    }
    path = write_seed(tmp_path, {"appointments": [appointment]})
    refused(path, "no citation names the person “Nguyễn Lộc Hà” and the post “Chủ tịch”")
    assert not Appointment.objects.filter(person__slug="nguyen-loc-ha", post__slug="ubnd-tp-hcm-chu-tich").exists()


def test_the_quote_must_name_the_capacity_too(tmp_path):
    appointment = seeded_record("appointments", person="bui-ta-hoang-vu", post="so-cong-thuong-tp-hcm-giam-doc")
    appointment["capacity"] = "ubnd-tp-hcm-pho-chu-tich-thuong-truc"  # no quote says he sits as vice chairman
    path = write_seed(tmp_path, {"appointments": [appointment]})
    refused(path, "the capacity “Phó Chủ tịch Thường trực”", r"rule: stated appointments")
    assert Appointment.objects.get(person__slug="bui-ta-hoang-vu", post__slug=appointment["post"]).capacity is None


# -- Rule 2: a date marked exact or attested comes from a document whose own date is exact ---------------------------


def test_an_attested_date_from_the_undated_article_is_refused(tmp_path):
    term = seeded_record("appointments", person="phan-van-mai", post="ubnd-tp-hcm-chu-tich")
    assert term["end_date_precision"] == "inferred"
    term["end_date_precision"] = "attested"  # as the file had it before issue 10
    path = write_seed(tmp_path, {"appointments": [term]})
    refused(
        path,
        r"person=phan-van-mai, post=ubnd-tp-hcm-chu-tich.*end_date 2024-12-13 is marked attested",
        r"art-2024-12-13: not dated",
        r"rule: stated dates come from exactly dated documents",
    )
    assert Appointment.objects.get(person__slug="phan-van-mai").end_date_precision == "inferred"


def test_an_exact_date_no_cited_document_has_is_refused(tmp_path):
    merger = seeded_record("relationships", subject="tinh-binh-duong", kind="merged_into")
    merger["start_date"] = D(2025, 7, 1)  # a plausible day, but no cited document is of that day
    merger["start_date_precision"] = "exact"
    path = write_seed(tmp_path, {"relationships": [merger]})
    refused(path, r"subject=tinh-binh-duong.*start_date 2025-07-01 is marked exact", "art-2025-12-22: 2025-12-22 exact")
    relationship = OrganizationRelationship.objects.get(subject__slug="tinh-binh-duong", kind="merged_into")
    assert relationship.start_date == D(2025, 12, 22)


def test_an_article_whose_text_prints_no_year_cannot_have_an_exact_date(tmp_path):
    shutil.copy(SEEDS_DIR / "003_48275685e8ed90fd.txt", tmp_path / "test-article.txt")
    article = {
        "slug": "test-article",
        "kind": "article",
        "file_name": "test-article.txt",
        "title": "Bài báo thử",
        "published_on": D(2024, 12, 13),
        "date_precision": "exact",
    }
    path = write_seed(tmp_path, {"documents": [article]})
    refused(path, r"documents #1 \(test-article\): its date 2024-12-13 is marked exact", "does not print the year 2024")
    assert not Document.objects.filter(slug="test-article").exists()


# -- Rule 3: a record shown only by earlier documents cannot be left open-ended -------------------------------------


def test_an_open_relationship_shown_only_in_2023_is_refused(tmp_path):
    party = seeded_record("relationships", subject="so-ngoai-vu-tp-hcm", object="thanh-uy-tp-hcm")
    del party["end_date"], party["end_date_precision"]
    path = write_seed(tmp_path, {"relationships": [party]})
    refused(
        path,
        r"subject=so-ngoai-vu-tp-hcm, object=thanh-uy-tp-hcm, kind=serves\): left open-ended",
        r"shown only by earlier documents \(art-2023-04-26: 2023-04-26 exact\)",
        "the latest documents are those dated from 2025-11-21 to 2025-12-22",
        r"rule: facts end where their documents end",
    )
    assert OrganizationRelationship.objects.get(
        subject__slug="so-ngoai-vu-tp-hcm", object__slug="thanh-uy-tp-hcm"
    ).end_date


def test_open_appointments_shown_only_earlier_are_refused(tmp_path):
    record = seeded_record("appointments", person="bui-thanh-son", post="bo-ngoai-giao-bo-truong")
    del record["end_date"], record["end_date_precision"]
    path = write_seed(tmp_path, {"appointments": [record]})
    refused(path, r"appointments #1 .*left open-ended", "rule: facts end where their documents end")


def test_a_body_shown_only_earlier_stays_open_and_a_dissolution_needs_a_sentence(tmp_path):
    group = seeded_record("organizations", slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te")
    assert "dissolution_date" not in group  # not ended for want of a later mention
    group["dissolution_date"], group["dissolution_date_precision"] = D(2023, 4, 26), "attested"
    path = write_seed(tmp_path, {"organizations": [group]})
    refused(path, r"organizations #1 .*dissolution_date .* has no citation for it", "rule: every link has a source")


def test_a_record_shown_by_a_latest_document_may_stay_open(tmp_path):
    ngo = seeded_record("appointments", person="ngo-le-van")
    ngo["note"] = "Shown by the article of 22/12/2025, the newest: left open."
    path = write_seed(tmp_path, {"appointments": [ngo]})
    assert load_seed_file(path).updated["appointments"] == 1


# -- Rule 4: every link has a source --------------------------------------------------------------------------------


def test_a_parent_no_sentence_states_is_refused(tmp_path):
    delegation = seeded_record("organizations", slug="ban-can-su-dang-bo-ngoai-giao")
    delegation["parent"] = "bo-ngoai-giao"  # as the file had it before issue 10
    path = write_seed(tmp_path, {"organizations": [delegation]})
    refused(
        path,
        r"organizations #1 \(ban-can-su-dang-bo-ngoai-giao\): parent 'bo-ngoai-giao' has no citation for it",
        "rule: every link has a source",
    )
    assert Organization.objects.get(slug="ban-can-su-dang-bo-ngoai-giao").parent is None


def test_an_inferred_issuer_is_refused(tmp_path):
    plan = seeded_record("documents", slug="ke-hoach-truyen-thong-ve-hoi-nhap-quoc-te")
    plan["issuer"] = "thanh-pho-ho-chi-minh"  # "thành phố sẽ triển khai" says who carries it out, not who issued it
    path = write_seed(tmp_path, {"documents": [plan]})
    refused(path, r"ke-hoach-truyen-thong-ve-hoi-nhap-quoc-te\): issuer 'thanh-pho-ho-chi-minh' has no citation")
    assert Document.objects.get(slug=plan["slug"]).issuer is None


# -- Every problem is reported at once, and malformed records are left to the loader --------------------------------


def test_every_problem_is_listed(tmp_path):
    term = seeded_record("appointments", person="phan-van-mai", post="ubnd-tp-hcm-chu-tich")
    term["end_date_precision"] = "attested"
    delegation = seeded_record("organizations", slug="ban-can-su-dang-bo-ngoai-giao")
    delegation["parent"] = "bo-ngoai-giao"
    path = write_seed(tmp_path, {"organizations": [delegation], "appointments": [term]})
    message = refused(path)
    assert message.count("\n") == 2  # the heading and two problems
    assert "stated dates" in message and "every link" in message


def test_malformed_records_are_left_to_the_loader():
    data = {"appointments": ["not a mapping", {"person": 3, "sources": "none"}], "documents": None}
    assert seed_rules.problems(data, seed_rules.Known()) == []


def test_an_appearance_whose_quote_does_not_name_the_post_is_refused(tmp_path):
    conference = seeded_record("events", slug="hoi-nghi-tong-ket-cong-tac-nam-2025-so-ngoai-vu")
    conference["appearances"][1]["quote"] = "phát biểu tại hội nghị."  # names neither Ngô Lê Văn nor Thứ trưởng
    path = write_seed(tmp_path, {"events": [conference]})
    refused(path, r"events #1 .*appearance of ngo-le-van as bo-ngoai-giao-thu-truong has no quote", "stated")


def test_an_events_organizers_need_a_citation(tmp_path):
    conference = seeded_record("events", slug="hoi-nghi-tong-ket-cong-tac-nam-2025-so-ngoai-vu")
    conference["sources"] = [s for s in conference["sources"] if s.get("field") != "organizers"]
    path = write_seed(tmp_path, {"events": [conference]})
    refused(path, r"events #1 .*organizers \['so-ngoai-vu-tp-hcm'\] has no citation", "every link has a source")
