"""What a proposal meets in the registry: a seat held that day, the same appointment already recorded, no
appointment to end, or an end recorded exactly on another day."""

from registry.choices import DatePrecision
from registry.intake.dating import END


def mark(rendered: list[dict], facts: list, held: dict) -> None:
    """Say beside each proposal what in the registry it meets: a seat held that day, an end already recorded."""
    for proposal, fact in zip(rendered, facts, strict=True):
        post, slug = fact.mention.post, proposal["person"]["slug"]
        conflicts = proposal["conflicts"]
        if post is None:
            continue
        on_post = held.get(post.pk, [])
        if fact.kind == END:
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
