"""Documents: the seeded articles with their text, and the instruments they mention."""

from registry.api.serializers.base import RegistryModelSerializer, RelatedField, url_field
from registry.models import Document, Organization


class DocumentSerializer(RegistryModelSerializer):
    url = url_field("document")
    issuer = RelatedField(Organization, required=False, allow_null=True, help_text="The issuing body (slug).")

    class Meta:
        model = Document
        brief_fields = ("id", "slug", "number", "title", "url")
        list_omits = ("sources",)
        fields = (
            "id",
            "url",
            "slug",
            "kind",
            "number",
            "title",
            "title_en",
            "issuer",
            "issued_on",
            "published_on",
            "date_precision",
            "date_note",
            "publisher",
            "author",
            "file_name",
            "text",
            "sources",
            "reason",
            "created",
            "updated",
        )
