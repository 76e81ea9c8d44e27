"""The forms of the intake page: the text to read, the proposed document, and one row per proposal.

A row is what the editor checked of one proposal: whether to record it, the person (matched, or a new one by name),
the post (matched, or chosen), the dates and their precision. ``operations`` turns the ticked rows into the
operations of one changeset (registry/services/changesets.py), in the rows' order.
"""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.utils.translation import gettext_lazy as _

from registry.admin.desk import autocomplete
from registry.admin.uploads import EXTENSIONS, text_of
from registry.choices import DatePrecision, DocumentKind, Honorific
from registry.intake.reading import MAX_TEXT_LENGTH
from registry.models import Appointment, Document, Post
from registry.text import comparable, nfc, slugify_vi, text_problem

APPOINTMENT, END, HOLDING = "appointment", "end", "holding"
KINDS = [
    (APPOINTMENT, _("Appointment")),
    (HOLDING, _("In post that day")),
    (END, _("End")),
]
PRECISIONS = [("", "---------"), *DatePrecision.choices]


def checked_text(value: str, *, multiline: bool = False) -> str:
    # Browsers send a form's line breaks as CRLF: the text is stored as it was written, with LF.
    value = nfc(value).replace("\r\n", "\n")
    problem = text_problem(value, multiline=multiline)
    if problem:
        # The rule's own sentence is English (the API's); the page says it in the editor's words.
        raise forms.ValidationError(
            _("The text holds characters no record may hold (control, invisible or direction marks): remove them.")
        )
    return value


class ReadForm(forms.Form):
    """The text of a decision or a report: pasted, or uploaded as a file."""

    text = forms.CharField(
        required=False,
        max_length=MAX_TEXT_LENGTH,
        label=_("Text of the document"),
        help_text=_("Paste the whole text, header included: the number, the date and the issuer are read from it."),
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    file = forms.FileField(
        required=False,
        label=_("or a file"),
        help_text=_("A .txt (UTF-8), .docx or .pdf file with a text layer, under 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )
    published_on = forms.DateField(
        required=False,
        label=_("Published on"),
        help_text=_("The day it was published, if the text does not say."),
        widget=AdminDateWidget,
    )
    title = forms.CharField(required=False, max_length=500, label=_("Title"), help_text=_("Empty: read from the text."))

    def clean_title(self) -> str:
        return checked_text(self.cleaned_data["title"])

    def clean(self):
        data = super().clean()
        upload, pasted = data.get("file"), (data.get("text") or "").strip()
        if upload and pasted:
            self.add_error("file", _("Paste the text or upload a file, not both."))
        elif upload:
            try:
                data["text"] = text_of(upload)
            except forms.ValidationError as error:
                self.add_error("file", error)
        elif not pasted and "text" not in self.errors:
            self.add_error("text", _("Paste the text of the document, or upload a file."))
        text = data.get("text") or ""
        if len(text) > MAX_TEXT_LENGTH:
            self.add_error("file", _("The text is longer than %(count)d characters.") % {"count": MAX_TEXT_LENGTH})
        elif text and not self.errors:
            try:
                data["text"] = checked_text(text, multiline=True)
            except forms.ValidationError as error:
                self.add_error("file" if upload else "text", error)
        return data


class DocumentForm(forms.Form):
    """The document the text is, as proposed: every quote of the changeset is checked against its text."""

    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    number = forms.CharField(required=False, max_length=60, label=_("Number"), help_text=_("e.g. 1234/QĐ-UBND."))
    title = forms.CharField(max_length=500, label=_("Title"))
    slug = forms.SlugField(
        required=False,
        max_length=160,
        label=_("Key of the document"),
        help_text=_("Empty: made from the number and the title."),
    )
    issuer = autocomplete(Document._meta.get_field("issuer"), label=_("Issuer"))
    issued_on = forms.DateField(required=False, label=_("Date of issue"), widget=AdminDateWidget)
    published_on = forms.DateField(required=False, label=_("Published on"), widget=AdminDateWidget)
    date_precision = forms.ChoiceField(required=False, label=_("Precision of the date"), choices=PRECISIONS)
    text = forms.CharField(max_length=MAX_TEXT_LENGTH, widget=forms.HiddenInput)

    def clean_title(self) -> str:
        return checked_text(self.cleaned_data["title"])

    def clean_text(self) -> str:
        return checked_text(self.cleaned_data["text"], multiline=True)

    def clean_number(self) -> str:
        return checked_text(self.cleaned_data["number"])

    def clean(self):
        data = super().clean()
        dated = data.get("issued_on") or data.get("published_on")
        if dated and not data.get("date_precision"):
            self.add_error("date_precision", _("A date goes with its precision: choose one."))
        if not data.get("slug") and data.get("title"):
            data["slug"] = slugify_vi(f"{data.get('number', '')} {data['title']}")[:160].strip("-")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        names = ("slug", "kind", "number", "title", "issuer", "issued_on", "published_on", "date_precision")
        values = {name: data[name] for name in names}
        values["text"] = data["text"]
        return values


class ProposalForm(forms.Form):
    """One proposal as the editor corrected it."""

    include = forms.BooleanField(required=False, label=_("Record"))
    kind = forms.ChoiceField(choices=KINDS, widget=forms.HiddenInput)
    person = autocomplete(
        Appointment._meta.get_field("person"), label=_("Person"), help_text=_("Empty: a new person, named below.")
    )
    new_person_name = forms.CharField(required=False, max_length=200, label=_("New person's full name"))
    honorific = forms.ChoiceField(required=False, choices=[("", ""), *Honorific.choices], widget=forms.HiddenInput)
    post = autocomplete(Appointment._meta.get_field("post"), label=_("Post"))
    capacity = forms.ModelChoiceField(queryset=Post.objects.all(), required=False, widget=forms.HiddenInput)
    appointment = forms.ModelChoiceField(queryset=Appointment.objects.all(), required=False, widget=forms.HiddenInput)
    start_date = forms.DateField(required=False, label=_("First day in post"), widget=AdminDateWidget)
    start_date_precision = forms.ChoiceField(required=False, label=_("Precision"), choices=PRECISIONS)
    end_date = forms.DateField(required=False, label=_("Last day in post"), widget=AdminDateWidget)
    end_date_precision = forms.ChoiceField(required=False, label=_("Precision"), choices=PRECISIONS)
    quote = forms.CharField(widget=forms.HiddenInput)
    #: What the text said, shown beside the row (the post as written, the conflicts): not written anywhere.
    shown = forms.JSONField(required=False, widget=forms.HiddenInput)

    def clean_new_person_name(self) -> str:
        return checked_text(self.cleaned_data["new_person_name"]).strip()

    def clean(self):
        data = super().clean()
        if not data.get("include"):
            return data
        if data.get("kind") == END:
            if not data.get("appointment"):
                self.add_error(None, _("The registry holds no appointment this end could close: untick the row."))
            if not data.get("end_date"):
                self.add_error("end_date", _("Give the last day in post."))
            elif not data.get("end_date_precision"):
                self.add_error("end_date_precision", _("Choose the precision of the last day."))
            return data
        if not data.get("person") and not data.get("new_person_name"):
            self.add_error("person", _("Choose the person, or give the new person's full name."))
        if not data.get("post"):
            self.add_error("post", _("The post was not found in the registry: choose it, or untick the row."))
        if not data.get("start_date"):
            self.add_error("start_date", _("Give the first day in post."))
        elif not data.get("start_date_precision"):
            self.add_error("start_date_precision", _("Choose the precision of the first day."))
        return data


class BaseProposalFormSet(forms.BaseFormSet):
    def __init__(self, *args, text: str = "", **kwargs):
        self.text = comparable(text)
        super().__init__(*args, **kwargs)

    def clean(self):
        for form in self.forms:
            quote = form.cleaned_data.get("quote") if hasattr(form, "cleaned_data") else None
            if form.cleaned_data.get("include") and quote and comparable(quote) not in self.text:
                form.add_error(None, _("The quote is not in the document's text."))
        if not any(form.cleaned_data.get("include") for form in self.forms if hasattr(form, "cleaned_data")):
            raise forms.ValidationError(_("Tick at least one row to record."))


ProposalFormSet = forms.formset_factory(ProposalForm, formset=BaseProposalFormSet, extra=0, max_num=100)


def operations(rows: list[ProposalForm]) -> tuple[list[dict], list[int]]:
    """The changeset's operations for the ticked rows, and the index of the row each operation came from.

    A new person named by several rows (shown in one post, appointed to another) is created by the first and named
    by slug in the next ones: the changeset resolves a slug to the record it created earlier.
    """
    created: set[str] = set()
    ops, origins = [], []
    for index, row in enumerate(rows):
        data = row.cleaned_data
        if not data.get("include"):
            continue
        origins.append(index)
        if data["kind"] == END:
            ops.append(
                {
                    "op": "end",
                    "appointment": data["appointment"],
                    "end_date": data["end_date"],
                    "end_date_precision": data["end_date_precision"],
                    "quote": data["quote"],
                }
            )
            continue
        person = data.get("person")
        if person is None:
            slug = slugify_vi(data["new_person_name"])[:120]
            person = slug if slug in created else {"slug": slug, "name": data["new_person_name"]}
            if isinstance(person, dict) and data.get("honorific"):
                person["honorific"] = data["honorific"]
            created.add(slug)
        ops.append(
            {
                "op": "appoint",
                "post": data["post"],
                "person": person,
                "capacity": data.get("capacity"),
                "start_date": data["start_date"],
                "start_date_precision": data["start_date_precision"],
                "quote": data["quote"],
            }
        )
    return ops, origins
