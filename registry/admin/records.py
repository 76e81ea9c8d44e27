"""The registry's records on the desk: bodies, people, portfolios, posts, appointments, relationships, documents."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from registry import clock, selectors, services
from registry.admin import desk as desk_admin
from registry.admin import desk_post
from registry.admin import intake as intake_admin
from registry.admin.base import (
    AppointmentInline,
    CitationInline,
    CurrentFilter,
    DutyInline,
    ExistsTodayFilter,
    FoldedSearchMixin,
    IdentifierInline,
    OtherNameInline,
    PostAppointmentInline,
    RegistryAdmin,
    TimelineMixin,
    dated,
    dated_column,
)
from registry.models.documents import Citation, Document
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchMixin, RegistryAdmin):
    list_display = ("name", "abbreviation", "classification", "parent", "post_count", "founded", "dissolved")
    list_filter = ("classification", ExistsTodayFilter)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "legal_basis")
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (DutyInline, IdentifierInline, OtherNameInline, CitationInline)
    change_form_template = "admin/registry/organization/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts", distinct=True))

    def get_urls(self):
        add_post = self.admin_site.admin_view(self.add_post_view)
        return [
            path("<int:organization_id>/add-post/", add_post, name="registry_organization_add_post"),
            *super().get_urls(),
        ]

    def add_post_view(self, request, organization_id: int):
        """A new seat or deputy post and the appointment to it, from one decision, in one transaction."""
        return desk_post.add_post_view(self, request, organization_id)

    @admin.display(description=_("posts"), ordering="post_count")
    def post_count(self, organization: Organization) -> int:
        return organization.post_count

    founded = dated_column("founding_date", _("founded"))
    dissolved = dated_column("dissolution_date", _("dissolved"))


@admin.register(Person)
class PersonAdmin(TimelineMixin, FoldedSearchMixin, RegistryAdmin):
    list_display = ("name", "family_name", "given_name", "honorific")
    list_filter = ("honorific",)
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (IdentifierInline, OtherNameInline, AppointmentInline, CitationInline)
    change_form_template = "admin/registry/timeline_change_form.html"
    timeline_field = "person"


@admin.register(Portfolio)
class PortfolioAdmin(RegistryAdmin):
    list_display = ("name", "name_en", "slug")
    search_fields = ("name", "name_en", "slug")
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (CitationInline,)


@admin.register(Post)
class PostAdmin(TimelineMixin, FoldedSearchMixin, RegistryAdmin):
    list_display = ("label", "organization", "holders", "role", "portfolio", "seats")
    list_filter = ("role", "standing", ("organization", admin.RelatedOnlyFieldListFilter), "portfolio")
    list_select_related = ("organization", "portfolio")
    search_help_text = _("Words of the post's title or of its organization's name, with or without accents.")
    autocomplete_fields = ("organization", "portfolio", "ex_officio_of")
    readonly_fields = ("created", "updated")
    inlines = (PostAppointmentInline, CitationInline)
    actions = ("end_current_holders_today",)
    change_form_template = "admin/registry/post/change_form.html"
    timeline_field = "post"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*selectors.seat_prefetches(clock.today()))

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "slug" in form.base_fields:  # the service makes it as its help text says
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = _("Empty: the body's slug, the title and the portfolio's slug.")
        return form

    @admin.display(description=_("holders today"))
    def holders(self, post: Post) -> str:
        names = ", ".join(str(appointment.person) for appointment in post.holders)
        states = selectors.seat_states(post)
        free = []
        if states.vacant:
            free.append(
                ngettext("%(count)d vacant seat", "%(count)d vacant seats", states.vacant) % {"count": states.vacant}
            )
        if states.unknown:
            free.append(
                ngettext("%(count)d seat unknown", "%(count)d seats unknown", states.unknown)
                % {"count": states.unknown}
            )
        free_text = ", ".join(free)
        if free_text:
            return f"{names} ({free_text})" if names else free_text
        return names

    def get_urls(self):
        appoint = self.admin_site.admin_view(self.appoint_view)
        capacity = self.admin_site.admin_view(self.capacity_options_view)
        return [
            path("<int:post_id>/appoint/", appoint, name="registry_post_appoint"),
            path("capacity-options/", capacity, name="registry_post_capacity_options"),
            *super().get_urls(),
        ]

    def appoint_view(self, request, post_id: int):
        """The desk's page: appoint or succeed, with the person and the source, in one transaction."""
        return desk_admin.appoint_view(self, request, post_id)

    def capacity_options_view(self, request):
        return desk_admin.capacity_options_view(self, request)

    @admin.action(description=_("End the current holders' appointments today"), permissions=["change"])
    def end_current_holders_today(self, request, queryset):
        ended = 0
        today = clock.today()
        for appointment in Appointment.objects.filter(post__in=queryset).current().select_related("post"):
            try:
                services.appointment_end(
                    appointment=appointment, end_date=today, end_reason="Ended from the admin", reason="admin action"
                )
                ended += 1
            except ValidationError as error:
                self.message_user(request, f"{appointment}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, gettext("Ended %(count)d appointment(s) today.") % {"count": ended})


@admin.register(Appointment)
class AppointmentAdmin(FoldedSearchMixin, RegistryAdmin):
    list_display = ("person", "post_label", "organization", "start", "end")
    list_filter = (
        CurrentFilter,
        "post__role",
        "post__portfolio",
        ("post__organization", admin.RelatedOnlyFieldListFilter),
        "start_date_precision",
    )
    list_select_related = ("person", "post__organization", "post__portfolio")
    search_fields = ("person__search_text", "post__search_text")
    autocomplete_fields = ("person", "post", "capacity")
    readonly_fields = ("created", "updated")
    date_hierarchy = "start_date"
    inlines = (CitationInline,)

    @admin.display(description=_("post"), ordering="post__label")
    def post_label(self, appointment: Appointment) -> str:
        post = appointment.post
        return f"{post.label} ({post.portfolio.name})" if post.portfolio_id else post.label

    @admin.display(description=_("organization"), ordering="post__organization__name")
    def organization(self, appointment: Appointment) -> Organization:
        return appointment.post.organization

    start = dated_column("start_date", _("from"))
    end = dated_column("end_date", _("until"))


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(RegistryAdmin):
    list_display = ("subject", "kind", "object", "start_date", "end_date", "document")
    list_filter = ("kind",)
    list_select_related = ("subject", "object", "document")
    autocomplete_fields = ("subject", "object", "document")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Document)
class DocumentAdmin(FoldedSearchMixin, RegistryAdmin):
    list_display = ("title", "number", "kind", "issuer", "date")
    list_filter = ("kind", "date_precision")
    list_select_related = ("issuer",)
    autocomplete_fields = ("issuer",)
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("number", "title")}

    @admin.display(description=_("date"), ordering="issued_on")
    def date(self, document: Document) -> str:
        return dated(document.issued_on or document.published_on, document.date_precision)

    inlines = (CitationInline,)

    def get_urls(self):
        intake = self.admin_site.admin_view(self.intake_view)
        return [path("intake/", intake, name="registry_document_intake"), *super().get_urls()]

    def intake_view(self, request):
        """Record from a document: read its text, review the proposals, apply them as one changeset."""
        return intake_admin.intake_view(self, request)


@admin.register(Duty)
class DutyAdmin(RegistryAdmin):
    list_display = ("organization", "order", "text")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organization",)
    search_fields = ("text", "text_en")
    inlines = (CitationInline,)


@admin.register(Citation)
class CitationAdmin(RegistryAdmin):
    list_display = ("document", "content_type", "object_id", "field", "quote")
    list_filter = ("content_type", "document")
    list_select_related = ("document", "content_type")
    search_fields = ("quote",)
    autocomplete_fields = ("document",)


# One entry for API keys: the package registers its own key model, which the registry does not use (keys belong to
# system accounts, SystemKey).
