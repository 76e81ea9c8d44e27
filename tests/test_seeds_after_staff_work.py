"""Seeds never depend on staff work: a later decision recorded at the desk does not stop the registry starting.

The loader's rules judge the seed file by its own documents. A registry where staff recorded a 2026 decision and the
appointment it makes restarts the way `make run` starts it (migrate, then load_seeds), keeps the staff's records,
and the seed report lists what it kept.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from registry.models import Appointment, Document, Post
from registry.seeding import SEED_FILE, _read
from registry.seeding import rules as seed_rules

pytestmark = pytest.mark.django_db

CHAIRMAN = "ubnd-tp-hcm-chu-tich"
TEXT = (
    "QUYẾT ĐỊNH phê chuẩn kết quả bầu Chủ tịch Ủy ban nhân dân Thành phố Hồ Chí Minh. Điều 1. Phê chuẩn ông "
    "Trần Minh Tâm giữ chức Chủ tịch UBND TP.HCM kể từ ngày 02/03/2026."
)
QUOTE = "Phê chuẩn ông Trần Minh Tâm giữ chức Chủ tịch UBND TP.HCM"


@pytest.fixture
def desk_client(client):
    user = User.objects.create_user("bientap", password="bien-tap-2026!", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client.force_login(user)
    return client


def record_a_later_decision(desk_client) -> Appointment:
    """Through the admin desk: a new 2026 decision, and the successor it appoints as chairman."""
    post = Post.objects.get(slug=CHAIRMAN)
    holder = Appointment.objects.get(post=post, end_date__isnull=True)
    values = {
        "person": "",
        "new_person_name": "Trần Minh Tâm",
        "new_person_slug": "",
        "start_date": "02/03/2026",
        "start_date_precision": "exact",
        "predecessor": holder.pk,
        "predecessor_last_day": "",
        "capacity": "",
        "document": "",
        "new_document_kind": "decision",
        "new_document_number": "77/QĐ-TTg",
        "new_document_title": "Quyết định phê chuẩn kết quả bầu Chủ tịch UBND TP.HCM",
        "new_document_slug": "",
        "new_document_issuer": "",
        "new_document_issued_on": "25/02/2026",
        "new_document_text": TEXT,
        "quote": QUOTE,
        "reason": "QĐ 77/QĐ-TTg",
        "confirm": "1",
    }
    response = desk_client.post(reverse("admin:registry_post_appoint", args=[post.pk]), values)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Appointment.objects.get(person__name="Trần Minh Tâm")


def start_up() -> list[str]:
    """What `make run` runs before it serves: migrate, then load_seeds (each fails loudly on a refusal)."""
    call_command("migrate", "--noinput", verbosity=0)
    out = io.StringIO()
    call_command("load_seeds", stdout=out)
    return out.getvalue().splitlines()


def test_a_registry_with_a_later_staff_decision_starts_and_keeps_it(desk_client, client):
    successor = record_a_later_decision(desk_client)
    document = successor.sources.get().document
    assert document.date == datetime.date(2026, 2, 25) and document.text  # newer than every seed document
    predecessor = Appointment.objects.get(post__slug=CHAIRMAN, person__slug="nguyen-van-duoc")
    assert predecessor.end_date == datetime.date(2026, 3, 1)

    lines = start_up()

    assert lines[-1] == "nothing changed"
    # The report lists what it kept: the seeded chairman's end the staff wrote.
    kept = [line for line in lines if line.startswith("kept: ")]  # "kept: appointment 1 end_date, edited … by bientap"
    assert any(f" {predecessor.pk} end_date, edited" in line and line.endswith("by bientap") for line in kept), lines
    successor.refresh_from_db()
    predecessor.refresh_from_db()
    assert (successor.start_date, successor.end_date) == (datetime.date(2026, 3, 2), None)
    assert predecessor.end_date == datetime.date(2026, 3, 1)
    assert Document.objects.filter(pk=document.pk, text=document.text).exists()
    # And it serves: the chairman on 2026-03-02 is the staff's successor, read as a client would.
    chart = client.get("/api/v1/organizations/ubnd-tp-hcm/chart/", {"as_of": "2026-03-02"}).json()
    chairman = next(post for post in chart["posts"] if post["label"] == "Chủ tịch")
    assert [holder["person"]["name"] for holder in chairman["holders"]] == ["Trần Minh Tâm"]

    assert start_up()[-1] == "nothing changed"  # and again: the start-up is repeatable


def test_the_latest_documents_are_the_seed_files_own_whatever_staff_add(desk_client):
    record_a_later_decision(desk_client)
    data = _read(SEED_FILE)
    known = seed_rules.merged(seed_rules.known_from_database(), seed_rules.known_from_file(data, SEED_FILE.parent))
    assert known.newest_article == datetime.date(2025, 12, 22)
    assert seed_rules.check(data, SEED_FILE.parent) == []
