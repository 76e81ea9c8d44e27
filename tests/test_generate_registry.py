"""The synthetic registry of `generate_registry`: deterministic, valid under every model rule, served by the API.

The test database holds the seeds (tests/conftest.py); the generator fills empty databases only, so each test here
first empties the registry's tables inside its own transaction (rolled back at the end, seeds and all restored).
"""

import datetime
import itertools
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from registry.fingerprint import fingerprint
from registry.http import caching
from registry.models import (
    Appointment,
    Change,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.synthetic import generation, plan, vocabulary
from registry.text import fold
from tests.helpers import NS, action_url

TINY = "0.002"
LAST_DAY = vocabulary.SPAN_END.isoformat()


def empty_registry() -> None:
    """Delete every row of the tables the generator fills (foreign keys are checked at commit: never, here)."""
    with connection.cursor() as cursor:
        for model in (*events_tables(), *reversed(generation.filled_tables())):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def events_tables() -> list:
    """The seeded events refer to seeded bodies and appointments: they go first (the generator makes none)."""
    from django.apps import apps

    from registry.models import Event, EventAppearance

    historical = [m for m in apps.get_models() if m.__name__.startswith("HistoricalEvent")]
    return [EventAppearance, Event.organizers.through, *historical, Event]


def generate(*options: str) -> str:
    out = StringIO()
    call_command("generate_registry", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def generated(db) -> str:
    """A tiny synthetic registry in place of the seeds; the command's output."""
    empty_registry()
    return generate("--scale", TINY)


def test_refuses_a_database_that_already_holds_records(db):
    organizations = Organization.objects.count()
    with pytest.raises(CommandError, match="already holds registry records"):
        generate("--scale", TINY)
    assert Organization.objects.count() == organizations  # nothing written


@pytest.mark.parametrize("scale", ["0", "-1", "11", "many"])
def test_refuses_a_scale_out_of_range(db, scale):
    with pytest.raises(CommandError, match="--scale"):
        generate("--scale", scale)


def test_the_same_seed_gives_the_same_rows_and_another_seed_others(db):
    empty_registry()
    generate("--scale", TINY)
    counts, first = fingerprint()
    empty_registry()
    generate("--scale", TINY)
    assert fingerprint() == (counts, first)
    empty_registry()
    generate("--scale", TINY, "--seed", "7")
    assert fingerprint()[1] != first


def test_the_cache_counter_is_not_content(db):
    """Two databases with the same records differ in when each last changed; the fingerprint must not."""
    before = fingerprint()
    caching.bump()
    assert fingerprint() == before


def test_prints_one_line_per_table_and_a_total(generated):
    lines = generated.splitlines()
    assert lines[0].startswith("generate_registry: scale 0.002")
    for table in ("registry_organization", "registry_appointment", "registry_historicalappointment", "registry_change"):
        assert any(line.split()[0] == table and line.endswith(" s") for line in lines), table
    assert lines[-1].startswith("total")


def test_counts_grow_with_the_scale(db):
    sizes = {scale: plan.sizes_for(scale) for scale in (0.1, 1.0)}
    assert sizes[1.0] == plan.Sizes(provinces=34, bodies_per_province=150, people=100_000)
    assert sizes[0.1] == plan.Sizes(provinces=34, bodies_per_province=15, people=10_000)
    counted = {}
    for scale in (TINY, "0.004"):
        empty_registry()
        generate("--scale", scale)
        counted[scale] = [model.objects.count() for model in (Organization, Person, Post, Appointment, Citation)]
    assert all(small < large for small, large in zip(counted[TINY], counted["0.004"], strict=True)), counted


def test_every_record_passes_its_models_rules(generated):
    """full_clean() on every post (it counts the holders of each seat on every day) and on a sample of the rest."""
    for post in Post.objects.select_related("organization"):
        post.full_clean()
    sample = random.Random(0)  # noqa: S311 - a reproducible sample
    for model in (Organization, Person, Portfolio, Appointment, Document, Citation, Duty, OrganizationRelationship):
        ids = list(model.objects.values_list("pk", flat=True))
        assert ids, model
        for record in model.objects.filter(pk__in=sample.sample(ids, min(40, len(ids)))):
            searched = getattr(record, "search_text", None)
            record.full_clean()
            assert getattr(record, "search_text", None) == searched  # stored exactly as save() would store it


def test_single_seat_posts_never_have_two_holders_on_one_day(generated):
    for post in Post.objects.filter(seats=1):
        periods = sorted(post.appointments.values_list("start_date", "end_date"))
        for (_, end), (next_start, _) in itertools.pairwise(periods):
            assert end is not None and end < next_start, post


def test_everything_generated_says_it_is_synthetic(generated):
    assert not Organization.objects.exclude(note=vocabulary.SYNTHETIC_NOTE).exists()
    assert not Document.objects.exclude(title_en__startswith="Synthetic benchmark document").exists()
    assert set(Change.objects.values_list("reason", flat=True).distinct()) == {generation.REASON}
    assert set(Appointment.history.values_list("history_change_reason", flat=True).distinct()) == {generation.REASON}


def test_every_record_has_one_history_row_and_one_feed_entry(generated):
    for model in (Organization, Person, Post, Appointment, Document, Citation):
        assert model.history.filter(history_type="+").count() == model.objects.count()
        assert Change.objects.filter(model=model._meta.model_name).count() == model.objects.count()
    assert Change.objects.count() == len(set(Change.objects.values_list("model", "object_id")))


def test_search_finds_generated_names_without_accents(generated):
    person = Person.objects.order_by("pk").first()
    assert person in Person.objects.search(fold(person.name))


def test_the_chart_of_a_generated_body_lists_its_holders(generated, api_client):
    committee = Organization.objects.get(classification="peoples_committee")
    response = api_client.get(action_url("organization", "chart", committee.slug), {"as_of": LAST_DAY})
    assert response.status_code == 200, response.content
    holders = [holder for post in response.json()["posts"] for holder in post["holders"]]
    assert holders
    current = Appointment.objects.as_of(vocabulary.SPAN_END).filter(post__organization=committee)
    assert len(holders) == current.count()


def test_the_feed_and_the_history_of_generated_records_answer(generated, api_client):
    feed = api_client.get(reverse(f"{NS}:changes"))
    assert feed.status_code == 200, feed.content
    first = feed.json()["results"][0]
    assert (first["model"], first["type"], first["reason"]) == ("portfolio", "created", generation.REASON)
    appointment = Appointment.objects.order_by("pk").first()
    history = api_client.get(reverse(f"{NS}:appointment-history", args=[appointment.pk]))
    assert history.status_code == 200, history.content
    assert [entry["type"] for entry in history.json()["results"]] == ["created"]


def test_later_writes_get_ids_after_the_generated_ones(generated):
    """The explicit ids leave the sequences past them: an ordinary create does not collide."""
    body = Organization.objects.create(slug="sau-khi-tao", name="Sau khi tạo", classification="office")
    assert body.pk > Organization.objects.exclude(pk=body.pk).order_by("-pk").first().pk
    assert Appointment.objects.filter(end_date__isnull=False, end_date__gt=datetime.date(2025, 12, 31)).count() == 0
