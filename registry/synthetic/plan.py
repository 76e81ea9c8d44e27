"""The synthetic registry's plan: bodies, posts and documents, held in memory before anything is written."""

import datetime
import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from registry.choices import (
    DatePrecision,
    DocumentKind,
    OrganizationClassification,
    PostRole,
    RelationshipKind,
)
from registry.models import (
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Portfolio,
    Post,
)
from registry.models.base import date_precisions
from registry.synthetic.vocabulary import (
    BODIES_PER_PROVINCE,
    DEPARTMENTS,
    DUTIES,
    PEOPLE,
    PORTFOLIOS,
    PROVINCES,
    SPAN_END,
    SPAN_START,
    SYNTHETIC_DATE_NOTE,
    SYNTHETIC_NOTE,
    TOPICS,
)
from registry.text import slugify_vi


class RegistryNotEmpty(Exception):
    """The database already holds registry records: the generator fills an empty one only."""


# --- sizes -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """How much to make: provinces, bodies per province, people."""

    provinces: int
    bodies_per_province: int
    people: int


def sizes_for(scale: float) -> Sizes:
    """All 34 provinces from scale 0.1 up (fewer bodies each below 1.0); fewer provinces below 0.1."""
    provinces = min(PROVINCES, max(1, math.ceil(PROVINCES * scale * 10)))
    bodies = max(4, round(BODIES_PER_PROVINCE * scale * PROVINCES / provinces))
    people = max(provinces * 50, round(PEOPLE * scale))  # more than any post's seats
    return Sizes(provinces, bodies, people)


# --- the plan: bodies, posts, documents (held in memory; appointments are streamed) -------------------------------


@dataclass
class Ids:
    """The next primary key of each table (explicit keys: the database is empty and the result must not depend on
    the database's sequences)."""

    last: dict = field(default_factory=dict)

    def next(self, model) -> int:
        self.last[model] = self.last.get(model, 0) + 1
        return self.last[model]


@dataclass
class Province:
    number: int
    people: range
    committee: Organization | None = None
    departments: list = field(default_factory=list)
    staffing_decisions: dict = field(default_factory=dict)  # (year, month) -> Document


@dataclass
class Plan:
    """Everything but the people, appointments and citations, which are made on the fly."""

    sizes: Sizes
    ids: Ids = field(default_factory=Ids)
    slugs: set = field(default_factory=set)  # every slug given so far (bodies and posts share one namespace)
    portfolios: list = field(default_factory=list)
    provinces: list = field(default_factory=list)
    organizations: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    founding_decision: dict = field(default_factory=dict)  # organization id -> Document
    posts: list = field(default_factory=list)
    duties: list = field(default_factory=list)
    relationships: list = field(default_factory=list)
    province_of: dict = field(default_factory=dict)  # organization id -> Province
    heads: dict = field(default_factory=dict)  # organization id -> its head's Post


def unique_slug(base: str, taken: set, limit: int) -> str:
    """``base`` cut to ``limit``, with -2, -3 … when already taken."""
    slug, counter = base[:limit].strip("-"), 1
    while slug in taken:
        counter += 1
        suffix = f"-{counter}"
        slug = base[: limit - len(suffix)].strip("-") + suffix
    taken.add(slug)
    return slug


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def build_plan(rng: random.Random, sizes: Sizes) -> Plan:
    """Portfolios, bodies (with posts, duties, relationships) and documents of every province."""
    plan = Plan(sizes)
    for slug, name, name_en in PORTFOLIOS:
        plan.portfolios.append(Portfolio(id=plan.ids.next(Portfolio), slug=slug, name=name, name_en=name_en))
    per_province, extra = divmod(sizes.people, sizes.provinces)
    first_person = 1
    for number in range(1, sizes.provinces + 1):
        count = per_province + (1 if number <= extra else 0)
        province = Province(number, range(first_person, first_person + count))
        first_person += count
        plan.provinces.append(province)
        add_bodies(rng, plan, province)
    for province in plan.provinces:
        add_staffing_decisions(plan, province)
    for body in plan.organizations:
        add_posts(rng, plan, body)
    return plan


def add_body(
    plan: Plan,
    province: Province,
    classification: str,
    parent: Organization | None,
    names: tuple[str, str],
    founded: datetime.date | None = None,
    dissolved: datetime.date | None = None,
    abbreviation: str = "",
) -> Organization:
    """A body of ``province`` named ``names`` (Vietnamese, English), with its founding decision."""
    body = Organization(id=plan.ids.next(Organization), classification=classification, parent=parent)
    body.name, body.name_en = names
    body.abbreviation, body.note = abbreviation, SYNTHETIC_NOTE
    body.founding_date, body.dissolution_date = founded, dissolved
    body.slug = unique_slug(slugify_vi(body.name), plan.slugs, 120)
    for date_field, precision in date_precisions(Organization).items():
        setattr(body, precision, DatePrecision.EXACT if getattr(body, date_field) else "")
    plan.organizations.append(body)
    plan.province_of[body.id] = province
    if body.classification != OrganizationClassification.ADMINISTRATIVE_UNIT:
        add_founding_decision(plan, province, body)
    return body


def body_counts(bodies: int) -> tuple[int, int, int]:
    """(departments, steering committees, working groups) of a province with ``bodies`` bodies in all."""
    rest = max(0, bodies - 3)  # the province, its people's committee and the committee's office
    departments = min(len(DEPARTMENTS), round(rest * 0.15))
    committees = max(1 if rest >= 2 else 0, round(rest * 0.25))
    return departments, committees, max(0, rest - departments - committees)


#: The province, its people's committee and the committee's office: each the parent of the next.
PROVINCE_SEAT = (
    ("{place}", "{place_en}", "{code}", OrganizationClassification.ADMINISTRATIVE_UNIT),
    (
        "Ủy ban nhân dân {place}",
        "People's Committee of {place_en}",
        "UBND {code}",
        OrganizationClassification.PEOPLES_COMMITTEE,
    ),
    (
        "Văn phòng Ủy ban nhân dân {place}",
        "Office of the People's Committee of {place_en}",
        "VP UBND {code}",
        OrganizationClassification.OFFICE,
    ),
)


def add_bodies(rng: random.Random, plan: Plan, province: Province) -> None:
    """The province and its bodies, parents first."""
    place, place_en = f"Tỉnh Tổng hợp {province.number:02d}", f"Synthetic Province {province.number:02d}"
    code = f"TTH{province.number:02d}"
    place_names = {"place": place, "place_en": place_en, "code": code}
    old = datetime.date(1976, 1, 1), datetime.date(2005, 12, 31)
    parent = None
    for name, name_en, abbreviation, classification in PROVINCE_SEAT:
        founded = None if parent is None else random_day(rng, *old)  # the province itself: no date
        names = name.format(**place_names), name_en.format(**place_names)
        parent = add_body(
            plan, province, classification, parent, names, founded, None, abbreviation.format(**place_names)
        )
        if classification == OrganizationClassification.PEOPLES_COMMITTEE:
            province.committee = committee = parent
    departments, committees, groups = body_counts(plan.sizes.bodies_per_province)
    for name, name_en in DEPARTMENTS[:departments]:
        merged = rng.random() < 0.1  # the 2025 reorganisation merged some departments away
        founded, dissolved = random_day(rng, *old), datetime.date(2025, 2, 28) if merged else None
        names = f"{name} {place}", f"{name_en}, {place_en}"
        department = add_body(
            plan, province, OrganizationClassification.DEPARTMENT, committee, names, founded, dissolved
        )
        province.departments.append(department)
    steering = [add_steering_committee(rng, plan, province, k) for k in range(committees)]
    for k in range(groups):
        add_working_group(rng, plan, province, steering[k % len(steering)], k // len(steering) + 1)


def add_steering_committee(rng, plan: Plan, province: Province, k: int) -> Organization:
    topic, topic_en = TOPICS[k % len(TOPICS)]
    generation = k // len(TOPICS) + 1
    founded = random_day(rng, SPAN_START, datetime.date(2021, 12, 31))
    dissolved = None
    if rng.random() < 0.25:
        dissolved = min(founded + datetime.timedelta(days=rng.randint(730, 3650)), SPAN_END)
    label, label_en = (f" (khóa {generation})", f" ({generation})") if generation > 1 else ("", "")
    names = (
        f"Ban Chỉ đạo {topic} Tỉnh Tổng hợp {province.number:02d}{label}",
        f"Steering Committee for {topic_en}, Synthetic Province {province.number:02d}{label_en}",
    )
    kind = OrganizationClassification.STEERING_COMMITTEE
    body = add_body(plan, province, kind, province.committee, names, founded, dissolved)
    if province.departments:
        supporter = rng.choice(province.departments)
        plan.relationships.append(support(plan, supporter, body))
    return body


def support(plan: Plan, supporter: Organization, body: Organization) -> OrganizationRelationship:
    """``supporter`` is the standing agency (cơ quan thường trực) of ``body``, for the part of both lives they share."""
    start = max(body.founding_date, supporter.founding_date)
    ends = [day for day in (body.dissolution_date, supporter.dissolution_date) if day]
    end = max(start, min(ends)) if ends else None
    return OrganizationRelationship(
        id=plan.ids.next(OrganizationRelationship),
        subject=supporter,
        object=body,
        kind=RelationshipKind.SUPPORTS,
        start_date=start,
        start_date_precision=DatePrecision.EXACT,
        end_date=end,
        end_date_precision=DatePrecision.EXACT if end else "",
        document=plan.founding_decision[body.id],
        description=f"{supporter.name} là cơ quan thường trực của {body.name}.",
        description_en=f"{supporter.name_en} is the standing agency of {body.name_en}.",
    )


def add_working_group(rng, plan: Plan, province: Province, parent: Organization, k: int) -> None:
    latest = parent.dissolution_date or SPAN_END
    founded = random_day(rng, parent.founding_date, min(latest, parent.founding_date + datetime.timedelta(days=1500)))
    dissolved = parent.dissolution_date
    if rng.random() < 0.3 and (latest - founded).days > 400:
        dissolved = random_day(rng, founded + datetime.timedelta(days=365), latest)
    names = f"Tổ công tác số {k} của {parent.name}", f"Working Group {k} of the {parent.name_en}"
    add_body(plan, province, OrganizationClassification.WORKING_GROUP, parent, names, founded, dissolved)


def add_document(plan: Plan, kind: str, title: str, title_en: str, issuer, issued_on) -> Document:
    number = plan.ids.next(Document)
    document = Document(
        id=number,
        slug=f"van-ban-tong-hop-{number:06d}",
        kind=kind,
        number=f"{number}/QĐ-TTH",
        title=f"{title} (văn bản tổng hợp thử nghiệm số {number})",
        title_en=f"Synthetic benchmark document {number}: {title_en}",
        issuer=issuer,
        issued_on=issued_on,
        date_precision=DatePrecision.EXACT,
        date_note=SYNTHETIC_DATE_NOTE,
    )
    plan.documents.append(document)
    return document


def add_founding_decision(plan: Plan, province: Province, body: Organization) -> None:
    issuer = None if body.classification == OrganizationClassification.PEOPLES_COMMITTEE else province.committee
    plan.founding_decision[body.id] = add_document(
        plan,
        DocumentKind.DECISION,
        f"Quyết định thành lập {body.name}",
        f"Decision establishing the {body.name_en}",
        issuer,
        body.founding_date or SPAN_START,
    )
    if body.classification in (OrganizationClassification.DEPARTMENT, OrganizationClassification.STEERING_COMMITTEE):
        for order, (text, text_en) in enumerate(DUTIES[:3], start=1):
            plan.duties.append(Duty(id=plan.ids.next(Duty), organization=body, order=order, text=text, text_en=text_en))


def add_staffing_decisions(plan: Plan, province: Province) -> None:
    """One staffing decision of the people's committee per month: the document each appointment of the month cites."""
    for year in range(SPAN_START.year, SPAN_END.year + 1):
        for month in range(1, 13):
            province.staffing_decisions[(year, month)] = add_document(
                plan,
                DocumentKind.DECISION,
                f"Quyết định về công tác cán bộ tháng {month:02d}/{year}",
                f"Staffing decision of {month:02d}/{year}",
                province.committee,
                datetime.date(year, month, 1),
            )


class PostShape(NamedTuple):
    """A post every body of a kind has: seats drawn between ``seats`` (low, high); ``portfolio``: it covers one."""

    label: str
    label_en: str
    role: str
    seats: tuple[int, int] = (1, 1)
    standing: bool = False
    portfolio: bool = False


PERMANENT_DEPUTY = PostRole.PERMANENT_DEPUTY_HEAD
VICE_CHAIRMAN = PostShape("Phó Chủ tịch", "Vice Chairman", PostRole.DEPUTY_HEAD, portfolio=True)
DEPUTY_HEAD = PostShape("Phó trưởng ban", "Deputy Head", PostRole.DEPUTY_HEAD, standing=True, portfolio=True)

#: The posts of each kind of body, in rank order.
POSTS = {
    OrganizationClassification.PEOPLES_COMMITTEE: (
        PostShape("Chủ tịch", "Chairman", PostRole.HEAD),
        PostShape("Phó Chủ tịch Thường trực", "Permanent Vice Chairman", PERMANENT_DEPUTY, portfolio=True),
        *[VICE_CHAIRMAN] * 3,
        PostShape("Ủy viên", "Member", PostRole.MEMBER, seats=(14, 20)),
    ),
    OrganizationClassification.OFFICE: (
        PostShape("Chánh Văn phòng", "Chief of Office", PostRole.HEAD),
        PostShape("Phó Chánh Văn phòng", "Deputy Chief of Office", PostRole.DEPUTY_HEAD, seats=(2, 4)),
    ),
    OrganizationClassification.DEPARTMENT: (
        PostShape("Giám đốc", "Director", PostRole.HEAD),
        PostShape("Phó Giám đốc", "Deputy Director", PostRole.DEPUTY_HEAD, seats=(2, 4)),
        PostShape("Chánh Thanh tra Sở", "Chief Inspector", PostRole.MEMBER),
    ),
    OrganizationClassification.STEERING_COMMITTEE: (
        PostShape("Trưởng ban", "Head", PostRole.HEAD, standing=True),
        PostShape(
            "Phó trưởng ban thường trực", "Permanent Deputy Head", PERMANENT_DEPUTY, standing=True, portfolio=True
        ),
        *[DEPUTY_HEAD] * 2,
        PostShape("Ủy viên", "Member", PostRole.MEMBER, seats=(18, 38)),
    ),
    OrganizationClassification.WORKING_GROUP: (
        PostShape("Tổ trưởng", "Group Leader", PostRole.HEAD),
        PostShape("Tổ phó", "Deputy Group Leader", PostRole.DEPUTY_HEAD, seats=(1, 3)),
        PostShape("Thành viên", "Member", PostRole.MEMBER, seats=(7, 17)),
        PostShape("Thư ký", "Secretary", PostRole.MEMBER),
    ),
}


def add_posts(rng: random.Random, plan: Plan, body: Organization) -> None:
    """The posts of ``body``; a steering committee's head is often held ex officio by the committee's chairman."""
    chairman = None
    if body.classification == OrganizationClassification.STEERING_COMMITTEE:
        chairman = plan.heads.get(plan.province_of[body.id].committee.id)
    for rank, (label, label_en, role, (low, high), standing, has_portfolio) in enumerate(
        POSTS.get(body.classification, ()), start=1
    ):
        portfolio = rng.choice(plan.portfolios) if has_portfolio else None
        post = Post(
            id=plan.ids.next(Post),
            organization=body,
            label=label,
            label_en=label_en,
            role=role,
            rank=rank,
            seats=rng.randint(low, high),
            portfolio=portfolio,
            standing=standing,
            ex_officio_of=chairman if role == PostRole.HEAD and chairman and rng.random() < 0.5 else None,
        )
        post.slug = unique_slug(f"{body.slug}-{slugify_vi(label)}", plan.slugs, 160)
        plan.posts.append(post)
        if role == PostRole.HEAD:
            plan.heads[body.id] = post
