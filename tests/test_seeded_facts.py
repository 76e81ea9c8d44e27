"""Questions people ask of the registry, answered from the seeded database through the models and selectors.

Every expected value is read from seeds/registry.yaml (and through it from the articles in seeds/*.txt).
"""

import datetime

import pytest

from registry.choices import DatePrecision, Honorific, PostRole, RelationshipKind
from registry.filtersets import today
from registry.models import Appointment, Document, Organization, OrganizationRelationship, Person, Post
from registry.selectors import organization_chart, vacant_seats

pytestmark = pytest.mark.django_db

D = datetime.date
COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"
FOUNDED = D(2025, 12, 15)
CHAIRMAN = "ubnd-tp-hcm-chu-tich"
SEVEN_PEOPLE = {
    "nguyen-van-duoc",
    "nguyen-loc-ha",
    "bui-ta-hoang-vu",
    "pham-thi-thanh-hien",
    "phan-van-mai",
    "bui-thanh-son",
    "ngo-le-van",
}


def holders(post_slug: str, day: datetime.date) -> list[str]:
    """Names of the people holding the post on ``day``."""
    appointments = Appointment.objects.as_of(day).filter(post__slug=post_slug).select_related("person")
    return sorted(appointment.person.name for appointment in appointments)


def posts_held(person_slug: str, day: datetime.date) -> set[str]:
    return set(Appointment.objects.as_of(day).filter(person__slug=person_slug).values_list("post__slug", flat=True))


def committee_chart(day: datetime.date = FOUNDED):
    return organization_chart(Organization.objects.get(slug=COMMITTEE), day)


def chart_post(chart, **match) -> Post:
    found = [post for post in chart.posts if all(getattr(post, key) == value for key, value in match.items())]
    assert len(found) == 1, found
    return found[0]


# -- The steering committee -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [FOUNDED, D(2025, 12, 22), "today"])
def test_head_of_the_steering_committee(day):
    day = today() if day == "today" else day
    head = chart_post(committee_chart(day), role=PostRole.HEAD)
    assert head.slug == "ban-chi-dao-hoi-nhap-quoc-te-truong-ban"
    assert [holder.person.name for holder in head.holders] == ["Nguyễn Văn Được"]
    assert head.holders[0].capacity.slug == CHAIRMAN
    assert head.holders[0].capacity.organization.slug == "ubnd-tp-hcm"
    assert head.holders[0].person.honorific == Honorific.ONG


def test_head_is_also_the_chairman_whose_post_gives_the_capacity():
    assert holders(CHAIRMAN, FOUNDED) == ["Nguyễn Văn Được"]


def test_permanent_deputy_head():
    post = chart_post(committee_chart(), role=PostRole.PERMANENT_DEPUTY_HEAD)
    assert post.label == "Phó trưởng ban thường trực"
    assert post.portfolio.slug == "chinh-tri-quoc-phong-an-ninh"
    assert post.portfolio.name == "Hội nhập quốc tế về chính trị, quốc phòng và an ninh"
    assert [holder.person.name for holder in post.holders] == ["Nguyễn Lộc Hà"]
    assert post.holders[0].capacity.slug == "ubnd-tp-hcm-pho-chu-tich-thuong-truc"


def test_deputy_for_the_economy_is_the_director_of_industry_and_trade():
    post = Post.objects.get(organization__slug=COMMITTEE, portfolio__slug="kinh-te")
    assert post.role == PostRole.DEPUTY_HEAD
    appointment = Appointment.objects.as_of(FOUNDED).get(post=post)
    assert appointment.person.name == "Bùi Tá Hoàng Vũ"
    assert appointment.capacity.slug == "so-cong-thuong-tp-hcm-giam-doc"
    assert appointment.capacity.organization.slug == "so-cong-thuong-tp-hcm"
    assert holders("so-cong-thuong-tp-hcm-giam-doc", FOUNDED) == ["Bùi Tá Hoàng Vũ"]


def test_deputy_for_culture_and_society():
    post = Post.objects.get(
        organization__slug=COMMITTEE, portfolio__slug="van-hoa-xa-hoi-khoa-hoc-cong-nghe-giao-duc-dao-tao"
    )
    appointment = Appointment.objects.as_of(FOUNDED).get(post=post)
    assert appointment.person.name == "Phạm Thị Thanh Hiền"
    assert appointment.person.honorific == Honorific.BA
    assert appointment.capacity.slug == "so-noi-vu-tp-hcm-giam-doc"


def test_deputy_heads_are_two_with_distinct_portfolios():
    deputies = [post for post in committee_chart().posts if post.role == PostRole.DEPUTY_HEAD]
    assert sorted(post.portfolio.slug for post in deputies) == [
        "kinh-te",
        "van-hoa-xa-hoi-khoa-hoc-cong-nghe-giao-duc-dao-tao",
    ]


def test_the_twenty_members_are_seats_without_named_holders():
    members = chart_post(committee_chart(today()), role=PostRole.MEMBER)
    assert members.slug == "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien"
    assert members.seats == 20
    assert members.holders == []
    assert vacant_seats(members) == 20
    assert not members.standing


def test_the_standing_board_has_four_seats():
    chart = committee_chart()
    standing = [post for post in chart.posts if post.standing]
    assert sum(post.seats for post in standing) == 4
    assert {post.role for post in standing} == {
        PostRole.HEAD,
        PostRole.PERMANENT_DEPUTY_HEAD,
        PostRole.DEPUTY_HEAD,
    }
    assert all(vacant_seats(post) == 0 for post in standing)


def test_chart_lists_posts_in_rank_order():
    assert [post.rank for post in committee_chart().posts] == [1, 2, 3, 4, 10]


def test_support_agencies_are_exactly_the_five():
    chart = committee_chart()
    assert {organization.slug for organization in chart.support_agencies} == {
        "van-phong-ubnd-tp-hcm",
        "so-ngoai-vu-tp-hcm",
        "so-cong-thuong-tp-hcm",
        "so-noi-vu-tp-hcm",
        "vien-nghien-cuu-phat-trien-tp-hcm",
    }
    assert len(chart.support_agencies) == 5
    assert chart.sub_organizations == []


def test_no_support_agencies_before_the_committee_exists():
    assert committee_chart(D(2025, 12, 14)).support_agencies == []


def test_legal_basis_of_the_committee():
    committee = Organization.objects.get(slug=COMMITTEE)
    basis = {document.slug: document for document in committee.legal_basis.all()}
    assert set(basis) == {
        "chuong-trinh-hanh-dong-thanh-uy-thuc-hien-nq-59",
        "nq-59-nq-tw",
        "ke-hoach-ubnd-tp-hcm-thuc-hien-nq-153",
        "nq-153-nq-cp",
    }
    numbers = {document.number for document in basis.values()}
    assert {"59-NQ/TW", "153/NQ-CP"} <= numbers
    resolution = committee.legal_basis.get(number="153/NQ-CP")
    assert resolution.issued_on == D(2025, 5, 31)
    assert resolution.date_precision == DatePrecision.EXACT
    assert resolution.issuer.slug == "chinh-phu"
    assert committee.legal_basis.get(number="59-NQ/TW").issuer.slug == "bo-chinh-tri"
    assert committee.legal_basis.get(number="59-NQ/TW").issued_on is None  # no source dates it


def test_committee_has_fourteen_ordered_duties():
    committee = Organization.objects.get(slug=COMMITTEE)
    duties = list(committee.duties.order_by("order"))
    assert [duty.order for duty in duties] == list(range(1, 15))
    assert duties[0].text.startswith("triển khai các chủ trương, chính sách hội nhập quốc tế trong tình hình mới")
    assert duties[6].text.startswith("Tuyên truyền nâng cao nhận thức")
    assert duties[-1].text == (
        "đẩy mạnh hội nhập quốc tế về văn hóa, xã hội, giáo dục – đào tạo, y tế, môi trường và du lịch"
    )
    assert all(duty.sources.filter(document__slug="art-2025-12-15").exists() for duty in duties)


def test_committee_founding_and_parent():
    committee = Organization.objects.get(slug=COMMITTEE)
    assert committee.founding_date == FOUNDED
    assert committee.founding_date_precision == DatePrecision.ATTESTED
    assert committee.parent.slug == "ubnd-tp-hcm"
    assert committee.dissolution_date is None


# -- Chairman of the People's Committee over time -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2023, 4, 25), []),  # before the first source: nothing recorded
        (D(2023, 4, 26), ["Phan Văn Mãi"]),
        (D(2024, 12, 13), ["Phan Văn Mãi"]),
        (D(2024, 12, 14), []),
        (D(2025, 6, 1), []),  # handover date unknown: a vacancy in the record, not an invented holder
        (D(2025, 12, 14), []),
        (D(2025, 12, 15), ["Nguyễn Văn Được"]),
        ("today", ["Nguyễn Văn Được"]),
    ],
)
def test_chairman_of_the_peoples_committee(day, expected):
    day = today() if day == "today" else day
    assert holders(CHAIRMAN, day) == expected


def test_chairman_seat_is_vacant_in_mid_2025():
    chart = organization_chart(Organization.objects.get(slug="ubnd-tp-hcm"), D(2025, 6, 1))
    chairman = chart_post(chart, slug=CHAIRMAN)
    assert chairman.holders == []
    assert vacant_seats(chairman) == 1


def test_phan_van_mai_term_is_bounded_by_what_the_sources_attest():
    term = Appointment.objects.get(person__slug="phan-van-mai", post__slug=CHAIRMAN)
    assert (term.start_date, term.start_date_precision) == (D(2023, 4, 26), DatePrecision.ATTESTED)
    assert (term.end_date, term.end_date_precision) == (D(2024, 12, 13), DatePrecision.ATTESTED)


def test_nobody_holds_any_post_in_mid_2025():
    assert list(Person.objects.as_of(D(2025, 6, 1))) == []


# -- Bùi Thanh Sơn, the working group, the deputy minister -----------------------------------------------------------


def test_bui_thanh_son_in_april_2023_is_minister_only():
    assert posts_held("bui-thanh-son", D(2023, 4, 26)) == {"bo-ngoai-giao-bo-truong"}


def test_bui_thanh_son_in_december_2024_holds_three_posts():
    assert posts_held("bui-thanh-son", D(2024, 12, 13)) == {
        "bo-ngoai-giao-bo-truong",
        "chinh-phu-pho-thu-tuong",
        "ban-chap-hanh-trung-uong-dang-uy-vien",
    }


def test_bui_thanh_son_is_not_recorded_in_december_2025():
    assert posts_held("bui-thanh-son", D(2025, 12, 22)) == set()


def test_working_group_leader_is_ex_officio_the_chairman():
    leader = Post.objects.get(slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te-to-truong")
    assert leader.organization.slug == "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te"
    assert leader.ex_officio_of.slug == CHAIRMAN
    assert holders(leader.slug, D(2023, 4, 26)) == ["Phan Văn Mãi"]
    appointment = Appointment.objects.as_of(D(2023, 4, 26)).get(post=leader)
    assert appointment.capacity.slug == CHAIRMAN
    assert holders(leader.slug, D(2023, 4, 27)) == []  # no later source mentions the group


def test_ngo_le_van_is_deputy_minister_in_december_2025():
    assert holders("bo-ngoai-giao-thu-truong", D(2025, 12, 22)) == ["Ngô Lê Văn"]
    assert holders("bo-ngoai-giao-thu-truong", D(2025, 12, 21)) == []
    assert Post.objects.get(slug="bo-ngoai-giao-thu-truong").seats is None  # a ministry has several


# -- Relationships between bodies -----------------------------------------------------------------------------------


def test_department_of_foreign_affairs_has_dual_subordination():
    serves = OrganizationRelationship.objects.filter(subject__slug="so-ngoai-vu-tp-hcm", kind=RelationshipKind.SERVES)
    assert set(serves.values_list("object__slug", flat=True)) == {"bo-ngoai-giao", "ubnd-tp-hcm", "thanh-uy-tp-hcm"}
    assert serves.as_of(D(2023, 4, 26)).filter(object__slug__in=["bo-ngoai-giao", "ubnd-tp-hcm"]).count() == 2


def test_coordination_regulation_between_party_bodies():
    relationship = OrganizationRelationship.objects.get(
        subject__slug="ban-thuong-vu-thanh-uy-tp-hcm",
        object__slug="ban-can-su-dang-bo-ngoai-giao",
        kind=RelationshipKind.COORDINATES_WITH,
    )
    assert relationship.start_date == D(2023, 4, 26)
    assert relationship.start_date_precision == DatePrecision.EXACT
    assert relationship.end_date is None
    assert relationship.document.slug == "quy-che-phoi-hop-ban-thuong-vu-thanh-uy-ban-can-su-dang-bo-ngoai-giao"
    assert relationship.document.issued_on == D(2023, 4, 26)
    assert relationship.document.kind == "regulation"


@pytest.mark.parametrize("province", ["tinh-binh-duong", "tinh-ba-ria-vung-tau"])
def test_provinces_merged_into_the_city(province):
    merger = OrganizationRelationship.objects.get(subject__slug=province, kind=RelationshipKind.MERGED_INTO)
    assert merger.object.slug == "thanh-pho-ho-chi-minh"
    assert merger.start_date == D(2025, 12, 22)
    assert merger.start_date_precision == DatePrecision.ATTESTED


# -- Documents and people -------------------------------------------------------------------------------------------


def test_undated_article_says_its_year_is_inferred():
    article = Document.objects.get(slug="art-2024-12-13")
    assert article.published_on == D(2024, 12, 13)
    assert article.date_precision == DatePrecision.INFERRED
    assert "no year" in article.date_note
    assert "The year 2024 is inferred" in article.date_note
    assert "Sáng 13-12" in article.text
    assert "2024" not in article.text  # the year really is not printed


def test_other_articles_have_exact_dates():
    exact = Document.objects.filter(kind="article", date_precision=DatePrecision.EXACT)
    assert set(exact.values_list("slug", flat=True)) == {
        "art-2018-12-25",
        "art-2023-04-26",
        "art-2025-12-15",
        "art-2025-12-22",
    }


def test_only_the_seven_named_people_exist():
    assert set(Person.objects.values_list("slug", flat=True)) == SEVEN_PEOPLE
    assert Person.objects.count() == 7


def test_phan_van_mai_has_no_honorific_because_no_source_gives_one():
    assert Person.objects.get(slug="phan-van-mai").honorific == ""
