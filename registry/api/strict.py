"""JSON fields that take only the JSON type the schema promises: no "5" for 5, no 5 for "5", no 1 for true.

DRF coerces by default; a client generated from the schema never needs that, and a contract that says `string`
should not quietly accept a number.
"""

from rest_framework import serializers

from registry.days import parse_day


class StringOnly:
    """Refuses anything but a JSON string before the field parses it (a date, a choice, a text)."""

    default_error_messages = {"not_a_string": "Expected a string, got {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string", kind=type(data).__name__)
        return super().to_internal_value(data)


class StrictCharField(StringOnly, serializers.CharField):
    def __init__(self, **kwargs):
        # No silent trimming: lengths are checked on the string the client sent, as the schema's maxLength says.
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


class StrictSlugField(StrictCharField, serializers.SlugField):
    pass


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"not_an_integer": "Expected an integer, got {kind}."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("not_an_integer", kind=type(data).__name__)
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"not_a_boolean": "Expected true or false, got {kind}."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_a_boolean", kind=type(data).__name__)
        return data


class IsoDay:
    """A day written YYYY-MM-DD only (registry.days): DRF's own parsing also reads 20250131."""

    def to_internal_value(self, value):
        try:
            return parse_day(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error), code="invalid") from None


class StrictDateField(StringOnly, IsoDay, serializers.DateField):
    default_error_messages = {"not_a_string": "Expected a date string YYYY-MM-DD, got {kind}."}


class StrictChoiceField(StringOnly, serializers.ChoiceField):
    default_error_messages = {"not_a_string": "Expected one of the listed strings, got {kind}."}
