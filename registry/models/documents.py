"""Documents (news articles and legal instruments) and the citations that tie facts to them."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registry.choices import DatePrecision, DocumentKind
from registry.models.base import RegistryModel, search_text_field
from registry.text import comparable, nfc


class Document(RegistryModel):
    """A source: a seeded news article (with its full text) or an instrument the articles mention."""

    slug = models.SlugField(max_length=160, unique=True, help_text="Stable ASCII key.")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, help_text="Kind of document.")
    number = models.CharField(
        max_length=60, blank=True, help_text="Official number as written, e.g. 59-NQ/TW or 153/NQ-CP."
    )
    title = models.CharField(max_length=500, help_text="Title in Vietnamese (NFC).")
    title_en = models.CharField(max_length=500, blank=True, help_text="English translation of the title.")
    # PROTECT: a document keeps the body that issued it.
    issuer = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_issued",
        help_text="The body that issued the instrument.",
    )
    issued_on = models.DateField(
        null=True, blank=True, help_text="Date of issue of an instrument, if a source gives it."
    )
    published_on = models.DateField(null=True, blank=True, help_text="Publication date of an article.")
    date_precision = models.CharField(
        max_length=10,
        choices=DatePrecision.choices,
        blank=True,
        help_text="Precision of issued_on/published_on; inferred means the source does not print it (see date_note).",
    )
    date_note = models.TextField(blank=True, help_text="What the document itself says of its date, and any inference.")
    publisher = models.CharField(max_length=200, blank=True, help_text="Outlet that published an article.")
    author = models.CharField(max_length=200, blank=True, help_text="Byline of an article.")
    file_name = models.CharField(
        max_length=200, blank=True, help_text="File of a seeded article in the project's seeds/ folder."
    )
    text = models.TextField(blank=True, help_text="Full text of a seeded article; quotes are checked against it.")
    search_text = search_text_field()

    search_fields = ("title", "title_en", "number")

    class Meta:
        ordering = ("kind", "slug", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) & Q(issued_on__isnull=True) | ~Q(date_precision=""),
                name="%(app_label)s_%(class)s_date_precision",
                violation_error_message="date_precision is required when a date is given.",
            ),
            models.UniqueConstraint(
                fields=("file_name",), condition=~Q(file_name=""), name="%(app_label)s_%(class)s_unique_file_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title

    @property
    def date(self):
        return self.issued_on or self.published_on


class Citation(models.Model):
    """A verbatim quote from a document, supporting one record (and optionally one of its fields)."""

    # CASCADE on the content type only: Django's own table, removed with the model itself.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, help_text="Kind of the cited record.")
    object_id = models.PositiveBigIntegerField(help_text="Id of the cited record.")
    record = GenericForeignKey("content_type", "object_id")
    # PROTECT: a document that facts rest on cannot be deleted while they do.
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="citations", help_text="The document quoted."
    )
    quote = models.TextField(help_text="Verbatim text from the document (checked against it when it has text).")
    field = models.CharField(
        max_length=64, blank=True, help_text="The field or fact the quote supports; blank: the record as a whole."
    )
    created = models.DateTimeField(auto_now_add=True, help_text="When this citation was recorded.")
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ("content_type", "object_id", "document__slug", "id")
        indexes = [models.Index(fields=("content_type", "object_id"), name="registry_citation_record")]
        constraints = [
            models.UniqueConstraint(
                fields=("content_type", "object_id", "document", "quote"),
                name="%(app_label)s_%(class)s_unique_quote_per_record",
            ),
            models.CheckConstraint(
                condition=~Q(quote=""),
                name="%(app_label)s_%(class)s_quote_required",
                violation_error_message="A citation needs a quote.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.slug}: “{self.quote[:60]}”"

    def save(self, *args, **kwargs):
        self.quote = nfc(self.quote)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.quote = nfc(self.quote)
        if self.document_id and self.document.text and comparable(self.quote) not in comparable(self.document.text):
            raise ValidationError({"quote": f"The quote is not in document {self.document.slug!r}: “{self.quote}”."})
