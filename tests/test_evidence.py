"""Evidence has a date: ``last_confirmed`` and ``stale`` on appointments, relationships and bodies, as a client reads
them from the seeded registry, with the registry's clock moved to December 2026 (a year after the newest source)."""

import datetime

import pytest

from tests.factories import AppointmentFactory, CitationFactory, DocumentFactory, RelationshipFactory
from tests.helpers import COMMITTEE, chart_url, detail_url, list_url, results, seeded_post
from tests.test_web import text_of

pytestmark = pytest.mark.django_db

D = datetime.date
DECEMBER_2026 = D(2026, 12, 20)


@pytest.fixture
def a_year_later(today_is, settings):
    settings.STALE_AFTER_DAYS = 365
    today_is(DECEMBER_2026)


def test_every_appointment_held_today_was_last_confirmed_in_december_2025(api_client, a_year_later):
    rows = results(api_client.get(list_url("appointment"), {"current": "true", "page_size": 100}))
    assert len(rows) == 9
    for row in rows:
        confirmed = D.fromisoformat(row["last_confirmed"])
        assert (confirmed.year, confirmed.month) == (2025, 12), row["name"]
        # 20/12/2026 is more than 365 days after 15/12/2025, not after 22/12/2025.
        assert row["stale"] is ((DECEMBER_2026 - confirmed).days > 365), row["name"]
    assert {row["stale"] for row in rows} == {True, False}


def test_phan_van_mai_as_chairman_is_last_confirmed_on_13_december_2024(api_client, a_year_later):
    chairman = seeded_post("ubnd-tp-hcm-chu-tich").pk
    (row,) = results(api_client.get(list_url("appointment"), {"person": "phan-van-mai", "post": chairman}))
    assert row["last_confirmed"] == "2024-12-13"
    assert row["stale"] is False  # ended: it claims nothing about today


def test_a_chart_of_today_says_how_old_each_holder_s_evidence_is(api_client, a_year_later):
    body = api_client.get(chart_url(COMMITTEE)).json()
    holders = [holder for post in body["posts"] for holder in post["holders"]]
    assert len(holders) == 4
    assert {(holder["last_confirmed"], holder["stale"]) for holder in holders} == {("2025-12-15", True)}


def test_bodies_and_relationships_carry_their_last_confirmation(api_client, a_year_later):
    def body(slug: str) -> dict:
        return api_client.get(detail_url("organization", slug)).json()

    group = body("to-cong-tac-doi-ngoai-va-hop-tac-quoc-te")
    assert group["last_confirmed"] == "2023-04-26"
    assert body(COMMITTEE)["last_confirmed"] == "2025-12-15"
    assert body(COMMITTEE)["stale"] is True
    merged = body("tinh-binh-duong")
    # Dissolved on or before the day the merger is reported (an inferred end, its last possible day): not about today.
    assert (merged["last_confirmed"], merged["stale"]) == ("2025-12-21", False)
    rows = results(api_client.get(list_url("relationship"), {"subject": "tinh-binh-duong"}))
    assert [(row["kind"], row["last_confirmed"]) for row in rows] == [("merged_into", "2025-12-22")]
    listed = results(api_client.get(list_url("organization"), {"page_size": 100}))
    assert all("last_confirmed" in row and "stale" in row for row in listed)


def test_only_documents_dated_within_the_record_confirm_it(api_client, a_year_later):
    ended = AppointmentFactory(start_date=D(2020, 1, 1), end_date=D(2020, 12, 31), end_date_precision="exact")
    for day in (D(2019, 12, 1), D(2020, 6, 1), D(2021, 1, 5)):  # before, within, after ("former director")
        CitationFactory(record=ended, document=DocumentFactory(published_on=day))
    answer = api_client.get(detail_url("appointment", ended.pk)).json()
    assert (answer["last_confirmed"], answer["stale"]) == ("2020-06-01", False)

    undated = AppointmentFactory(start_date=D(2026, 1, 1))
    CitationFactory(record=undated, document=DocumentFactory(published_on=None, date_precision=""))
    answer = api_client.get(detail_url("appointment", undated.pk)).json()
    assert (answer["last_confirmed"], answer["stale"]) == (None, True)

    relationship = RelationshipFactory(start_date=D(2026, 1, 1), start_date_precision="exact")
    CitationFactory(record=relationship, document=DocumentFactory(published_on=D(2026, 11, 30)))
    answer = api_client.get(detail_url("relationship", relationship.pk)).json()
    assert (answer["last_confirmed"], answer["stale"]) == ("2026-11-30", False)


def test_a_shorter_setting_makes_newer_evidence_stale(api_client, today_is, settings):
    today_is(D(2026, 1, 20))  # 36 and 29 days after the newest sources
    settings.STALE_AFTER_DAYS = 20
    rows = results(api_client.get(list_url("appointment"), {"current": "true", "page_size": 100}))
    assert rows and all(row["stale"] for row in rows)
    settings.STALE_AFTER_DAYS = 365
    # Another URL: a kept answer (registry/http/caching.py) may outlive a change of setting for ANSWER_CACHE_SECONDS.
    rows = results(api_client.get(list_url("appointment"), {"current": "true", "page_size": 99}))
    assert not any(row["stale"] for row in rows)


def test_the_page_of_today_names_the_date_of_its_source(client, a_year_later):
    text = text_of(client.get(f"/organizations/{COMMITTEE}/", {"lang": "vi"}))
    assert "theo nguồn ngày 15/12/2025 (có thể đã cũ)" in text
    text = text_of(client.get(f"/organizations/{COMMITTEE}/", {"lang": "en"}))
    assert "per source of 15/12/2025 (may be out of date)" in text
    # A chart of another day is about that day: it does not speak of today's evidence.
    text = text_of(client.get(f"/organizations/{COMMITTEE}/", {"as_of": "2025-12-20", "lang": "en"}))
    assert "per source of" not in text


def test_the_post_page_dates_the_evidence_of_its_current_holder(client, a_year_later):
    text = text_of(client.get("/posts/ubnd-tp-hcm-chu-tich/", {"lang": "en"}))
    assert "per source of 15/12/2025 (may be out of date)" in text
