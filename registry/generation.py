"""A synthetic registry at national scale, for benchmarks: ``python manage.py generate_registry --scale 1.0``.

What it makes, at ``--scale 1.0``: 34 synthetic provinces ("Tỉnh Tổng hợp 01" …), each with its people's committee,
the committee's office, departments (Sở), steering committees and their working groups (about 5,100 bodies); about
21,000 posts (single-seat heads and deputies with portfolios, multi-seat deputy and member posts); 100,000 people;
twenty years (2006–2025) of successions in every seat (about 500,000 appointments); founding and staffing decisions
(documents), citations, duties, support relationships; one history row (django-simple-history) and one change-feed
entry per record. Everything is synthetic and says so: bodies carry a note, documents are titled "… synthetic
benchmark document N", and every history row and feed entry gives ``generate_registry`` as its reason.

Why it bypasses ``registry.services`` (the only writers of staff edits): this is a benchmark fill of an empty
database, not a write anyone made. The services lock, clean and log one record at a time, which at this size takes
hours; here rows go in batches of 5,000 in one transaction. Not even ``bulk_create``: on PostgreSQL its per-value
preparation and array quoting took three times as long as the inserts (77 s against 20 s at --scale 0.1), so rows
are tuples sent with ``COPY`` (PostgreSQL) or ``executemany`` (SQLite). The data is built to satisfy every rule the
services would check: the models' constraints, ``clean()`` (no more holders than seats on any day, appointments
within their body's life, on PostgreSQL the single-seat exclusion constraint), NFC text and ``search_text`` filled by
the models' own ``normalise_text()``, unique slugs, ``version`` 1, ``single_seat`` as ``Appointment.save()`` sets it.

Deterministic: one ``random.Random(seed)``, explicit primary keys from 1, and fixed timestamps (the records were all
"written" from ``GENERATED_AT`` on, one millisecond apart), so the same scale and seed give the same rows.
"""

import contextlib
import datetime
import json
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.urls import reverse

from registry.choices import (
    ChangeType,
    DatePrecision,
    DocumentKind,
    Honorific,
    OrganizationClassification,
    PostRole,
    RelationshipKind,
)
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
from registry.models.base import date_precisions
from registry.text import nfc, slugify_vi

REASON = "generate_registry"
DEFAULT_SEED = 20251215
BATCH_SIZE = 5000
#: Successions run over these twenty years; a term still running at the end stays open (a current holder).
SPAN_START = datetime.date(2006, 1, 1)
SPAN_END = datetime.date(2025, 12, 31)
#: Every generated record was "written" from this moment on, one millisecond apart (fixed: same seed, same rows).
GENERATED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
SYNTHETIC_NOTE = "Synthetic benchmark record made by generate_registry; not a real body."
SYNTHETIC_DATE_NOTE = "Synthetic benchmark document made by generate_registry; not a real document."

#: At --scale 1.0: provinces, bodies in each province, and people in all.
PROVINCES = 34
BODIES_PER_PROVINCE = 150
PEOPLE = 100_000

DEPARTMENTS = (
    ("Sở Nội vụ", "Department of Home Affairs"),
    ("Sở Tài chính", "Department of Finance"),
    ("Sở Công Thương", "Department of Industry and Trade"),
    ("Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("Sở Xây dựng", "Department of Construction"),
    ("Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment"),
    ("Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("Sở Y tế", "Department of Health"),
    ("Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("Sở Tư pháp", "Department of Justice"),
    ("Sở Dân tộc và Tôn giáo", "Department of Ethnic and Religious Affairs"),
    ("Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("Sở Giao thông vận tải", "Department of Transport"),
    ("Sở Lao động - Thương binh và Xã hội", "Department of Labour, Invalids and Social Affairs"),
    ("Sở Thông tin và Truyền thông", "Department of Information and Communications"),
    ("Sở Tài nguyên và Môi trường", "Department of Natural Resources and Environment"),
    ("Sở Du lịch", "Department of Tourism"),
    ("Sở Quy hoạch - Kiến trúc", "Department of Planning and Architecture"),
    ("Sở An toàn thực phẩm", "Department of Food Safety"),
    ("Thanh tra tỉnh", "Provincial Inspectorate"),
    ("Ban Quản lý các khu công nghiệp", "Industrial Zones Authority"),
)
TOPICS = (
    ("hội nhập quốc tế", "international integration"),
    ("chuyển đổi số", "digital transformation"),
    ("cải cách hành chính", "administrative reform"),
    ("phòng, chống thiên tai", "disaster prevention"),
    ("phát triển du lịch", "tourism development"),
    ("xây dựng nông thôn mới", "new rural development"),
    ("giảm nghèo bền vững", "sustainable poverty reduction"),
    ("phòng, chống tham nhũng", "anti-corruption"),
    ("an toàn giao thông", "traffic safety"),
    ("phòng, chống dịch bệnh", "epidemic prevention"),
    ("thu hút đầu tư nước ngoài", "foreign investment"),
    ("phát triển kinh tế biển", "marine economy"),
    ("bảo vệ môi trường", "environmental protection"),
    ("khoa học, công nghệ và đổi mới sáng tạo", "science, technology and innovation"),
    ("phát triển nguồn nhân lực", "human resources development"),
    ("chống buôn lậu và gian lận thương mại", "anti-smuggling and trade fraud"),
    ("quy hoạch tỉnh", "provincial planning"),
    ("thông tin đối ngoại", "external information"),
    ("kinh tế tập thể", "collective economy"),
    ("cải cách tư pháp", "judicial reform"),
)
PORTFOLIOS = (
    ("kinh-te", "Kinh tế", "Economy"),
    ("van-hoa-xa-hoi", "Văn hóa - xã hội", "Culture and society"),
    ("chinh-tri-quoc-phong-an-ninh", "Chính trị, quốc phòng và an ninh", "Politics, defence and security"),
    ("do-thi-xay-dung", "Đô thị và xây dựng", "Urban affairs and construction"),
    ("nong-nghiep-moi-truong", "Nông nghiệp và môi trường", "Agriculture and environment"),
    ("khoa-hoc-cong-nghe", "Khoa học và công nghệ", "Science and technology"),
    ("doi-ngoai", "Đối ngoại", "External relations"),
    ("noi-chinh", "Nội chính", "Internal affairs"),
)
DUTIES = (
    ("tham mưu cho Ủy ban nhân dân tỉnh về lĩnh vực được giao", "advise the people's committee in its field"),
    ("xây dựng và tổ chức thực hiện kế hoạch hằng năm", "draw up and carry out the yearly plan"),
    ("phối hợp với các sở, ngành liên quan", "coordinate with the departments concerned"),
    ("kiểm tra, đôn đốc và báo cáo kết quả thực hiện", "inspect, urge and report on implementation"),
    ("tổng hợp kiến nghị của địa phương và doanh nghiệp", "collect proposals of localities and businesses"),
)
FAMILY_NAMES = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 10),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Huỳnh", 4),
    ("Phan", 4),
    ("Vũ", 3),
    ("Võ", 3),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Trương", 1),
    ("Đinh", 1),
    ("Lâm", 1),
    ("Tạ", 1),
)
MIDDLE_NAMES_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Hoàng", "Tấn", "Bá", "Tá Hoàng")
MIDDLE_NAMES_FEMALE = ("Thị", "Ngọc", "Thanh", "Thu", "Minh", "Kim", "Hồng", "Mai", "Thùy", "Phương")
GIVEN_NAMES_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Được",
    "Đạt",
    "Hà",
    "Hải",
    "Hiếu",
    "Hòa",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Lâm",
    "Lộc",
    "Long",
    "Lực",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Phương",
    "Quang",
    "Quân",
    "Sơn",
    "Tài",
    "Tâm",
    "Thắng",
    "Thành",
    "Thiện",
    "Toàn",
    "Trí",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
]
GIVEN_NAMES_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hằng",
    "Hạnh",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Nhung",
    "Oanh",
    "Phượng",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thủy",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Yến",
]
END_REASONS = ("Hết nhiệm kỳ", "Nghỉ hưu", "Điều động công tác khác", "Được bổ nhiệm chức vụ khác", "Thôi giữ chức vụ")


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


# --- people and appointments (streamed) ------------------------------------------------------------------------------


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


# --- the change feed's data: a small form of the API's representation --------------------------------------------


class Representer:
    """Small, realistic ``Change.data`` dicts (the real feed holds the full API representation; at this size a
    serializer per row would take longer than the whole fill)."""

    def __init__(self, plan: Plan, names: list[str], slugs: list[str]):
        self.plan, self.names, self.slugs = plan, names, slugs
        self.bodies = {body.id: body for body in plan.organizations}
        self.urls = {
            basename: reverse(f"registry-api:{basename}-detail", args=["KEY"])
            for basename in ("organization", "person", "portfolio", "document", "post", "appointment", "relationship")
        }

    def url(self, basename: str, key) -> str:
        return self.urls[basename].replace("KEY", str(key))

    def body(self, body_id: int | None) -> dict | None:
        if body_id is None:
            return None
        body = self.bodies[body_id]
        return {"id": body.id, "slug": body.slug, "name": body.name, "url": self.url("organization", body.slug)}

    def own(self, record, basename: str, key, names: str, **more) -> dict:
        """A record's id and URL, its fields ``names`` (space-separated) as they are, then ``more``."""
        return {"id": record.id, "url": self.url(basename, key), **self.fields(record, names), **more}

    def organization(self, o: Organization) -> dict:
        return self.own(
            o,
            "organization",
            o.slug,
            "slug name name_en abbreviation classification",
            parent=self.body(o.parent_id),
            founding_date=iso(o.founding_date),
            dissolution_date=iso(o.dissolution_date),
            note=o.note,
        )

    def portfolio(self, p: Portfolio) -> dict:
        return self.own(p, "portfolio", p.slug, "slug name name_en")

    def document(self, d: Document) -> dict:
        more = {"issuer": self.body(d.issuer_id), "issued_on": iso(d.issued_on), "date_precision": d.date_precision}
        return self.own(d, "document", d.slug, "slug kind number title title_en", **more)

    def person(self, p: Person) -> dict:
        return self.own(p, "person", p.slug, "slug name family_name given_name honorific")

    def post(self, p: Post) -> dict:
        ids = {"portfolio": p.portfolio_id, "standing": p.standing, "ex_officio_of": p.ex_officio_of_id}
        organization = self.body(p.organization_id)
        return self.own(
            p,
            "post",
            p.id,
            "slug",
            organization=organization,
            **self.fields(p, "label label_en role rank seats"),
            **ids,
        )

    @staticmethod
    def fields(record, names: str) -> dict:
        return {name: getattr(record, name) for name in names.split()}

    def appointment(self, a: Appointment) -> dict:
        person = {
            "id": a.person_id,
            "slug": self.slugs[a.person_id],
            "name": self.names[a.person_id],
            "url": self.url("person", self.slugs[a.person_id]),
        }
        post = {"id": a.post_id, "slug": a.post.slug, "label": a.post.label, "url": self.url("post", a.post_id)}
        return {
            "id": a.id,
            "url": self.url("appointment", a.id),
            "person": person,
            "post": post,
            "organization": self.body(a.post.organization_id),
            "start_date": iso(a.start_date),
            "start_date_precision": a.start_date_precision,
            "end_date": iso(a.end_date),
            "end_date_precision": a.end_date_precision,
            "end_reason": a.end_reason,
        }

    def organizationrelationship(self, r: OrganizationRelationship) -> dict:
        return {
            "id": r.id,
            "url": self.url("relationship", r.id),
            "subject": self.body(r.subject_id),
            "object": self.body(r.object_id),
            "kind": r.kind,
            "start_date": iso(r.start_date),
            "end_date": iso(r.end_date),
            "document": r.document_id,
        }

    def duty(self, d: Duty) -> dict:
        return {"id": d.id, "organization": self.body(d.organization_id), "order": d.order, "text": d.text}

    def citation(self, c: Citation) -> dict:
        return {
            "id": c.id,
            "record_model": c.content_type.model,
            "object_id": c.object_id,
            "document": {"id": c.document_id, "slug": c.document.slug},
            "quote": c.quote,
            "field": c.field,
        }


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


# --- writing ---------------------------------------------------------------------------------------------------------


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def created_fields(model: type[models.Model]) -> list[str]:
    """What a feed entry of a creation lists: every field a writer sets (as the services log it)."""
    names = [f.name for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    return sorted(names + [f.name for f in model._meta.many_to_many])


def history_fields(history_model: type[models.Model]) -> list[str]:
    """The attribute names a historical row copies from its record."""
    return [f.attname for f in history_model._meta.concrete_fields if not f.name.startswith("history_")]


class Table:
    """One table's columns, and how a Python value becomes what the database driver takes for each.

    Rows go in as tuples, not model instances: at this size building a model instance per history row and feed entry,
    and Django's per-value preparation in ``bulk_create``, cost more than the inserts themselves.
    """

    def __init__(self, model: type[models.Model]):
        fields = model._meta.concrete_fields
        self.model, self.name = model, model._meta.db_table
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.converters = [self.converter(f) for f in fields]

    @staticmethod
    def converter(f: models.Field) -> Callable | None:
        """What Django's ``get_db_prep_save`` does for this field on this database, for the values generated here."""
        if isinstance(f, models.JSONField):
            return lambda value: json.dumps(value, cls=f.encoder)
        if connection.vendor == "sqlite" and isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if connection.vendor == "sqlite" and isinstance(f, models.DateField):
            return connection.ops.adapt_datefield_value
        return None

    def row(self, values: Callable[[str], object]) -> tuple:
        """The row whose value for each attribute name is ``values(attname)``, ready for the driver."""
        row = []
        for name, convert in zip(self.attnames, self.converters, strict=True):
            value = values(name)
            row.append(value if convert is None or value is None else convert(value))
        return tuple(row)

    def insert(self, rows: list[tuple]) -> None:
        """PostgreSQL: one COPY (several times faster than INSERT for a bulk fill); SQLite: one executemany."""
        columns = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(self.name)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {connection.ops.quote_name(self.name)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


class Writer:
    """Inserts rows in batches, each record with its history row and feed entry, and times every table."""

    def __init__(self, stdout, batch_size: int):
        self.stdout, self.batch_size = stdout, batch_size
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.tables: dict = {}
        self.history_ids: dict = {}
        self.change_id = 0
        self.written: list[type[models.Model]] = []

    def moment(self) -> datetime.datetime:
        return GENERATED_AT + datetime.timedelta(milliseconds=self.change_id)

    def table(self, model: type[models.Model]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model)
            self.written.append(model)
        return self.tables[model]

    def insert(self, model: type[models.Model], rows: list[tuple]) -> None:
        started = time.perf_counter()
        table = self.table(model)
        table.insert(rows)
        self.rows[table.name] = self.rows.get(table.name, 0) + len(rows)
        self.seconds[table.name] = self.seconds.get(table.name, 0.0) + time.perf_counter() - started

    def records(self, model: type[models.Model], instances: Iterable, represent: Callable[[models.Model], dict]):
        """Insert ``instances``, one history row ("+") and one feed entry ("created") each; returns the history ids
        given, by record id (the legal basis's historical rows point at them)."""
        history_model = model.history.model
        records, history, changes = self.table(model), self.table(history_model), self.table(Change)
        fields, kind = created_fields(model), model._meta.model_name
        given = {}
        for chunk in batched(instances, self.batch_size):
            record_rows, history_rows, change_rows = [], [], []
            for record in chunk:
                self.change_id += 1
                moment = self.moment()
                if hasattr(record, "normalise_text"):
                    record.normalise_text()  # NFC and search_text, exactly as save() would
                else:
                    record.quote = nfc(record.quote)
                record.created = moment
                if hasattr(record, "updated"):
                    record.updated = moment
                record_rows.append(records.row(lambda name, record=record: getattr(record, name)))
                history_id = self.history_ids[history_model] = self.history_ids.get(history_model, 0) + 1
                given[record.pk] = history_id
                extra = {
                    "history_id": history_id,
                    "history_date": moment,
                    "history_type": "+",
                    "history_change_reason": REASON,
                    "history_user_id": None,
                }
                history_rows.append(
                    history.row(
                        lambda name, record=record, extra=extra: extra[name] if name in extra else getattr(record, name)
                    )
                )
                entry = {
                    "id": self.change_id,
                    "txid": 0,
                    "model": kind,
                    "object_id": record.pk,
                    "type": ChangeType.CREATED.value,
                    "date": moment,
                    "user": "",
                    "reason": REASON,
                    "fields": fields,
                    "data": represent(record),
                }
                change_rows.append(changes.row(entry.__getitem__))
            self.insert(model, record_rows)
            self.insert(history_model, history_rows)
            self.insert(Change, change_rows)
        self.report(model, history_model, Change)
        return given

    def report(self, *models_: type[models.Model]) -> None:
        """One line per table: rows so far and seconds spent on it so far."""
        for model in models_:
            table = model._meta.db_table
            self.stdout.write(f"{table:<45} {self.rows.get(table, 0):>10,} rows {self.seconds.get(table, 0):>8.1f} s")


@contextlib.contextmanager
def fixed_timestamps(models_: Iterable[type[models.Model]]):
    """Let ``created``/``updated`` keep the values given (auto_now would stamp the wall clock: not deterministic)."""
    saved = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


FILLED = (
    Portfolio,
    Organization,
    Document,
    Person,
    Post,
    Appointment,
    OrganizationRelationship,
    Duty,
    Citation,
    Change,
)


def filled_tables() -> list[type[models.Model]]:
    """Every table the generator writes: the records, their history, the legal basis (and its history), the feed."""
    tables = [*FILLED]
    tables += [model.history.model for model in FILLED if hasattr(model, "history")]
    through = Organization.legal_basis.through
    tables += [through, historical_legal_basis()]
    return tables


def historical_legal_basis() -> type[models.Model]:
    from django.apps import apps

    return apps.get_model("registry", "HistoricalOrganization_legal_basis")


def refuse_unless_empty() -> None:
    held = {model._meta.db_table: model._default_manager.count() for model in filled_tables()}
    held = {table: count for table, count in held.items() if count}
    if held:
        listed = ", ".join(f"{table}: {count}" for table, count in held.items())
        raise RegistryNotEmpty(
            f"The database already holds registry records ({listed}). generate_registry fills an empty database "
            "only: run it on a freshly migrated one."
        )


def reset_sequences(tables: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the explicit ids written (PostgreSQL; SQLite's AUTOINCREMENT follows by
    itself). Never moves one back: a sequence is not rolled back with a transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                continue
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - name from the catalog
            last_value, is_called = cursor.fetchone()
            cursor.execute(f'SELECT max("{column}") FROM "{table}"')  # noqa: S608 - names from the models
            highest = max(cursor.fetchone()[0] or 0, last_value if is_called else last_value - 1)
            if highest >= 1:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, highest])


def analyze() -> None:
    """Fresh planner statistics: a bulk fill leaves PostgreSQL guessing until autovacuum comes round."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class Result:
    sizes: Sizes
    rows: dict
    seconds: float


def generate(*, scale: float = 1.0, seed: int = DEFAULT_SEED, stdout, batch_size: int = BATCH_SIZE) -> Result:
    """Fill the empty database with the synthetic registry of ``scale`` (1.0: national); same seed, same rows."""
    started = time.perf_counter()
    rng, sizes = random.Random(seed), sizes_for(scale)  # noqa: S311 - reproducible data, not secrets
    stdout.write(
        f"generate_registry: scale {scale}, seed {seed}: {sizes.provinces} provinces, "
        f"{sizes.bodies_per_province} bodies each, {sizes.people:,} people"
    )
    writer = Writer(stdout, batch_size)
    with transaction.atomic(), fixed_timestamps(filled_tables()):
        refuse_unless_empty()
        write_all(rng, build_plan(rng, sizes), writer)
        reset_sequences(writer.written)
    analyze()
    seconds = time.perf_counter() - started
    stdout.write(f"{'total':<45} {sum(writer.rows.values()):>10,} rows {seconds:>8.1f} s")
    return Result(sizes, dict(writer.rows), seconds)


def write_all(rng: random.Random, plan: Plan, writer: Writer) -> None:
    """Every table, parents before the rows that point at them."""
    names, slugs = [""], [""]  # by person id (ids start at 1)
    represent = Representer(plan, names, slugs)
    writer.records(Portfolio, plan.portfolios, represent.portfolio)
    # Parents point at bodies with smaller ids (written earlier in the same batch or before), so no deferral needed.
    org_history = writer.records(Organization, plan.organizations, represent.organization)
    writer.records(Document, plan.documents, represent.document)
    write_legal_basis(plan, writer, org_history)

    def people_remembered():
        for person in people(rng, plan):
            names.append(person.name)
            slugs.append(person.slug)
            yield person

    writer.records(Person, people_remembered(), represent.person)
    writer.records(Post, plan.posts, represent.post)
    cited: list = []
    writer.records(Appointment, appointments(rng, plan, cited), represent.appointment)
    writer.records(OrganizationRelationship, plan.relationships, represent.organizationrelationship)
    writer.records(Duty, plan.duties, represent.duty)
    writer.records(Citation, citations(plan, cited, names), represent.citation)


def write_legal_basis(plan: Plan, writer: Writer, org_history: dict) -> None:
    """Each body's founding decision as its legal basis, in the record and in its creation's history row."""
    through, historical = Organization.legal_basis.through, historical_legal_basis()
    links, history = writer.table(through), writer.table(historical)
    rows, history_rows = [], []
    for number, (body_id, document) in enumerate(sorted(plan.founding_decision.items()), start=1):
        values = {
            "id": number,
            "m2m_history_id": number,
            "history_id": org_history[body_id],
            "organization_id": body_id,
            "document_id": document.id,
        }
        rows.append(links.row(values.__getitem__))
        history_rows.append(history.row(values.__getitem__))
    for chunk in batched(rows, writer.batch_size):
        writer.insert(through, chunk)
    for chunk in batched(history_rows, writer.batch_size):
        writer.insert(historical, chunk)
    writer.report(through, historical)
