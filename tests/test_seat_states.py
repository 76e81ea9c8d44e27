"""Held, vacant, unknown: what the API, CSV, Popolo and the pages say of a post's seats on a day, read as a client
reads them from the seeded registry (and from a vacancy a test records through the API)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from registry.models import Appointment
from tests.factories import AppointmentFactory, PostFactory
from tests.helpers import COMMITTEE, action_url, assert_error, chart_url, detail_url, list_url, results, seeded_post
from tests.test_web import text_of

pytestmark = pytest.mark.django_db

CHAIRMAN = "ubnd-tp-hcm-chu-tich"
MEMBERS = "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien"
HEAD = "ban-chi-dao-hoi-nhap-quoc-te-truong-ban"


def chart_post(api_client, organization: str, slug: str, **params) -> dict:
    body = api_client.get(chart_url(organization), params).json()
    post = seeded_post(slug)
    (found,) = [row for row in body["posts"] if row["id"] == post.pk]
    return found


def post_answer(api_client, slug: str, **params) -> dict:
    response = api_client.get(detail_url("post", seeded_post(slug).pk), params)
    assert response.status_code == 200, response.content
    return response.json()


def states(answer: dict) -> tuple[int | None, int | None, int]:
    return answer["vacant_seats"], answer["unknown_seats"], len(answer["holders"])


class TestSeededSeats:
    def test_the_chairman_between_the_two_known_holders_is_unknown_not_vacant(self, api_client):
        for answer in (
            post_answer(api_client, CHAIRMAN, as_of="2025-06-01"),
            chart_post(api_client, "ubnd-tp-hcm", CHAIRMAN, as_of="2025-06-01"),
        ):
            assert states(answer) == (0, 1, 0)
            last, following = answer["last_known"], answer["next_known"]
            assert last["person"]["slug"] == "phan-van-mai"
            assert (last["end_date"], last["end_date_precision"], last["leaves_vacant"]) == (
                "2024-12-13",
                "inferred",
                False,
            )
            assert following["person"]["slug"] == "nguyen-van-duoc"
            assert (following["start_date"], following["start_date_precision"]) == ("2025-12-15", "attested")

    def test_before_the_first_known_holder_only_the_next_one_is_named(self, api_client):
        answer = post_answer(api_client, CHAIRMAN, as_of="2023-01-01")
        assert states(answer) == (0, 1, 0)
        assert answer["last_known"] is None
        assert answer["next_known"]["person"]["slug"] == "phan-van-mai"

    def test_the_twenty_unnamed_members_are_unknown_seats(self, api_client):
        for answer in (post_answer(api_client, MEMBERS), chart_post(api_client, COMMITTEE, MEMBERS)):
            assert states(answer) == (0, 20, 0)
            assert answer["last_known"] is None and answer["next_known"] is None

    def test_the_head_on_the_founding_day_is_held(self, api_client):
        answer = chart_post(api_client, COMMITTEE, HEAD, as_of="2025-12-15")
        assert states(answer) == (0, 0, 1)
        assert answer["last_known"] is None and answer["next_known"] is None

    def test_no_seeded_post_is_stated_vacant_on_any_day_the_sources_speak_of(self, api_client):
        for day in ("2018-06-01", "2023-04-26", "2024-12-13", "2025-06-01", "2025-12-15", "2025-12-22"):
            rows = results(api_client.get(list_url("post"), {"as_of": day, "page_size": 100}))
            assert rows and all(row["vacant_seats"] in (0, None) for row in rows), day


@pytest.fixture
def ended_with_a_stated_vacancy(editor_client):
    """A two-seat post: one holder ends on 30/06/2024 and a source states the seat stays empty; a successor starts
    on 01/03/2025."""
    post = PostFactory(seats=2)
    stays = AppointmentFactory(post=post, start_date=datetime.date(2024, 1, 1))
    leaves = AppointmentFactory(post=post, start_date=datetime.date(2024, 1, 1))
    response = editor_client.post(
        action_url("appointment", "end", leaves.pk),
        {"end_date": "2024-06-30", "end_reason": "Nghỉ hưu", "leaves_vacant": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["leaves_vacant"] is True
    successor = AppointmentFactory(post=post, start_date=datetime.date(2025, 3, 1))
    return post, stays, leaves, successor


class TestAStatedVacancy:
    def test_the_seat_is_vacant_from_the_day_after_the_end_until_the_next_holder(
        self, api_client, ended_with_a_stated_vacancy
    ):
        post, _stays, leaves, successor = ended_with_a_stated_vacancy

        def seats_on(day: str) -> tuple:
            answer = api_client.get(detail_url("post", post.pk), {"as_of": day}).json()
            return states(answer)

        assert seats_on("2024-06-30") == (0, 0, 2)
        assert seats_on("2024-07-01") == (1, 0, 1)
        assert seats_on("2025-02-28") == (1, 0, 1)
        assert seats_on("2025-03-01") == (0, 0, 2)
        assert Appointment.objects.get(pk=leaves.pk).leaves_vacant
        assert successor.start_date == datetime.date(2025, 3, 1)

    def test_a_vacancy_needs_an_end(self, editor_client):
        holder = AppointmentFactory(post=PostFactory())
        response = editor_client.patch(detail_url("appointment", holder.pk), {"leaves_vacant": True}, format="json")
        body = assert_error(response, 400, "leaves_vacant")
        assert "end_date" in str(body)

    def test_csv_carries_the_states_and_the_end(self, api_client, ended_with_a_stated_vacancy):
        post, _stays, leaves, _successor = ended_with_a_stated_vacancy
        params = {"organization": post.organization.slug, "as_of": "2024-07-01"}
        text = api_client.get(reverse("registry-api:post-export-csv"), params).getvalue().decode("utf-8-sig")
        (row,) = csv.DictReader(io.StringIO(text))
        assert (row["vacant_seats"], row["unknown_seats"]) == ("1", "0")
        url = reverse("registry-api:appointment-export-csv")
        text = api_client.get(url, {**params, "as_of": "2024-01-01"}).getvalue()
        rows = {int(row["id"]): row for row in csv.DictReader(io.StringIO(text.decode("utf-8-sig")))}
        assert rows[leaves.pk]["leaves_vacant"] == "true"
        assert {"last_confirmed", "stale"} <= set(rows[leaves.pk])

    def test_popolo_exports_and_imports_the_stated_vacancy(self, ended_with_a_stated_vacancy):
        from registry.interop import popolo

        _post, stays, leaves, _successor = ended_with_a_stated_vacancy
        memberships = {item["id"]: item for item in popolo.export()["memberships"]}
        assert memberships[popolo.membership_id(leaves)]["leaves_vacant"] is True
        assert "leaves_vacant" not in memberships[popolo.membership_id(stays)]
        item = dict(memberships[popolo.membership_id(stays)], leaves_vacant="yes")
        report = popolo.import_document({"memberships": [item]}, dry_run=True)
        assert "leaves_vacant" in str(report.as_dict())
        assert not report.applied


class TestSeatsOnThePages:
    def test_the_chart_draws_unknown_seats_with_the_last_and_next_known_holder(self, client):
        text = text_of(client.get("/organizations/ubnd-tp-hcm/", {"as_of": "2025-06-01", "lang": "vi"}))
        assert "chưa rõ; lần cuối ghi nhận: Phan Văn Mãi, 13/12/2024" in text
        assert "lần ghi nhận kế tiếp: Nguyễn Văn Được, từ 15/12/2025" in text
        assert "Để trống" not in text
        text = text_of(client.get("/organizations/ubnd-tp-hcm/", {"as_of": "2025-06-01", "lang": "en"}))
        assert "unknown; last recorded: Phan Văn Mãi, 13/12/2024" in text
        assert "next recorded: Nguyễn Văn Được, from 15/12/2025" in text

    def test_a_stated_vacancy_is_drawn_as_vacant(self, client, ended_with_a_stated_vacancy):
        post, *_ = ended_with_a_stated_vacancy
        html = client.get(f"/organizations/{post.organization.slug}/", {"as_of": "2024-07-01", "lang": "en"})
        text = text_of(html)
        assert "1 seat stated vacant" in text
        assert html.content.decode().count('<li class="vacant">') == 1
        assert html.content.decode().count('<li class="held">') == 1
        page = text_of(client.get(f"/posts/{post.slug}/", {"lang": "en"}))
        assert "A source states the seat stayed vacant after this end." in page


def test_the_desk_counts_every_seat_nobody_holds(superuser_client):
    response = superuser_client.get(reverse("admin:registry_post_appoint", args=[seeded_post(MEMBERS).pk]))
    assert 'class="desk-vacant">20<' in response.content.decode()
