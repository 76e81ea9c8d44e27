"""Bodies, their duties, and the relationships between them."""

from registry.api.serializers.base import (
    DATED,
    NamedRecordSerializer,
    ReadModelSerializer,
    RegistryModelSerializer,
    RelatedField,
    url_field,
)
from registry.api.serializers.evidence import EVIDENCE, EvidenceMixin
from registry.models import Document, Duty, Organization, OrganizationRelationship


class DutySerializer(ReadModelSerializer):
    """One item of a body's mandate, in the order the sources list them."""

    class Meta:
        model = Duty
        fields = ("order", "text", "text_en")


class OrganizationSerializer(EvidenceMixin, NamedRecordSerializer):
    url = url_field("organization")
    parent = RelatedField(
        Organization, required=False, allow_null=True, help_text="The body this one belongs to (slug)."
    )
    legal_basis = RelatedField(
        Document, many=True, required=False, help_text="Documents founding or mandating it (slugs)."
    )
    duties = DutySerializer(many=True, read_only=True, help_text="The body's mandate, in the sources' order.")

    class Meta:
        model = Organization
        brief_fields = ("id", "slug", "name", "url")
        list_omits = ("legal_basis", "duties", "identifiers", "other_names", "sources")
        fields = (
            "id",
            "url",
            "slug",
            "name",
            "name_en",
            "abbreviation",
            "classification",
            "parent",
            "founding_date",
            "founding_date_precision",
            "dissolution_date",
            "dissolution_date_precision",
            *EVIDENCE,
            "legal_basis",
            "duties",
            "identifiers",
            "other_names",
            "note",
            "sources",
            "reason",
            "created",
            "updated",
        )


class RelationshipSerializer(EvidenceMixin, RegistryModelSerializer):
    url = url_field("relationship", "pk")
    subject = RelatedField(Organization, help_text="The body that acts (slug).")
    object = RelatedField(Organization, help_text="The body acted towards (slug).")
    document = RelatedField(Document, required=False, allow_null=True, help_text="Instrument behind it (slug).")

    class Meta:
        model = OrganizationRelationship
        list_omits = ("sources",)
        fields = (
            "id",
            "url",
            "subject",
            "object",
            "kind",
            *DATED,
            *EVIDENCE,
            "document",
            "description",
            "description_en",
            "sources",
            "reason",
            "created",
            "updated",
        )
