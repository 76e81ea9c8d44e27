"""The Django admin: every model editable, accent-insensitive search, no query per row in change lists."""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from rest_framework_api_key.admin import APIKeyModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from registry import services
from registry.choices import DatePrecision
from registry.filtersets import search, today
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
    SystemKey,
)


class FoldedSearchMixin:
    """Search ``search_text`` the way the API's ``q`` does: `nguyen van duoc` finds Nguyễn Văn Được."""

    search_fields = ("search_text",)

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return search(queryset, search_term), False


class CitationInline(GenericTabularInline):
    model = Citation
    extra = 0
    fields = ("document", "quote", "field")
    autocomplete_fields = ("document",)


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    fields = ("person", "post", "capacity", "start_date", "start_date_precision", "end_date", "end_date_precision")
    autocomplete_fields = ("person", "post", "capacity")
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "person", "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
            )
        )


class PostAppointmentInline(AppointmentInline):
    fk_name = "post"


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0
    fields = ("order", "text", "text_en")


class CurrentFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", "Holds today"), ("no", "Does not hold today"))

    def queryset(self, request, queryset):
        holding = Appointment.objects.as_of(today()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=holding)
        if self.value() == "no":
            return queryset.exclude(pk__in=holding)
        return queryset


class ExistsTodayFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", "Exists today"), ("no", "Dissolved or not yet founded"))

    def queryset(self, request, queryset):
        existing = Organization.objects.as_of(today()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=existing)
        if self.value() == "no":
            return queryset.exclude(pk__in=existing)
        return queryset


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ("name", "abbreviation", "classification", "parent", "founding_date", "dissolution_date")
    list_filter = ("classification", ExistsTodayFilter)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "legal_basis")
    readonly_fields = ("created", "updated")
    inlines = (DutyInline, CitationInline)


@admin.register(Person)
class PersonAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ("name", "family_name", "given_name", "honorific")
    list_filter = ("honorific",)
    readonly_fields = ("created", "updated")
    inlines = (AppointmentInline, CitationInline)


@admin.register(Portfolio)
class PortfolioAdmin(SimpleHistoryAdmin):
    list_display = ("name", "name_en", "slug")
    search_fields = ("name", "name_en", "slug")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


class SuccessionForm(forms.Form):
    """Appoint a person to a post; with "end the current holder", the holder's appointment ends the day before."""

    person = forms.ModelChoiceField(queryset=Person.objects.all())
    start_date = forms.DateField(help_text="First day in post (YYYY-MM-DD).")
    start_date_precision = forms.ChoiceField(choices=DatePrecision.choices, initial=DatePrecision.EXACT)
    capacity = forms.ModelChoiceField(queryset=Post.objects.select_related("organization", "portfolio"), required=False)
    end_current_holder = forms.BooleanField(
        required=False, initial=True, help_text="Succession: end the current holder's appointment the day before."
    )
    reason = forms.CharField(required=False, help_text="Kept in the history.")


@admin.register(Post)
class PostAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ("label", "organization", "role", "portfolio", "seats", "standing", "rank")
    list_filter = ("role", "standing", ("organization", admin.RelatedOnlyFieldListFilter), "portfolio")
    list_select_related = ("organization", "portfolio")
    autocomplete_fields = ("organization", "portfolio", "ex_officio_of")
    readonly_fields = ("created", "updated")
    inlines = (PostAppointmentInline, CitationInline)
    actions = ("end_current_holders_today",)
    change_form_template = "admin/registry/post/change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.appoint_view)
        return [path("<int:post_id>/appoint/", view, name="registry_post_appoint"), *super().get_urls()]

    def appoint_view(self, request, post_id: int):
        """Appoint someone to the post, or appoint a successor, through the same service the API uses."""
        if not request.user.has_perms(["registry.add_appointment", "registry.change_appointment"]):
            raise PermissionDenied
        post = get_object_or_404(Post.objects.select_related("organization", "portfolio"), pk=post_id)
        form = SuccessionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            end_current = data.pop("end_current_holder")
            try:
                if end_current:
                    ended, started = services.post_succeed(post=post, **data)
                else:
                    ended, started = None, services.appointment_create(post=post, **data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                if ended is not None:
                    self.message_user(request, f"Ended: {ended.person} on {ended.end_date}.", messages.INFO)
                self.message_user(request, f"Appointed: {started.person} from {started.start_date}.")
                return redirect(reverse("admin:registry_post_change", args=[post.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": post,
            "title": f"Appoint to {post}",
            "form": form,
        }
        return TemplateResponse(request, "admin/registry/post/appoint.html", context)

    @admin.action(description="End the current holders' appointments today", permissions=["change"])
    def end_current_holders_today(self, request, queryset):
        ended = 0
        for appointment in Appointment.objects.filter(post__in=queryset).as_of(today()).select_related("post"):
            try:
                services.appointment_end(
                    appointment=appointment, end_date=today(), end_reason="Ended from the admin", reason="admin action"
                )
                ended += 1
            except ValidationError as error:
                self.message_user(request, f"{appointment}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, f"Ended {ended} appointment(s) today.")


@admin.register(Appointment)
class AppointmentAdmin(SimpleHistoryAdmin):
    list_display = (
        "person",
        "post",
        "organization",
        "start_date",
        "start_date_precision",
        "end_date",
        "end_date_precision",
    )
    list_filter = (
        CurrentFilter,
        "post__role",
        ("post__organization", admin.RelatedOnlyFieldListFilter),
        "start_date_precision",
    )
    list_select_related = ("person", "post__organization", "post__portfolio")
    search_fields = ("person__search_text", "post__search_text")
    autocomplete_fields = ("person", "post", "capacity")
    readonly_fields = ("created", "updated")
    date_hierarchy = "start_date"
    inlines = (CitationInline,)

    @admin.display(ordering="post__organization__name")
    def organization(self, appointment: Appointment) -> Organization:
        return appointment.post.organization

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        people = search(Person.objects.all(), search_term).values("pk")
        posts = search(Post.objects.all(), search_term).values("pk")
        return queryset.filter(person__in=people) | queryset.filter(post__in=posts), False


@admin.register(OrganizationRelationship)
class OrganizationRelationshipAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "kind", "object", "start_date", "end_date", "document")
    list_filter = ("kind",)
    list_select_related = ("subject", "object", "document")
    autocomplete_fields = ("subject", "object", "document")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Document)
class DocumentAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = ("title", "number", "kind", "issuer", "issued_on", "published_on", "date_precision")
    list_filter = ("kind", "date_precision")
    list_select_related = ("issuer",)
    autocomplete_fields = ("issuer",)
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Duty)
class DutyAdmin(SimpleHistoryAdmin):
    list_display = ("organization", "order", "text")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organization",)
    search_fields = ("text", "text_en")
    inlines = (CitationInline,)


@admin.register(Citation)
class CitationAdmin(SimpleHistoryAdmin):
    list_display = ("document", "content_type", "object_id", "field", "quote")
    list_filter = ("content_type", "document")
    list_select_related = ("document", "content_type")
    search_fields = ("quote",)
    autocomplete_fields = ("document",)


@admin.register(SystemKey)
class SystemKeyAdmin(APIKeyModelAdmin):
    """Keys of integrating systems: created here or with `manage.py create_system_account`; revoke to cut access."""

    list_display = (*APIKeyModelAdmin.list_display, "account")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
