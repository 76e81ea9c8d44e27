"""A record's history, the registry-wide change feed, and how the feed represents each kind of record."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from rest_framework import serializers

from registry.api.serializers.base import ReadModelSerializer, RelatedField, narrowed
from registry.api.strict import StrictCharField
from registry.changes.feed import Position
from registry.choices import ChangeType
from registry.models import Citation, Document, Duty, EventAppearance, Identifier, Organization, OtherName


class FieldChangeSerializer(serializers.Serializer):
    field = StrictCharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    """One recorded change of a record."""

    history_id = serializers.IntegerField()
    date = serializers.DateTimeField(help_text="When the change was made.")
    type = serializers.ChoiceField(choices=ChangeType.choices, help_text="What happened.")
    user = StrictCharField(
        allow_null=True, help_text="Who made it (username); null for the seed loader, and for anonymous readers."
    )
    reason = StrictCharField(allow_null=True, help_text="Why, as given with the change.")
    changes = FieldChangeSerializer(many=True, help_text="Fields that changed, with old and new values.")


class ChangeSerializer(serializers.Serializer):
    """One entry of the registry-wide change feed."""

    id = serializers.IntegerField(help_text="Unique id of the entry.")
    cursor = StrictCharField(help_text="Pass as `cursor` to read the changes after this one.")
    model = StrictCharField(help_text="Kind of record: organization, person, post, appointment, …")
    object_id = serializers.IntegerField(help_text="Id of the record (it may since have been deleted).")
    date = serializers.DateTimeField(help_text="When the write was made.")
    type = serializers.ChoiceField(choices=ChangeType.choices, help_text="What happened to the record.")
    user = StrictCharField(
        allow_null=True, help_text="Username of who made it; null for the seed loader, and for anonymous readers."
    )
    reason = StrictCharField(allow_null=True, help_text="Why, as given with the change.")
    changed_fields = serializers.ListField(
        source="fields", child=StrictCharField(), help_text="The fields the write changed (every field, when created)."
    )
    data = serializers.JSONField(
        help_text="The record in the API's representation after the write (before it, for a deletion)."
    )

    def to_representation(self, instance) -> dict:
        return feed_entry(instance, show_users=self.context.get("show_users", False))


#: The feed's dates, formatted as the serializer's DateTimeField formats them.
FEED_DATE = serializers.DateTimeField()


def feed_entry(entry, *, show_users: bool) -> dict:
    """One feed entry as ``ChangeSerializer`` declares it. Plain values, built without a serializer per entry: a full
    sync reads thousands of pages of them. ``show_users``: usernames are shown to staff readers only."""
    return {
        "id": entry.id,
        "cursor": Position.of(entry).encode(),
        "model": entry.model,
        "object_id": entry.object_id,
        "date": FEED_DATE.to_representation(entry.date),
        "type": entry.type,
        "user": (entry.user or None) if show_users else None,
        "reason": entry.reason or None,
        "changed_fields": entry.fields,
        "data": entry.data,
    }


class ChangeFeedSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next_cursor = StrictCharField(allow_null=True, help_text="Cursor of the last entry; null when none.")
    next = serializers.URLField(allow_null=True, help_text="URL of the next page; null when up to date.")


# --- the change feed's representation of each record ------------------------------------------------------------


class DutyChangeSerializer(ReadModelSerializer):
    organization = RelatedField(Organization, read_only=True)

    class Meta:
        model = Duty
        fields = ("id", "organization", "order", "text", "text_en")


class CitationChangeSerializer(ReadModelSerializer):
    record_model = serializers.CharField(source="content_type.model", read_only=True)
    document = RelatedField(Document, read_only=True)

    class Meta:
        model = Citation
        fields = ("id", "record_model", "object_id", "document", "quote", "field")


#: What the feed leaves out: values computed for a day (holders, seat states, the evidence's age) or other records'
#: own entries (appointments).
NOT_IN_FEED = {
    "holders",
    "vacant_seats",
    "unknown_seats",
    "last_known",
    "next_known",
    "last_confirmed",
    "stale",
    "appointments",
    "appearances",
    "reason",
}


def feed_serializer(model: type[models.Model]) -> type[serializers.Serializer]:
    """The serializer of a record's feed entry: its API serializer without the computed fields."""
    from registry.api.serializers import RESOURCE_SERIALIZERS
    from registry.api.serializers.events import AppearanceChangeSerializer
    from registry.api.serializers.identifiers import IdentifierResourceSerializer, OtherNameResourceSerializer

    full = {
        **RESOURCE_SERIALIZERS,
        Identifier: IdentifierResourceSerializer,
        OtherName: OtherNameResourceSerializer,
        Duty: DutyChangeSerializer,
        Citation: CitationChangeSerializer,
        EventAppearance: AppearanceChangeSerializer,
    }[model]
    fields = tuple(field for field in full.Meta.fields if field not in NOT_IN_FEED)
    return narrowed(full, fields, f"{model.__name__}FeedData", f"A {model._meta.verbose_name} in the change feed.")


def feed_representation(instance: models.Model) -> dict:
    """The record as the API shows it (URLs relative to the site), for the change feed."""
    data = feed_serializer(type(instance))(instance, context={"request": None}).data
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
