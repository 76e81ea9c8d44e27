"""``read``: the whole intake of one text, the document and the proposals with their conflicts, writing nothing."""

import datetime

from registry.intake import catalogue as names
from registry.intake import conflicts, document, founding, people, proposals, segments
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


def _facts(text: str, catalogue) -> list[tuple]:
    """Each sentence with the facts it states, undated: [(segment, facts)]."""
    pieces = segments.split(text)
    known = people.given_names([n.text for piece in pieces for n in people.find(piece.text, catalogue.family_names)])
    context, bodies = catalogue.bodies_mentioned(text), founding.founded(text, catalogue)
    read, earlier, lead = [], [], None
    for segment in pieces:
        if not segment.list_item:
            lead = segment if segment.text.endswith(":") else None
        founded = founding.at(bodies, segment.start)
        here = proposals.read(segment, catalogue, context, known=known, founded=founded, earlier=earlier, lead=lead)
        earlier.extend(here)
        read.append((segment, here))
    return read


def _agreement(day: datetime.date, facts: list, held: dict, catalogue) -> int:
    """How far the registry agrees that the people ``facts`` show in posts held them on ``day``."""
    score = 0
    for fact in facts:
        person = catalogue.person_named(fact.name.text)
        if fact.kind != proposals.HOLDING or person is None or fact.mention.post is None:
            continue
        theirs = [a for a in held.get(fact.mention.post.pk, []) if a.person_id == person.pk]
        if theirs:
            score += 1 if any(a.holds_on(day) for a in theirs) else -1
    return score


def _choose_year(proposed, facts: list, held: dict, catalogue) -> None:
    """For a day printed without a year, the year (of those the text allows) the registry's records agree with."""
    if len(proposed.years) < 2:
        return
    days = [proposed.day.replace(year=year) for year in proposed.years]
    best = max(days, key=lambda day: (_agreement(day, facts, held, catalogue), day))
    if best != proposed.day:
        proposed.day = best
        proposed.note = (
            f"The text prints {best:%d-%m} without a year: {best.year}, the year in which the registry's records "
            "agree with the posts the text shows people in, inferred."
        )


def read(text: str, *, published_on: datetime.date | None = None, title: str = "") -> dict:
    """What ``text`` says: ``{"document": …, "proposals": […]}``, matched to the registry; nothing is written."""
    text = segments.normalise(text)
    catalogue = names.load()
    proposed = document.propose(text, catalogue, published_on=published_on, title=title)
    read_by_segment = _facts(text, catalogue)
    every = [fact for _, here in read_by_segment for fact in here]
    post_ids = {fact.mention.post.pk for fact in every if fact.mention.post is not None}
    held: dict[int, list] = {}
    if post_ids:
        for appointment in Appointment.objects.filter(post_id__in=post_ids).select_related("person"):
            held.setdefault(appointment.post_id, []).append(appointment)
    _choose_year(proposed, every, held, catalogue)
    dating = proposals.Dating(proposed.day, proposed.precision, proposed.in_force_on_signing, proposed.event)
    facts, seen = [], set()
    for _, here in read_by_segment:
        for fact in here:
            proposals.date(fact, dating)
        for fact in here:
            if fact.successor is not None and not _printed_end(fact):
                proposals.succession_end(fact, fact.successor)
            key = (fact.kind, *_key(fact))
            if key not in seen:
                seen.add(key)
                facts.append(fact)
    started = {_key(fact) for fact in facts if fact.kind == proposals.APPOINTMENT}
    facts = [fact for fact in facts if fact.kind != proposals.HOLDING or _key(fact) not in started]
    rendered = [_render(fact, catalogue) for fact in facts]
    conflicts.mark(rendered, facts, held)
    return {"document": proposed.as_dict(published_on), "proposals": rendered}


def _printed_end(fact) -> bool:
    return fact.end is not None and "successor" not in fact.end[2] and "document's date" not in fact.end[2]
