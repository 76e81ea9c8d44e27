"""API representations. Related records render brief (id, slug, name, url) and are written by their lookup key."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.serializers import as_serializer_error

from registry import services
from registry.api.fields import BriefRelatedField
from registry.api.strict import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictIntegerField,
    StrictSlugField,
)
from registry.choices import DatePrecision
from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.selectors import holders_of, vacant_seats

NS = "registry-api"


def _url(view: str, lookup_field: str = "slug") -> serializers.HyperlinkedIdentityField:
    return serializers.HyperlinkedIdentityField(view_name=f"{NS}:{view}-detail", lookup_field=lookup_field)


# --- brief forms -------------------------------------------------------------------------------------------------


class BriefOrganizationSerializer(serializers.ModelSerializer):
    url = _url("organization")

    class Meta:
        model = Organization
        fields = ("id", "slug", "name", "url")


class BriefPersonSerializer(serializers.ModelSerializer):
    url = _url("person")

    class Meta:
        model = Person
        fields = ("id", "slug", "name", "url")


class BriefPortfolioSerializer(serializers.ModelSerializer):
    url = _url("portfolio")

    class Meta:
        model = Portfolio
        fields = ("id", "slug", "name", "url")


class BriefDocumentSerializer(serializers.ModelSerializer):
    url = _url("document")

    class Meta:
        model = Document
        fields = ("id", "slug", "number", "title", "url")


class BriefPostSerializer(serializers.ModelSerializer):
    url = _url("post", "pk")
    name = serializers.CharField(source="__str__", read_only=True, help_text="Title, body and portfolio.")

    class Meta:
        model = Post
        fields = ("id", "slug", "label", "name", "url")


class BriefAppointmentSerializer(serializers.ModelSerializer):
    url = _url("appointment", "pk")
    name = serializers.CharField(source="__str__", read_only=True, help_text="Person and post.")

    class Meta:
        model = Appointment
        fields = ("id", "name", "url")


class SourceSerializer(serializers.ModelSerializer):
    document = BriefDocumentSerializer(read_only=True)

    class Meta:
        model = Citation
        fields = ("document", "quote", "field")


# --- the base every writable serializer uses -------------------------------------------------------------------


class ValidatedModelSerializer(serializers.ModelSerializer):
    """Runs the model's ``full_clean()`` so the API refuses exactly what the admin and the seed loader refuse.

    Writes go through ``services.record_save`` so the optional ``reason`` is kept in the record's history.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.DateField: StrictDateField,
        models.BooleanField: StrictBooleanField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.IntegerField: StrictIntegerField,
    }
    serializer_choice_field = StrictChoiceField

    sources = SourceSerializer(many=True, read_only=True, help_text="Documents and verbatim quotes for this record.")
    reason = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Why the change is made; kept in the record's history and the change feed.",
    )

    def _many_to_many(self) -> set[str]:
        return {field.name for field in self.Meta.model._meta.many_to_many}

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy.copy(self.instance) if self.instance is not None else self.Meta.model()
        for name, value in attrs.items():
            if name not in self._many_to_many() and name != "reason":
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(as_serializer_error(error)) from error
        return attrs

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, validated_data):
        reason = validated_data.pop("reason", "")
        related = {name: validated_data.pop(name) for name in self._many_to_many() if name in validated_data}
        for name, value in validated_data.items():
            setattr(instance, name, value)
        services.record_save(instance, reason=reason)
        for name, value in related.items():
            getattr(instance, name).set(value)
        return instance


def organization_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(BriefOrganizationSerializer, queryset=Organization.objects.all(), **kwargs)


def person_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(BriefPersonSerializer, queryset=Person.objects.all(), **kwargs)


def portfolio_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(BriefPortfolioSerializer, queryset=Portfolio.objects.all(), **kwargs)


def document_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(BriefDocumentSerializer, queryset=Document.objects.all(), **kwargs)


def post_field(**kwargs) -> BriefRelatedField:
    return BriefRelatedField(BriefPostSerializer, lookup="pk", queryset=Post.objects.all(), **kwargs)


# --- resources ---------------------------------------------------------------------------------------------------


class DutySerializer(serializers.ModelSerializer):
    class Meta:
        model = Duty
        fields = ("order", "text", "text_en")


class OrganizationSerializer(ValidatedModelSerializer):
    url = _url("organization")
    parent = organization_field(required=False, allow_null=True, help_text="The body this one belongs to (slug).")
    legal_basis = document_field(many=True, required=False, help_text="Documents founding or mandating it (slugs).")
    duties = DutySerializer(many=True, read_only=True, help_text="The body's mandate, in the sources' order.")

    class Meta:
        model = Organization
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
            "legal_basis",
            "duties",
            "note",
            "sources",
            "reason",
            "created",
            "updated",
        )


class PersonAppointmentSerializer(serializers.ModelSerializer):
    """An appointment as listed under its person."""

    url = _url("appointment", "pk")
    post = BriefPostSerializer(read_only=True)
    organization = BriefOrganizationSerializer(source="post.organization", read_only=True)
    capacity = BriefPostSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = (
            "id",
            "url",
            "post",
            "organization",
            "capacity",
            "start_date",
            "start_date_precision",
            "end_date",
            "end_date_precision",
        )


class PersonSerializer(ValidatedModelSerializer):
    url = _url("person")
    appointments = PersonAppointmentSerializer(many=True, read_only=True, help_text="Every post the person held.")

    class Meta:
        model = Person
        fields = (
            "id",
            "url",
            "slug",
            "name",
            "family_name",
            "given_name",
            "honorific",
            "appointments",
            "sources",
            "reason",
            "created",
            "updated",
        )


class PortfolioSerializer(ValidatedModelSerializer):
    url = _url("portfolio")

    class Meta:
        model = Portfolio
        fields = ("id", "url", "slug", "name", "name_en", "sources", "reason", "created", "updated")


class DocumentSerializer(ValidatedModelSerializer):
    url = _url("document")
    issuer = organization_field(required=False, allow_null=True, help_text="The issuing body (slug).")

    class Meta:
        model = Document
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


class HolderSerializer(serializers.ModelSerializer):
    """Who holds a post on the requested day, in what capacity, since and until when."""

    appointment = serializers.IntegerField(source="id", read_only=True, help_text="Id of the appointment.")
    person = BriefPersonSerializer(read_only=True)
    capacity = BriefPostSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = (
            "appointment",
            "person",
            "capacity",
            "start_date",
            "start_date_precision",
            "end_date",
            "end_date_precision",
        )


class HoldersMixin(serializers.Serializer):
    holders = serializers.SerializerMethodField(help_text="Holders on the as_of day (today by default).")
    vacant_seats = serializers.SerializerMethodField(help_text="Seats nobody holds that day; null if seats unknown.")

    @extend_schema_field(HolderSerializer(many=True))
    def get_holders(self, post: Post) -> list:
        return HolderSerializer(holders_of(post), many=True, context=self.context).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_vacant_seats(self, post: Post) -> int | None:
        return vacant_seats(post)


class PostSerializer(HoldersMixin, ValidatedModelSerializer):
    url = _url("post", "pk")
    organization = organization_field(help_text="The body of the post (slug).")
    portfolio = portfolio_field(required=False, allow_null=True, help_text="Area of responsibility (slug).")
    ex_officio_of = post_field(required=False, allow_null=True, help_text="Post whose holder holds this one (id).")

    class Meta:
        model = Post
        fields = (
            "id",
            "url",
            "slug",
            "organization",
            "label",
            "label_en",
            "role",
            "rank",
            "seats",
            "portfolio",
            "standing",
            "ex_officio_of",
            "holders",
            "vacant_seats",
            "sources",
            "reason",
            "created",
            "updated",
        )


class AppointmentSerializer(ValidatedModelSerializer):
    url = _url("appointment", "pk")
    person = person_field(help_text="Who holds the post (slug).")
    post = post_field(help_text="The post held (id).")
    organization = BriefOrganizationSerializer(source="post.organization", read_only=True)
    role = serializers.CharField(source="post.role", read_only=True, help_text="Generic rank of the post.")
    capacity = post_field(required=False, allow_null=True, help_text="Post by virtue of which it is held (id).")

    class Meta:
        model = Appointment
        fields = (
            "id",
            "url",
            "person",
            "post",
            "organization",
            "role",
            "capacity",
            "start_date",
            "start_date_precision",
            "end_date",
            "end_date_precision",
            "end_reason",
            "note",
            "sources",
            "reason",
            "created",
            "updated",
        )

    def create(self, validated_data):
        return services.appointment_create(**validated_data)

    def update(self, instance, validated_data):
        reason = validated_data.pop("reason", "")
        return services.appointment_update(appointment=instance, changes=validated_data, reason=reason)


class RelationshipSerializer(ValidatedModelSerializer):
    url = _url("relationship", "pk")
    subject = organization_field(help_text="The body that acts (slug).")
    object = organization_field(help_text="The body acted towards (slug).")
    document = document_field(required=False, allow_null=True, help_text="Instrument behind it (slug).")

    class Meta:
        model = OrganizationRelationship
        fields = (
            "id",
            "url",
            "subject",
            "object",
            "kind",
            "start_date",
            "start_date_precision",
            "end_date",
            "end_date_precision",
            "document",
            "description",
            "description_en",
            "sources",
            "reason",
            "created",
            "updated",
        )


# --- the chart ---------------------------------------------------------------------------------------------------


class ChartPostSerializer(HoldersMixin, serializers.ModelSerializer):
    portfolio = BriefPortfolioSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Post
        fields = (
            "id",
            "label",
            "label_en",
            "role",
            "rank",
            "standing",
            "seats",
            "portfolio",
            "holders",
            "vacant_seats",
        )


class ChartSerializer(serializers.Serializer):
    organization = BriefOrganizationSerializer(read_only=True)
    as_of = serializers.DateField(read_only=True, help_text="The day the chart describes.")
    posts = ChartPostSerializer(many=True, read_only=True)
    support_agencies = BriefOrganizationSerializer(many=True, read_only=True)
    sub_organizations = BriefOrganizationSerializer(many=True, read_only=True)


# --- appointment actions ---------------------------------------------------------------------------------------


class SourceInputSerializer(serializers.Serializer):
    document = document_field(help_text="Slug of the document quoted.")
    quote = StrictCharField(help_text="Verbatim text from the document.")
    field = StrictCharField(required=False, allow_blank=True, default="", help_text="Field the quote supports.")


class AppointInputSerializer(serializers.Serializer):
    """Appoint a person to this post."""

    person = person_field(help_text="Slug of the person appointed.")
    start_date = StrictDateField(help_text="First day in post.")
    start_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    capacity = post_field(required=False, allow_null=True, help_text="Id of the post by virtue of which it is held.")
    note = StrictCharField(required=False, allow_blank=True, default="")
    sources = SourceInputSerializer(many=True, required=False, default=list)
    reason = StrictCharField(required=False, allow_blank=True, default="", help_text="Kept in the history.")


class SucceedInputSerializer(AppointInputSerializer):
    """Appoint a successor: the current holder's appointment ends the day before ``start_date``."""

    predecessor = BriefRelatedField(
        BriefAppointmentSerializer,
        lookup="pk",
        queryset=Appointment.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of the appointment to end; needed only on a full multi-seat post.",
    )
    end_reason = StrictCharField(required=False, allow_blank=True, default="", help_text="Why it ends.")


class SuccessionSerializer(serializers.Serializer):
    ended = AppointmentSerializer(read_only=True, allow_null=True, help_text="The predecessor's ended appointment.")
    started = AppointmentSerializer(read_only=True, help_text="The successor's new appointment.")


class EndInputSerializer(serializers.Serializer):
    """End this appointment."""

    end_date = StrictDateField(help_text="Last day in post.")
    end_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    end_reason = StrictCharField(required=False, allow_blank=True, default="", help_text="Why it ends.")
    reason = StrictCharField(required=False, allow_blank=True, default="", help_text="Kept in the history.")


# --- history and the change feed ------------------------------------------------------------------------------


class FieldChangeSerializer(serializers.Serializer):
    field = StrictCharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One recorded change of a record."""

    history_id = serializers.IntegerField()
    date = serializers.DateTimeField(help_text="When the change was made.")
    type = serializers.ChoiceField(choices=("created", "changed", "deleted"), help_text="What happened.")
    user = StrictCharField(allow_null=True, help_text="Who made it (username); null for the seed loader.")
    reason = StrictCharField(allow_null=True, help_text="Why, as given with the change.")
    changes = FieldChangeSerializer(many=True, help_text="Fields that changed, with old and new values.")


class ChangeSerializer(serializers.Serializer):
    """One entry of the registry-wide change feed."""

    cursor = StrictCharField(help_text="Pass as `cursor` to read the changes after this one.")
    model = StrictCharField(help_text="Kind of record: organization, person, post, appointment, …")
    object_id = serializers.IntegerField(help_text="Id of the record (it may since have been deleted).")
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=("created", "changed", "deleted"))
    user = StrictCharField(allow_null=True)
    reason = StrictCharField(allow_null=True)
    data = serializers.JSONField(help_text="The record's fields after the change (before it, for a deletion).")


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = StrictCharField(allow_null=True, help_text="Cursor of the last entry; null when none.")
    next = serializers.URLField(allow_null=True, help_text="URL of the next page; null when up to date.")
