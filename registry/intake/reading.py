"""``read``: the whole intake of one text, the document and the proposals with their conflicts, writing nothing."""

import datetime

from django.db.models import Q

from registry.choices import DatePrecision
from registry.intake import catalogue as names
from registry.intake import document, proposals, segments
from registry.models import Appointment

#: Longest text read (characters): a decision or an article, not a gazette.
MAX_TEXT_LENGTH = 100_000


def _organization(mention) -> dict | None:
    if mention.organizations:
        body = mention.organizations[0]
        return {"name": body.name, "slug": body.slug}
    return {"name": mention.organization_name, "slug": None} if mention.organization_name else None


def _post(mention) -> dict:
    post = mention.post
    label = post.label if post is not None else mention.label
    return {"id": post.pk if post else None, "label": label, "organization": _organization(mention)}


def _key(fact) -> tuple:
    post = (
        fact.mention.post.pk if fact.mention.post else (names.canon(fact.mention.label), fact.mention.organization_name)
    )
    return names.canon(fact.name.text), post


def _conflicts(rendered: list[dict], facts: list, held: dict) -> None:
    """Say beside each proposal what in the registry it meets: a seat held that day, an end already recorded."""
    for proposal, fact in zip(rendered, facts, strict=True):
        post, slug = fact.mention.post, proposal["person"]["slug"]
        conflicts = proposal["conflicts"]
        if post is None:
            continue
        on_post = held.get(post.pk, [])
        if fact.kind == proposals.END:
            mine = [a for a in on_post if a.person.slug == slug and (fact.end is None or a.start_date <= fact.end[0])]
            if not mine:
                conflicts.append(
                    {"code": "no_appointment", "message": "The registry holds no such appointment to end."}
                )
                continue
            appointment = max(mine, key=lambda a: a.start_date)
            proposal["appointment"] = appointment.pk
            ends = appointment.end_date
            if ends and appointment.end_date_precision == DatePrecision.EXACT and fact.end and ends != fact.end[0]:
                conflicts.append(
                    {
                        "code": "exact_end_moved",
                        "message": f"The registry records the exact end {ends.isoformat()}.",
                        "appointment": appointment.pk,
                    }
                )
            continue
        if fact.start is None:
            continue
        holders = [a for a in on_post if a.holds_on(fact.start[0])]
        for appointment in holders:
            if appointment.person.slug == slug:
                conflicts.append(
                    {
                        "code": "already_recorded",
                        "message": f"The registry already has {appointment.person.name} in this post that day.",
                        "appointment": appointment.pk,
                    }
                )
        others = [a for a in holders if a.person.slug != slug]
        if others and post.seats is not None and len(others) >= post.seats:
            held_by = ", ".join(a.person.name for a in others)
            conflicts.append(
                {
                    "code": "seat_held",
                    "message": f"The seat is held by {held_by} on {fact.start[0].isoformat()}.",
                    "appointment": others[0].pk,
                }
            )


def _render(fact, catalogue) -> dict:
    person = catalogue.person_named(fact.name.text)
    start, end = fact.start or (None, "", ""), fact.end or (None, "", "")
    capacity = fact.capacity.post if fact.capacity else None
    return {
        "kind": fact.kind,
        "person": {"name": fact.name.text, "slug": person.slug if person else None, "honorific": fact.name.honorific},
        "post": _post(fact.mention),
        "capacity": {"id": capacity.pk, "label": str(capacity)} if capacity else None,
        "start_date": start[0] if fact.kind != proposals.END else None,
        "start_date_precision": start[1] if fact.kind != proposals.END else "",
        "end_date": end[0],
        "end_date_precision": end[1],
        "note": " ".join(filter(None, [start[2], end[2]])) if fact.kind != proposals.END else end[2],
        "quote": fact.segment.text,
        "appointment": None,
        "conflicts": [],
    }


def read(text: str, *, published_on: datetime.date | None = None, title: str = "") -> dict:
    """What ``text`` says: ``{"document": …, "proposals": […]}``, matched to the registry; nothing is written."""
    text = segments.normalise(text)
    catalogue = names.load()
    proposed = document.propose(text, catalogue, published_on=published_on, title=title)
    dating = proposals.Dating(proposed.day, proposed.precision, proposed.in_force_on_signing)
    context = catalogue.bodies_mentioned(text)
    facts, seen = [], set()
    for segment in segments.split(text):
        read_here = proposals.read(segment, catalogue, context)
        for fact in read_here:
            if fact.kind != proposals.END or fact.end is None:
                proposals.date(fact, dating)
        for fact in read_here:
            if fact.kind == proposals.END and fact.mention in [f.mention for f in read_here if f is not fact]:
                successor = next(
                    (f for f in read_here if f.kind == proposals.APPOINTMENT and f.mention is fact.mention), None
                )
                if successor is not None and not _printed_end(fact):
                    proposals.succession_end(fact, successor)
            key = (fact.kind, *_key(fact))
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    started = {_key(fact) for fact in facts if fact.kind == proposals.APPOINTMENT}
    facts = [fact for fact in facts if fact.kind != proposals.HOLDING or _key(fact) not in started]
    rendered = [_render(fact, catalogue) for fact in facts]
    post_ids = {fact.mention.post.pk for fact in facts if fact.mention.post is not None}
    held: dict[int, list] = {}
    if post_ids:
        for appointment in Appointment.objects.filter(Q(post_id__in=post_ids)).select_related("person"):
            held.setdefault(appointment.post_id, []).append(appointment)
    _conflicts(rendered, facts, held)
    return {"document": proposed.as_dict(published_on), "proposals": rendered}


def _printed_end(fact) -> bool:
    return fact.end is not None and "successor" not in fact.end[2] and "document's date" not in fact.end[2]
