"""The seed file at its edges: shapes and types the loader refuses (naming the record and the rule, writing
nothing), and the records of the seeds that staff have since taken over, which a later run leaves alone.

Every test sees the seeded registry (tests/conftest.py)."""

import pytest

from registry import services
from registry.models import Duty, Organization, Person, Post
from registry.seeding import SeedError, load_seed_file
from tests.test_seeding import seeded_record, write_seed

pytestmark = pytest.mark.django_db

COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"


def refusal(tmp_path, data: dict) -> str:
    """The loader's refusal of ``data``, as the message it gives."""
    with pytest.raises(SeedError) as caught:
        load_seed_file(write_seed(tmp_path, data))
    return str(caught.value)


# --- shapes ---------------------------------------------------------------------------------------------------------


def test_a_section_that_is_not_a_list_is_refused(tmp_path):
    message = refusal(tmp_path, {"people": {"slug": "test-person-alone", "name": "Trần Thử"}})
    assert "people: expected a list of records." in message
    assert not Person.objects.filter(slug="test-person-alone").exists()


def test_a_record_that_is_not_a_mapping_is_refused_and_quoted(tmp_path):
    message = refusal(tmp_path, {"people": ["Trần Thử"]})
    assert "people #1 ('Trần Thử'): expected a mapping." in message


def test_a_duty_that_is_not_a_mapping_of_document_and_text_is_refused(tmp_path):
    committee = seeded_record("organizations", slug=COMMITTEE)
    committee["duties"][1] = "chỉ một câu, không có văn bản nguồn"
    message = refusal(tmp_path, {"organizations": [committee]})
    assert "duty #2: expected keys ['document', 'text', 'text_en'] (document and text required)." in message
    assert Duty.objects.get(organization__slug=COMMITTEE, order=2).text != committee["duties"][1]


# --- types ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def seeded_post() -> dict:
    return seeded_record("posts", slug="ubnd-tp-hcm-chu-tich")


@pytest.mark.parametrize("value", ["yes", 1])
def test_a_flag_must_be_true_or_false(tmp_path, seeded_post, value):
    message = refusal(tmp_path, {"posts": [seeded_post | {"standing": value}]})
    assert f"posts (ubnd-tp-hcm-chu-tich) standing: expected true or false, got {value!r}." in message


@pytest.mark.parametrize("value", ["1", True, 1.5])
def test_a_count_must_be_a_whole_number(tmp_path, seeded_post, value):
    message = refusal(tmp_path, {"posts": [seeded_post | {"seats": value}]})
    assert f"posts (ubnd-tp-hcm-chu-tich) seats: expected a whole number, got {value!r}." in message
    assert Post.objects.get(slug="ubnd-tp-hcm-chu-tich").seats == 1


def test_an_empty_reference_means_none(tmp_path):
    body = {"slug": "test-body-top", "name": "Cơ quan thử", "classification": "office", "parent": None}
    load_seed_file(write_seed(tmp_path, {"organizations": [body]}))
    assert Organization.objects.get(slug="test-body-top").parent is None


# --- records staff have taken over -----------------------------------------------------------------------------------


def test_a_seeded_record_deleted_and_made_again_by_staff_is_theirs(tmp_path):
    person = {"slug": "test-person-remade", "name": "Trần Thử"}
    load_seed_file(write_seed(tmp_path, {"people": [person]}))
    services.record_delete(instance=Person.objects.get(slug="test-person-remade"), reason="entered twice")
    services.record_create(model=Person, values={"slug": "test-person-remade", "name": "Trần Văn Thử"})

    report = load_seed_file(write_seed(tmp_path, {"people": [person | {"name": "Trần Thị Thử"}]}))

    assert Person.objects.get(slug="test-person-remade").name == "Trần Văn Thử"
    assert any(line.startswith("kept: person") and "name, edited" in line for line in report.kept), report.kept


def test_a_duty_dropped_from_the_file_but_edited_by_staff_is_kept(tmp_path):
    committee = seeded_record("organizations", slug=COMMITTEE)
    last = Duty.objects.filter(organization__slug=COMMITTEE).order_by("order").last()
    services.record_update(instance=last, changes={"text_en": "Edited by the desk."}, reason="wording")
    committee["duties"] = committee["duties"][: last.order - 1]

    report = load_seed_file(write_seed(tmp_path, {"organizations": [committee]}))

    assert Duty.objects.get(pk=last.pk).text_en == "Edited by the desk."
    assert f"kept: duty {last.pk} (no longer in the seeds), edited" in "\n".join(report.kept)
    assert report.deleted == {}
