"""The synthetic registry's people, their terms in every seat and their appointments' citations, made on the fly."""

import datetime
import random
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType

from registry.choices import (
    DatePrecision,
    Honorific,
    PostRole,
)
from registry.models import (
    Appointment,
    Citation,
    Organization,
    Person,
    Post,
)
from registry.synthetic.plan import Plan
from registry.synthetic.vocabulary import (
    END_REASONS,
    FAMILY_NAMES,
    GIVEN_NAMES_FEMALE,
    GIVEN_NAMES_MALE,
    MIDDLE_NAMES_FEMALE,
    MIDDLE_NAMES_MALE,
    SPAN_END,
    SPAN_START,
)
from registry.text import slugify_vi


def weighted_family_names() -> list[str]:
    return [name for name, weight in FAMILY_NAMES for _ in range(weight)]


def people(rng: random.Random, plan: Plan) -> Iterator[Person]:
    """Every person, province by province (their ids are each province's ``people`` range)."""
    families = weighted_family_names()
    for province in plan.provinces:
        for number in province.people:
            female = rng.random() < 0.35
            family = rng.choice(families)
            middle = rng.choice(MIDDLE_NAMES_FEMALE if female else MIDDLE_NAMES_MALE)
            given = rng.choice(GIVEN_NAMES_FEMALE if female else GIVEN_NAMES_MALE)
            name = f"{family} {middle} {given}"
            honorific = (Honorific.BA if female else Honorific.ONG) if rng.random() < 0.5 else ""
            yield Person(
                id=number,
                slug=f"{slugify_vi(name)}-{number:06d}",
                name=name,
                family_name=family,
                given_name=given,
                honorific=honorific,
            )


def terms(rng: random.Random, post: Post) -> Iterator[tuple[datetime.date, datetime.date | None]]:
    """One seat's successive terms within the body's life: never overlapping; open when still running at the end."""
    body = post.organization
    start = max(SPAN_START, body.founding_date or SPAN_START)
    last = body.dissolution_date or SPAN_END
    # Members come and go with their own jobs; heads and deputies serve most of a five-year term.
    shortest, longest = (150, 1000) if post.role == PostRole.MEMBER else (240, 1825)
    day = start + datetime.timedelta(days=rng.randint(0, 60))
    while day <= last:
        end = day + datetime.timedelta(days=rng.randint(shortest, longest) - 1)
        if body.dissolution_date and end >= body.dissolution_date:
            yield day, body.dissolution_date
            return
        if end > SPAN_END:
            yield day, None
            return
        yield day, end
        day = end + datetime.timedelta(days=1 if rng.random() < 0.6 else rng.randint(2, 120))


def appointments(rng: random.Random, plan: Plan, cited: list) -> Iterator[Appointment]:
    """Every appointment, seat by seat; half of them get a citation of the month's staffing decision (in ``cited``)."""
    number = 0
    for post in plan.posts:
        province = plan.province_of[post.organization_id]
        taken = set()  # (person, start): the same person twice in one post on one day is refused by a constraint
        for _seat in range(post.seats):
            for start, end in terms(rng, post):
                person = rng.choice(province.people)
                while (person, start) in taken:
                    person = rng.choice(province.people)
                taken.add((person, start))
                number += 1
                ended_by_dissolution = end is not None and end == post.organization.dissolution_date
                appointment = Appointment(
                    id=number,
                    person_id=person,
                    post=post,
                    start_date=start,
                    start_date_precision=DatePrecision.EXACT if rng.random() < 0.9 else DatePrecision.ATTESTED,
                    end_date=end,
                    end_date_precision=DatePrecision.EXACT if end else "",
                    end_reason=""
                    if end is None
                    else "Cơ quan giải thể"
                    if ended_by_dissolution
                    else rng.choice(END_REASONS),
                    single_seat=post.seats == 1,
                )
                if rng.random() < 0.5:
                    cited.append((number, person, post, start))
                yield appointment


# --- citations -------------------------------------------------------------------------------------------------------


def citations(plan: Plan, cited: list, names: list[str]) -> Iterator[Citation]:
    """A founding-decision quote for every body and post; a staffing-decision quote for the cited appointments."""
    kinds = ContentType.objects.get_for_models(Organization, Post, Appointment)
    quotes = [
        (kinds[Organization], body.id, plan.founding_decision[body.id], f"Thành lập {body.name}")
        for body in plan.organizations
        if body.id in plan.founding_decision
    ]
    quotes += [
        (kinds[Post], post.id, plan.founding_decision[post.organization_id], f"{post.label} {post.organization.name}")
        for post in plan.posts
    ]
    for number, (kind, object_id, document, quote) in enumerate(quotes, start=1):
        yield Citation(id=number, content_type=kind, object_id=object_id, document=document, quote=quote)
    number = len(quotes)
    for appointment_id, person, post, start in cited:
        number += 1
        document = plan.province_of[post.organization_id].staffing_decisions[(start.year, start.month)]
        quote = f"Bổ nhiệm {names[person]} giữ chức {post.label} {post.organization.name} từ ngày {start:%d/%m/%Y}"
        yield Citation(
            id=number, content_type=kinds[Appointment], object_id=appointment_id, document=document, quote=quote
        )
