"""The desk's "Add a post and appoint to it" page on a body: the new post (a seat or a deputy post), its source and
the appointment to it, in one form, one confirmation and one transaction (services/desk.py writes).

It is the appointment page (desk.py) with the post's fields in front: the document and its quotes are entered once,
the post cited from the words that create or name it, the appointment from the words that appoint the person.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from registry.admin.desk import DeskForm, autocomplete, check_or_record, required_permissions
from registry.choices import DocumentKind, PostRole
from registry.models import Organization, Post
from registry.services import desk
from registry.text import comparable


class NewPostForm(DeskForm):
    """The desk's form without a post: the new post's fields, and no predecessor (a new post has no holder)."""

    post_label = forms.CharField(
        max_length=255, label=_("Title of the post"), help_text=_("In Vietnamese, e.g. Phó trưởng ban.")
    )
    post_label_en = forms.CharField(required=False, max_length=255, label=_("English title"))
    post_role = forms.ChoiceField(label=_("Kind of post"), choices=PostRole.choices, initial=PostRole.MEMBER)
    post_portfolio = autocomplete(
        Post._meta.get_field("portfolio"),
        label=_("Portfolio"),
        help_text=_("What the post is in charge of, for a deputy with a portfolio."),
    )
    post_seats = forms.IntegerField(
        required=False,
        min_value=1,
        initial=1,
        label=_("Seats"),
        help_text=_("How many people may hold it at once; empty when no source says."),
    )
    post_rank = forms.IntegerField(
        min_value=0, initial=100, label=_("Rank"), help_text=_("Order within the body; lower comes first.")
    )
    post_standing = forms.BooleanField(required=False, label=_("In the standing board"))
    post_slug = forms.SlugField(
        required=False,
        max_length=160,
        label=_("Slug of the new post"),
        help_text=_("Empty: the body's slug, the title and the portfolio's slug."),
    )
    post_quote = forms.CharField(
        label=_("Quote for the post"),
        help_text=_("Verbatim from the document: the words that create or name the post."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    FIELDSETS = (
        (
            _("The new post"),
            (
                "post_label",
                "post_label_en",
                "post_role",
                "post_portfolio",
                "post_seats",
                "post_rank",
                "post_standing",
                "post_slug",
            ),
        ),
        DeskForm.FIELDSETS[0],
        (_("From when"), ("start_date", "start_date_precision")),
        DeskForm.FIELDSETS[2],
        (DeskForm.FIELDSETS[3][0], (*DeskForm.FIELDSETS[3][1][:-1], "post_quote", "quote")),
        DeskForm.FIELDSETS[4],
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, post=None, **kwargs)
        self.organization = organization
        del self.fields["predecessor"], self.fields["predecessor_last_day"]

    def clean(self):
        data = super().clean()
        document = data.get("document")
        text = document.text if document is not None else data.get("new_document_text") or ""
        quote = data.get("post_quote") or ""
        if quote and text and comparable(quote) not in comparable(text):
            self.add_error("post_quote", _("The quote is not in the document's text: copy it word for word."))
        return data

    def entry(self) -> desk.Entry:
        entry = super().entry()
        data = self.cleaned_data
        entry.new_post = {
            "organization": self.organization,
            "slug": data.get("post_slug") or "",
            "label": data["post_label"].strip(),
            "label_en": data.get("post_label_en", "").strip(),
            "role": data["post_role"],
            "portfolio": data.get("post_portfolio"),
            "seats": data.get("post_seats"),
            "rank": data["post_rank"],
            "standing": data.get("post_standing", False),
        }
        entry.post_quote = data["post_quote"]
        return entry


def add_post_view(model_admin, request, organization_id: int):
    """GET shows the form; POST checks it (every write rehearsed) and asks to confirm; POST with ``confirm`` saves."""
    wanted = ["registry.add_post", "registry.add_appointment", "registry.add_citation"]
    if not request.user.has_perms(wanted):
        raise PermissionDenied
    organization = get_object_or_404(Organization, pk=organization_id)
    form = NewPostForm(request.POST or None, organization=organization)
    confirming = False
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perms([*required_permissions(form), "registry.add_post"]):
            raise PermissionDenied
        entry = form.entry()
        recorded, confirming = check_or_record(request, form, entry)
        if recorded is not None:
            appointment = recorded.appointment
            model_admin.message_user(
                request,
                gettext("Recorded: the post %(post)s, and %(person)s in it from %(day)s.")
                % {
                    "post": appointment.post,
                    "person": appointment.person,
                    "day": formats.date_format(appointment.start_date, "SHORT_DATE_FORMAT"),
                },
                messages.SUCCESS,
            )
            return redirect(reverse("admin:registry_post_change", args=[appointment.post_id]))
    data = form.cleaned_data if confirming else {}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": organization,
        "title": gettext("Add a post and appoint to it: %(organization)s") % {"organization": organization},
        "form": form,
        "media": model_admin.media + form.media,
        "confirming": confirming,
        "entry": data or None,
        "post_slug": Post.default_slug({**entry.new_post}) if confirming and not data.get("post_slug") else "",
        "post_role": PostRole(data["post_role"]).label if confirming else "",
        "new_document_kind": DocumentKind(data["new_document_kind"]).label
        if confirming and data.get("new_document_kind")
        else "",
        "posts": organization.posts.select_related("portfolio").order_by("rank", "label", "id"),
        "errors": form.errors,
        "non_field_errors": form.non_field_errors(),
    }
    return TemplateResponse(request, "admin/registry/organization/add_post.html", context)
