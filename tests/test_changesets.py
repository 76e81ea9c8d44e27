"""Changesets: several appointment writes from one document, all or nothing (registry/services/changesets.py)."""

import datetime
import io
import itertools
import threading

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.urls import reverse
from rest_framework.test import APIClient

from registry import services
from registry.changes import feed
from registry.choices import DocumentKind, PostRole
from registry.groups import READER
from registry.models import Appointment, Change, Citation, Document, Person, Post
from registry.services import changesets
from tests.factories import AppointmentFactory, DocumentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import NS, assert_error

pytestmark = pytest.mark.django_db

URL = reverse(f"{NS}:changesets")
DECISION = (
    "Quyết định kiện toàn Tổ công tác. Ông Lê Văn Một làm Tổ trưởng. Bà Phạm Thị Hai làm thành viên. "
    "Ông Võ Văn Ba làm thành viên. Bà Đỗ Thị Bốn làm thành viên. Thôi giữ chức đối với ông Trần Cũ."
)
START = "2025-03-01"
JOIN_TIMEOUT = 60  # seconds; only guards against a hung test, never asserted on


def counts() -> dict:
    feed.place_own_entries()
    return {model.__name__: model.objects.count() for model in (Document, Appointment, Person, Post, Citation, Change)}


def new_document(slug: str = "qd-to-cong-tac", text: str = DECISION) -> dict:
    return {
        "slug": slug,
        "kind": "decision",
        "title": "Quyết định kiện toàn Tổ công tác",
        "issued_on": START,
        "date_precision": "exact",
        "text": text,
    }


def new_person(slug: str, name: str) -> dict:
    return {"slug": slug, "name": name, "family_name": name.split()[0]}


def appoint(post, person, quote: str, **extra) -> dict:
    return {"op": "appoint", "post": post, "person": person, "start_date": START, "quote": quote, **extra}


def four_members(post: Post) -> list[dict]:
    return [
        appoint(post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
        appoint(post.pk, new_person("pham-thi-hai", "Phạm Thị Hai"), "Bà Phạm Thị Hai làm thành viên."),
        appoint(post.pk, new_person("vo-van-ba", "Võ Văn Ba"), "Ông Võ Văn Ba  làm\u00a0thành viên."),
        appoint(post.pk, new_person("do-thi-bon", "Đỗ Thị Bốn"), "Bà Đỗ Thị Bốn làm thành viên."),
    ]


@pytest.fixture
def team_post() -> Post:
    return PostFactory(label="Thành viên", label_en="Member", role=PostRole.MEMBER, seats=4)


def test_a_four_member_decision_is_one_changeset(editor_client, team_post):
    services.record_update(instance=team_post, changes={"label_en": "Team member"}, reason="before")
    before = counts()
    body = {"document": new_document(), "reason": "QĐ kiện toàn Tổ công tác", "operations": four_members(team_post)}
    response = editor_client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reason"] == "QĐ kiện toàn Tổ công tác"
    assert data["document"]["slug"] == "qd-to-cong-tac"
    assert [d["slug"] for d in data["created"]["documents"]] == ["qd-to-cong-tac"]
    assert [p["slug"] for p in data["created"]["people"]] == ["le-van-mot", "pham-thi-hai", "vo-van-ba", "do-thi-bon"]
    assert set(data["created"]["people"][0]) == {"id", "slug", "name", "url"}
    assert len(data["created"]["appointments"]) == 4 and data["created"]["posts"] == [] and data["ended"] == []
    after = counts()
    assert after["Document"] == before["Document"] + 1
    assert after["Person"] == before["Person"] + 4
    assert after["Appointment"] == before["Appointment"] + 4
    assert after["Citation"] == before["Citation"] + 4
    document = Document.objects.get(slug="qd-to-cong-tac")
    appointments = Appointment.objects.filter(post=team_post)
    assert {a.person.slug for a in appointments} == {"le-van-mot", "pham-thi-hai", "vo-van-ba", "do-thi-bon"}
    for appointment in appointments:
        assert appointment.sources.get().document == document
    # One reason for every write, and the changeset's entries next to each other in the feed.
    first = Change.objects.get(reason="before").position
    entries = list(Change.objects.filter(position__gt=first).order_by("position"))
    assert {entry.reason for entry in entries} == {"QĐ kiện toàn Tổ công tác"}
    positions = [entry.position for entry in entries]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    assert len(entries) == after["Change"] - before["Change"]
    assert {entry.model for entry in entries} == {"document", "person", "appointment", "citation"}


def test_the_last_operation_refused_writes_nothing(editor_client, team_post):
    operations = four_members(team_post)
    operations[3]["quote"] = "Bà Đỗ Thị Bốn làm Tổ phó."
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    body = assert_error(response, 400, "operations.3.quote")
    assert "not in document" in body["detail"]
    assert counts() == before


def test_a_person_created_first_is_named_by_slug_later(editor_client, team_post):
    other = PostFactory(organization=team_post.organization, label="Tổ trưởng", role=PostRole.HEAD, rank=2)
    operations = [
        appoint(team_post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
        appoint({"slug": other.slug}, "le-van-mot", "Ông Lê Văn Một làm Tổ trưởng."),
    ]
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(slug="le-van-mot")
    assert set(person.appointments.values_list("post", flat=True)) == {team_post.pk, other.pk}
    assert [p["slug"] for p in response.json()["created"]["people"]] == ["le-van-mot"]


def test_a_new_post_then_named_by_slug(editor_client):
    organization = OrganizationFactory()
    post = {"slug": "to-cong-tac-to-truong", "organization": organization.slug, "label": "Tổ trưởng", "role": "head"}
    person = PersonFactory()
    operations = [appoint(post, person.slug, "Ông Lê Văn Một làm Tổ trưởng.")]
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert response.status_code == 201, response.content
    assert [p["slug"] for p in response.json()["created"]["posts"]] == ["to-cong-tac-to-truong"]
    assert Appointment.objects.get(post__slug="to-cong-tac-to-truong").person == person


def test_an_unknown_slug_names_the_operation(editor_client, team_post):
    operations = [
        appoint(team_post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
        appoint(team_post.pk, "nobody-at-all", "Bà Phạm Thị Hai làm thành viên."),
    ]
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 400, "operations.1.person.slug")
    assert counts() == before


def test_an_end_operation_on_a_stored_document(editor_client, team_post):
    document = DocumentFactory(text=DECISION)
    held = AppointmentFactory(post=team_post, start_date=datetime.date(2020, 1, 1))
    operations = [
        {
            "op": "end",
            "appointment": held.pk,
            "end_date": "2025-02-28",
            "end_reason": "Kiện toàn",
            "quote": "Thôi giữ chức đối với ông Trần Cũ.",
            "if_match": services.etag(held),
        },
        appoint(team_post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
    ]
    response = editor_client.post(URL, {"document": {"slug": document.slug}, "operations": operations}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [a["id"] for a in data["ended"]] == [held.pk]
    assert data["created"]["documents"] == [] and data["reason"] == f"Changeset from document {document.slug}"
    held.refresh_from_db()
    assert held.end_date == datetime.date(2025, 2, 28) and held.end_reason == "Kiện toàn"
    citation = held.sources.get()
    assert (citation.document, citation.field) == (document, "end_date")


def test_a_document_without_text_is_refused(editor_client, team_post):
    document = DocumentFactory(text="")
    operations = [appoint(team_post.pk, PersonFactory().slug, "Ông Lê Văn Một làm Tổ trưởng.")]
    before = counts()
    response = editor_client.post(URL, {"document": {"slug": document.slug}, "operations": operations}, format="json")
    assert_error(response, 400, "document.text")
    assert counts() == before


def test_a_refused_appointment_rule_names_the_operation(editor_client, team_post):
    """A fifth holder of a four-seat post: the appointment's own rule, under the operation's index."""
    operations = [*four_members(team_post), appoint(team_post.pk, PersonFactory().slug, "làm thành viên")]
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    body = assert_error(response, 400)
    assert all(error["field"].startswith("operations.4") for error in body["errors"]), body
    assert counts() == before


def test_a_malformed_operation_names_its_place(editor_client, team_post):
    operations = [appoint(team_post.pk, PersonFactory().slug, "làm thành viên"), {"op": "promote"}]
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 400, "operations.1.op")
    bad_date = [appoint(team_post.pk, PersonFactory().slug, "làm thành viên", start_date="1 March")]
    response = editor_client.post(URL, {"document": new_document(), "operations": bad_date}, format="json")
    assert_error(response, 400, "operations.0.start_date")


def test_anonymous_is_401(team_post):
    response = APIClient().post(URL, {"document": new_document(), "operations": four_members(team_post)}, format="json")
    assert_error(response, 401)
    assert not Document.objects.filter(slug="qd-to-cong-tac").exists()


def test_a_reader_key_is_403(team_post):
    out = io.StringIO()
    call_command("create_system_account", "reader-system", group=READER, stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {out.getvalue().strip().splitlines()[-1].strip()}")
    response = client.post(URL, {"document": new_document(), "operations": four_members(team_post)}, format="json")
    assert_error(response, 403)
    assert not Document.objects.filter(slug="qd-to-cong-tac").exists()


def test_if_match_mismatch_is_412_and_writes_nothing(editor_client, team_post):
    current = services.etag(team_post)
    operations = four_members(team_post)
    operations[0]["if_match"] = current  # the post as read: holds even though operation 0 bumps its version
    operations[2]["if_match"] = f'"{team_post.version + 5}"'
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 412)
    assert response["ETag"] == current
    assert counts() == before


def test_if_match_of_the_post_as_read_succeeds(editor_client, team_post):
    operations = four_members(team_post)
    for operation in operations:
        operation["if_match"] = services.etag(team_post)
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert response.status_code == 201, response.content
    team_post.refresh_from_db()
    assert team_post.version > 1


def test_the_operation_is_in_the_schema():
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text())
    operation = schema["paths"]["/api/v1/changesets/"]["post"]
    assert operation["operationId"] == "changesets_create"
    assert operation["requestBody"]["content"]["application/json"]["examples"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "412"}
    assert {"ChangesetRequest", "ChangesetResult", "ChangesetOperationRequest"} <= set(schema["components"]["schemas"])


def test_an_if_match_header_is_refused_not_ignored(editor_client, team_post):
    body = {"document": new_document(), "operations": four_members(team_post)}
    response = editor_client.post(URL, body, format="json", HTTP_IF_MATCH=services.etag(team_post))
    assert_error(response, 400, "If-Match")
    operations = four_members(team_post)
    operations[0]["if_match"] = "7"  # not an entity tag: the quotes are part of it
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 400, "operations.0.if_match")
    assert not Document.objects.filter(slug="qd-to-cong-tac").exists()


def test_an_if_match_on_a_post_the_changeset_creates_is_refused(editor_client):
    post = {"slug": "to-truong", "organization": OrganizationFactory().slug, "label": "Tổ trưởng", "role": "head"}
    operations = [appoint(post, PersonFactory().slug, "Ông Lê Văn Một làm Tổ trưởng.", if_match='"1"')]
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 400, "operations.0.if_match")
    assert not Post.objects.filter(slug="to-truong").exists()


def test_the_same_new_slug_twice_is_a_conflict_naming_the_second(editor_client, team_post):
    operations = [
        appoint(team_post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
        appoint(team_post.pk, new_person("le-van-mot", "Lê Văn Một"), "Ông Lê Văn Một làm Tổ trưởng."),
    ]
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    assert_error(response, 409, "operations.1.person.slug")
    assert counts() == before


# --- concurrency (PostgreSQL: row locks; each thread its own connection, so the tests are transactional) ----------

ON_POSTGRESQL = connection.vendor == "postgresql"


def in_threads(*contenders) -> list[tuple[str, object]]:
    """Run the contenders at once (a barrier releases them together); (outcome, value) of each."""
    barrier = threading.Barrier(len(contenders), timeout=JOIN_TIMEOUT)
    outcomes: list = [None] * len(contenders)

    def run(index: int, contender) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", contender())
        except BaseException as error:  # reported to the test, whatever it is
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a changeset hung (lock never released?)"
    return outcomes


def changeset(slug: str, *appointments: tuple[Post, Person]):
    values = {**new_document(slug), "kind": DocumentKind.DECISION, "issued_on": datetime.date(2025, 3, 1)}
    operations = [
        {"op": "appoint", "post": post, "person": person, "start_date": datetime.date(2025, 3, 1), "quote": "làm"}
        for post, person in appointments
    ]
    return lambda: changesets.changeset_apply(document=values, operations=operations, reason=slug)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_changesets_for_one_seat_one_wins_the_other_leaves_nothing():
    post = PostFactory(seats=1)
    first, second = PersonFactory.create_batch(2)
    outcomes = in_threads(changeset("qd-first", (post, first)), changeset("qd-second", (post, second)))
    assert sorted(outcome for outcome, _ in outcomes) == ["error", "ok"], outcomes
    (loser,) = [value for outcome, value in outcomes if outcome == "error"]
    assert isinstance(loser, (ValidationError, IntegrityError)), repr(loser)
    assert Appointment.objects.filter(post=post).count() == 1
    assert Document.objects.filter(slug__in=["qd-first", "qd-second"]).count() == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_changesets_touching_posts_in_opposite_orders_both_commit():
    """The posts are locked in id order whatever order the operations name them in: no deadlock."""
    a, b = PostFactory(seats=4), PostFactory(seats=4)
    people = PersonFactory.create_batch(4)
    outcomes = in_threads(
        changeset("qd-ab", (a, people[0]), (b, people[1])), changeset("qd-ba", (b, people[2]), (a, people[3]))
    )
    assert [outcome for outcome, _ in outcomes] == ["ok", "ok"], outcomes
    assert Appointment.objects.filter(post__in=[a, b]).count() == 4
    entries = Change.objects.filter(reason__in=["qd-ab", "qd-ba"]).order_by("position")
    # Each changeset's entries are together in the feed: two runs of reasons, one per changeset.
    runs = [reason for reason, _ in itertools.groupby(entry.reason for entry in entries)]
    assert sorted(runs) == ["qd-ab", "qd-ba"]


def test_an_op_of_the_wrong_type_is_a_400(editor_client):
    response = editor_client.post(URL, {"document": new_document(), "operations": [{"op": ["appoint"]}]}, format="json")
    assert_error(response, 400, "operations.0.op")
    response = editor_client.post(URL, {"document": new_document(), "operations": ["appoint"]}, format="json")
    assert_error(response, 400, "operations.0")
    response = editor_client.post(URL, {"document": {"slug": 5}, "operations": []}, format="json")
    body = assert_error(response, 400, "document.slug")
    assert "operations" in {error["field"] for error in body["errors"]}


@pytest.mark.parametrize(
    ("post", "person", "field", "words"),
    [
        ("thanh-vien", "le-van-mot", "operations.0.post", "a post id, {slug} or the fields of a new post"),
        (True, "le-van-mot", "operations.0.post", "a post id, {slug} or the fields of a new post"),
        (987654321, "le-van-mot", "operations.0.post", "No post with id 987654321."),
        (None, 7, "operations.0.person", "a person's slug, {slug} or the fields of a new person"),
        (None, "", "operations.0.person", "a person's slug, {slug} or the fields of a new person"),
    ],
)
def test_a_reference_of_the_wrong_kind_names_the_field(editor_client, team_post, post, person, field, words):
    operations = [appoint(team_post.pk if post is None else post, person, "Ông Lê Văn Một làm Tổ trưởng.")]
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    body = assert_error(response, 400, field)
    assert words in body["detail"]
    assert counts() == before


@pytest.mark.parametrize("document", ["qd-to-cong-tac", 12, ["qd-to-cong-tac"]])
def test_a_document_neither_slug_object_nor_values_is_refused(editor_client, team_post, document):
    DocumentFactory(slug="qd-to-cong-tac", text=DECISION)
    operations = [appoint(team_post.pk, PersonFactory().slug, "Ông Lê Văn Một làm Tổ trưởng.")]
    before = counts()
    response = editor_client.post(URL, {"document": document, "operations": operations}, format="json")
    body = assert_error(response, 400, "document")
    assert "{slug} of a document or the fields of a new document" in body["detail"]
    assert counts() == before


def test_an_unknown_document_slug_is_refused(editor_client, team_post):
    operations = [appoint(team_post.pk, PersonFactory().slug, "Ông Lê Văn Một làm Tổ trưởng.")]
    response = editor_client.post(URL, {"document": {"slug": "no-such-decision"}, "operations": operations}, "json")
    body = assert_error(response, 400, "document.slug")
    assert "No document with slug 'no-such-decision'." in body["detail"]


def test_a_new_record_carrying_its_own_reason_is_refused(editor_client, team_post):
    person = {**new_person("le-van-mot", "Lê Văn Một"), "reason": "bổ nhiệm"}
    operations = [appoint(team_post.pk, person, "Ông Lê Văn Một làm Tổ trưởng.")]
    before = counts()
    response = editor_client.post(URL, {"document": new_document(), "operations": operations}, format="json")
    body = assert_error(response, 400, "operations.0.person.reason")
    assert "Give the reason once, at the top of the changeset." in body["detail"]
    assert counts() == before


def test_the_service_refuses_no_operations_and_too_many():
    """The API's list bounds are the service's own: a caller that skips the serializer meets the same refusal."""
    document = DocumentFactory(text=DECISION)
    with pytest.raises(ValidationError) as refused:
        changesets.changeset_apply(document=document, operations=[])
    assert refused.value.message_dict == {"operations": ["A changeset needs at least one operation."]}
    held = AppointmentFactory(start_date=datetime.date(2020, 1, 1))
    one = {"op": "end", "appointment": held, "end_date": datetime.date(2025, 2, 28), "quote": "Thôi giữ chức"}
    with pytest.raises(ValidationError) as refused:
        changesets.changeset_apply(document=document, operations=[one] * (changesets.MAX_OPERATIONS + 1))
    assert refused.value.message_dict == {"operations": ["At most 100 operations in one changeset."]}
    held.refresh_from_db()
    assert held.end_date is None


def test_an_appointment_deleted_after_the_request_was_read_is_refused_not_a_500():
    document = DocumentFactory(text=DECISION)
    held = AppointmentFactory(start_date=datetime.date(2020, 1, 1))
    etag = services.etag(held)
    services.record_delete(instance=Appointment.objects.get(pk=held.pk), reason="gone meanwhile")
    operation = {
        "op": "end",
        "appointment": held,
        "end_date": datetime.date(2025, 2, 28),
        "quote": "Thôi giữ chức đối với ông Trần Cũ.",
        "if_match": etag,
    }
    with pytest.raises(ValidationError) as refused:
        changesets.changeset_apply(document=document, operations=[operation])
    assert refused.value.message_dict == {"operations.0": ["The record it names was deleted meanwhile."]}
    assert not Citation.objects.filter(document=document).exists()
