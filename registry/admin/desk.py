"""The desk's page in the admin: "Appoint / succeed" on a post, one form and a confirmation (services/desk.py writes).

The page shows the post, its organization, its holders today and its vacant seats, and takes the person (by
autocomplete, or a new one), the start date, the predecessor and their last day, the capacity, the source (an existing
document by autocomplete, or a new one) and its quote, and the reason. The first submission checks everything, the
quote against the document's text and a rehearsal of every write (rolled back), and shows what will be saved; the
confirmation saves it all in one transaction.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry import selectors
from registry.choices import DatePrecision, DocumentKind
from registry.clock import today
from registry.models import Appointment, Citation, Document, Person, Post
from registry.models.base import precision_or_exact
from registry.services import Refused, desk
from registry.text import comparable, slugify_vi


def capacity_choices(person: Person | None, day: datetime.date | None, post: Post | None = None) -> list:
    """The capacity's options: the posts the person holds that day first, then the others they have held, then
    every other post (a new person, whose posts the registry does not know yet, sits by virtue of one of those)."""
    choices: list = [("", "---------")]
    held, others = [], {}
    if person is not None:
        appointments = Appointment.objects.filter(person=person).select_related("post__organization", "post__portfolio")
        held = [a.post for a in appointments if day is not None and a.holds_on(day)]
        others = {a.post.pk: a.post for a in appointments if a.post not in held}
    if held:
        choices.append((gettext("Held on the start date"), [(post.pk, str(post)) for post in held]))
    if others:
        choices.append((gettext("Held on other days"), [(post.pk, str(post)) for post in others.values()]))
    known = {held_post.pk for held_post in held} | set(others) | ({post.pk} if post is not None else set())
    rest = Post.objects.exclude(pk__in=known).select_related("organization", "portfolio")
    label = gettext("Other posts") if held or others else gettext("Posts in the registry")
    choices.append((label, [(other.pk, str(other)) for other in rest]))
    return choices


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, appointment: Appointment) -> str:
        start = formats.date_format(appointment.start_date, "SHORT_DATE_FORMAT")
        return gettext("%(person)s, since %(start)s") % {"person": appointment.person, "start": start}


def autocomplete(model_field, *, label, help_text=""):
    """An optional choice of the record ``model_field`` points to, typed into the admin's autocomplete box."""
    return forms.ModelChoiceField(
        queryset=model_field.related_model.objects.all(),
        required=False,
        label=label,
        help_text=help_text,
        widget=AutocompleteSelect(model_field, admin.site),
    )


def new_slug(*fields: str, max_length: int, label, help_text):
    """An optional slug for a new record, filled in as the editor types ``fields`` (registry/admin/slug.js)."""
    return forms.SlugField(
        required=False,
        max_length=max_length,
        label=label,
        help_text=help_text,
        widget=forms.TextInput(attrs={"data-slug-from": " ".join(f"id_{name}" for name in fields)}),
    )


class DeskForm(forms.Form):
    """Everything one decision says about one appointment: who, from when, instead of whom, on what authority."""

    person = autocomplete(
        Appointment._meta.get_field("person"),
        label=_("Person"),
        help_text=_("Type part of the name, with or without accents."),
    )
    new_person_name = forms.CharField(
        required=False, max_length=200, label=_("or a new person: full name"), help_text=_("Vietnamese order.")
    )
    new_person_slug = new_slug(
        "new_person_name", max_length=120, label=_("Slug of the new person"), help_text=_("Filled in from the name.")
    )
    start_date = forms.DateField(label=_("First day in post"), widget=AdminDateWidget)
    start_date_precision = forms.ChoiceField(
        label=_("Precision of the first day"), choices=DatePrecision.choices, initial=DatePrecision.EXACT
    )
    predecessor = HolderChoiceField(
        queryset=Appointment.objects.none(),
        required=False,
        label=_("Succeeds"),
        empty_label=_("Nobody: a vacant seat"),
        help_text=_("The holder whose appointment ends with this one."),
    )
    predecessor_last_day = forms.DateField(
        required=False,
        label=_("Predecessor's last day"),
        help_text=_("Empty: the day before the first day."),
        widget=AdminDateWidget,
    )
    capacity = forms.ModelChoiceField(
        queryset=Post.objects.all(),
        required=False,
        label=_("Capacity"),
        help_text=_("The post by virtue of which the person sits here, if the decision says so."),
    )
    document = autocomplete(
        Citation._meta.get_field("document"),
        label=_("Source document"),
        help_text=_("The decision, by number or title."),
    )
    new_document_kind = forms.ChoiceField(
        required=False, label=_("or a new document: kind"), choices=DocumentKind.choices, initial=DocumentKind.DECISION
    )
    new_document_number = forms.CharField(
        required=False, max_length=60, label=_("Number"), help_text=_("As written, e.g. 1234/QĐ-UBND.")
    )
    new_document_title = forms.CharField(required=False, max_length=500, label=_("Title"))
    new_document_slug = new_slug(
        "new_document_number",
        "new_document_title",
        max_length=160,
        label=_("Slug of the new document"),
        help_text=_("Filled in from the number and the title."),
    )
    new_document_issuer = autocomplete(Document._meta.get_field("issuer"), label=_("Issuer"))
    new_document_issued_on = forms.DateField(required=False, label=_("Date of issue"), widget=AdminDateWidget)
    new_document_text = forms.CharField(
        required=False,
        label=_("Full text"),
        help_text=_("The quote is checked against it."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    quote = forms.CharField(
        label=_("Quote"),
        help_text=_("Verbatim from the document: the words that appoint the person."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        required=False, max_length=1000, label=_("Reason"), help_text=_("Why the change is made; kept in the history.")
    )

    def __init__(self, *args, post: Post | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.fields["predecessor"].queryset = (
            Appointment.objects.filter(post=post, end_date__isnull=True).select_related("person").order_by("start_date")
        )
        self.fields["capacity"].queryset = Post.objects.exclude(pk=post.pk) if post is not None else Post.objects.all()
        person, day = self._chosen_person_and_day()
        self.fields["capacity"].widget.choices = capacity_choices(person, day, post)

    def _chosen_person_and_day(self) -> tuple[Person | None, datetime.date | None]:
        if not self.is_bound:
            return None, None
        chosen = self.data.get("person") or ""
        person = Person.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        try:
            day = self.fields["start_date"].to_python(self.data.get("start_date"))
        except forms.ValidationError:
            day = None
        return person, day

    def clean(self):
        data = super().clean()
        self._clean_person(data)
        self._clean_source(data)
        return data

    def _clean_person(self, data) -> None:
        name = (data.get("new_person_name") or "").strip()
        if data.get("person") and name:
            self.add_error("new_person_name", _("Choose a person or enter a new one, not both."))
        elif not data.get("person") and not name:
            self.add_error("person", _("Choose the person, or enter the name of a new person."))
        elif name:
            slug = data.get("new_person_slug") or slugify_vi(name)[:120]
            data["new_person_slug"] = slug
            if Person.objects.filter(slug=slug).exists():
                self.add_error("new_person_slug", _("Someone already has this slug: choose them above, or change it."))

    def _clean_source(self, data) -> None:
        title = (data.get("new_document_title") or "").strip()
        if data.get("document") and title:
            self.add_error("new_document_title", _("Choose a document or enter a new one, not both."))
            return
        if not data.get("document") and not title:
            self.add_error("document", _("Choose the source document, or enter a new one."))
            return
        if title:
            number = (data.get("new_document_number") or "").strip()
            slug = data.get("new_document_slug") or slugify_vi(f"{number} {title}")[:160].strip("-")
            data["new_document_slug"] = slug
            if Document.objects.filter(slug=slug).exists():
                message = _("A document already has this slug: choose it above, or change it.")
                self.add_error("new_document_slug", message)
            text = data.get("new_document_text") or ""
        else:
            text = data["document"].text
        quote = data.get("quote") or ""
        if quote and text and comparable(quote) not in comparable(text):
            self.add_error("quote", _("The quote is not in the document's text: copy it word for word."))

    def entry(self) -> desk.Entry:
        data = self.cleaned_data
        new_person = {}
        if not data.get("person"):
            new_person = {"name": data["new_person_name"].strip(), "slug": data["new_person_slug"]}
        new_document = {}
        if not data.get("document"):
            new_document = {
                "slug": data["new_document_slug"],
                "kind": data["new_document_kind"],
                "number": data["new_document_number"].strip(),
                "title": data["new_document_title"].strip(),
                "issuer": data["new_document_issuer"],
                "issued_on": data["new_document_issued_on"],
                "date_precision": precision_or_exact(data["new_document_issued_on"], ""),
                "text": data["new_document_text"],
            }
        return desk.Entry(
            post=self.post,
            person=data.get("person"),
            new_person=new_person,
            start_date=data["start_date"],
            start_date_precision=data["start_date_precision"],
            capacity=data.get("capacity"),
            predecessor=data.get("predecessor"),
            predecessor_last_day=data.get("predecessor_last_day"),
            document=data.get("document"),
            new_document=new_document,
            quote=data["quote"],
            reason=data.get("reason") or "",
        )

    def add_refusal(self, refused: Refused) -> None:
        for name, errors in refused.errors.items():
            self.add_error(name if name in self.fields else None, errors)

    #: The fieldsets of the page: (legend, field names).
    FIELDSETS = (
        (_("Who"), ("person", "new_person_name", "new_person_slug")),
        (
            _("From when, instead of whom"),
            ("start_date", "start_date_precision", "predecessor", "predecessor_last_day"),
        ),
        (_("In what capacity"), ("capacity",)),
        (
            _("Source"),
            (
                "document",
                "new_document_kind",
                "new_document_number",
                "new_document_title",
                "new_document_slug",
                "new_document_issuer",
                "new_document_issued_on",
                "new_document_text",
                "quote",
            ),
        ),
        (_("History"), ("reason",)),
    )

    def fieldsets(self):
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]


def required_permissions(form: DeskForm) -> list[str]:
    wanted = ["registry.add_appointment", "registry.change_appointment", "registry.add_citation"]
    data = form.cleaned_data
    if not data.get("person"):
        wanted.append("registry.add_person")
    if not data.get("document"):
        wanted.append("registry.add_document")
    return wanted


def last_day(data: dict) -> datetime.date | None:
    if not data.get("predecessor"):
        return None
    return data.get("predecessor_last_day") or data["start_date"] - datetime.timedelta(days=1)


def holders_today(post: Post) -> list[Appointment]:
    return list(
        Appointment.objects.filter(post=post).as_of(today()).select_related("person").order_by("start_date", "id")
    )


def check_or_record(request, form, entry) -> tuple:
    """The desk's two steps, (what was recorded or None, whether to ask to confirm): without ``confirm`` every write
    is rehearsed and rolled back, and the page asks to confirm; with it, the writes are made. A refusal is shown
    on the form and nothing is written."""
    try:
        if "confirm" in request.POST:
            return desk.record_appointment(entry), False
        desk.check_appointment(entry)
        return None, "edit" not in request.POST
    except Refused as refused:
        form.add_refusal(refused)
        return None, False


def appoint_view(model_admin, request, post_id: int):
    """The desk's page: GET shows the form; POST checks it and asks to confirm; POST with ``confirm`` saves."""
    if not request.user.has_perms(["registry.add_appointment", "registry.change_appointment"]):
        raise PermissionDenied
    post = get_object_or_404(Post.objects.select_related("organization", "portfolio"), pk=post_id)
    form = DeskForm(request.POST or None, post=post)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perms(required_permissions(form)):
            raise PermissionDenied
        recorded, confirming = check_or_record(request, form, form.entry())
        if recorded is not None:
            appointment = recorded.appointment
            if recorded.ended is not None:
                model_admin.message_user(
                    request,
                    gettext("%(person)s's appointment ends on %(day)s.")
                    % {
                        "person": recorded.ended.person,
                        "day": formats.date_format(recorded.ended.end_date, "SHORT_DATE_FORMAT"),
                    },
                    messages.INFO,
                )
            model_admin.message_user(
                request,
                gettext("Recorded: %(person)s, %(post)s, from %(day)s.")
                % {
                    "person": appointment.person,
                    "post": appointment.post.label,
                    "day": formats.date_format(appointment.start_date, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect(reverse("admin:registry_post_change", args=[post.pk]))
    holders = holders_today(post)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": post,
        "title": gettext("Appoint / succeed: %(post)s") % {"post": post.label},
        "form": form,
        "media": model_admin.media + form.media,
        "confirming": confirming,
        "entry": form.cleaned_data if confirming else None,
        "predecessor_last_day": last_day(form.cleaned_data) if confirming else None,
        "new_document_kind": DocumentKind(form.cleaned_data["new_document_kind"]).label
        if confirming and form.cleaned_data.get("new_document_kind")
        else "",
        "holders": holders,
        "vacant": selectors.post_seat_states(post, today()).free,
        "today": today(),
        "errors": form.errors,
        "non_field_errors": form.non_field_errors(),
    }
    return TemplateResponse(request, "admin/registry/post/appoint.html", context)


def capacity_options_view(model_admin, request):
    """The capacity's options for a person and a day (the desk's page asks when either changes)."""
    if not request.user.has_perm("registry.view_post"):
        raise PermissionDenied
    chosen = request.GET.get("person", "")
    person = Person.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    try:
        day = forms.DateField().to_python(request.GET.get("day"))
    except forms.ValidationError:
        day = None
    options = []
    excluded = request.GET.get("post", "")
    post = Post.objects.filter(pk=int(excluded)).first() if excluded.isdigit() else None
    for value, label in capacity_choices(person, day, post):
        if isinstance(label, list):
            options.append({"group": value, "options": [{"id": pk, "text": text} for pk, text in label]})
    return JsonResponse({"groups": options})
