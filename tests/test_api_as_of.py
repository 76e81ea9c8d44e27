"""`as_of`: the holders of a day, on lists, details and the chart.

Every test sees the seeded registry (tests/conftest.py)."""

import datetime

import pytest
from django.utils import timezone

from registry.models import (
    Organization,
)
from tests.helpers import (
    BRIEF_KEYS,
    COMMITTEE,
    assert_brief,
    chart_url,
    detail_url,
    list_url,
    results,
    seeded_post,
)

pytestmark = pytest.mark.django_db


# --- c. as_of: time travel and the chart ---------------------------------------------------------------------------


def chairman_holders(api_client, **params) -> list[str]:
    rows = results(api_client.get(list_url("post"), {"organization": "ubnd-tp-hcm", **params}))
    (chairman,) = (row for row in rows if row["slug"] == "ubnd-tp-hcm-chu-tich")
    return [holder["person"]["slug"] for holder in chairman["holders"]]


class TestTimeTravel:
    def test_posts_as_of_the_2024_conference(self, api_client):
        assert chairman_holders(api_client, as_of="2024-12-13") == ["phan-van-mai"]

    def test_posts_as_of_the_committee_founding(self, api_client):
        assert chairman_holders(api_client, as_of="2025-12-15") == ["nguyen-van-duoc"]

    def test_between_the_two_chairmen_the_seat_is_unknown_not_vacant(self, api_client):
        rows = results(api_client.get(list_url("post"), {"organization": "ubnd-tp-hcm", "as_of": "2025-06-01"}))
        chairman = next(row for row in rows if row["slug"] == "ubnd-tp-hcm-chu-tich")
        assert chairman["holders"] == []
        assert (chairman["vacant_seats"], chairman["unknown_seats"]) == (0, 1)

    def test_holders_default_to_today(self, api_client, today_is):
        today = timezone.localdate().isoformat()
        assert chairman_holders(api_client) == chairman_holders(api_client, as_of=today) == ["nguyen-van-duoc"]
        today_is(datetime.date(2024, 12, 13))
        assert chairman_holders(api_client) == ["phan-van-mai"]

    def test_as_of_chooses_holders_and_never_hides_a_post(self, api_client):
        """A post of a body founded later is still found by its URL and in the list; as_of only picks the day."""
        member = seeded_post("ban-chi-dao-hoi-nhap-quoc-te-thanh-vien")
        response = api_client.get(detail_url("post", member.pk), {"as_of": "2025-12-14"})
        assert response.status_code == 200
        assert response.json()["holders"] == []
        listed = results(api_client.get(list_url("post"), {"as_of": "2025-12-14", "page_size": 200}))
        assert member.pk in {row["id"] for row in listed}
        existing = results(api_client.get(list_url("post"), {"exists_on": "2025-12-14", "page_size": 200}))
        assert member.pk not in {row["id"] for row in existing}

    def test_post_detail_as_of(self, api_client):
        chairman = seeded_post("ubnd-tp-hcm-chu-tich")
        body = api_client.get(detail_url("post", chairman.pk), {"as_of": "2024-12-13"}).json()
        assert [holder["person"]["slug"] for holder in body["holders"]] == ["phan-van-mai"]
        holder = body["holders"][0]
        assert holder["start_date"] == "2023-04-26"
        assert holder["start_date_precision"] == "attested"
        assert holder["end_date"] == "2024-12-13"
        assert holder["end_date_precision"] == "inferred"  # the article of "Sáng 13-12" prints no year

    def test_person_lists_every_post_held(self, api_client):
        body = api_client.get(detail_url("person", "nguyen-van-duoc")).json()
        assert sorted((row["post"]["slug"], row["start_date"]) for row in body["appointments"]) == [
            ("ban-chi-dao-hoi-nhap-quoc-te-truong-ban", "2025-12-15"),
            ("ubnd-tp-hcm-chu-tich", "2025-12-15"),
        ]
        (head,) = (
            row for row in body["appointments"] if row["post"]["slug"] == "ban-chi-dao-hoi-nhap-quoc-te-truong-ban"
        )
        assert_brief(head["capacity"], "post", seeded_post("ubnd-tp-hcm-chu-tich"))
        assert head["organization"]["slug"] == COMMITTEE


class TestChart:
    def test_shape(self, api_client):
        body = api_client.get(chart_url(COMMITTEE)).json()
        assert set(body) == {"organization", "as_of", "posts", "support_agencies", "sub_organizations"}
        assert_brief(body["organization"], "organization", Organization.objects.get(slug=COMMITTEE))
        assert body["as_of"] == timezone.localdate().isoformat()
        assert body["sub_organizations"] == []

    def test_posts_in_rank_order_with_holders(self, api_client):
        posts = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-15"}).json()["posts"]
        assert [(post["rank"], post["role"]) for post in posts] == [
            (1, "head"),
            (2, "permanent_deputy_head"),
            (3, "deputy_head"),
            (4, "deputy_head"),
            (10, "member"),
        ]
        assert [[holder["person"]["slug"] for holder in post["holders"]] for post in posts] == [
            ["nguyen-van-duoc"],
            ["nguyen-loc-ha"],
            ["bui-ta-hoang-vu"],
            ["pham-thi-thanh-hien"],
            [],
        ]
        capacities = ["ubnd-tp-hcm-chu-tich", "ubnd-tp-hcm-pho-chu-tich-thuong-truc"]
        capacities += ["so-cong-thuong-tp-hcm-giam-doc", "so-noi-vu-tp-hcm-giam-doc"]
        for post, capacity in zip(posts, capacities, strict=False):
            (holder,) = post["holders"]
            assert_brief(holder["capacity"], "post", seeded_post(capacity))
            assert holder["start_date"] == "2025-12-15"
            assert holder["start_date_precision"] == "attested"
            assert holder["end_date"] is None
            assert holder["end_date_precision"] == ""
            assert post["vacant_seats"] == 0
        member = posts[-1]
        assert member["seats"] == 20
        assert (member["vacant_seats"], member["unknown_seats"]) == (0, 20)
        assert [post["standing"] for post in posts] == [True, True, True, True, False]
        assert [post["portfolio"] and post["portfolio"]["slug"] for post in posts] == [
            None,
            "chinh-tri-quoc-phong-an-ninh",
            "kinh-te",
            "van-hoa-xa-hoi-khoa-hoc-cong-nghe-giao-duc-dao-tao",
            None,
        ]

    def test_support_agencies(self, api_client):
        agencies = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-15"}).json()["support_agencies"]
        assert {agency["slug"] for agency in agencies} == {
            "van-phong-ubnd-tp-hcm",
            "so-ngoai-vu-tp-hcm",
            "so-cong-thuong-tp-hcm",
            "so-noi-vu-tp-hcm",
            "vien-nghien-cuu-phat-trien-tp-hcm",
        }
        for agency in agencies:
            assert set(agency) == BRIEF_KEYS["organization"]

    def test_before_the_founding_nobody_holds_anything(self, api_client):
        body = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-14"}).json()
        assert body["as_of"] == "2025-12-14"
        assert len(body["posts"]) == 5
        assert all(post["holders"] == [] for post in body["posts"])
        assert [post["unknown_seats"] for post in body["posts"]] == [1, 1, 1, 1, 20]
        assert [post["vacant_seats"] for post in body["posts"]] == [0, 0, 0, 0, 0]
        assert body["support_agencies"] == []

    def test_sub_organizations(self, api_client):
        def children(**params) -> list[str]:
            body = api_client.get(chart_url("ubnd-tp-hcm"), params).json()
            return [row["slug"] for row in body["sub_organizations"]]

        # The office's parent is not stated (only its own name says "UBND"): the committee is the one sub-body.
        assert children() == [COMMITTEE]
        assert children(as_of="2025-12-14") == []  # founded (attested) 2025-12-15
