"""Questions people ask of the registry, answered from the seeded database through the models and selectors.

Every expected value is read from seeds/registry.yaml (and through it from the articles in seeds/*.txt).
"""

import datetime

import pytest

from registry.choices import DatePrecision, Honorific, PostRole, RelationshipKind
from registry.clock import today
from registry.models import Appointment, Citation, Document, Organization, OrganizationRelationship, Person, Post
from registry.selectors import organization_chart, unknown_seats, vacant_seats
from registry.text import comparable

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


def quotes(record, field: str | None = None) -> list[str]:
    """The record's quotes (only those for ``field`` when it is given), white space normalised."""
    citations = record.sources.all() if field is None else record.sources.filter(field=field)
    return [comparable(citation.quote) for citation in citations]


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
    assert (vacant_seats(members), unknown_seats(members)) == (0, 20)
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
    # The sentence that states who set it up, not "giúp UBND TP.HCM" (which says whom it helps).
    assert quotes(committee, "parent") == [
        "UBND TP.HCM vừa thành lập Ban Chỉ đạo TP.HCM về hội nhập quốc tế do Chủ tịch Nguyễn Văn Được làm Trưởng ban."
    ]


def test_legal_basis_is_the_framework_the_committee_follows():
    committee = Organization.objects.get(slug=COMMITTEE)
    (basis,) = quotes(committee, "legal_basis")
    assert basis.startswith("bám sát Chương trình hành động của Thành ủy thực hiện Nghị quyết số 59-NQ/TW")
    assert "bám sát" in committee.note
    assert "the founding decision is not named in the sources" in committee.note


def test_standing_flags_cite_the_passage_that_lists_the_standing_board():
    for post in committee_chart().posts:
        if not post.standing:
            continue
        (passage,) = quotes(post, "standing")
        assert passage.startswith("Thường trực Ban Chỉ đạo gồm 4 thành viên.")
        assert all(holder.person.name in passage for holder in post.holders)  # the passage names its holder


@pytest.mark.parametrize(("slug", "named_as"), [("so-ngoai-vu-tp-hcm", "Sở Ngoại vụ")])
def test_the_city_bodies_parent_is_cited_from_a_passage_that_names_them(slug, named_as):
    body = Organization.objects.get(slug=slug)
    assert body.parent.slug == "thanh-pho-ho-chi-minh"
    (passage,) = quotes(body, "parent")
    assert "của TP.HCM" in passage or "của Thành phố" in passage
    assert named_as in passage


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


def test_chairman_seat_is_unknown_not_vacant_in_mid_2025():
    """No document says the seat was empty between 13/12/2024 and 15/12/2025; none says who held it."""
    chart = organization_chart(Organization.objects.get(slug="ubnd-tp-hcm"), D(2025, 6, 1))
    chairman = chart_post(chart, slug=CHAIRMAN)
    assert chairman.holders == []
    assert (vacant_seats(chairman), unknown_seats(chairman)) == (0, 1)


def test_phan_van_mai_term_is_bounded_by_what_the_sources_attest():
    term = Appointment.objects.get(person__slug="phan-van-mai", post__slug=CHAIRMAN)
    assert (term.start_date, term.start_date_precision) == (D(2023, 4, 26), DatePrecision.ATTESTED)
    # The last document that shows him in post prints "Sáng 13-12" without a year: the end is inferred.
    assert (term.end_date, term.end_date_precision) == (D(2024, 12, 13), DatePrecision.INFERRED)
    assert "art-2024-12-13" in term.note


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


def test_working_group_leader_is_ex_officio_the_chairman_and_nobody_is_deduced_into_the_post():
    leader = Post.objects.get(slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te-to-truong")
    assert leader.organization.slug == "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te"
    assert leader.ex_officio_of.slug == CHAIRMAN  # the rule is stated: "do Chủ tịch UBND TP.HCM làm tổ trưởng"
    assert quotes(leader, "ex_officio_of") == ["do Chủ tịch UBND TP.HCM làm tổ trưởng"]
    # No sentence names the person who led it, so no appointment is kept (Phan Văn Mãi is chairman that day).
    assert not leader.appointments.exists()
    assert posts_held("phan-van-mai", D(2023, 4, 26)) == {CHAIRMAN}


def test_working_group_is_not_dissolved_for_want_of_a_later_mention():
    group = Organization.objects.get(slug="to-cong-tac-doi-ngoai-va-hop-tac-quoc-te")
    assert (group.founding_date, group.founding_date_precision) == (D(2023, 4, 26), DatePrecision.ATTESTED)
    assert (group.dissolution_date, group.dissolution_date_precision) == (None, "")  # no sentence dissolves it


def test_every_appointment_has_a_quote_that_names_the_person_and_the_post():
    for appointment in Appointment.objects.select_related("person", "post"):
        assert any(
            appointment.person.name in quote and appointment.post.label.casefold() in quote.casefold()
            for quote in quotes(appointment)
        ), appointment


@pytest.mark.parametrize(
    ("post", "ends"),
    [
        ("bo-ngoai-giao-bo-truong", ("end_date",)),
        ("chinh-phu-pho-thu-tuong", ("start_date", "end_date")),
        ("ban-chap-hanh-trung-uong-dang-uy-vien", ("start_date", "end_date")),
    ],
)
def test_bui_thanh_son_dates_from_the_undated_article_are_inferred(post, ends):
    appointment = Appointment.objects.get(person__slug="bui-thanh-son", post__slug=post)
    for end in ends:
        assert getattr(appointment, end) == D(2024, 12, 13)
        assert getattr(appointment, f"{end}_precision") == DatePrecision.INFERRED
    assert "date_note of art-2024-12-13" in appointment.note


def test_no_date_is_stated_from_a_document_without_an_exact_date():
    stated = (DatePrecision.EXACT, DatePrecision.ATTESTED)
    for appointment in Appointment.objects.all():
        for day, precision in (
            (appointment.start_date, appointment.start_date_precision),
            (appointment.end_date, appointment.end_date_precision),
        ):
            if precision in stated:
                exact = {
                    citation.document.date for citation in appointment.sources.filter(document__date_precision="exact")
                }
                assert day in exact, (appointment, day)


def test_ngo_le_van_is_deputy_minister_in_december_2025():
    assert holders("bo-ngoai-giao-thu-truong", D(2025, 12, 22)) == ["Ngô Lê Văn"]
    assert holders("bo-ngoai-giao-thu-truong", D(2025, 12, 21)) == []
    assert Post.objects.get(slug="bo-ngoai-giao-thu-truong").seats is None  # a ministry has several


# -- Relationships between bodies -----------------------------------------------------------------------------------


def test_department_of_foreign_affairs_has_dual_subordination():
    serves = OrganizationRelationship.objects.filter(subject__slug="so-ngoai-vu-tp-hcm", kind=RelationshipKind.SERVES)
    assert set(serves.values_list("object__slug", flat=True)) == {
        "bo-ngoai-giao",
        "ubnd-tp-hcm",
        "thanh-uy-tp-hcm",
        "thanh-pho-ho-chi-minh",
    }
    assert set(serves.as_of(D(2023, 4, 26)).values_list("object__slug", flat=True)) == {
        "bo-ngoai-giao",
        "ubnd-tp-hcm",
        "thanh-uy-tp-hcm",
    }
    # Serving the City Party Committee and the People's Committee is said only in 2023 (one sentence names both):
    # both end on the last day a document shows them; in 2025 the article names the city itself.
    assert set(serves.as_of(D(2025, 12, 22)).values_list("object__slug", flat=True)) == {
        "bo-ngoai-giao",
        "thanh-pho-ho-chi-minh",
    }
    for local in ("thanh-uy-tp-hcm", "ubnd-tp-hcm"):
        ended = serves.get(object__slug=local)
        assert (ended.end_date, ended.end_date_precision) == (D(2023, 4, 26), DatePrecision.ATTESTED)


def test_department_is_the_ministrys_representative_body_in_the_south():
    ministry = OrganizationRelationship.objects.get(
        subject__slug="so-ngoai-vu-tp-hcm", object__slug="bo-ngoai-giao", kind=RelationshipKind.SERVES
    )
    assert "cơ quan đại diện của Bộ Ngoại giao tại khu vực phía Nam" in ministry.description
    assert "vừa là cơ quan đại diện của Bộ Ngoại giao tại khu vực phía Nam" in quotes(ministry)
    assert ministry.end_date is None  # shown by the article of 22/12/2025


def test_department_duties_are_only_those_stated_not_those_requested():
    department = Organization.objects.get(slug="so-ngoai-vu-tp-hcm")
    duties = department.duties.order_by("order")
    assert len(duties) == 2  # the requests of 22/12/2025 ("đề nghị Sở Ngoại vụ …") are on that conference
    for duty in duties:
        assert duty.sources.get().document.slug == "art-2023-04-26"


def test_party_delegation_has_no_parent_because_no_source_gives_one():
    delegation = Organization.objects.get(slug="ban-can-su-dang-bo-ngoai-giao")
    assert delegation.parent is None


def test_every_link_has_a_citation_for_its_field():
    for body in Organization.objects.filter(parent__isnull=False):
        assert quotes(body, "parent"), body.slug
    for document in Document.objects.filter(issuer__isnull=False):
        assert quotes(document, "issuer"), document.slug
    for post in Post.objects.filter(ex_officio_of__isnull=False):
        assert quotes(post, "ex_officio_of"), post.slug


def test_open_records_are_shown_by_a_december_2025_document():
    latest = {"art-2025-12-15", "art-2025-12-22"}
    for model, open_records in (
        (Appointment, Appointment.objects.filter(end_date__isnull=True)),
        (OrganizationRelationship, OrganizationRelationship.objects.filter(end_date__isnull=True)),
    ):
        for record in open_records:
            documents = set(record.sources.values_list("document__slug", flat=True))
            assert documents & latest, (model.__name__, str(record), documents)


def test_coordination_regulation_between_party_bodies():
    relationship = OrganizationRelationship.objects.get(
        subject__slug="ban-thuong-vu-thanh-uy-tp-hcm",
        object__slug="ban-can-su-dang-bo-ngoai-giao",
        kind=RelationshipKind.COORDINATES_WITH,
    )
    assert relationship.start_date == D(2023, 4, 26)
    assert relationship.start_date_precision == DatePrecision.EXACT
    # Last shown in force by the article of 13 December, whose year is inferred.
    assert (relationship.end_date, relationship.end_date_precision) == (D(2024, 12, 13), DatePrecision.INFERRED)
    assert "art-2024-12-13" in relationship.description_en
    assert relationship.document.slug == "quy-che-phoi-hop-ban-thuong-vu-thanh-uy-ban-can-su-dang-bo-ngoai-giao"
    assert relationship.document.issued_on == D(2023, 4, 26)
    assert relationship.document.kind == "regulation"


@pytest.mark.parametrize("province", ["tinh-binh-duong", "tinh-ba-ria-vung-tau"])
def test_provinces_merged_into_the_city(province):
    merger = OrganizationRelationship.objects.get(subject__slug=province, kind=RelationshipKind.MERGED_INTO)
    assert merger.object.slug == "thanh-pho-ho-chi-minh"
    assert merger.start_date == D(2025, 12, 22)
    assert merger.start_date_precision == DatePrecision.ATTESTED
    assert merger.description == (
        "TP.HCM chính thức sáp nhập với tỉnh Bình Dương và tỉnh Bà Rịa - Vũng Tàu "
        "trở thành một đơn vị hành chính đặc biệt"
    )
    assert "into one special administrative unit" in merger.description_en
    # No longer a separate province on the day the merger is reported: it existed at the latest the day before.
    body = merger.subject
    assert (body.dissolution_date, body.dissolution_date_precision) == (D(2025, 12, 21), DatePrecision.INFERRED)
    assert not Organization.objects.exists_on(D(2025, 12, 22)).filter(pk=body.pk).exists()
    assert not Organization.objects.exists_on(today()).filter(pk=body.pk).exists()


# -- Documents and people -------------------------------------------------------------------------------------------


def test_undated_article_says_its_year_is_inferred():
    article = Document.objects.get(slug="art-2024-12-13")
    assert article.published_on is None  # the event day ("Sáng 13-12") is not a publication date
    assert article.date_precision == ""
    assert "no year" in article.date_note
    assert "The year of the event, 2024, is inferred" in article.date_note
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


def test_the_2023_article_names_its_outlet():
    article = Document.objects.get(slug="art-2023-04-26")
    assert article.publisher == "Một thế giới"
    assert quotes(article, "publisher") == ["Nổi bật Một thế giới"]


@pytest.mark.parametrize(
    "slug",
    [
        "ke-hoach-truyen-thong-ve-hoi-nhap-quoc-te",
        "de-an-xay-dung-thanh-pho-thong-minh",
        "de-an-xay-dung-khu-do-thi-sang-tao",
    ],
)
def test_instruments_whose_issuer_is_not_named_have_none(slug):
    document = Document.objects.get(slug=slug)
    assert document.issuer is None
    assert "no issuer is recorded" in document.date_note


def test_the_city_is_drafting_its_foreign_affairs_strategy_in_2023():
    strategy = Document.objects.get(slug="chien-luoc-doi-ngoai-tp-hcm")
    assert strategy.kind == "strategy"
    assert strategy.issuer.slug == "thanh-pho-ho-chi-minh"
    assert quotes(strategy, "issuer") == ["Thành phố đang xây dựng chiến lược đối ngoại"]
    assert strategy.issued_on is None


def test_the_13th_congress_foreign_policy_line_is_a_document_referred_to():
    line = Document.objects.get(slug="duong-loi-doi-ngoai-dai-hoi-xiii")
    assert line.title == "Đường lối đối ngoại của Đại hội XIII của Đảng"
    assert Citation.objects.filter(
        document__slug="art-2024-12-13", quote="triển khai hiệu quả đường lối đối ngoại của Đại hội XIII của Đảng"
    ).exists()
