"""Query plans at scale (PostgreSQL only): the main lists, the search, `as_of` and the feed use indexes.

The tables are filled with enough rows (``fill``: tens of thousands of appointments, citations, history rows and
feed entries, in bulk) that PostgreSQL's planner, after ANALYZE, chooses by cost as it would on the national registry.
``enable_seqscan`` is left on: an index that the planner picks only when forced would not be used in production, so
forcing it would prove nothing. Each request's own SQL is captured and EXPLAINed (FORMAT JSON); no node of any plan
may be a Seq Scan on the large tables (appointments, posts, people, history, changes). Small tables (bodies,
portfolios) may be scanned: that is the right plan for them.
"""

import datetime
import json
import random

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from registry.choices import ChangeType, PostRole
from registry.models import Appointment, Change, Citation, Organization, Person, Post
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
)
from tests.helpers import action_url, list_url

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Query plans are PostgreSQL's (the production database); SQLite plans say nothing about them.",
    ),
]

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Quốc", "Ngọc", "Đức"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Được", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Khánh",
    "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhân", "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tâm", "Thắng",
    "Thảo", "Thành", "Trung", "Tuấn", "Tú", "Vân", "Việt", "Xuân", "Yến", "Khoa", "Lộc", "Tài",
]  # fmt: skip
BODIES = ["Sở", "Ban", "Ủy ban nhân dân quận", "Ủy ban nhân dân huyện", "Trung tâm", "Văn phòng", "Hội đồng"]
SUBJECTS = ["Ngoại vụ", "Tài chính", "Nội vụ", "Y tế", "Giáo dục", "Công Thương", "Tư pháp", "Xây dựng", "Du lịch"]
LABELS = [("Giám đốc", PostRole.HEAD), ("Phó Giám đốc", PostRole.DEPUTY_HEAD), ("Thành viên", PostRole.MEMBER)]
FIRST_DAY = datetime.date(2000, 1, 1)
AS_OF = datetime.date(2024, 6, 1)


def fill(
    organizations: int = 600, posts_per_body: int = 15, terms_per_post: int = 5, people: int = 40_000, seed: int = 14
) -> dict:
    """Bulk rows shaped like the national registry: bodies, their posts, people holding them in successive terms
    (one holder per post on most days), two citations per appointment, the appointments' history and feed entries.

    Built with the factories (``build``) and written with ``bulk_create``: the services would take minutes.
    """
    rng = random.Random(seed)  # noqa: S311 (repeatable test data, not secrets)
    document = DocumentFactory()
    bodies = [
        OrganizationFactory.build(name=f"{rng.choice(BODIES)} {rng.choice(SUBJECTS)} {n}", name_en=f"Body {n}")
        for n in range(organizations)
    ]
    people = [
        PersonFactory.build(name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", family_name="")
        for _ in range(people)
    ]
    for record in (*bodies, *people):
        record.normalise_text()  # bulk_create skips save(): fold the search text here
    bodies = Organization.objects.bulk_create(bodies)
    people = Person.objects.bulk_create(people)
    posts = []
    for body in bodies:
        for rank in range(1, posts_per_body + 1):
            label, role = LABELS[min(rank - 1, 2)]
            posts.append(PostFactory.build(organization=body, label=f"{label} {rank}", role=role, rank=rank))
    for post in posts:
        post.normalise_text()
    posts = Post.objects.bulk_create(posts)
    appointments = []
    for post in posts:
        start = FIRST_DAY + datetime.timedelta(days=rng.randrange(0, 400))
        for term in range(terms_per_post):
            end = start + datetime.timedelta(days=rng.randrange(700, 1500))
            last = term == terms_per_post - 1
            appointments.append(
                AppointmentFactory.build(
                    person=rng.choice(people),
                    post=post,
                    start_date=start,
                    end_date=None if last else end,
                    end_date_precision="" if last else "exact",
                )
            )
            start = end + datetime.timedelta(days=1)
    appointments = bulk_create_with_history(appointments, Appointment, batch_size=2000)
    appointment_type = ContentType.objects.get_for_model(Appointment)
    Citation.objects.bulk_create(
        Citation(content_type=appointment_type, object_id=appointment.pk, document=document, quote=f"Trích {n}")
        for appointment in appointments
        for n in range(2)
    )
    now = timezone.now()
    Change.objects.bulk_create(
        Change(
            model="appointment",
            object_id=appointment.pk,
            type=ChangeType.CREATED,
            date=now,
            fields=["person"],
            data={"id": appointment.pk},
        )
        for appointment in appointments
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"people": people, "posts": posts, "appointments": appointments, "bodies": bodies}


LARGE_TABLES = {
    "registry_appointment",
    "registry_post",
    "registry_person",
    "registry_citation",
    "registry_change",
    "registry_historicalappointment",
}


#: Nodes that read all their input before giving a row: a Limit above them does not bound the scan below.
BLOCKING = {"Sort", "Aggregate", "Hash", "Materialize", "SetOp", "Unique", "WindowAgg", "Gather Merge"}


def seq_scans(plan: dict, bounded: bool = False) -> list[str]:
    """The large tables a plan reads whole.

    A Seq Scan without a filter right under a Limit reads only as many rows as the limit (the capped count of
    ``registry.api.pagination``): that is not reading the table whole.
    """
    found = []
    node = plan.get("Node Type")
    if node == "Seq Scan" and plan.get("Relation Name") in LARGE_TABLES and not (bounded and "Filter" not in plan):
        found.append(plan["Relation Name"])
    bounded = node == "Limit" or (bounded and node not in BLOCKING)
    for child in plan.get("Plans", ()):
        found.extend(seq_scans(child, bounded))
    return found


def explain(sql: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        (row,) = cursor.fetchone()
    return (json.loads(row) if isinstance(row, str) else row)[0]["Plan"]


def scanned_whole(client, url: str, params: dict | None = None) -> dict[str, list[str]]:
    """Each SQL statement of the request whose plan reads a large table whole, with those tables."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    statements = [query["sql"] for query in captured.captured_queries if query["sql"].lstrip().startswith("SELECT")]
    assert statements
    return {sql: tables for sql in statements if (tables := seq_scans(explain(sql)))}


@pytest.fixture(scope="module")
def national(django_db_setup, django_db_blocker):
    """The rows, filled once for the module in a transaction rolled back at its end (each test nests in it)."""
    with django_db_blocker.unblock():
        filling = transaction.atomic()
        filling.__enter__()
        try:
            yield fill()
        finally:
            transaction.set_rollback(True)
            filling.__exit__(None, None, None)


def test_appointments_as_of_page_reads_no_table_whole(api_client, national):
    url = list_url("appointment")
    assert scanned_whole(api_client, url, {"as_of": AS_OF.isoformat(), "page_size": 100}) == {}
    assert scanned_whole(api_client, url, {"as_of": AS_OF.isoformat(), "page_size": 100, "page": 3}) == {}


def test_appointments_of_a_person_and_of_a_post_read_no_table_whole(api_client, national):
    url = list_url("appointment")
    person, post = national["people"][7], national["posts"][7]
    assert scanned_whole(api_client, url, {"person": person.slug}) == {}
    assert scanned_whole(api_client, url, {"post": post.pk, "as_of": AS_OF.isoformat()}) == {}


def test_posts_with_their_holders_read_no_table_whole(api_client, national):
    url = list_url("post")
    body = national["bodies"][5]
    assert scanned_whole(api_client, url, {"page_size": 100, "as_of": AS_OF.isoformat()}) == {}
    assert scanned_whole(api_client, url, {"organization": body.slug}) == {}


def test_people_search_uses_the_trigram_index(api_client, national):
    """The one plan checked with sequential scans disabled, as a last resort: a GIN index's statistics are refreshed
    by VACUUM, which cannot run inside the test's transaction, so here the planner would cost the trigram index as
    empty. Disabled, it proves the search's `search_text::text LIKE '%word%'` is answered by the index (the cast does
    not hide it); on a committed, vacuumed table of 36,000 people the planner chooses it unforced (docs/performance.md,
    "Lists at scale")."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        whole = scanned_whole(api_client, list_url("person"), {"q": "nguyen van duoc", "page_size": 100})
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")
    assert whole == {}


def test_people_list_and_a_person_read_no_table_whole(api_client, national):
    assert scanned_whole(api_client, list_url("person"), {"page_size": 100}) == {}
    person = national["people"][3]
    assert scanned_whole(api_client, f"{list_url('person')}{person.slug}/") == {}


def test_organizations_list_reads_no_large_table_whole(api_client, national):
    url = list_url("organization")
    assert scanned_whole(api_client, url, {"page_size": 100, "expand": "sources,identifiers"}) == {}


def test_history_of_a_record_reads_no_table_whole(api_client, national):
    appointment = national["appointments"][11]
    assert scanned_whole(api_client, action_url("appointment", "history", appointment.pk)) == {}


def test_change_feed_reads_no_table_whole(api_client, national):
    first = api_client.get(reverse("registry-api:changes"), {"limit": 100}).json()
    assert (
        scanned_whole(api_client, reverse("registry-api:changes"), {"cursor": first["next_cursor"], "limit": 100}) == {}
    )
