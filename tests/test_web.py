"""The public pages: content of the seeded registry, language, HTTP validators, and a fixed number of queries."""

import datetime
import re

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.choices import DatePrecision, PostRole
from registry.models import Document, Organization, Person, Post
from registry.web.queries import highlight
from tests.factories import (
    AppointmentFactory,
    CitationFactory,
    DocumentFactory,
    DutyFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
    RelationshipFactory,
)

pytestmark = pytest.mark.django_db

COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"
PEOPLES_COMMITTEE = "ubnd-tp-hcm"
COMMITTEE_URL = f"/organizations/{COMMITTEE}/"
ARTICLE = "art-2025-12-15"

#: Each page's queries: (URL, the number of queries). Pinned; the growth tests show they do not depend on the rows.
PAGES = {
    "home": ("/", 7),
    "search": ("/search/?q=nguyen+van+duoc", 5),
    # holders: their people and capacities by key; the posts' other appointments (none here: no query for people)
    "organization": (f"{COMMITTEE_URL}?as_of=2025-12-20", 12),
    "person": ("/people/nguyen-van-duoc/", 4),
    "post": ("/posts/ban-chi-dao-hoi-nhap-quoc-te-thanh-vien/", 4),
    "document": (f"/documents/{ARTICLE}/", 5),
}


def text_of(response) -> str:
    """The page's visible text, tags removed and white space collapsed, for phrase checks."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def queries_of(client, url: str) -> int:
    client.get(url)  # content types and other per-process caches are warm, as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# --- content --------------------------------------------------------------------------------------------------


def test_home_shows_the_tree_the_search_box_and_the_latest_changes(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'role="search"' in html
    # The steering committee is nested under the People's Committee, itself under the city.
    tree = html[html.index('class="tree-list"') :]
    city = tree.index("Thành phố Hồ Chí Minh")
    committee_of_city = tree.index("Ủy ban nhân dân TP.HCM", city)
    assert tree.index("Ban Chỉ đạo TP.HCM về hội nhập quốc tế", committee_of_city) > committee_of_city
    assert "Thay đổi mới nhất" in html
    assert html.count("<time datetime=") == 10


def test_the_site_root_no_longer_redirects_and_the_api_and_admin_stay(client):
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_search_ignores_accents_and_case(client):
    response = client.get("/search/", {"q": "NGUYEN van duoc"})
    assert response.status_code == 200
    assert 'href="/people/nguyen-van-duoc/"' in response.content.decode()
    assert "Nguyễn Văn Được" in text_of(response)


def test_search_without_results_says_so(client):
    response = client.get("/search/", {"q": "zzzz khong co"})
    assert "Không tìm thấy kết quả" in text_of(response)


def test_committee_chart_on_20_december_2025(client):
    response = client.get(COMMITTEE_URL, {"as_of": "2025-12-20"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Sơ đồ tổ chức ngày 20/12/2025" in text
    head = text.index("Người đứng đầu")
    deputies = text.index("Cấp phó")
    members = text.index("Thành viên", deputies)
    assert head < text.index("Nguyễn Văn Được", head) < deputies
    # The permanent deputy first, then the deputies in rank order, each with portfolio and capacity.
    order = [text.index(name) for name in ("Nguyễn Lộc Hà", "Bùi Tá Hoàng Vũ", "Phạm Thị Thanh Hiền")]
    assert deputies < order[0] < order[1] < order[2] < members
    for portfolio in (
        "Hội nhập quốc tế về chính trị, quốc phòng và an ninh",
        "Hội nhập quốc tế về kinh tế",
        "Hội nhập quốc tế về văn hóa, xã hội, khoa học - công nghệ và giáo dục - đào tạo",
    ):
        assert f"Phụ trách: {portfolio}" in text
    assert "Với tư cách: Chủ tịch, Ủy ban nhân dân TP.HCM" in text
    assert "Với tư cách: Giám đốc, Sở Công Thương" in text
    assert "được ghi nhận giữ chức ngày 15/12/2025" in text
    # The standing board is marked on its four posts; the 20 member seats are unknown (unnamed), not vacant.
    assert response.content.decode().count('class="card role-') == 5
    assert response.content.decode().count(' standing">') == 4
    assert "Thường trực gồm 4 chức vụ" in text
    assert "20 ghế chưa rõ người giữ" in text
    assert "ghế trống" not in text
    assert "20 ghế; nguồn không nêu tên ai vào ngày này" in text
    html = response.content.decode()
    assert html.count('<li class="unknown">') == 20
    assert html.count('<li class="vacant">') == 0
    # Support agencies, legal basis and duties.
    for agency in ("Sở Công Thương", "Sở Ngoại vụ TP.HCM", "Sở Nội vụ", "Văn phòng UBND TP"):
        assert agency in text[text.index("Cơ quan giúp việc") :]
    assert "59-NQ/TW" in text[text.index("Căn cứ pháp lý") :]
    assert len(re.findall(r"<li><p>", html[html.index('class="duties"') :])) == 14


def test_every_fact_links_to_its_document_and_quote(client):
    html = client.get(COMMITTEE_URL, {"as_of": "2025-12-20"}).content.decode()
    # The body, its 5 posts, 4 holders, 5 support agencies and 14 duties: every one is cited.
    assert html.count('<details class="sources">') == 1 + 5 + 4 + 5 + 14
    assert '<blockquote lang="vi">“Thường trực Ban Chỉ đạo gồm 4 thành viên.”</blockquote>' in html
    assert re.search(rf'href="/documents/{ARTICLE}/#q-\d+"', html)


def test_a_day_before_the_committee_existed_says_so(client):
    response = client.get(COMMITTEE_URL, {"as_of": "2023-04-26"})
    text = text_of(response)
    assert "Vào ngày 26/04/2023 cơ quan này chưa tồn tại" in text
    assert "Nguyễn Văn Được" not in text[text.index("Sơ đồ tổ chức") :]
    # The way up keeps the day.
    assert f'href="/organizations/{PEOPLES_COMMITTEE}/?as_of=2023-04-26"' in response.content.decode()


def test_peoples_committee_on_26_april_2023_is_chaired_by_phan_van_mai(client):
    text = text_of(client.get(f"/organizations/{PEOPLES_COMMITTEE}/", {"as_of": "2023-04-26"}))
    chart = text[text.index("Sơ đồ tổ chức ngày 26/04/2023") :]
    assert "Phan Văn Mãi" in chart
    assert "Nguyễn Văn Được" not in chart


def test_an_unreadable_day_shows_today_and_says_so(client):
    response = client.get(COMMITTEE_URL, {"as_of": "20-12-2025"})
    assert response.status_code == 200
    assert "Không đọc được ngày này" in text_of(response)


def test_person_timeline_gives_dates_precision_and_capacity(client):
    text = text_of(client.get("/people/bui-thanh-son/"))
    assert text.index("Bộ trưởng") < text.index("Phó Thủ tướng")
    # The end comes from an article that prints no year: inferred (issue 10), and read as such.
    assert "được ghi nhận giữ chức ngày 26/04/2023 – đến ngày 13/12/2024 (suy ra)" in text
    text = text_of(client.get("/people/nguyen-van-duoc/"))
    assert "Với tư cách: Chủ tịch, Ủy ban nhân dân TP.HCM" in text
    assert "chưa ghi nhận ngày kết thúc" in text


def test_exact_and_inferred_dates_read_differently(client):
    person = PersonFactory(name="Lê Chính Xác")
    AppointmentFactory(
        person=person,
        start_date=datetime.date(2024, 1, 2),
        end_date=datetime.date(2024, 6, 30),
        end_date_precision=DatePrecision.INFERRED,
    )
    text = text_of(client.get(f"/people/{person.slug}/", {"lang": "en"}))
    assert "from 02/01/2024 – until 30/06/2024 (inferred)" in text


def test_post_page_shows_its_holders_over_time(client):
    text = text_of(client.get("/posts/ubnd-tp-hcm-chu-tich/"))
    assert text.index("Phan Văn Mãi") < text.index("Nguyễn Văn Được")
    text = text_of(client.get("/posts/ban-chi-dao-hoi-nhap-quoc-te-thanh-vien/"))
    assert "20; hôm nay 20 ghế chưa rõ người giữ" in text
    assert "Nguồn không nêu tên ai ở chức vụ này." in text


def test_document_page_highlights_the_cited_quotes_in_place(client):
    document = Document.objects.get(slug=ARTICLE)
    html = client.get(f"/documents/{ARTICLE}/").content.decode()
    ids = set(re.findall(r'<span id="q-(\d+)" class="anchor">', html))
    assert {str(pk) for pk in document.citations.values_list("pk", flat=True)} == ids
    assert "<mark>Thường trực Ban Chỉ đạo gồm 4 thành viên</mark>" in html or (
        "<mark>Thường trực Ban Chỉ đạo gồm 4 thành viên." in html
    )
    assert 'id="missing-h"' not in html  # every quote was found in the text


@pytest.mark.parametrize(
    ("kind", "vietnamese"), [("decision", "Quyết định"), ("conclusion", "Kết luận"), ("official_letter", "Công văn")]
)
def test_a_documents_kind_reads_in_the_pages_language_whatever_its_kind(client, kind, vietnamese):
    document = DocumentFactory(kind=kind)
    html = client.get(f"/documents/{document.slug}/").content.decode()
    kind_cell = html.split("<dd>", 1)[1].split("</dd>", 1)[0]
    assert kind_cell == vietnamese


def test_highlight_matches_across_white_space_and_merges_overlaps():
    document = DocumentFactory(text="Một  hai\nba bốn năm.")
    first = CitationFactory(document=document, quote="hai ba")
    second = CitationFactory(document=document, quote="ba bốn")
    segments, missing = highlight(document.text, [first, second])
    assert missing == []
    assert "".join(segment.text for segment in segments) == document.text
    assert [segment.text for segment in segments if segment.marked] == ["hai\n", "ba", " bốn"]
    assert [segment.anchors for segment in segments if segment.anchors] == [(first.pk,), (second.pk,)]


def test_unknown_records_answer_an_html_404(client):
    for url in ("/people/nobody/", "/organizations/nothing/", "/posts/none/", "/documents/nil/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/html")
        assert "Không tìm thấy" in text_of(response)


def test_pages_are_read_only(client):
    assert client.post("/").status_code == 405
    assert client.head("/").status_code == 200


# --- language ---------------------------------------------------------------------------------------------------


def test_vietnamese_first_and_an_english_switch_that_is_remembered(client):
    response = client.get(COMMITTEE_URL)
    assert response["Content-Language"] == "vi"
    assert f'href="{COMMITTEE_URL}?lang=en"' in response.content.decode()
    response = client.get(COMMITTEE_URL, {"lang": "en", "as_of": "2025-12-20"})
    assert response["Content-Language"] == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    text = text_of(response)
    assert "Ho Chi Minh City Steering Committee on International Integration" in text
    assert "Organization chart on 20/12/2025" in text
    assert "20 seats: holders unknown" in text
    assert "shown in post on 15/12/2025" in text
    # The cookie keeps English on the next page; ?lang=vi switches back.
    assert client.get("/")["Content-Language"] == "en"
    assert client.get("/", {"lang": "vi"})["Content-Language"] == "vi"
    assert client.get("/")["Content-Language"] == "vi"


def test_the_api_keeps_its_language(client):
    response = client.get("/api/v1/organizations/nothing/")
    assert response.status_code == 404
    assert "Content-Language" not in response or response["Content-Language"] != "vi"


def test_public_pages_are_not_in_the_api_schema():
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text(encoding="utf-8"))
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


# --- HTTP validators --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_pages_send_validators_and_answer_304_when_unchanged(client, name):
    url, _ = PAGES[name]
    response = client.get(url)
    assert response["ETag"] and response["Last-Modified"]
    assert "Cookie" in response["Vary"]
    assert "no-cache" in response["Cache-Control"] and "public" in response["Cache-Control"]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    # The browser merges a 304's headers into the cached page: the JSON answers' deny-all policy must not come with it.
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert "Content-Security-Policy" not in again


def test_a_change_anywhere_changes_the_validator(client, django_capture_on_commit_callbacks):
    url = f"{COMMITTEE_URL}?as_of=2025-12-20"
    before = client.get(url)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        services.record_update(instance=Organization.objects.get(slug="so-noi-vu-tp-hcm"), changes={"note": "Đổi."})
    after = client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200
    assert after["ETag"] != before


def test_languages_and_days_have_their_own_validators(client):
    english = client.get(COMMITTEE_URL, {"lang": "en"})["ETag"]
    client.cookies.clear()
    assert client.get(COMMITTEE_URL)["ETag"] != english
    assert client.get(COMMITTEE_URL, {"as_of": "2025-12-20"})["ETag"] != client.get(COMMITTEE_URL)["ETag"]


def test_an_unchanged_page_costs_one_query(client):
    url, _ = PAGES["organization"]
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(captured) == 1


# --- queries ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_query_count_of_each_page_is_pinned(client, name):
    url, expected = PAGES[name]
    assert queries_of(client, url) == expected


def grow_the_registry(times: int = 15) -> None:
    """More of everything every page reads: bodies, posts, holders, support agencies, duties, sources, changes."""
    committee = Organization.objects.get(slug=COMMITTEE)
    article = Document.objects.get(slug=ARTICLE)
    members = Post.objects.get(slug="ban-chi-dao-hoi-nhap-quoc-te-thanh-vien")
    duoc = Person.objects.get(slug="nguyen-van-duoc")
    start = datetime.date(2025, 12, 16)
    for index in range(times):
        person = PersonFactory(name=f"Nguyễn Văn Được {index}")
        appointment = AppointmentFactory(person=person, post=members, start_date=start)
        CitationFactory(document=article, quote="Ban Chỉ đạo còn có 20 thành viên", record=appointment)
        CitationFactory(document=article, quote="Ban Chỉ đạo", record=person)
        child = OrganizationFactory(parent=committee, name=f"Tổ giúp việc {index}")
        RelationshipFactory(subject=child, object=committee, start_date=start, start_date_precision="exact")
        post = PostFactory(organization=committee, role=PostRole.MEMBER, rank=20 + index, label=f"Ủy viên {index}")
        AppointmentFactory(person=duoc, post=post, start_date=start, capacity=members)
        CitationFactory(document=article, quote="Ban Chỉ đạo", record=post)
        DutyFactory(organization=committee, order=100 + index)
        DocumentFactory(title=f"Nguyễn Văn Được văn bản {index}")


@pytest.mark.parametrize("name", PAGES)
def test_query_count_does_not_grow_with_the_data(client, name):
    url, expected = PAGES[name]
    grow_the_registry()
    assert queries_of(client, url) == expected
