"""The body of a changeset and its answer: several appointment writes that one document supports."""

from django.core.validators import RegexValidator
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from registry.api.serializers.base import InputSerializer, RelatedField
from registry.api.serializers.documents import DocumentSerializer
from registry.api.serializers.people import PersonSerializer
from registry.api.serializers.posts import PostSerializer
from registry.api.strict import StrictBooleanField, StrictCharField, StrictChoiceField, StrictDateField
from registry.choices import DatePrecision
from registry.models import Appointment, Document, Person, Post
from registry.services.changesets import APPOINT, END, MAX_OPERATIONS

SLUG_REFERENCE = {
    "type": "object",
    "properties": {"slug": {"type": "string", "minLength": 1, "description": "Slug of a stored record."}},
    "required": ["slug"],
    "additionalProperties": False,
}
#: `*`, or one or more entity tags (RFC 9110): "3" or W/"3", separated by commas (as the If-Match header takes).
ENTITY_TAGS = r'^\s*(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)\s*$'
IF_MATCH_FIELD = {
    "required": False,
    "allow_null": True,
    "default": None,
    "max_length": 200,
    "validators": [RegexValidator(ENTITY_TAGS, 'Expected * or entity tags such as "3", from an ETag.')],
}


def _new_record(serializer_class, data, context) -> dict:
    """The values of a new record, checked by its resource's serializer (a 400 naming each field otherwise)."""
    if "reason" in data:
        raise serializers.ValidationError({"reason": ["Give the reason once, at the top of the changeset."]})
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    values = dict(serializer.validated_data)
    values.pop("reason", None)
    return values


class ReferenceOrNewField(serializers.Field):
    """A record named by its key (or ``{"slug": …}``) or given as the fields of a new one; a slug may name a record
    created earlier in the same changeset, so it is resolved by the service, in order."""

    default_error_messages = {"invalid": "Expected {expected}."}
    serializer_class: type
    expected: str

    def reference(self, data):
        self.fail("invalid", expected=self.expected)

    def to_internal_value(self, data):
        if isinstance(data, dict) and set(data) == {"slug"}:
            if not isinstance(data["slug"], str) or not data["slug"]:
                raise serializers.ValidationError({"slug": ["Expected a slug string."]})
            return data["slug"]
        if isinstance(data, dict):
            return _new_record(self.serializer_class, data, self.context)
        return self.reference(data)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "description": "Id of a stored post."},
            SLUG_REFERENCE,
            {"$ref": "#/components/schemas/PostRequest"},
        ],
        "description": "The post: its id, {slug} (stored or created earlier in this changeset), or a new post.",
    }
)
class PostReferenceField(ReferenceOrNewField):
    serializer_class = PostSerializer
    expected = "a post id, {slug} or the fields of a new post"

    def reference(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid", expected=self.expected)
        try:
            return Post.objects.get(pk=data)
        except Post.DoesNotExist:
            raise serializers.ValidationError(f"No post with id {data}.") from None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "minLength": 1, "description": "Slug of a person, stored or created earlier."},
            SLUG_REFERENCE,
            {"$ref": "#/components/schemas/PersonRequest"},
        ],
        "description": "The person: a slug (stored or created earlier in this changeset), or a new person.",
    }
)
class PersonReferenceField(ReferenceOrNewField):
    serializer_class = PersonSerializer
    expected = "a person's slug, {slug} or the fields of a new person"

    def reference(self, data):
        if not isinstance(data, str) or not data:
            self.fail("invalid", expected=self.expected)
        return data


@extend_schema_field(
    {
        "oneOf": [SLUG_REFERENCE, {"$ref": "#/components/schemas/DocumentRequest"}],
        "description": "The document every quote is checked against: {slug} of a stored one, or a new one.",
    }
)
class DocumentReferenceField(ReferenceOrNewField):
    serializer_class = DocumentSerializer
    expected = "{slug} of a document or the fields of a new document"

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if isinstance(value, str):
            try:
                return Document.objects.get(slug=value)
            except Document.DoesNotExist:
                raise serializers.ValidationError({"slug": [f"No document with slug {value!r}."]}) from None
        return value


class AppointOperationSerializer(InputSerializer):
    """Appoint a person to a post; the quote is cited for the new appointment."""

    op = StrictChoiceField(choices=[APPOINT], help_text="`appoint`.")
    post = PostReferenceField()
    person = PersonReferenceField()
    capacity = RelatedField(
        Post, required=False, allow_null=True, default=None, help_text="Id of the post by virtue of which it is held."
    )
    start_date = StrictDateField(help_text="First day in post.")
    start_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    note = StrictCharField(required=False, allow_blank=True, default="")
    quote = StrictCharField(help_text="Verbatim text of the changeset's document that states the appointment.")
    if_match = StrictCharField(
        **IF_MATCH_FIELD, help_text="The post's ETag as last read: refused with 412 if the post changed since."
    )


class EndOperationSerializer(InputSerializer):
    """End an appointment; the quote is cited for its end date."""

    op = StrictChoiceField(choices=[END], help_text="`end`.")
    appointment = RelatedField(Appointment, help_text="Id of the appointment to end.")
    end_date = StrictDateField(help_text="Last day in post.")
    end_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    end_reason = StrictCharField(required=False, allow_blank=True, default="", max_length=255, help_text="Why it ends.")
    leaves_vacant = StrictBooleanField(
        required=False, default=False, help_text="The document states the seat stays empty after this end."
    )
    quote = StrictCharField(help_text="Verbatim text of the changeset's document that states the end.")
    if_match = StrictCharField(
        **IF_MATCH_FIELD, help_text="The appointment's ETag as last read: refused with 412 if it changed since."
    )


OPERATIONS = {APPOINT: AppointOperationSerializer, END: EndOperationSerializer}


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="ChangesetOperation",
        serializers=OPERATIONS,
        resource_type_field_name="op",
    )
)
class OperationField(serializers.Field):
    """One operation, checked by the serializer its ``op`` names."""

    default_error_messages = {"invalid": "Expected an object with op appoint or end."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        op = data.get("op")
        serializer_class = OPERATIONS.get(op) if isinstance(op, str) else None
        if serializer_class is None:
            raise serializers.ValidationError({"op": [f"Expected one of: {', '.join(OPERATIONS)}."]})
        serializer = serializer_class(data=data, context=self.context)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class ChangesetSerializer(InputSerializer):
    """Several writes from one document, applied all or nothing."""

    document = DocumentReferenceField()
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text="Kept in the history of every record written; by default `Changeset from document <slug>`.",
    )
    operations = serializers.ListField(
        child=OperationField(),
        min_length=1,
        max_length=MAX_OPERATIONS,
        help_text=f"Applied in order; a slug may name a record an earlier operation created. At most {MAX_OPERATIONS}.",
    )


class ChangesetCreatedSerializer(serializers.Serializer):
    """Every record a changeset created, in brief, in the order it was written."""

    documents = RelatedField(Document, many=True, read_only=True)
    people = RelatedField(Person, many=True, read_only=True)
    posts = RelatedField(Post, many=True, read_only=True)
    appointments = RelatedField(Appointment, many=True, read_only=True)


class ChangesetResultSerializer(serializers.Serializer):
    """What a changeset wrote."""

    document = RelatedField(Document, read_only=True, help_text="The document every quote was checked against.")
    reason = serializers.CharField(read_only=True, help_text="The reason kept with every write of the changeset.")
    created = ChangesetCreatedSerializer(read_only=True, source="*")
    ended = RelatedField(Appointment, many=True, read_only=True, help_text="The appointments it ended.")
