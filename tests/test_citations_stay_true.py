"""A document's text cannot be changed so that a quote cited from it is no longer in it: the API, the admin and the
Popolo import refuse the same change (the rule is Document.clean()), name each citation and its record, and write
nothing. Quotes match as the loader matches them: NFC, white space as single spaces."""

import pytest
from django.urls import reverse

from registry.interop import popolo
from registry.models import Change, Document
from tests.factories import CitationFactory, DocumentFactory, OrganizationFactory, PersonFactory
from tests.helpers import admin_form

pytestmark = pytest.mark.django_db
TEXT = "Ông Trần Thử làm Giám đốc Sở Thử nghiệm. Bà Lê Thử làm Phó Giám đốc."
WITHOUT_THE_QUOTES = "Ông Trần Thử nghỉ hưu."


@pytest.fixture
def cited():
    """A document two records quote from: an organization (the director's sentence) and a person (the deputy's)."""
    document = DocumentFactory(text=TEXT)
    organization = OrganizationFactory(slug="so-thu-nghiem")
    person = PersonFactory(slug="le-thu")
    first = CitationFactory(document=document, record=organization, quote="Giám đốc Sở Thử nghiệm")
    second = CitationFactory(document=document, record=person, quote="Bà Lê Thử làm Phó Giám đốc")
    return document, first, second


def unchanged(document: Document) -> None:
    document_before = Document.objects.get(pk=document.pk)
    assert document_before.text == TEXT
    assert document_before.version == document.version
    assert not Change.objects.filter(model="document", object_id=document.pk, type="changed").exists()


def test_the_api_refuses_a_text_that_drops_cited_quotes_naming_each(editor_client, cited):
    document, first, second = cited
    response = editor_client.patch(
        f"/api/v1/documents/{document.slug}/", {"text": WITHOUT_THE_QUOTES, "reason": "new text"}, format="json"
    )
    assert response.status_code == 400, response.content
    messages = [error["message"] for error in response.json()["errors"] if error["field"] == "text"]
    assert len(messages) == 2
    assert f"Citation {first.pk} of organization 'so-thu-nghiem'" in messages[0]
    assert "“Giám đốc Sở Thử nghiệm”" in messages[0]
    assert f"Citation {second.pk} of person 'le-thu'" in messages[1]
    unchanged(document)


def test_the_api_refuses_emptying_a_cited_text(editor_client, cited):
    document, _, _ = cited
    response = editor_client.patch(f"/api/v1/documents/{document.slug}/", {"text": ""}, format="json")
    assert response.status_code == 400
    unchanged(document)


def test_a_text_that_keeps_every_quote_is_accepted_white_space_and_nfc_aside(editor_client, cited):
    document, _, _ = cited
    # Decomposed Vietnamese (NFD) and a no-break space inside a quote: the loader's matching finds them the same.
    import unicodedata

    new = unicodedata.normalize("NFD", "Mới: Giám đốc Sở\u00a0Thử  nghiệm; Bà Lê Thử làm Phó\nGiám đốc.")
    response = editor_client.patch(f"/api/v1/documents/{document.slug}/", {"text": new}, format="json")
    assert response.status_code == 200, response.content
    assert Document.objects.get(pk=document.pk).version == document.version + 1


def test_a_text_change_is_checked_against_only_its_own_citations(editor_client, cited):
    other = DocumentFactory(text=TEXT)
    response = editor_client.patch(f"/api/v1/documents/{other.slug}/", {"text": WITHOUT_THE_QUOTES}, format="json")
    assert response.status_code == 200, response.content


def test_the_admin_change_form_refuses_the_same_text(superuser_client, cited):
    document, first, second = cited
    url = reverse("admin:registry_document_change", args=[document.pk])
    response = superuser_client.post(url, admin_form(document, text=WITHOUT_THE_QUOTES, change_reason="new text"))
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors["text"]
    assert any(f"Citation {first.pk} of organization 'so-thu-nghiem'" in error for error in errors)
    assert any(f"Citation {second.pk} of person 'le-thu'" in error for error in errors)
    unchanged(document)


def test_the_popolo_import_refuses_the_same_text_and_writes_nothing(cited):
    document, first, _ = cited
    item = {"id": f"document/{document.slug}", "text": WITHOUT_THE_QUOTES, "title": "Bài báo đổi tên"}
    report = popolo.import_document({"documents": [item]}, reason="test")
    assert not report.applied
    [refusal] = report.refused
    assert refusal["id"] == f"document/{document.slug}"
    assert any(f"Citation {first.pk} of organization 'so-thu-nghiem'" in m for m in refusal["errors"]["text"])
    unchanged(document)
    assert Document.objects.get(pk=document.pk).title == document.title
