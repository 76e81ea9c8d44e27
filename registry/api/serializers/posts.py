"""Portfolios, posts with their holders on a day, appointments, the chart of a body, and the appointment actions."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry import services
from registry.api.serializers.base import (
    DATED,
    InputSerializer,
    ReadModelSerializer,
    RegistryModelSerializer,
    RelatedField,
    url_field,
)
from registry.api.serializers.evidence import EVIDENCE, EvidenceMixin, KnownAfterSerializer, KnownBeforeSerializer
from registry.api.strict import StrictBooleanField, StrictCharField, StrictChoiceField, StrictDateField
from registry.choices import DatePrecision
from registry.models import Appointment, Document, Organization, Person, Portfolio, Post
from registry.selectors import seat_states


class PortfolioSerializer(RegistryModelSerializer):
    url = url_field("portfolio")

    class Meta:
        model = Portfolio
        brief_fields = ("id", "slug", "name", "url")
        list_omits = ("sources",)
        fields = ("id", "url", "slug", "name", "name_en", "sources", "reason", "created", "updated")


class HolderSerializer(EvidenceMixin, ReadModelSerializer):
    """Who holds a post on the requested day, in what capacity, since and until when."""

    appointment = serializers.IntegerField(source="id", read_only=True, help_text="Id of the appointment.")
    person = RelatedField(Person, read_only=True)
    capacity = RelatedField(Post, read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = ("appointment", "person", "capacity", *DATED, *EVIDENCE)


class HoldersMixin(serializers.Serializer):
    """A post's seats on the day asked (`as_of`, else today): held, vacant, unknown."""

    holders = HolderSerializer(many=True, read_only=True, help_text="Holders on the as_of day (today by default).")
    vacant_seats = serializers.SerializerMethodField(
        help_text="Seats a source states are empty that day (an earlier end with leaves_vacant, no holder since); "
        "null if the number of seats is not stated."
    )
    unknown_seats = serializers.SerializerMethodField(
        help_text="Seats nobody is known to hold that day and no source says are empty (not a vacancy); null if the "
        "number of seats is not stated."
    )
    last_known = serializers.SerializerMethodField(
        help_text="When a seat is unknown: the post's last appointment that ended before the day (null if none)."
    )
    next_known = serializers.SerializerMethodField(
        help_text="When a seat is unknown: the post's first appointment that starts after the day (null if none)."
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_vacant_seats(self, post: Post) -> int | None:
        return seat_states(post).vacant

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_unknown_seats(self, post: Post) -> int | None:
        return seat_states(post).unknown

    @extend_schema_field(KnownBeforeSerializer(allow_null=True))
    def get_last_known(self, post: Post) -> dict | None:
        known = seat_states(post).last_known
        return None if known is None else KnownBeforeSerializer(known, context=self.context).data

    @extend_schema_field(KnownAfterSerializer(allow_null=True))
    def get_next_known(self, post: Post) -> dict | None:
        known = seat_states(post).next_known
        return None if known is None else KnownAfterSerializer(known, context=self.context).data


SEAT_STATES = ("holders", "vacant_seats", "unknown_seats", "last_known", "next_known")


class SourceInputSerializer(InputSerializer):
    document = RelatedField(Document, help_text="Slug of the document quoted.")
    quote = StrictCharField(help_text="Verbatim text from the document.")
    field = StrictCharField(required=False, allow_blank=True, default="", help_text="Field the quote supports.")


class PostSerializer(HoldersMixin, RegistryModelSerializer):
    url = url_field("post", "pk")
    new_sources = SourceInputSerializer(
        many=True,
        write_only=True,
        required=False,
        max_length=services.MAX_SOURCES,
        help_text="When the post is created (and only then): the documents and verbatim quotes that establish it, "
        f"at least one and at most {services.MAX_SOURCES}; shown afterwards in `sources`.",
    )
    name = serializers.CharField(source="__str__", read_only=True, help_text="Title, body and portfolio.")
    organization = RelatedField(Organization, help_text="The body of the post (slug).")
    portfolio = RelatedField(Portfolio, required=False, allow_null=True, help_text="Area of responsibility (slug).")
    ex_officio_of = RelatedField(
        Post, required=False, allow_null=True, help_text="Post whose holder holds this one (id)."
    )

    class Meta:
        model = Post
        brief_fields = ("id", "slug", "label", "name", "url")
        list_omits = ("sources",)
        lookup_field = "pk"
        extra_kwargs = {
            "slug": {
                "required": False,
                "help_text": "Stable ASCII key; when a new post leaves it out, the body's slug, the title and the "
                "portfolio's slug.",
            }
        }
        fields = (
            "id",
            "url",
            "slug",
            "name",
            "organization",
            "label",
            "label_en",
            "role",
            "rank",
            "seats",
            "portfolio",
            "standing",
            "ex_officio_of",
            *SEAT_STATES,
            "sources",
            "new_sources",
            "reason",
            "created",
            "updated",
        )

    def create(self, validated_data):
        sources = validated_data.pop("new_sources", [])
        reason = validated_data.pop("reason", "")
        validated_data.pop("if_match", None)
        try:
            return services.record_create(model=Post, values=validated_data, reason=reason, sources=sources)
        except ValidationError as error:  # the service names its argument; the request calls it new_sources
            errors = error.update_error_dict({})
            raise ValidationError(
                {f"new_{name}" if name.startswith("sources") else name: e for name, e in errors.items()}
            ) from error

    def update(self, instance, validated_data):
        if "new_sources" in validated_data:
            raise serializers.ValidationError(
                {"new_sources": ["Sources are given when the post is created; a stored post keeps its own."]}
            )
        return super().update(instance, validated_data)


class AppointmentSerializer(EvidenceMixin, RegistryModelSerializer):
    url = url_field("appointment", "pk")
    name = serializers.CharField(source="__str__", read_only=True, help_text="Person and post.")
    person = RelatedField(Person, help_text="Who holds the post (slug).")
    post = RelatedField(Post, help_text="The post held (id).")
    organization = RelatedField(Organization, source="post.organization", read_only=True)
    role = serializers.CharField(source="post.role", read_only=True, help_text="Generic rank of the post.")
    capacity = RelatedField(Post, required=False, allow_null=True, help_text="Post by virtue of which it is held (id).")

    class Meta:
        model = Appointment
        brief_fields = ("id", "name", "url")
        list_omits = ("sources",)
        lookup_field = "pk"
        fields = (
            "id",
            "url",
            "name",
            "person",
            "post",
            "organization",
            "role",
            "capacity",
            *DATED,
            "end_reason",
            "leaves_vacant",
            *EVIDENCE,
            "note",
            "sources",
            "reason",
            "created",
            "updated",
        )


# --- the chart ---------------------------------------------------------------------------------------------------


class ChartPostSerializer(HoldersMixin, ReadModelSerializer):
    portfolio = RelatedField(Portfolio, read_only=True, allow_null=True)

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
            *SEAT_STATES,
        )


class ChartSerializer(serializers.Serializer):
    organization = RelatedField(Organization, read_only=True)
    as_of = serializers.DateField(read_only=True, help_text="The day the chart describes.")
    posts = ChartPostSerializer(many=True, read_only=True)
    support_agencies = RelatedField(Organization, many=True, read_only=True)
    sub_organizations = RelatedField(Organization, many=True, read_only=True)


# --- appointment actions ---------------------------------------------------------------------------------------


class AppointInputSerializer(InputSerializer):
    """Appoint a person to this post."""

    person = RelatedField(Person, help_text="Slug of the person appointed.")
    start_date = StrictDateField(help_text="First day in post.")
    start_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    capacity = RelatedField(
        Post, required=False, allow_null=True, help_text="Id of the post by virtue of which it is held."
    )
    note = StrictCharField(required=False, allow_blank=True, default="")
    sources = SourceInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=services.MAX_SOURCES,
        help_text=f"Documents and verbatim quotes for the appointment; at most {services.MAX_SOURCES}.",
    )
    reason = StrictCharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Kept in the history."
    )


class SucceedInputSerializer(AppointInputSerializer):
    """Appoint a successor: the current holder's appointment ends the day before `start_date`."""

    predecessor = RelatedField(
        Appointment,
        required=False,
        allow_null=True,
        help_text="Id of the appointment to end; needed only on a full multi-seat post.",
    )
    end_reason = StrictCharField(required=False, allow_blank=True, default="", max_length=255, help_text="Why it ends.")


class SuccessionSerializer(serializers.Serializer):
    ended = AppointmentSerializer(read_only=True, allow_null=True, help_text="The predecessor's ended appointment.")
    started = AppointmentSerializer(read_only=True, help_text="The successor's new appointment.")


class EndInputSerializer(InputSerializer):
    """End this appointment."""

    end_date = StrictDateField(help_text="Last day in post.")
    end_date_precision = StrictChoiceField(choices=DatePrecision.choices, default=DatePrecision.EXACT)
    end_reason = StrictCharField(required=False, allow_blank=True, default="", max_length=255, help_text="Why it ends.")
    leaves_vacant = StrictBooleanField(
        required=False,
        default=False,
        help_text="A source states the seat stays empty after this end (cite it with field leaves_vacant).",
    )
    reason = StrictCharField(
        required=False, allow_blank=True, default="", max_length=1000, help_text="Kept in the history."
    )
