"""The body of an intake call (a text to read) and its answer (the document and the proposals the text supports)."""

from rest_framework import serializers

from registry.api.serializers.base import InputSerializer
from registry.api.strict import StrictCharField, StrictDateField
from registry.intake.reading import MAX_TEXT_LENGTH
from registry.text import nfc, text_problem


class IntakeRequestSerializer(InputSerializer):
    """A decision's or a news report's text, as pasted."""

    text = StrictCharField(max_length=MAX_TEXT_LENGTH, help_text="The full text (NFC or not; line breaks kept).")
    published_on = StrictDateField(
        required=False, allow_null=True, default=None, help_text="The day the text was published, if it does not say."
    )
    title = StrictCharField(
        required=False, allow_blank=True, default="", max_length=500, help_text="The document's title, if known."
    )

    def validate_text(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Must not be empty or white space only.", code="blank")
        problem = text_problem(nfc(value), multiline=True)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return value

    def validate_title(self, value: str) -> str:
        problem = text_problem(nfc(value))
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return value


class IntakeOrganizationSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The body as the registry names it, or as the text writes it.")
    slug = serializers.CharField(allow_null=True, help_text="Slug of the matching body; null when none matches.")


class IntakeIssuerSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The issuing body as the registry names it.")
    slug = serializers.CharField(help_text="Slug of the issuing body.")


class IntakeDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="A document kind (decision, resolution, notice, article).")
    number = serializers.CharField(allow_blank=True, help_text="Official number as printed, e.g. 88/QĐ-UBND.")
    title = serializers.CharField(help_text="The title given, the decision's 'Về việc …', or the first line.")
    issued_on = serializers.DateField(allow_null=True, help_text="Date of issue of an instrument.")
    published_on = serializers.DateField(allow_null=True, help_text="Publication date of an article.")
    date_precision = serializers.CharField(allow_blank=True, help_text="exact, or inferred for a day without year.")
    date_note = serializers.CharField(allow_blank=True, help_text="How a date was inferred.")
    issuer = IntakeIssuerSerializer(allow_null=True, help_text="The registry body that issued it, when one matches.")


class IntakePersonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The name as written.")
    slug = serializers.CharField(allow_null=True, help_text="Slug of the matching person; null when none matches.")
    honorific = serializers.CharField(allow_blank=True, help_text="ong or ba where the text says ông or bà.")


class IntakePostSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Id of the matching post; null when none matches.")
    label = serializers.CharField(help_text="The post's label (the registry's, or the title as written).")
    organization = IntakeOrganizationSerializer(allow_null=True, help_text="The post's body, null if not named.")


class IntakeCapacitySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Id of the post by virtue of which the person holds this one.")
    label = serializers.CharField(help_text="That post and its body.")


class IntakeConflictSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="seat_held, already_recorded, exact_end_moved or no_appointment.")
    message = serializers.CharField(help_text="What the registry holds, in words.")
    appointment = serializers.IntegerField(required=False, help_text="The appointment it concerns.")


class IntakeProposalSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="appointment (a start), end, or holding (shown in post that day).")
    person = IntakePersonSerializer()
    post = IntakePostSerializer()
    capacity = IntakeCapacitySerializer(allow_null=True, help_text="Null unless the text gives it.")
    start_date = serializers.DateField(allow_null=True)
    start_date_precision = serializers.CharField(allow_blank=True)
    end_date = serializers.DateField(allow_null=True)
    end_date_precision = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True, help_text="How a date was read or inferred.")
    quote = serializers.CharField(help_text="The sentence or list item, verbatim from the text.")
    appointment = serializers.IntegerField(allow_null=True, help_text="For an end: the appointment it ends.")
    conflicts = IntakeConflictSerializer(many=True, help_text="What in the registry the proposal meets.")


class IntakeResultSerializer(serializers.Serializer):
    document = IntakeDocumentSerializer()
    proposals = IntakeProposalSerializer(many=True)
