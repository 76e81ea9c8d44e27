"""Intake: a decision's or a report's text read into proposals (registry/intake/), and POST /api/v1/intake/."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from registry.groups import READER
from registry.intake.catalogue import canon
from registry.intake.reading import MAX_TEXT_LENGTH, read
from registry.models import Appointment, Document
from tests.helpers import NS, assert_error
from tests.intake_scoring import score

pytestmark = pytest.mark.django_db
URL = reverse(f"{NS}:intake")
HEADER = "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HỒ CHÍ MINH\nSố: 88/QĐ-UBND\nThành phố Hồ Chí Minh, ngày 10 tháng 3 năm 2026\n"
DECISION = (
    HEADER + "QUYẾT ĐỊNH\nVề việc bổ nhiệm cán bộ\nĐiều 1. Bổ nhiệm bà Trần Thị Mai giữ chức Phó Chủ tịch UBND TPHCM."
)


def one(result, kind, person):
    found = [p for p in result["proposals"] if p["kind"] == kind and p["person"]["name"] == person]
    assert len(found) == 1, result["proposals"]
    return found[0]


def test_the_decision_header_is_the_document():
    document = read(DECISION)["document"]
    assert document["kind"] == "decision" and document["number"] == "88/QĐ-UBND"
    assert document["issued_on"] == datetime.date(2026, 3, 10) and document["date_precision"] == "exact"
    assert document["issuer"]["slug"] == "ubnd-tp-hcm"
    assert document["title"] == "Quyết định về việc bổ nhiệm cán bộ"


def test_an_appointment_matches_the_body_whatever_its_spelling():
    for body in (
        "UBND TPHCM",
        "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "uy ban nhan dan tp.hcm",
        "UBND TP. Hồ Chí Minh",
    ):
        proposal = one(read(DECISION.replace("UBND TPHCM", body)), "appointment", "Trần Thị Mai")
        assert proposal["post"]["organization"]["slug"] == "ubnd-tp-hcm", body
        assert proposal["post"]["label"] == "Phó Chủ tịch"
        assert proposal["quote"] in DECISION.replace("UBND TPHCM", body)


def test_a_printed_start_is_exact_and_a_news_start_is_attested():
    dated = read(DECISION.replace("TPHCM.", "TPHCM kể từ ngày 15/3/2026."))
    assert one(dated, "appointment", "Trần Thị Mai")["start_date"] == datetime.date(2026, 3, 15)
    assert one(dated, "appointment", "Trần Thị Mai")["start_date_precision"] == "exact"
    news = read("Tin mới 05/01/2026\nÔng Hồ Minh Trí vừa được bổ nhiệm giữ chức Giám đốc Sở Nội vụ.")
    proposal = one(news, "appointment", "Hồ Minh Trí")
    assert (proposal["start_date"], proposal["start_date_precision"]) == (datetime.date(2026, 1, 5), "attested")
    assert proposal["post"]["organization"]["slug"] == "so-noi-vu-tp-hcm"


def test_a_day_without_year_takes_the_documents_year_inferred():
    result = read(
        "Sáng 13-12, Sở Ngoại vụ họp. Tham dự có ông Ngô Lê Văn, Thứ trưởng Bộ Ngoại giao.", published_on=None
    )
    assert result["document"]["date_precision"] == "inferred"
    proposal = one(result, "holding", "Ngô Lê Văn")
    assert proposal["person"]["slug"] == "ngo-le-van" and proposal["start_date"].month == 12


def test_a_list_item_gives_the_role_and_the_capacity():
    text = (
        HEADER
        + "Về việc kiện toàn Tổ công tác Đối ngoại và Hợp tác quốc tế\n"
        + "1. Ông Nguyễn Văn Được, Chủ tịch UBND Thành phố, Tổ trưởng."
    )
    proposal = one(read(text), "appointment", "Nguyễn Văn Được")
    assert proposal["post"]["organization"]["slug"] == "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te"
    assert (
        proposal["capacity"]["id"]
        == Appointment.objects.get(person__slug="nguyen-van-duoc", post__slug="ubnd-tp-hcm-chu-tich").post_id
    )
    assert proposal["person"]["slug"] == "nguyen-van-duoc"


def test_ends_retirement_and_succession():
    retired = read(HEADER + "Ông Nguyễn Lộc Hà, Phó Chủ tịch Thường trực UBND TP.HCM, nghỉ hưu từ ngày 1/4/2026.")
    end = one(retired, "end", "Nguyễn Lộc Hà")
    assert end["end_date"] == datetime.date(2026, 3, 31) and end["appointment"] is not None
    succeeded = read(
        HEADER
        + "Bổ nhiệm ông Cao Xuân Định giữ chức Thứ trưởng Bộ Ngoại giao thay ông Ngô Lê Văn, kể từ ngày 10/4/2026."
    )
    assert one(succeeded, "end", "Ngô Lê Văn")["end_date"] == datetime.date(2026, 4, 9)
    removed = read(HEADER + "Miễn nhiệm chức danh Chủ tịch UBND TP.HCM đối với ông Phan Văn Mãi.")
    assert one(removed, "end", "Phan Văn Mãi")["post"]["organization"]["slug"] == "ubnd-tp-hcm"
    stopped = read(HEADER + "Cho ông Bùi Tá Hoàng Vũ thôi giữ chức Giám đốc Sở Công Thương kể từ ngày 1/5/2026.")
    assert one(stopped, "end", "Bùi Tá Hoàng Vũ")["post"]["organization"]["slug"] == "so-cong-thuong-tp-hcm"


def test_conflicts_a_held_seat_and_a_moved_exact_end():
    held = one(read(DECISION.replace("Phó Chủ tịch", "Chủ tịch")), "appointment", "Trần Thị Mai")
    assert "seat_held" in {c["code"] for c in held["conflicts"]}
    appointment = Appointment.objects.get(person__slug="phan-van-mai")
    Appointment.objects.filter(pk=appointment.pk).update(end_date_precision="exact")
    moved = one(
        read(HEADER + "Miễn nhiệm chức danh Chủ tịch UBND TP.HCM đối với ông Phan Văn Mãi."), "end", "Phan Văn Mãi"
    )
    assert "exact_end_moved" in {c["code"] for c in moved["conflicts"]}


def test_the_seed_articles_propose_the_seeded_appointments():
    proposed = set()
    for document in Document.objects.exclude(file_name=""):
        result = read(document.text)
        for p in result["proposals"]:
            assert p["quote"] in document.text
            proposed.add((p["person"]["slug"], p["post"]["id"], (p["post"]["organization"] or {}).get("slug")))
    seeded = {
        (a.person.slug, a.post_id, a.post.organization.slug)
        for a in Appointment.objects.select_related("post__organization", "person")
    }
    assert len(seeded & proposed) / len(seeded) >= 0.9


def test_the_held_out_cases_reach_the_floor():
    scores = score(read)
    assert len(scores) >= 10
    assert sum(r for r, _ in scores.values()) / len(scores) >= 0.6
    assert sum(p for _, p in scores.values()) / len(scores) >= 0.6


def counts():
    return {model.__name__: model.objects.count() for model in apps.get_app_config("registry").get_models()}


def test_the_call_writes_nothing_and_answers_200(editor_client, django_assert_num_queries):
    before = counts()
    with django_assert_num_queries(6):
        response = editor_client.post(URL, {"text": DECISION}, format="json")
    assert response.status_code == 200, response.content
    assert counts() == before
    proposal = one(response.json(), "appointment", "Trần Thị Mai")
    assert proposal["start_date"] == "2026-03-10" and canon(proposal["post"]["label"]) == "pho chu tich"


def test_anonymous_401_reader_403():
    assert_error(APIClient().post(URL, {"text": DECISION}, format="json"), 401)
    out = io.StringIO()
    call_command("create_system_account", "reader-system", group=READER, stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {out.getvalue().strip().splitlines()[-1].strip()}")
    assert_error(client.post(URL, {"text": DECISION}, format="json"), 403)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "x" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"text": "a\u202eb"}, "text"),
        ({"text": DECISION, "published_on": "10/3/2026"}, "published_on"),
        ({"text": DECISION, "title": "a\u200bb"}, "title"),
        ({}, "text"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(editor_client, body, field):
    assert_error(editor_client.post(URL, body, format="json"), 400, field)


def test_edges_of_reading():
    from registry.intake import dates
    from registry.models import OtherName, Person

    assert dates.full_dates("31/2/2026") == [] and dates.short_dates("Sáng 13-12", None) == []
    assert read("Không có ai.")["proposals"] == [] and read("Không có ai.")["document"]["date_precision"] == ""
    titled = read("Tin ngắn", published_on=datetime.date(2026, 1, 2), title=" Tin ")["document"]
    assert titled["title"] == "Tin" and titled["published_on"] == datetime.date(2026, 1, 2)
    signed = read(DECISION + "\nQuyết định này có hiệu lực kể từ ngày ký.")
    assert one(signed, "appointment", "Trần Thị Mai")["start_date_precision"] == "exact"
    person = Person.objects.get(slug="ngo-le-van")
    OtherName.objects.create(record=person, name="Ngô Văn Lê")
    found = one(
        read(HEADER + "Bổ nhiệm ông Ngô Văn Lê giữ chức Thứ trưởng Bộ Ngoại giao."), "appointment", "Ngô Văn Lê"
    )
    assert found["person"]["slug"] == "ngo-le-van" and "already_recorded" in {c["code"] for c in found["conflicts"]}
    ended = read(HEADER + "Ông Nguyễn Lộc Hà thôi giữ chức Giám đốc Sở Nội vụ.")
    assert "no_appointment" in {c["code"] for c in one(ended, "end", "Nguyễn Lộc Hà")["conflicts"]}


def test_a_predecessor_without_a_printed_day_leaves_the_day_before_and_an_undated_text_dates_nothing():
    text = HEADER + "Bổ nhiệm ông Cao Xuân Định giữ chức Thứ trưởng Bộ Ngoại giao thay ông Ngô Lê Văn."
    end = one(read(text), "end", "Ngô Lê Văn")
    assert end["end_date"] == datetime.date(2026, 3, 9) and end["end_date_precision"] == "inferred"
    undated = one(read("Ông Nguyễn Văn Được, Chủ tịch UBND TP.HCM, phát biểu."), "holding", "Nguyễn Văn Được")
    assert undated["start_date"] is None


def body(proposal):
    organization = proposal["post"]["organization"]
    return organization["slug"] or organization["name"]


def test_a_body_keeps_both_halves_of_its_va_and_ends_on_accented_connectors_only():
    moved = read(
        HEADER + "Điều 1. Điều động và bổ nhiệm ông Đặng Hữu Phúc, Phó Giám đốc Sở Giao thông vận tải, giữ chức"
        " Phó Giám đốc Sở Tài nguyên và Môi trường từ ngày 1/2/2026."
    )
    assert body(one(moved, "appointment", "Đặng Hữu Phúc")) == "Sở Tài nguyên và Môi trường"
    assert body(one(moved, "holding", "Đặng Hữu Phúc")) == "Sở Giao thông vận tải"
    zone = "Ban Quản lý các Khu chế xuất và công nghiệp TP.HCM"
    named = read(f"Tin 30/06/2026\nBổ nhiệm bà Đậu Thị Hồng Nhung giữ chức Trưởng ban {zone}, thay ông Lạc Văn An.")
    assert body(one(named, "appointment", "Đậu Thị Hồng Nhung")) == zone
    two = read(
        HEADER + "Bổ nhiệm ông Hồ Văn Nam giữ chức Phó Giám đốc Sở Y tế và bà Lê Thu Hà giữ chức Giám đốc Sở Y tế."
    )
    assert body(one(two, "appointment", "Hồ Văn Nam")) == "Sở Y tế"
    assert body(one(two, "appointment", "Lê Thu Hà")) == "Sở Y tế"  # "Thu" is a given name, "Thứ" a title


def test_the_committee_a_decision_sets_up_owns_its_bare_roles():
    founded = "Ban Chỉ đạo phòng, chống thiên tai Thành phố"
    text = (
        HEADER + f"Điều 1. Thành lập {founded}, gồm:\nÔng Nguyễn Văn Được, Chủ tịch UBND Thành phố, làm Trưởng ban;\n"
        "- Phó Trưởng ban: bà Mai Thị Kiều, Phó Giám đốc Sở Nội vụ;\n2. Ông Chu Văn Tài, Giám đốc Sở Y tế – Ủy viên."
    )
    result = read(text)
    assert body(one(result, "appointment", "Nguyễn Văn Được")) == founded
    assert one(result, "holding", "Nguyễn Văn Được")["post"]["organization"]["slug"] == "ubnd-tp-hcm"
    deputy = one(result, "appointment", "Mai Thị Kiều")
    assert (deputy["post"]["label"], body(deputy)) == ("Phó Trưởng ban", founded)
    assert body(one(result, "holding", "Mai Thị Kiều")) == "so-noi-vu-tp-hcm"
    assert body(one(result, "appointment", "Chu Văn Tài")) == founded
    council = read(
        HEADER + "Điều 1. Kiện toàn Hội đồng Thi đua - Khen thưởng Thành phố như sau:\n"
        "Bà Mai Thị Kiều, Phó Giám đốc Sở Nội vụ, làm Phó Chủ tịch Hội đồng."
    )
    assert body(one(council, "appointment", "Mai Thị Kiều")) == "Hội đồng Thi đua - Khen thưởng Thành phố"


def test_a_former_post_and_the_signer_of_a_decision_are_not_the_persons_posts():
    text = (
        "Tin 03/03/2026\nSáng 3-3, Sở Y tế công bố quyết định của Chủ tịch UBND Thành phố về việc tiếp nhận và bổ"
        " nhiệm ông Thạch Văn Sang, nguyên Phó Giám đốc Bệnh viện Đa khoa tỉnh Trà Vinh, giữ chức Phó Giám đốc Sở Y tế."
        "\nÔng Sang từng là Trưởng phòng Nghiệp vụ Sở Y tế."
    )
    proposals = read(text)["proposals"]
    assert [(p["kind"], p["post"]["label"], body(p)) for p in proposals] == [("appointment", "Phó Giám đốc", "Sở Y tế")]


def test_a_successor_named_in_an_earlier_sentence_ends_the_predecessor():
    text = (
        "Tin 02/10/2025\nSáng 2-10, UBND TP.HCM trao quyết định bổ nhiệm ông Hầu Đức Trung giữ chức Giám đốc Sở Y tế."
        "\nÔng Trung thay bà Yên Thị Loan, nghỉ hưu theo chế độ."
    )
    end = one(read(text), "end", "Yên Thị Loan")
    assert (body(end), end["end_date"], end["end_date_precision"]) == (
        "Sở Y tế",
        datetime.date(2025, 10, 1),
        "inferred",
    )


def test_a_short_reference_is_the_one_person_of_that_given_name():
    text = (
        "Tin 11/08/2025\nSáng 11-8, UBND TP.HCM bổ nhiệm ông Lê Hoài Sơn giữ chức Giám đốc Sở Du lịch.\n"
        "Ông Sơn đồng thời thôi giữ chức Phó Giám đốc Sở Văn hóa và Thể thao."
    )
    end = one(read(text), "end", "Lê Hoài Sơn")
    assert body(end) == "Sở Văn hóa và Thể thao" and end["person"]["honorific"] == "ong"
    twice = text.replace("Sở Du lịch.", "Sở Du lịch, bà Vũ Thanh Sơn giữ chức Phó Giám đốc Sở Du lịch.")
    assert [p for p in read(twice)["proposals"] if p["kind"] == "end"] == []


def test_a_year_less_day_takes_its_year_from_the_lead_or_the_registry(today_is):
    today_is(datetime.date(2026, 12, 7))
    lead = read(
        "Kỳ họp cuối năm\nSáng 27-12, HĐND TP.HCM khai mạc kỳ họp cuối năm 2024. Dự có ông Võ Tấn Phát, Giám đốc Sở Y"
        " tế."
    )
    assert lead["document"]["published_on"] == datetime.date(2024, 12, 27)
    assert "lead" in lead["document"]["date_note"] and lead["document"]["date_precision"] == "inferred"
    seed = Document.objects.get(file_name__startswith="003")
    document = read(seed.text)["document"]
    assert (document["published_on"], document["date_precision"]) == (datetime.date(2024, 12, 13), "inferred")
    assert "registry" in document["date_note"]
    holding = one(read(seed.text), "holding", "Phan Văn Mãi")
    assert (holding["start_date"], holding["start_date_precision"]) == (datetime.date(2024, 12, 13), "inferred")


def test_an_article_dated_at_its_foot_shows_its_people_on_its_lead_day():
    text = (
        "Sở Nội vụ tổng kết\nChiều 20-11, Sở Nội vụ tổ chức hội nghị. Tham dự có bà Bế Thị Hoa, Phó Giám đốc Sở Nội vụ."
        "\nHội nghị khen thưởng 12 tập thể.\nMột.\nHai.\nBa.\nTP.HCM, ngày 21/11/2025"
    )
    result = read(text)
    assert result["document"]["published_on"] == datetime.date(2025, 11, 21)
    assert one(result, "holding", "Bế Thị Hoa")["start_date"] == datetime.date(2025, 11, 20)


def test_edges_of_the_new_rules(today_is):
    today_is(datetime.date(2026, 1, 1))
    future = read("Tin\nSáng 27-12, HĐND khai mạc kỳ họp cuối năm 2026. Dự có ông Võ Tấn Phát, Giám đốc Sở Y tế.")
    assert future["document"]["published_on"] is None  # a lead year that would put the day after today
    unknown = read(
        "Tin\nSáng 13-12, Sở Y tế họp. Dự có ông Lê Văn Tám, Giám đốc Sở Y tế; ông Tám cảm ơn Giám đốc Sở Y tế."
    )
    assert [p["kind"] for p in unknown["proposals"]] == ["holding"]
    lower = read(HEADER + "Điều 1. Thành lập ban công tác.\nÔng Lê Văn Tám làm Trưởng ban.")
    assert one(lower, "appointment", "Lê Văn Tám")["post"]["organization"] is None
    shared = read(
        HEADER + "Bổ nhiệm bà Trần Thị Hà giữ chức Giám đốc Sở Y tế; ông Hà Văn Tuấn giữ chức Phó Giám đốc Sở Y tế."
    )
    assert {p["person"]["name"] for p in shared["proposals"]} == {"Trần Thị Hà", "Hà Văn Tuấn"}


def test_a_list_led_in_by_an_end_ends_each_item_and_one_post_serves_names_joined_by_va():
    text = (
        HEADER + "Điều 1. Cho thôi giữ chức vụ đối với các ông, bà có tên sau, kể từ ngày 1/12/2026:\n"
        "1. Ông Lại Văn Sáu, Phó Giám đốc Sở Tư pháp;\n2. Bà Hoa Thị Mận, Phó Giám đốc Sở Y tế."
    )
    result = read(text)
    assert {p["kind"] for p in result["proposals"]} == {"end"}
    assert one(result, "end", "Hoa Thị Mận")["end_date"] == datetime.date(2026, 11, 30)
    removed = read(HEADER + "Miễn nhiệm chức vụ Ủy viên UBND Thành phố đối với ông Đinh Công Lý và ông Vương Đình Huệ.")
    assert [body(p) for p in removed["proposals"] if p["kind"] == "end"] == ["ubnd-tp-hcm", "ubnd-tp-hcm"]


def test_a_name_that_enumerates_keeps_its_comma_and_a_list_of_bodies_does_not():
    labour = "Sở Lao động, Thương binh và Xã hội"
    result = read(HEADER + f"Bổ nhiệm bà Nguyễn Thị Thanh Trúc giữ chức Phó Giám đốc {labour}.")
    assert body(one(result, "appointment", "Nguyễn Thị Thanh Trúc")) == labour
    shown = read(HEADER + "Ông Hồ Văn Nam, Giám đốc Sở Y tế, Sở Tài chính và Sở Nội vụ, phát biểu.")
    assert body(one(shown, "holding", "Hồ Văn Nam")) == "Sở Y tế"
