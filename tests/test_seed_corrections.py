"""The corrections of the line-by-line read, each read from the API as a client would (seeded registry).

Every expected value comes from seeds/registry.yaml and, through it, from a sentence of the articles in seeds/*.txt.
"""

import pytest

from registry import services
from registry.models import Organization
from registry.seeding import load_seed_file
from registry.text import comparable
from tests.test_seeding import seeded_record, write_seed

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client, path: str, **params) -> dict:
    response = client.get(f"{API}/{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def every(client, path: str, **params) -> list[dict]:
    return get(client, path, page_size=200, **params)["results"]


def quotes(record: dict, field: str | None = None) -> list[str]:
    return [comparable(s["quote"]) for s in record["sources"] if field is None or s["field"] == field]


def test_the_working_group_has_no_dissolution_date(client):
    group = get(client, "organizations/to-cong-tac-doi-ngoai-va-hop-tac-quoc-te/")
    assert (group["dissolution_date"], group["dissolution_date_precision"]) == (None, "")
    assert (group["founding_date"], group["founding_date_precision"]) == ("2023-04-26", "attested")
    assert "no sentence says it was dissolved" in group["note"]


@pytest.mark.parametrize(
    ("day", "provinces"),
    [
        ("2025-12-21", {"tinh-binh-duong", "tinh-ba-ria-vung-tau"}),  # the last day they can have existed apart
        ("2025-12-22", set()),  # the article of that day shows the merger done
    ],
)
def test_the_merged_provinces_do_not_exist_on_the_day_the_merger_is_reported(client, day, provinces):
    units = every(client, "organizations/", exists_on=day, classification="administrative_unit")
    assert {unit["slug"] for unit in units} == {"thanh-pho-ho-chi-minh", *provinces}


@pytest.mark.parametrize("province", ["tinh-binh-duong", "tinh-ba-ria-vung-tau"])
def test_a_provinces_end_is_on_or_before_the_day_before_the_article(client, province):
    body = get(client, f"organizations/{province}/")
    assert (body["dissolution_date"], body["dissolution_date_precision"]) == ("2025-12-21", "inferred")
    (stated,) = quotes(body, "dissolution_date")
    assert "chính thức sáp nhập" in stated and "trở thành một đơn vị hành chính đặc biệt" in stated
    assert "on or before" in body["note"]


@pytest.mark.parametrize(
    ("slug", "name", "quote"),
    [
        ("vien-nghien-cuu-phat-trien-tp-hcm", "Viện Nghiên cứu phát triển", "Viện Nghiên cứu phát triển"),
        ("so-cong-thuong-tp-hcm", "Sở Công Thương", "Giám đốc Sở Công Thương"),
        ("so-noi-vu-tp-hcm", "Sở Nội vụ", "Giám đốc Sở Nội vụ"),
        ("van-phong-ubnd-tp-hcm", "Văn phòng UBND TP", "Văn phòng UBND TP"),
        ("ban-chap-hanh-trung-uong-dang", "Trung ương Đảng", "Ủy viên Trung ương Đảng"),
    ],
)
def test_names_are_written_as_the_articles_write_them(client, slug, name, quote):
    body = get(client, f"organizations/{slug}/")
    assert body["name"] == name
    assert quotes(body, "name") == [quote]


def test_the_central_committee_says_it_is_named_only_through_a_title(client):
    body = get(client, "organizations/ban-chap-hanh-trung-uong-dang/")
    assert "Ủy viên Trung ương Đảng" in body["note"] and "not written in any article" in body["note"]


@pytest.mark.parametrize("slug", ["cptpp", "evfta"])
def test_trade_agreements_carry_no_expansion_without_a_source(client, slug):
    document = get(client, f"documents/{slug}/")
    assert document["title_en"] == f"New-generation free trade agreement {slug.upper()}"
    assert "Comprehensive" not in document["title_en"] and "EU-" not in document["title_en"]


@pytest.mark.parametrize(
    "slug",
    [
        "ubnd-tp-hcm",  # quoted only as "UBND TP.HCM"
        "thanh-uy-tp-hcm",  # quoted only as "Thành ủy TP.HCM"
        "ban-thuong-vu-thanh-uy-tp-hcm",  # quoted only as "Ban Thường vụ Thành ủy TPHCM"
        "van-phong-ubnd-tp-hcm",  # quoted only as "Văn phòng UBND TP"
        "so-cong-thuong-tp-hcm",  # deduced from two sentences
        "so-noi-vu-tp-hcm",
        "vien-nghien-cuu-phat-trien-tp-hcm",
    ],
)
def test_no_parent_from_a_bodys_own_name_or_two_sentences(client, slug):
    body = get(client, f"organizations/{slug}/")
    assert body["parent"] is None
    assert quotes(body, "parent") == []


def test_every_parent_left_is_cited_from_one_sentence_that_is_not_the_bodys_name(client):
    for body in every(client, "organizations/", expand="sources"):
        if body["parent"] is None:
            continue
        (stated,) = quotes(body, "parent")
        assert comparable(body["name"]) != stated and len(stated) > len(body["name"]), body["slug"]


def test_the_department_serves_the_party_committee_and_the_peoples_committee_by_one_rule(client):
    serves = every(client, "relationships/", subject="so-ngoai-vu-tp-hcm", kind="serves", expand="sources")
    by_object = {link["object"]["slug"]: link for link in serves}
    for local in ("thanh-uy-tp-hcm", "ubnd-tp-hcm"):  # one sentence of 26/04/2023 names both
        link = by_object[local]
        assert (link["end_date"], link["end_date_precision"]) == ("2023-04-26", "attested")
        assert quotes(link) == ["vừa tham mưu Thành ủy, UBND TP.HCM trong triển khai công tác đối ngoại của Thành phố"]
    city = by_object["thanh-pho-ho-chi-minh"]  # the article of 22/12/2025 names the city itself
    assert (city["start_date"], city["end_date"]) == ("2025-12-22", None)
    assert by_object["bo-ngoai-giao"]["end_date"] is None


def test_the_department_is_the_only_local_body_the_ministry_placed(client):
    department = get(client, "organizations/so-ngoai-vu-tp-hcm/")
    assert "là địa phương duy nhất mà Bộ Ngoại giao đặt cơ quan chuyên môn là Sở Ngoại vụ TP.HCM" in " ".join(
        quotes(department)
    )
    assert "only locality" in department["note"]


def test_requests_made_at_a_conference_are_not_duties(client):
    department = get(client, "organizations/so-ngoai-vu-tp-hcm/")
    assert [duty["text"] for duty in department["duties"]] == [
        "tham mưu cho Bộ Ngoại giao thực hiện chức năng quản lý nhà nước về đối ngoại ở các tỉnh phía Nam",
        "tham mưu Thành ủy, UBND TP.HCM trong triển khai công tác đối ngoại của Thành phố",
    ]
    conference = get(client, "events/hoi-nghi-tong-ket-cong-tac-nam-2025-so-ngoai-vu/")
    asked = " ".join(quotes(conference, "note"))
    assert "Ông Nguyễn Lộc Hà đề nghị Sở Ngoại vụ nâng cao chất lượng" in asked
    assert "xây dựng và hoàn thiện kế hoạch hoạt động đối ngoại của TP giai đoạn 2025 - 2030" in asked
    assert "Requests made there, not duties" in conference["note"]


def test_the_citys_cultural_industry_strategy_is_recorded(client):
    strategy = get(client, "documents/chien-luoc-xay-dung-nen-cong-nghiep-van-hoa-tp-hcm/")
    assert strategy["title"] == "Chiến lược xây dựng nền công nghiệp văn hóa của thành phố"
    assert strategy["issuer"] is None  # "của thành phố" says whose, not who issued it
    assert quotes(strategy) == ["gắn với chiến lược xây dựng nền công nghiệp văn hóa của thành phố"]


def test_a_quote_the_seed_file_drops_is_deleted_and_one_someone_edited_is_kept(tmp_path):
    body = Organization.objects.get(slug="ubnd-tp-hcm")
    dropped = body.sources.get(quote="UBND TPHCM sẽ đẩy mạnh hội nhập quốc tế")
    edited = body.sources.get(quote="Chủ tịch UBND TP.HCM")
    services.record_update(instance=edited, changes={"field": "name"}, reason="staff")
    record = seeded_record("organizations", slug="ubnd-tp-hcm")
    record["sources"] = []  # the file no longer cites either quote

    report = load_seed_file(write_seed(tmp_path, {"organizations": [record]}))

    assert not body.sources.filter(pk=dropped.pk).exists()
    assert body.sources.filter(pk=edited.pk).exists()
    assert report.deleted["citations"] == 1
    assert any(line.startswith(f"kept: citation {edited.pk} (no longer in the seeds)") for line in report.kept)
