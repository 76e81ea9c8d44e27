"""Popolo's parts of a Vietnamese name: family name (họ) first, given name (tên) last, the words between them as
``additional_name`` — read back by the import as the same person, nothing changed."""

import pytest

from registry.interop import popolo
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "family", "given", "additional"),
    [
        ("Bùi Tá Hoàng Vũ", "Bùi", "Vũ", "Tá Hoàng"),
        ("Nguyễn Văn Được", "Nguyễn", "Được", "Văn"),
        ("Lê Lan", "Lê", "Lan", None),  # nothing between the two
        ("Phạm Thị Thanh Hiền", "Phạm", "", None),  # no given name recorded: no guess
        ("Thanh Hiền Phạm", "Phạm", "Hiền", None),  # not written family name first
    ],
)
def test_the_words_between_family_and_given_name_are_the_additional_name(name, family, given, additional):
    person = PersonFactory(name=name, family_name=family, given_name=given)
    data = popolo.person_data(person)
    assert data.get("additional_name") == additional
    assert data.get("family_name") == (family or None)


def test_an_export_with_additional_names_is_valid_popolo_and_imports_as_no_change():
    PersonFactory(slug="bui-tho-thu", name="Bùi Tá Hoàng Thử", family_name="Bùi", given_name="Thử")
    document = popolo.export()
    assert popolo.validate(document) == []
    person = next(p for p in document["persons"] if p.get("slug") == "bui-tho-thu")
    assert person["additional_name"] == "Tá Hoàng"
    report = popolo.import_document(document, dry_run=True)
    assert not report.updated and not report.refused
