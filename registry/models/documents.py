"""Documents (news articles and legal instruments) and the citations that tie facts to them."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry.choices import DocumentKind
from registry.models.base import RegistryModel, RegistryQuerySet, precision_field, refused_unless, search_text_field
from registry.text import comparable, nfc


class Document(RegistryModel):
    """A source: a seeded news article (with its full text) or an instrument the articles mention."""

    slug = models.SlugField(max_length=160, unique=True, verbose_name=_("slug"), help_text=_("Stable ASCII key."))
    kind = models.CharField(
        max_length=16, choices=DocumentKind.choices, verbose_name=_("kind"), help_text=_("Kind of document.")
    )
    number = models.CharField(
        max_length=60,
        blank=True,
        verbose_name=_("number"),
        help_text=_("Official number as written, e.g. 59-NQ/TW or 153/NQ-CP."),
    )
    title = models.CharField(max_length=500, verbose_name=_("title"), help_text=_("Title in Vietnamese (NFC)."))
    title_en = models.CharField(
        max_length=500, blank=True, verbose_name=_("title en"), help_text=_("English translation of the title.")
    )
    # PROTECT: a document keeps the body that issued it.
    issuer = models.ForeignKey(
        "registry.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents_issued",
        verbose_name=_("issuer"),
        help_text=_("The body that issued the instrument."),
    )
    issued_on = models.DateField(
        null=True,
        blank=True,
        verbose_name=_("issued on"),
        help_text=_("Date of issue of an instrument, if a source gives it."),
    )
    published_on = models.DateField(
        null=True, blank=True, verbose_name=_("published on"), help_text=_("Publication date of an article.")
    )
    date_precision = precision_field(
        _("date precision"),
        _("Precision of issued_on/published_on; inferred means the source does not print it (see date_note)."),
    )
    date_note = models.TextField(
        blank=True,
        verbose_name=_("date note"),
        help_text=_("What the document itself says of its date, and any inference."),
    )
    publisher = models.CharField(
        max_length=200, blank=True, verbose_name=_("publisher"), help_text=_("Outlet that published an article.")
    )
    author = models.CharField(
        max_length=200, blank=True, verbose_name=_("author"), help_text=_("Byline of an article.")
    )
    file_name = models.CharField(
        max_length=200,
        blank=True,
        verbose_name=_("file name"),
        help_text=_("File of a seeded article in the project's seeds/ folder."),
    )
    text = models.TextField(
        blank=True, verbose_name=_("text"), help_text=_("Full text of a seeded article; quotes are checked against it.")
    )
    search_text = search_text_field()

    search_fields = ("title", "title_en", "number")
    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ("kind", "slug", "id")
        indexes = [models.Index(fields=("kind", "slug", "id"), name="registry_document_order")]
        constraints = [
            refused_unless(
                "date_precision",
                Q(published_on__isnull=True) & Q(issued_on__isnull=True) | ~Q(date_precision=""),
                "%(app_label)s_%(class)s_date_precision",
                "date_precision is required when a date is given.",
            ),
            models.UniqueConstraint(
                fields=("file_name",), condition=~Q(file_name=""), name="%(app_label)s_%(class)s_unique_file_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip() if self.number else self.title

    @property
    def date(self):
        """The document's own day: issued (an instrument) or published (an article); its precision is date_precision."""
        return self.issued_on or self.published_on


class Citation(models.Model):
    """A verbatim quote from a document, supporting one record (and optionally one of its fields)."""

    # CASCADE on the content type only: Django's own table, removed with the model itself.
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("content type"), help_text=_("Kind of the cited record.")
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("object id"), help_text=_("Id of the cited record."))
    record = GenericForeignKey("content_type", "object_id")
    # PROTECT: a document that facts rest on cannot be deleted while they do.
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="citations",
        verbose_name=_("document"),
        help_text=_("The document quoted."),
    )
    quote = models.TextField(
        verbose_name=_("quote"), help_text=_("Verbatim text from the document (checked against it when it has text).")
    )
    field = models.CharField(
        max_length=64,
        blank=True,
        verbose_name=_("field"),
        help_text=_("The field or fact the quote supports; blank: the record as a whole."),
    )
    created = models.DateTimeField(
        auto_now_add=True, verbose_name=_("created"), help_text=_("When this citation was recorded.")
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
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
