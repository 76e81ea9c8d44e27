"""How old a record's evidence is (``selectors.evidence``), and who is known around a seat nobody is known to hold."""

import datetime

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.api.serializers.base import ReadModelSerializer, RelatedField
from registry.models import Appointment, Person
from registry.selectors import evidence


class EvidenceMixin(serializers.Serializer):
    """How recent the evidence of an appointment, a relationship or a body is: `last_confirmed` and `stale`."""

    last_confirmed = serializers.SerializerMethodField(
        help_text="Day of the newest cited document dated within the record's span (it shows the record in effect); "
        "null when no dated document does."
    )
    stale = serializers.SerializerMethodField(
        help_text="true when the record holds today but its last confirmation is missing or older than the "
        "registry's limit (365 days unless its operator set another): the sources may no longer describe today."
    )

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_confirmed(self, record) -> datetime.date | None:
        return evidence.last_confirmed_of(record)

    @extend_schema_field(serializers.BooleanField())
    def get_stale(self, record) -> bool:
        return evidence.stale(record)


EVIDENCE = ("last_confirmed", "stale")


class KnownBeforeSerializer(ReadModelSerializer):
    """The last appointment of a post that ended before the day: who, and the end the sources give."""

    appointment = serializers.IntegerField(source="id", read_only=True, help_text="Id of the appointment.")
    person = RelatedField(Person, read_only=True)

    class Meta:
        model = Appointment
        fields = ("appointment", "person", "end_date", "end_date_precision", "leaves_vacant")


class KnownAfterSerializer(ReadModelSerializer):
    """The first appointment of a post that starts after the day: who, and the start the sources give."""

    appointment = serializers.IntegerField(source="id", read_only=True, help_text="Id of the appointment.")
    person = RelatedField(Person, read_only=True)

    class Meta:
        model = Appointment
        fields = ("appointment", "person", "start_date", "start_date_precision")
