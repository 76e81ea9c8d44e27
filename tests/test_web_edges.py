"""The public pages at their edges: posts whose seats are not stated or too many to draw, a quote no longer found in
its document's text, and the latest changes naming records since deleted. Every test sees the seeded registry."""

import datetime
import re

import pytest

from registry import services
from registry.choices import PostRole
from registry.models import Appointment
from registry.web.views import parse_day
from tests.factories import (
    AppointmentFactory,
    CitationFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def cards(response) -> dict[str, str]:
    """Each post's card on a body's chart, by the post's label."""
    html = response.content.decode()
    found = {}
    for card in html.split('<li class="card role-')[1:]:
        label = re.search(r'<p class="post-label"><a href="[^"]+">([^<]+)</a>', card).group(1)
        found[label] = card
    return found


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class TestSeatsOnTheChart:
    def test_seats_not_stated_read_as_such_and_are_not_drawn(self, client):
        organization = OrganizationFactory()
        PostFactory(organization=organization, label="Ủy viên chưa rõ", role=PostRole.MEMBER, seats=None)
        held = PostFactory(organization=organization, label="Thư ký", role=PostRole.MEMBER, rank=2, seats=None)
        holder = AppointmentFactory(post=held, start_date=D(2024, 1, 1))
        response = client.get(f"/organizations/{organization.slug}/", {"as_of": "2025-01-01"})
        assert response.status_code == 200
        unknown, secretary = cards(response)["Ủy viên chưa rõ"], cards(response)["Thư ký"]
        assert "Ngày này không có ai được nêu tên; nguồn không nêu số lượng" in visible(unknown)
        assert holder.person.name in visible(secretary)
        assert "Nguồn không nêu số lượng" in visible(secretary)
        assert "ghế trống" not in visible(unknown + secretary)
        assert 'class="seats"' not in unknown + secretary

    def test_more_seats_than_a_chart_draws_are_counted_not_drawn(self, client):
        organization = OrganizationFactory()
        PostFactory(organization=organization, label="Đại biểu", role=PostRole.MEMBER, seats=100)
        PostFactory(organization=organization, label="Phó ban", role=PostRole.DEPUTY_HEAD, seats=3)
        response = client.get(f"/organizations/{organization.slug}/", {"as_of": "2025-01-01"})
        many, few = cards(response)["Đại biểu"], cards(response)["Phó ban"]
        assert "100 ghế chưa rõ người giữ" in visible(many)
        assert "100 ghế; nguồn không nêu tên ai vào ngày này" in visible(many)
        assert 'class="seats"' not in many
        assert few.count('<li class="unknown">') == 3  # a few seats are drawn one by one


def test_a_quote_no_longer_in_the_corrected_text_is_listed_apart(client):
    """A text that lost a cited quote before the registry refused such edits (an old backup restored): the quote is
    shown under "Quotes", not highlighted anywhere."""
    document = DocumentFactory(text="Ông Trần Thử làm Giám đốc Sở Thử nghiệm.")
    kept = CitationFactory(document=document, quote="Giám đốc Sở Thử nghiệm")
    lost = CitationFactory(document=document, quote="Ông Trần Thử làm Giám đốc")
    type(document).objects.filter(pk=document.pk).update(text="Bà Lê Thử làm Giám đốc Sở Thử nghiệm.")
    response = client.get(f"/documents/{document.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span id="q-{kept.pk}" class="anchor"></span><mark>Giám đốc Sở Thử nghiệm</mark>' in html
    assert f'id="q-{lost.pk}"' not in html
    section = html[html.index('<h2 id="missing-h">') :]
    assert visible(section).startswith("Trích dẫn")
    assert "“Ông Trần Thử làm Giám đốc”" in section
    assert "Giám đốc Sở Thử nghiệm" not in section


def latest_changes(response) -> list[str]:
    """The home page's "latest changes", one item each, as HTML."""
    html = response.content.decode()
    changes = html[html.index('<ol class="changes">') :]
    return changes[: changes.index("</ol>")].split("<li>")[1:]


def test_latest_changes_still_name_a_deleted_appointment_whose_post_is_gone_too(client):
    """An appointment entered by mistake, then its post: the home page keeps listing both deletions, unlinked."""
    person = PersonFactory(name="Đỗ Đã Xóa")
    body = OrganizationFactory(name="Ban Còn Lại", name_en="Remaining Board")
    post = PostFactory(organization=body, label="Chức vụ đã bỏ", label_en="Abolished post")
    appointment = AppointmentFactory(person=person, post=post)
    services.record_delete(instance=Appointment.objects.get(pk=appointment.pk), reason="nhập nhầm")
    services.record_delete(instance=post, reason="bỏ chức vụ")
    for language, deleted, named in (
        ("vi", "xóa", "Chức vụ đã bỏ, Ban Còn Lại"),
        ("en", "deleted", "Abolished post, Remaining Board"),
    ):
        response = client.get("/", {"lang": language})
        assert response.status_code == 200
        post_deleted, appointment_deleted, *_ = latest_changes(response)
        assert f'<span class="tag">{deleted}</span>' in post_deleted
        assert visible(post_deleted).endswith(named)
        assert "href=" not in post_deleted
        assert f'<span class="tag">{deleted}</span>' in appointment_deleted
        assert visible(appointment_deleted).endswith(f"{person.name} – {named}")
        assert "href=" not in appointment_deleted


def test_latest_changes_link_only_to_records_that_still_exist(client):
    """An appointment's creation stays listed after the appointment and its person are deleted: named, not linked."""
    person = PersonFactory(name="Lê Đã Rời")
    post = PostFactory(label="Chức vụ còn lại", label_en="Remaining post")
    appointment = AppointmentFactory(person=person, post=post)
    services.record_delete(instance=Appointment.objects.get(pk=appointment.pk), reason="nhập nhầm")
    services.record_delete(instance=person, reason="nhập nhầm")
    response = client.get("/", {"lang": "en"})
    assert response.status_code == 200
    created = [item for item in latest_changes(response) if f"{person.name} –" in item and "deleted" not in item]
    assert created, "the appointment's creation is still listed"
    assert all(f"/people/{person.slug}/" not in item for item in latest_changes(response))
    assert all("Remaining post" in item for item in created)


def test_latest_changes_link_to_a_renamed_record_by_its_slug_now(client):
    """A body's creation, listed after its slug changed, links to the page it has now (the old address is gone)."""
    body = OrganizationFactory(slug="ban-ten-cu", name="Ban Tên Cũ")
    body.slug = "ban-ten-moi"
    body.save()
    items = latest_changes(client.get("/"))
    assert sum('href="/organizations/ban-ten-moi/"' in item for item in items) == 2  # created and changed
    assert not any("ban-ten-cu" in item for item in items)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("26/04/2023", (datetime.date(2023, 4, 26), True)),
        ("1/5/2024", (datetime.date(2024, 5, 1), True)),
        ("2023-04-26", (datetime.date(2023, 4, 26), True)),
        ("", (None, True)),
        ("31/02/2024", (None, False)),
        ("04/26/2023", (None, False)),
        ("20230426", (None, False)),
    ],
)
def test_the_chart_day_is_read_as_the_page_writes_it_or_as_a_link_carries_it(value, expected):
    assert parse_day(value) == expected


def test_the_chart_box_shows_the_day_as_dd_mm_yyyy_whatever_the_browser(client):
    html = client.get("/organizations/ubnd-tp-hcm/?as_of=26/04/2023").content.decode()
    assert 'value="26/04/2023"' in html
    assert "Sơ đồ tổ chức ngày 26/04/2023" in html
