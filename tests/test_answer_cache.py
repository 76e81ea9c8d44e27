"""Kept answers (http/caching.py, ConditionalAnswersMixin in api/views/base.py): a read is answered from the copy
kept under its validator, and a write, a new day, another client or another representation never gets a stale or a
foreign copy.

The counter goes up after a write *commits*; the `db` fixture's transaction never commits, so writes here run inside
``django_capture_on_commit_callbacks(execute=True)``, which runs what a commit would.
"""

import datetime

import pytest
from django.core.cache import caches

from registry.http import caching
from registry.models import Person
from tests.helpers import COMMITTEE, action_url, chart_url, detail_url, list_url

pytestmark = pytest.mark.django_db

PERSON = "phan-van-mai"


@pytest.fixture(autouse=True)
def answers_kept(settings):
    settings.ANSWER_CACHE_SECONDS = 300
    caches[caching.ANSWERS].clear()
    yield
    caches[caching.ANSWERS].clear()


def set_family_name(api_client_as_editor, capture, slug: str, family_name: str) -> None:
    with capture(execute=True):
        response = api_client_as_editor.patch(detail_url("person", slug), {"family_name": family_name}, format="json")
    assert response.status_code == 200, response.content


@pytest.fixture
def editor(api_client, superuser):
    api_client.force_authenticate(superuser)
    return api_client


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("kept", "kept@example.com", "kept-password-2026")


@pytest.mark.parametrize(
    "url",
    [
        lambda: list_url("organization"),
        lambda: f"{list_url('post')}?as_of=2024-12-13",
        lambda: detail_url("organization", COMMITTEE),
        lambda: chart_url(COMMITTEE),
        lambda: "/api/v1/changes/?limit=5",
    ],
    ids=["list", "list as_of", "detail", "chart", "feed"],
)
def test_the_same_read_again_is_the_kept_answer_for_one_query(client, django_assert_num_queries, url):
    first = client.get(url())
    with django_assert_num_queries(1):  # the registry's revision (and the feed's head), nothing else
        again = client.get(url())
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]


def test_a_write_is_never_hidden_by_a_kept_answer(client, editor, django_capture_on_commit_callbacks):
    url = detail_url("person", PERSON)
    assert client.get(url).json()["family_name"] != "Kept answers"
    client.get(url)  # now kept
    set_family_name(editor, django_capture_on_commit_callbacks, PERSON, "Kept answers")
    after = client.get(url)
    assert after.json()["family_name"] == "Kept answers"
    assert after["ETag"] == f'"{Person.objects.get(slug=PERSON).version}"'  # the record's version, for If-Match


def test_two_writes_in_one_second_are_both_seen(client, editor, django_capture_on_commit_callbacks, today_is):
    today_is(datetime.date(2026, 11, 20))  # the clock stands still: both writes fall in the same second
    url = list_url("person") + "?q=phan van mai"
    set_family_name(editor, django_capture_on_commit_callbacks, PERSON, "First")
    assert client.get(url).json()["results"][0]["family_name"] == "First"
    set_family_name(editor, django_capture_on_commit_callbacks, PERSON, "Second")
    assert client.get(url).json()["results"][0]["family_name"] == "Second"


def test_a_new_day_rebuilds_the_answer(client, today_is, django_assert_max_num_queries):
    today_is(datetime.date(2025, 1, 1))
    url = chart_url(COMMITTEE)
    client.get(url)
    today_is(datetime.date(2026, 1, 1))
    with django_assert_max_num_queries(20) as captured:
        answer = client.get(url)
    assert len(captured) > 1  # rebuilt, not the kept copy of another day
    assert answer.json()["as_of"] == "2026-01-01"


def test_who_asks_selects_the_answer(client, editor, django_capture_on_commit_callbacks):
    set_family_name(editor, django_capture_on_commit_callbacks, PERSON, "Phan (kept)")
    url = action_url("person", "history", PERSON)
    signed_in = editor.get(url).json()["results"]
    anonymous = client.get(url).json()["results"]
    assert signed_in[0]["user"] == "kept"  # the newest change, by the signed-in editor
    assert all(entry["user"] is None for entry in anonymous)  # never the signed-in client's copy


def test_another_host_gets_its_own_urls(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "registry.example"]
    url = list_url("organization")
    here = client.get(url).json()["results"][0]["url"]
    there = client.get(url, HTTP_HOST="registry.example").json()["results"][0]["url"]
    assert here.startswith("http://testserver/")
    assert there.startswith("http://registry.example/")


def test_html_and_errors_are_never_kept(client, django_assert_max_num_queries):
    browsable = detail_url("organization", COMMITTEE)
    client.get(browsable, HTTP_ACCEPT="text/html")
    with django_assert_max_num_queries(50) as captured:
        assert client.get(browsable, HTTP_ACCEPT="text/html").status_code == 200
    assert len(captured) > 1
    missing = detail_url("organization", "no-such-body")
    assert client.get(missing).status_code == 404
    with django_assert_max_num_queries(20) as captured:
        assert client.get(missing).status_code == 404
    assert len(captured) > 1


def test_a_client_may_ask_for_a_fresh_answer(client, django_assert_max_num_queries):
    url = list_url("organization")
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        fresh = client.get(url, HTTP_CACHE_CONTROL="no-cache")
    assert len(captured) > 1
    assert fresh.status_code == 200


def test_nothing_is_kept_when_turned_off(client, settings, django_assert_max_num_queries):
    settings.ANSWER_CACHE_SECONDS = 0
    url = list_url("organization")
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        client.get(url)
    assert len(captured) > 1
