"""Documents (news articles and legal instruments) and the citations that tie facts to them."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.choices import DocumentKind
from registry.models import fields
from registry.models.base import (
    ChecksAtSave,
    RegistryModel,
    RegistryQuerySet,
    clean_fields_and_text,
    named,
    precision_field,
    refused_unless,
    search_text_field,
)
from registry.text import comparable, nfc


class Document(RegistryModel):
    """A source: a seeded news article (with its full text) or an instrument the articles mention."""

    slug = fields.slug_key(_("Stable ASCII key."), max_length=160)
    kind = fields.choice(DocumentKind, _("kind"), _("Kind of document."), max_length=16)
    number = fields.text(
        _("number"), _("Official number as written, e.g. 59-NQ/TW or 153/NQ-CP."), max_length=60, optional=True
    )
    title = fields.text(_("title"), _("Title in Vietnamese (NFC)."), max_length=500)
    title_en = fields.text(_("title en"), _("English translation of the title."), max_length=500, optional=True)
    # PROTECT: a document keeps the body that issued it.
    issuer = fields.reference(
        "registry.Organization",
        _("issuer"),
        _("The body that issued the instrument."),
        related_name="documents_issued",
        optional=True,
    )
    issued_on = fields.optional_date(_("issued on"), _("Date of issue of an instrument, if a source gives it."))
    published_on = fields.optional_date(_("published on"), _("Publication date of an article."))
    date_precision = precision_field(
        _("date precision"),
        _("Precision of issued_on/published_on; inferred means the source does not print it (see date_note)."),
    )
    date_note = fields.prose(_("date note"), _("What the document itself says of its date, and any inference."))
    publisher = fields.text(_("publisher"), _("Outlet that published an article."), max_length=200, optional=True)
    author = fields.text(_("author"), _("Byline of an article."), max_length=200, optional=True)
    file_name = fields.text(
        _("file name"), _("File of a seeded article in the project's seeds/ folder."), max_length=200, optional=True
    )
    text = fields.prose(_("text"), _("Full text of a seeded article; quotes are checked against it."))
    search_text = search_text_field()

    search_fields = ("title", "title_en", "number")
    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("document"), _("documents")
        ordering = ("kind", "slug", "id")
        indexes = [models.Index(fields=("kind", "slug", "id"), name="registry_document_order")]
        constraints = [
            refused_unless(
                "date_precision",
                Q(published_on__isnull=True) & Q(issued_on__isnull=True) | ~Q(date_precision=""),
                named("date_precision"),
                "A date (published_on or issued_on) goes with its date_precision: give both.",
            ),
            models.UniqueConstraint(fields=("file_name",), condition=~Q(file_name=""), name=named("unique_file_name")),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title

    def clean(self) -> None:
        super().clean()
        self.refuse_orphaned_citations()

    def refuse_orphaned_citations(self) -> None:
        """Every quote cited from this document must stay in its text: a new text that drops one is refused, naming
        each citation it would orphan and the record that rests on it (the check the loader and Citation.clean make,
        made from the document's side)."""
        if self.pk is None:
            return
        if not self.text and not Document.objects.filter(pk=self.pk).exclude(text="").exists():
            return  # no text before or after: nothing was ever checked against it
        text = comparable(self.text)
        orphaned = [c for c in self.citations.select_related("content_type").order_by("pk") if not c.quoted_in(text)]
        if orphaned:
            raise ValidationError({"text": [citation.orphaned_message() for citation in orphaned]})

    @property
    def date(self):
        """The document's own day: issued (an instrument) or published (an article); its precision is date_precision."""
        return self.issued_on or self.published_on


class Citation(ChecksAtSave):
    """A verbatim quote from a document, supporting one record (and optionally one of its fields)."""

    # CASCADE on the content type only: Django's own table, removed with the model itself.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type"), help_text=_("Kind of the cited record.")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"), help_text=_("Id of the cited record."))
    record = GenericForeignKey("content_type", "object_id")
    # PROTECT: a document that facts rest on cannot be deleted while they do.
    document = fields.reference(Document, _("document"), _("The document quoted."), related_name="citations")
    quote = fields.prose(
        _("quote"), _("Verbatim text from the document (checked against it when it has text)."), optional=False
    )
    field = fields.text(
        _("field"),
        _("The field or fact the quote supports; blank: the record as a whole."),
        max_length=64,
        optional=True,
    )
    created = models.DateTimeField(
        auto_now_add=True, verbose_name=_("created"), help_text=_("When this citation was recorded.")
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name, verbose_name_plural = _("citation"), _("citations")
        ordering = ("content_type", "object_id", "document__slug", "id")
        indexes = [models.Index(fields=("content_type", "object_id"), name="registry_citation_record")]
        constraints = [
            models.UniqueConstraint(
                fields=("content_type", "object_id", "document", "quote"),
                name=named("unique_quote_per_record"),
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name=named("quote_required"),
                violation_error_message="A citation needs a quote.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.slug}: “{self.quote[:60]}”"

    def save(self, *args, **kwargs):
        self.quote = nfc(self.quote)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        self.quote = nfc(self.quote)
        clean_fields_and_text(self, super().clean_fields, exclude)

    def clean(self) -> None:
        super().clean()
        self.quote = nfc(self.quote)
        if self.document_id and self.document.text and not self.quoted_in(comparable(self.document.text)):
            raise ValidationError({"quote": f"The quote is not in document {self.document.slug!r}: “{self.quote}”."})

    def quoted_in(self, comparable_text: str) -> bool:
        """Whether the quote occurs in a text already in ``comparable`` form (NFC, white space as single spaces)."""
        return comparable(self.quote) in comparable_text

    def orphaned_message(self) -> str:
        record = self.record
        name = (getattr(record, "slug", None) or str(record)) if record is not None else f"#{self.object_id}"
        return (
            f"Citation {self.pk} of {self.content_type.model} {name!r} quotes “{self.quote}”, which the new text "
            "no longer contains: change or remove that citation first."
        )
