"""Pictures for reports: a body's chart on a day and a post's holders over time as SVG (and the chart as PDF), from
the API and the public pages, read from the seeded registry and from records a test makes."""

import datetime
import re
import sys
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.choices import DatePrecision, PostRole
from registry.models import Post
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import COMMITTEE, assert_error, chart_url, seeded_post

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
CHAIRMAN = "ubnd-tp-hcm-chu-tich"
MEMBERS = "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien"
DAY = "2025-12-20"


def chart_svg_url(slug: str) -> str:
    return reverse("registry-api:organization-chart-svg", args=[slug])


def timeline_url(post: Post) -> str:
    return reverse("registry-api:post-timeline-svg", args=[post.pk])


def parsed(response) -> ET.Element:
    """The picture of a 200 answer, checked as print-ready: SVG, A4 wide, nothing fetched from elsewhere."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    content = response.content.decode("utf-8")
    assert re.findall(r"https?://[^\"'\s<]+", content) == ["http://www.w3.org/2000/svg"]
    root = ET.fromstring(response.content)  # noqa: S314 - the registry's own answer, made by ElementTree
    assert root.tag == f"{SVG}svg"
    assert root.get("width") == "210mm"
    x, y, width, height = (int(number) for number in root.get("viewBox").split())
    assert (x, y, width) == (0, 0, 794) and height % 1123 == 0
    assert "sans-serif" in root.get("font-family")
    return root


def texts(root: ET.Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def seats_drawn(root: ET.Element, state: str) -> int:
    return len([group for group in root.iter(f"{SVG}g") if group.get("class") == f"seat {state}"])


def classes(root: ET.Element, name: str) -> list[ET.Element]:
    return [group for group in root.iter(f"{SVG}g") if group.get("class") == name]


@pytest.fixture
def three_seats():
    """A three-seat body: one holder stays; one ends on 30/06/2024 and a source states the seat stays empty; the third
    seat nobody is known to hold."""
    post = PostFactory(seats=3, label="Ủy viên", label_en="Member", role=PostRole.MEMBER)
    stays = AppointmentFactory(post=post, person=PersonFactory(name="Lê Văn Ở Lại"))
    leaves = AppointmentFactory(
        post=post,
        person=PersonFactory(name="Võ Thị Nghỉ"),
        end_date=datetime.date(2024, 6, 30),
        end_date_precision=DatePrecision.EXACT,
        leaves_vacant=True,
    )
    return post, stays, leaves


class TestChart:
    def test_the_seeded_chart_names_every_holder_the_json_chart_names(self, api_client):
        chart = api_client.get(chart_url(COMMITTEE), {"as_of": DAY}).json()
        names = [holder["person"]["name"] for post in chart["posts"] for holder in post["holders"]]
        assert "Nguyễn Văn Được" in names
        root = parsed(api_client.get(chart_svg_url(COMMITTEE), {"as_of": DAY}))
        drawn = texts(root)
        for name in names:
            assert name in drawn
        for post in chart["posts"]:
            assert any(text.startswith(post["label"]) for text in drawn), post["label"]
        assert "Sơ đồ tổ chức ngày 20/12/2025" in drawn
        assert "theo nguồn ngày 15/12/2025" in drawn
        assert seats_drawn(root, "held") == len(names) + 1  # and the legend's
        # The twenty members nobody is known to hold: each drawn unknown, and said so.
        assert seats_drawn(root, "unknown") == 1 + 20 + 1
        assert "20 ghế chưa rõ người giữ" in drawn
        assert seats_drawn(root, "vacant") == 1  # the legend's only

    def test_vacant_and_unknown_seats_are_drawn_and_said_differently(self, api_client, three_seats):
        post, stays, leaves = three_seats
        root = parsed(api_client.get(chart_svg_url(post.organization.slug), {"as_of": "2024-07-01"}))
        drawn = texts(root)
        assert stays.person.name in drawn and leaves.person.name not in drawn
        assert (seats_drawn(root, "held"), seats_drawn(root, "vacant"), seats_drawn(root, "unknown")) == (3, 3, 3)
        assert "1 ghế để trống (theo văn bản)" in drawn
        assert "1 ghế chưa rõ người giữ" in drawn
        vacant, unknown = (classes(root, f"seat {state}")[0] for state in ("vacant", "unknown"))
        assert vacant.find(f"{SVG}line") is not None and vacant.find(f"{SVG}rect").get("stroke-dasharray") is None
        assert unknown.find(f"{SVG}rect").get("stroke-dasharray") and unknown.find(f"{SVG}text").text == "?"
        # The day before the end both are held: no vacancy yet.
        root = parsed(api_client.get(chart_svg_url(post.organization.slug), {"as_of": "2024-06-30"}))
        assert (seats_drawn(root, "held"), seats_drawn(root, "vacant"), seats_drawn(root, "unknown")) == (5, 1, 3)

    def test_english_by_accept_language_or_lang_and_vietnamese_by_default(self, api_client):
        url = chart_svg_url(COMMITTEE)
        vietnamese = texts(parsed(api_client.get(url, {"as_of": DAY})))
        assert "Chú giải" in vietnamese and "Người đứng đầu" in vietnamese
        for response in (
            api_client.get(url, {"as_of": DAY}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9"),
            api_client.get(url, {"as_of": DAY, "lang": "en"}, HTTP_ACCEPT_LANGUAGE="vi"),
        ):
            english = texts(parsed(response))
            assert "Organization chart on 20/12/2025" in english
            assert "Legend" in english and "Head" in english
            assert "per source of 15/12/2025" in english
            assert parsed(response).get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        fallback = api_client.get(url, {"as_of": DAY}, HTTP_ACCEPT_LANGUAGE="fr, de;q=0.5")
        assert "Chú giải" in texts(parsed(fallback))

    def test_each_language_has_its_own_validator_and_kept_answer(self, api_client):
        url = chart_svg_url(COMMITTEE)
        first = api_client.get(url, {"as_of": DAY})
        assert "Accept-Language" in first["Vary"]
        english = api_client.get(url, {"as_of": DAY}, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
        assert english.status_code == 200 and "Legend" in texts(parsed(english))
        assert english["ETag"] != first["ETag"]
        again = api_client.get(url, {"as_of": DAY}, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        kept = api_client.get(url, {"as_of": DAY})
        assert kept.content == first.content and kept["Content-Disposition"] == first["Content-Disposition"]
        assert first["Content-Disposition"] == f'inline; filename="chart-{COMMITTEE}-{DAY}.svg"'

    def test_names_are_escaped_as_text(self, api_client):
        post = PostFactory(label="Giám đốc & <b>Phó</b>")
        name = '<script>alert("x")</script> & Đặng "Ba"'
        AppointmentFactory(post=post, person=PersonFactory(name=name))
        response = api_client.get(chart_svg_url(post.organization.slug), {"as_of": "2024-02-01"})
        root = parsed(response)
        assert name in texts(root)
        assert "Giám đốc & <b>Phó</b>" in texts(root)
        assert not [element for element in root.iter() if element.tag in (f"{SVG}script", f"{SVG}b", "script")]
        assert b"<script" not in response.content and b"&lt;script&gt;" in response.content
        assert b"&amp; \xc4\x90\xe1\xba\xb7ng" in response.content

    def test_a_body_on_a_day_it_did_not_exist_and_a_body_without_posts(self, api_client):
        organization = OrganizationFactory(
            founding_date=datetime.date(2020, 1, 1), founding_date_precision=DatePrecision.EXACT
        )
        drawn = texts(parsed(api_client.get(chart_svg_url(organization.slug), {"as_of": "2019-01-01"})))
        assert "Cơ quan không tồn tại vào ngày này." in drawn
        drawn = texts(parsed(api_client.get(chart_svg_url(organization.slug), {"as_of": "2021-01-01"})))
        assert "Nguồn không nêu chức vụ nào của cơ quan này." in drawn
        assert "không có nguồn ghi ngày" in drawn

    def test_seats_not_stated_and_too_many_to_draw(self, api_client):
        organization = OrganizationFactory()
        PostFactory(organization=organization, seats=None, label="Thành viên khác", rank=2)
        PostFactory(organization=organization, seats=61, label="Đại biểu", rank=3, role=PostRole.MEMBER)
        root = parsed(api_client.get(chart_svg_url(organization.slug), {"as_of": DAY}))
        drawn = texts(root)
        assert "Ngày này không có ai được nêu tên; nguồn không nêu số lượng" in drawn
        assert "61 ghế chưa rõ người giữ" in drawn
        assert seats_drawn(root, "unknown") == 1 + 1 + 1  # a marker per line of text and the legend's, not 61

    def test_unknown_body_is_404_and_a_bad_day_is_400_naming_as_of(self, api_client):
        assert_error(api_client.get(chart_svg_url("no-such-body")), 404)
        for value, said in (("2025-13-01", "YYYY-MM-DD"), ("20/12/2025", "YYYY-MM-DD"), ("", "Give a value")):
            body = assert_error(api_client.get(chart_svg_url(COMMITTEE), {"as_of": value}), 400, "as_of")
            assert said in body["detail"], body

    @pytest.mark.parametrize("value", ["AAA", "", "EN", "fr"])
    def test_a_lang_that_is_neither_language_is_400_naming_it(self, api_client, value):
        for url in (chart_svg_url(COMMITTEE), timeline_url(seeded_post(CHAIRMAN))):
            body = assert_error(api_client.get(url, {"lang": value}), 400, "lang")
            assert "vi, en" in body["detail"]

    def test_a_client_that_accepts_only_json_is_told_so_in_json(self, api_client):
        response = api_client.get(chart_svg_url(COMMITTEE), HTTP_ACCEPT="application/json")
        assert_error(response, 406)

    def test_queries_are_pinned(self, api_client, django_assert_num_queries):
        # The revision (validators), the body, its posts, their holders with people and capacities, the posts'
        # other appointments, the support agencies and sub-bodies: the JSON chart's reads, and nothing more.
        with django_assert_num_queries(9):
            parsed(api_client.get(chart_svg_url(COMMITTEE), {"as_of": DAY}))
        post = seeded_post(CHAIRMAN)
        with django_assert_num_queries(3):  # the revision, the post with its body, its appointments with their people
            parsed(api_client.get(timeline_url(post)))


class TestTimeline:
    def test_the_chairman_s_holders_with_the_unknown_stretch_between_them(self, api_client):
        post = seeded_post(CHAIRMAN)
        root = parsed(api_client.get(timeline_url(post)))
        drawn = texts(root)
        assert "Phan Văn Mãi" in drawn and "Nguyễn Văn Được" in drawn
        assert len(classes(root, "appointment")) == post.appointments.count() == 2
        assert "được ghi nhận giữ chức ngày 26/04/2023 – đến ngày 13/12/2024 (suy ra)" in drawn
        (unknown,) = classes(root, "stretch unknown")
        assert unknown.find(f"{SVG}rect").get("stroke-dasharray")
        assert not classes(root, "stretch vacant")
        # Both dates of Phan Văn Mãi are approximate (attested, inferred): both edges dashed.
        first = classes(root, "appointment")[0]
        edges = first.findall(f"{SVG}line")
        assert len(edges) == 2 and all(edge.get("stroke-dasharray") for edge in edges)
        # Nguyễn Văn Được has no end: an arrow, no end edge.
        second = classes(root, "appointment")[1]
        assert second.find(f"{SVG}polygon") is not None and len(second.findall(f"{SVG}line")) == 1

    def test_exact_and_approximate_days_and_a_stated_vacancy(self, api_client, today_is, three_seats):
        today_is(datetime.date(2025, 6, 1))
        post, _stays, leaves = three_seats
        AppointmentFactory(post=post, start_date=datetime.date(2025, 3, 1), start_date_precision=DatePrecision.ATTESTED)
        root = parsed(api_client.get(timeline_url(post), HTTP_ACCEPT_LANGUAGE="en"))
        drawn = texts(root)
        assert "Holders over time · up to 01/06/2025" in drawn
        assert "from 01/01/2024 – until 30/06/2024" in drawn
        ended = classes(root, "appointment")[1]
        assert [edge.get("stroke-dasharray") for edge in ended.findall(f"{SVG}line")] == [None, None]
        later = classes(root, "appointment")[2]
        assert later.find(f"{SVG}line").get("stroke-dasharray")
        # One seat unknown throughout; the one left empty is stated vacant until the successor starts.
        assert classes(root, "stretch vacant") and classes(root, "stretch unknown")
        assert "vacant" in drawn and "Legend" in drawn
        assert leaves.person.name in drawn

    def test_a_post_nobody_is_named_in_and_one_without_stated_seats(self, api_client, today_is):
        drawn = texts(parsed(api_client.get(timeline_url(seeded_post(MEMBERS)))))
        assert "Nguồn không nêu tên ai ở chức vụ này." in drawn
        today_is(datetime.date(2026, 1, 1))
        post = PostFactory(seats=None)
        AppointmentFactory(
            post=post,
            start_date=datetime.date(2000, 1, 1),
            end_date=datetime.date(2001, 1, 1),
            end_date_precision=DatePrecision.EXACT,
        )
        root = parsed(api_client.get(timeline_url(post)))
        assert classes(root, "stretch unknown")
        years = [text for text in texts(root) if text.isdigit()]
        assert years == ["2005", "2010", "2015", "2020", "2025"]

    def test_unknown_post_is_404(self, api_client):
        assert_error(api_client.get(reverse("registry-api:post-timeline-svg", args=[999999])), 404)


class TestPages:
    def test_the_body_s_page_links_its_chart_on_the_day_shown(self, client):
        text = client.get(f"/organizations/{COMMITTEE}/", {"as_of": DAY}).content.decode()
        assert f'href="/organizations/{COMMITTEE}/chart.svg?as_of={DAY}"' in text
        assert "Tải sơ đồ (SVG)" in text and "Tải sơ đồ (PDF)" in text
        english = client.get(f"/organizations/{COMMITTEE}/", {"as_of": DAY, "lang": "en"}).content.decode()
        assert f"chart.svg?as_of={DAY}&amp;lang=en" in english and "Download the chart (SVG)" in english

    def test_the_page_s_chart_picture_in_the_page_s_language(self, client):
        url = reverse("web:organization-chart-svg", args=[COMMITTEE])
        vietnamese = texts(parsed(client.get(url, {"as_of": "20/12/2025"})))
        assert "Sơ đồ tổ chức ngày 20/12/2025" in vietnamese
        english = texts(parsed(client.get(url, {"as_of": DAY, "lang": "en"})))
        assert "Organization chart on 20/12/2025" in english
        assert "Nguyễn Văn Được" in english

    def test_the_page_s_picture_refuses_a_bad_day_and_an_unknown_body(self, client):
        response = client.get(reverse("web:organization-chart-svg", args=[COMMITTEE]), {"as_of": "31/02/2025"})
        assert response.status_code == 400 and b"as_of" in response.content
        assert client.get(reverse("web:organization-chart-svg", args=["no-such-body"])).status_code == 404
        assert client.get(reverse("web:post-timeline-svg", args=["no-such-post"])).status_code == 404

    def test_the_post_s_page_shows_its_timeline(self, client):
        post = seeded_post(CHAIRMAN)
        text = client.get(f"/posts/{post.slug}/").content.decode()
        assert f'<img src="/posts/{post.slug}/timeline.svg"' in text and "Tải dòng thời gian (SVG)" in text
        root = parsed(client.get(f"/posts/{post.slug}/timeline.svg", {"lang": "en"}))
        assert "Holders over time" in " ".join(texts(root))

    def test_the_page_queries_are_pinned(self, client):
        url = reverse("web:organization-chart-svg", args=[COMMITTEE])
        with CaptureQueriesContext(connection) as queries:
            parsed(client.get(url, {"as_of": DAY}))
        assert len(queries) == 9


def cairo_available() -> bool:
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


class TestPDF:
    @pytest.mark.skipif(not cairo_available(), reason="CairoSVG or the system's libcairo is not installed")
    def test_the_chart_as_pdf_from_the_api_and_the_page(self, api_client, client):
        for response in (
            api_client.get(reverse("registry-api:organization-chart-pdf", args=[COMMITTEE]), {"as_of": DAY}),
            client.get(reverse("web:organization-chart-pdf", args=[COMMITTEE]), {"as_of": DAY}),
        ):
            assert response.status_code == 200, response.content
            assert response["Content-Type"] == "application/pdf"
            assert response.content.startswith(b"%PDF")
            assert response["Content-Disposition"] == f'inline; filename="chart-{COMMITTEE}-{DAY}.pdf"'

    def test_without_cairo_the_pdf_is_503_and_the_svg_still_there(self, api_client, client, monkeypatch):
        monkeypatch.setitem(sys.modules, "cairosvg", None)  # as on a host without the library
        body = assert_error(api_client.get(reverse("registry-api:organization-chart-pdf", args=[COMMITTEE])), 503)
        assert "SVG" in body["detail"]
        response = client.get(reverse("web:organization-chart-pdf", args=[COMMITTEE]))
        assert response.status_code == 503 and b"SVG" in response.content
        parsed(api_client.get(chart_svg_url(COMMITTEE)))
