"""HTTP caching (registry/http/caching.py): validators on every read, 304s that cost one query, never a stale answer.

The counter goes up after a write *commits*; the `db` fixture's transaction never commits, so writes here run inside
``django_capture_on_commit_callbacks(execute=True)``, which runs what a commit would.
"""

import datetime
import gzip
import json

import pytest
from django.urls import reverse
from django.utils.http import http_date, parse_http_date

from registry import services
from registry.http import caching
from registry.models import Person, Portfolio, Post, RegistryRevision
from tests.factories import PortfolioFactory
from tests.helpers import COMMITTEE, NS, action_url, chart_url, detail_url, list_url
from tests.test_write_path import admin_change_url, admin_form

pytestmark = pytest.mark.django_db

CHAIRMAN = "ubnd-tp-hcm-chu-tich"
PERSON = "phan-van-mai"


def post_pk(slug: str = CHAIRMAN) -> int:
    return Post.objects.get(slug=slug).pk


#: Every main read: (name, URL maker). Lists, details, chart (with and without as_of), feed, history, CSV, pages.
READS = {
    "organization list": lambda: list_url("organization"),
    "person list": lambda: list_url("person"),
    "post list as_of": lambda: f"{list_url('post')}?as_of=2024-12-13",
    "appointment list": lambda: list_url("appointment"),
    "organization detail": lambda: detail_url("organization", COMMITTEE),
    "post detail": lambda: detail_url("post", post_pk()),
    "chart": lambda: chart_url(COMMITTEE),
    "chart as_of": lambda: f"{chart_url(COMMITTEE)}?as_of=2025-12-20",
    "feed": lambda: reverse(f"{NS}:changes") + "?limit=5",
    "history": lambda: action_url("person", "history", PERSON),
    "csv": lambda: reverse(f"{NS}:person-export-csv"),
    "excel": lambda: reverse(f"{NS}:post-export-xlsx") + "?as_of=2024-12-13",
    "home page": lambda: "/",
    "organization page": lambda: f"/organizations/{COMMITTEE}/",
    "person page": lambda: f"/people/{PERSON}/",
}
DETAILS = {"organization detail", "post detail"}


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_validated(response) -> None:
    assert response.status_code == 200, body(response)[:300]
    assert response["ETag"]
    assert parse_http_date(response["Last-Modified"])
    assert "no-cache" in response["Cache-Control"]
    for header in ("Accept-Encoding", "Cookie"):
        assert header in response["Vary"]


def revalidate(client, url, first, **headers):
    """Ask again with the validators of ``first``: an ETag (If-None-Match), or for details If-Modified-Since."""
    if first["ETag"].startswith("W/"):
        return client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
    return client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], **headers)


def age_the_last_change(seconds: int = 5) -> None:
    """Put the last change a few seconds back, as it is for any answer not read in the very second of a write."""
    RegistryRevision.objects.update(
        changed=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(seconds=seconds)
    )


# --- every read carries validators, and a matching one is a 304 for one query -----------------------------------


@pytest.mark.parametrize("name", READS)
def test_every_read_has_validators_and_an_unchanged_one_is_a_304_for_one_query(
    api_client, name, django_assert_max_num_queries
):
    age_the_last_change()
    url = READS[name]()
    first = api_client.get(url)
    assert_validated(first)
    assert "Authorization" in first["Vary"] or name.endswith("page")
    assert "public" in first["Cache-Control"]
    with django_assert_max_num_queries(1):
        again = revalidate(api_client, url, first)
    assert again.status_code == 304
    assert again.content == b""
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == first["Cache-Control"]
    assert again["Vary"] == first["Vary"]
    if name not in DETAILS:
        assert again["ETag"] == first["ETag"]


def test_a_detail_keeps_its_strong_version_tag_and_if_none_match_alone_never_gives_a_304(api_client):
    person = Person.objects.get(slug=PERSON)
    response = api_client.get(detail_url("person", PERSON))
    assert response["ETag"] == f'"{person.version}"'  # what If-Match needs, untouched
    assert response["Last-Modified"]
    # The version does not cover today's holders nor the related rows shown: it cannot validate the answer.
    assert api_client.get(detail_url("person", PERSON), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_signed_in_clients_get_private_answers_with_their_own_tags(api_client, editor_client):
    url = reverse(f"{NS}:changes")
    anonymous, signed_in = api_client.get(url), editor_client.get(url)
    assert "private" in signed_in["Cache-Control"] and "public" not in signed_in["Cache-Control"]
    assert anonymous["ETag"] != signed_in["ETag"]  # the feed names users to signed-in clients only
    assert editor_client.get(url, HTTP_IF_NONE_MATCH=signed_in["ETag"]).status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH=signed_in["ETag"]).status_code == 200


def test_an_exports_languages_have_their_own_tags(api_client):
    url = reverse(f"{NS}:person-export-csv")
    english = api_client.get(url)
    assert "Accept-Language" in english["Vary"]
    assert api_client.get(url, HTTP_IF_NONE_MATCH=english["ETag"]).status_code == 304
    vietnamese = api_client.get(url, HTTP_ACCEPT_LANGUAGE="vi", HTTP_IF_NONE_MATCH=english["ETag"])
    assert vietnamese.status_code == 200
    assert vietnamese["ETag"] != english["ETag"]


def test_a_refused_read_is_never_a_304(api_client, settings):
    url = list_url("person")
    tag = api_client.get(url)["ETag"]
    settings.REGISTRY_ANONYMOUS_READ = False
    refused = api_client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert refused.status_code == 401
    assert "ETag" not in refused


def test_head_works_and_is_conditional(api_client):
    url = list_url("organization")
    head = api_client.head(url)
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == api_client.get(url)["ETag"]
    assert api_client.head(url, HTTP_IF_NONE_MATCH=head["ETag"]).status_code == 304


def test_unsafe_methods_never_get_a_304(editor_client):
    url = detail_url("person", PERSON)
    tag = editor_client.get(list_url("person"))["ETag"]
    stamp = http_date()
    response = editor_client.patch(
        url, {"given_name": "Mãi"}, format="json", HTTP_IF_NONE_MATCH=tag, HTTP_IF_MODIFIED_SINCE=stamp
    )
    assert response.status_code == 200
    assert "Last-Modified" not in response
    assert editor_client.post(list_url("person"), {}, format="json", HTTP_IF_NONE_MATCH=tag).status_code == 400


def test_errors_carry_no_validators(api_client):
    response = api_client.get(detail_url("person", "no-such-person"))
    assert response.status_code == 404
    assert "ETag" not in response and "Last-Modified" not in response


# --- a write changes every validator: a conditional request then gets the new answer -----------------------------


def bumps(callbacks) -> int:
    return sum(isinstance(callback, caching.PendingBump) for callback in callbacks)


def all_answers(client) -> dict:
    return {name: (make(), client.get(make())) for name, make in READS.items()}


def assert_none_is_not_modified(client, before: dict) -> None:
    for name, (url, first) in before.items():
        again = revalidate(client, url, first)
        assert again.status_code == 200, name
        if name not in DETAILS:
            assert again["ETag"] != first["ETag"], name


def succession(editor_client):
    return editor_client.post(
        action_url("post", "succeed", post_pk()),
        {"person": "nguyen-loc-ha", "start_date": "2026-01-01", "reason": "test succession"},
        format="json",
    )


def admin_save(superuser_client):
    person = Person.objects.get(slug=PERSON)
    return superuser_client.post(admin_change_url(person), admin_form(person, given_name="Sửa"))


WRITES = {
    "patch": lambda editor, admin: editor.patch(detail_url("person", PERSON), {"given_name": "Mới"}, format="json"),
    "post": lambda editor, admin: editor.post(
        list_url("portfolio"), {"slug": "thu-nghiem", "name": "Thử nghiệm"}, format="json"
    ),
    "delete": lambda editor, admin: editor.delete(detail_url("portfolio", Portfolio.objects.get(slug="thu-xoa").slug)),
    "succession": lambda editor, admin: succession(editor),
    "admin save": lambda editor, admin: admin_save(admin),
}


@pytest.mark.parametrize("name", WRITES)
def test_a_write_changes_the_validator_of_every_answer(
    name, api_client, editor_client, superuser_client, django_capture_on_commit_callbacks
):
    PortfolioFactory(slug="thu-xoa")  # for "delete" (a factory writes around the services: no bump)
    age_the_last_change()
    before = all_answers(api_client)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = WRITES[name](editor_client, superuser_client)
    assert response.status_code in (200, 201, 204, 302), response.content[:500]
    assert bumps(callbacks) == 1  # once per transaction, however many rows it wrote
    assert_none_is_not_modified(api_client, before)


def test_the_new_answer_is_served_after_a_write(api_client, editor_client, django_capture_on_commit_callbacks):
    url = detail_url("person", PERSON)
    listing = list_url("person") + "?search=Phan Văn Mãi"
    first = api_client.get(listing)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.patch(url, {"given_name": "Mãi Mới"}, format="json")
    again = api_client.get(listing, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Mãi Mới" in json.dumps(again.json(), ensure_ascii=False)


def test_two_writes_in_the_same_second_are_never_hidden(
    api_client, editor_client, django_capture_on_commit_callbacks, today_is
):
    today_is(datetime.date(2026, 3, 2))  # the clock stands still: every write falls in the same second
    url = detail_url("person", PERSON)
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.patch(url, {"given_name": "Một"}, format="json")
    first = api_client.get(url)
    listing = api_client.get(list_url("person"))
    with django_capture_on_commit_callbacks(execute=True):
        second = editor_client.patch(url, {"given_name": "Hai"}, format="json")
    assert second.status_code == 200, second.content
    # Same second, yet neither validator holds: the ETag counts writes, and If-Modified-Since needs an earlier change.
    again = api_client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200
    assert again.json()["given_name"] == "Hai"
    assert api_client.get(list_url("person"), HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_if_modified_since_rounds_up_only_once_the_second_has_passed(today_is):
    today_is(datetime.date(2026, 3, 1))  # midnight long before: the change's own moment decides
    changed = datetime.datetime(2026, 3, 2, 5, 0, 0, 400_000, tzinfo=datetime.UTC)
    fresh = caching.Revision(1, changed, read_at=changed + datetime.timedelta(milliseconds=100))
    settled = caching.Revision(1, changed, read_at=changed + datetime.timedelta(seconds=5))
    second = changed.replace(microsecond=0)
    assert fresh.last_modified() == second  # a later write in this second must not pass for "not modified"
    assert not fresh.unchanged_since(second)
    assert settled.last_modified() == second + datetime.timedelta(seconds=1)
    assert settled.unchanged_since(settled.last_modified())
    later = caching.Revision(
        2, changed + datetime.timedelta(seconds=5), read_at=changed + datetime.timedelta(seconds=9)
    )
    assert not later.unchanged_since(settled.last_modified())


def test_a_new_day_changes_every_validator_without_a_write(api_client, today_is):
    today_is(datetime.date(2026, 3, 2))
    url = list_url("post")
    first = api_client.get(url)
    detail = api_client.get(detail_url("post", post_pk()))
    assert api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    today_is(datetime.date(2026, 3, 3))
    assert api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    again = api_client.get(detail_url("post", post_pk()), HTTP_IF_MODIFIED_SINCE=detail["Last-Modified"])
    assert again.status_code == 200


def test_one_bump_per_transaction_and_none_for_a_rollback(django_capture_on_commit_callbacks):
    from django.db import transaction

    person = Person.objects.get(slug=PERSON)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        services.record_update(instance=person, changes={"given_name": "Một"})
        services.record_update(instance=person, changes={"given_name": "Hai"})
    assert bumps(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.record_update(instance=person, changes={"given_name": "Ba"})
        raise RuntimeError
    assert callbacks == []


def test_bump_counts_and_never_goes_back_in_time():
    before = RegistryRevision.objects.get()
    caching.bump()
    after = RegistryRevision.objects.get()
    assert after.number == before.number + 1
    assert after.changed >= before.changed
    RegistryRevision.objects.all().delete()  # a flushed database: the next bump creates the row
    caching.bump()
    assert RegistryRevision.objects.get().number == 1


# --- gzip ------------------------------------------------------------------------------------------------------------


def test_large_json_answers_are_gzipped_and_keep_their_validators(api_client):
    url = list_url("person")
    plain = api_client.get(url)
    zipped = api_client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(zipped.content)) == plain.json()
    assert zipped["ETag"] == plain["ETag"]
    detail = api_client.get(detail_url("person", PERSON), HTTP_ACCEPT_ENCODING="gzip")
    assert detail["Content-Encoding"] == "gzip"
    assert not detail["ETag"].startswith("W/")  # still the strong version If-Match compares


def test_admin_pages_are_never_gzipped(superuser_client):
    response = superuser_client.get(reverse("admin:registry_person_changelist"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


# --- the schema ------------------------------------------------------------------------------------------------------


def test_the_schema_is_built_once_and_validated_by_its_bytes(api_client, django_assert_max_num_queries):
    url = reverse(f"{NS}:schema")
    first = api_client.get(url)
    assert first.status_code == 200
    assert first["ETag"].startswith('"') and first["Last-Modified"] and "no-cache" in first["Cache-Control"]
    second = api_client.get(url)
    assert second.content == first.content and second["ETag"] == first["ETag"]
    with django_assert_max_num_queries(0):
        again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    as_json = api_client.get(url, {"format": "json"})
    assert as_json["ETag"] != first["ETag"]
    assert json.loads(as_json.content)["openapi"]


# --- an honest 304: DRF's checks once, no kept-answer read, every read route able to answer one -------------------


def counting(monkeypatch, module, name: str) -> list:
    """Count the calls of ``module.name`` (still calling it)."""
    calls, original = [], getattr(module, name)

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


@pytest.fixture
def key_client(api_client):
    """A city system reading with its API key: authentication runs on every request."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_system_account", "hr-system", "--group", "reader", stdout=out)
    api_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {out.getvalue().strip().splitlines()[-1]}")
    return api_client


@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "api key"])
def test_a_304_throttles_and_authenticates_once_and_reads_no_kept_answer(
    api_client, key_client_or_none, monkeypatch, with_key, settings
):
    from registry.api import authentication, throttling

    settings.ANSWER_CACHE_SECONDS = 300
    client = key_client_or_none(with_key)
    url = list_url("organization")
    first = client.get(url)
    throttled = counting(monkeypatch, throttling, "hit")
    kept_reads = counting(monkeypatch, caching, "kept_answer")
    authenticated = counting(monkeypatch, authentication.SystemKeyAuthentication, "authenticate")
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    rated = [call for call in throttled if call[0].startswith(("throttle:anon:", "throttle:user:"))]
    assert len(rated) == 1  # counted once against the client's rate, as any answer is
    assert kept_reads == []  # a 304 needs no body, kept or built
    assert len(authenticated) == 1


@pytest.fixture
def key_client_or_none(request, api_client):
    return lambda with_key: request.getfixturevalue("key_client") if with_key else api_client


def test_a_full_read_throttles_once_and_reads_the_kept_answers_once(api_client, monkeypatch, settings):
    from registry.api import throttling

    settings.ANSWER_CACHE_SECONDS = 300
    url = list_url("person")
    api_client.get(url)
    throttled = counting(monkeypatch, throttling, "hit")
    kept_reads = counting(monkeypatch, caching, "kept_answer")
    assert api_client.get(url).status_code == 200
    assert (len(throttled), len(kept_reads)) == (1, 1)


def test_every_read_route_of_the_api_answers_its_own_304s():
    from django.urls import get_resolver

    from registry.api.views.base import ConditionalAnswersMixin

    api = get_resolver().namespace_dict["registry-api"][1]
    unconditional = {"schema", "changesets", "intake"}  # its own strong ETag; writes only
    missing = []
    for pattern in api.url_patterns:
        for leaf in getattr(pattern, "url_patterns", [pattern]):
            view_class = getattr(leaf.callback, "cls", None)
            name = leaf.name or ""
            if name in unconditional or name.startswith("webhook") or view_class is None:
                continue
            if not issubclass(view_class, ConditionalAnswersMixin):
                missing.append(name)
    assert missing == []


def test_a_view_outside_the_mixin_gets_no_validator_it_would_not_honour(editor_client):
    # The webhook endpoints are private and change outside the feed: no ETag, no 304.
    response = editor_client.get(reverse(f"{NS}:webhook-list"))
    assert response.status_code == 200
    assert "ETag" not in response
