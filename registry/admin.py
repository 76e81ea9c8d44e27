"""The Django admin: every model editable through the services, accent-insensitive search, no query per row.

Forms and inlines only shape input: every save, inline row and deletion is a service call (locked, validated once,
with the reason kept in the history and the change feed). A form carries the version of the record it was opened on;
saving it after someone else has saved the record is refused with a message, never a silent overwrite.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count, Prefetch, ProtectedError, URLField
from django.forms.models import construct_instance
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from registry import clock, desk_admin, services
from registry.choices import DatePrecision
from registry.models.access import SystemKey
from registry.models.documents import Citation, Document
from registry.models.identifiers import Identifier, OtherName
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.models.webhooks import WebhookDelivery, WebhookEndpoint

admin.site.site_header = _("HCMC international integration registry")
admin.site.site_title = _("HCMC registry")
admin.site.index_title = _("Editing desk")


class Refused(Exception):
    """A service refused a write the admin asked for; the form is shown again with ``errors``."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(errors)


def refusal(error: Exception, where: str = "") -> Refused:
    """The service's refusal as form errors; ``where`` names an inline row, whose errors go to the top."""
    if isinstance(error, services.PreconditionFailed):
        message = gettext(
            "Someone else saved this record after you opened it; your changes were not saved. "
            "Open the record again to see their version, then make your changes."
        )
        return Refused({NON_FIELD_ERRORS: [message]})
    if isinstance(error, ProtectedError):
        return Refused({NON_FIELD_ERRORS: [where + gettext("cannot be deleted while other records refer to it.")]})
    errors = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    if where:
        return Refused({NON_FIELD_ERRORS: [f"{where}{name}: {' '.join(msgs)}" for name, msgs in errors.items()]})
    return Refused(errors)


class ServiceModelForm(forms.ModelForm):
    """A model form whose record is validated by the service, once, under the lock, not by the form beforehand."""

    loaded_version = forms.IntegerField(
        required=False, widget=forms.HiddenInput, help_text=_("The version of the record this form was opened on.")
    )
    change_reason = forms.CharField(
        required=False, max_length=1000, label=_("Reason"), help_text=_("Why the change is made; kept in the history.")
    )
    #: Errors a service gave on the previous attempt to save this form.
    refusals: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "loaded_version" in self.fields and self.instance.pk is not None and hasattr(self.instance, "version"):
            self.fields["loaded_version"].initial = self.instance.version

    def _post_clean(self):
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        except ValidationError as error:
            self._update_errors(error)
        if self.refusals:
            self._update_errors(ValidationError(self.refusals))

    def if_match(self) -> str | None:
        version = self.cleaned_data.get("loaded_version")
        return None if version is None else f'"{version}"'

    def model_changes(self) -> dict:
        """The model fields this form changes, with their new values."""
        names = {field.name for field in self._meta.model._meta.get_fields()}
        return {name: self.cleaned_data[name] for name in self.changed_data if name in names}


class InlineServiceForm(ServiceModelForm):
    """An inline row: no version or reason of its own (the page's record carries them)."""

    loaded_version = None
    change_reason = None


def record_values(instance) -> dict:
    """The editable fields of an instance an inline built, as values for ``services.record_create``."""
    return {
        field.name: getattr(instance, field.name)
        for field in instance._meta.concrete_fields
        if field.editable and not field.primary_key
    }


class ServiceAdminMixin:
    """Saves, inline rows and deletions go through the services; a refusal shows the form again with its errors."""

    form = ServiceModelForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:  # the transaction was rolled back: show the same input again with the errors
            request.registry_refusals = refused.errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusals = getattr(request, "registry_refusals", None)
        return type(form.__name__, (form,), {"refusals": refusals}) if refusals else form

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        try:
            if change:
                services.record_update(
                    instance=obj, changes=form.model_changes(), reason=reason, if_match=form.if_match()
                )
            else:
                saved = services.record_create(model=self.model, values=self._new_values(form), reason=reason)
                obj.pk = saved.pk
        except (ValidationError, services.PreconditionFailed) as error:
            raise refusal(error) from error

    def _new_values(self, form) -> dict:
        names = {field.name for field in self.model._meta.get_fields()}
        return {name: value for name, value in form.cleaned_data.items() if name in names}

    def save_related(self, request, form, formsets, change):
        # The form's many-to-many fields were written by the service with the record (no form.save_m2m()).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason", "")
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            self._inline_write(lambda obj=obj: services.record_delete(instance=obj, reason=reason), obj)
        for obj, fields in formset.changed_objects:
            changes = {name: getattr(obj, name) for name in fields}
            self._inline_write(
                lambda obj=obj, changes=changes: services.record_update(instance=obj, changes=changes, reason=reason),
                obj,
            )
        for obj in formset.new_objects:
            values = record_values(obj)
            self._inline_write(
                lambda obj=obj, values=values: services.record_create(model=type(obj), values=values, reason=reason),
                obj,
            )

    @staticmethod
    def _inline_write(write, obj) -> None:
        try:
            write()
        except (ValidationError, ProtectedError) as error:
            raise refusal(error, where=f"{obj._meta.verbose_name} “{obj}”: ") from error

    def delete_model(self, request, obj):
        services.record_delete(instance=obj, reason="deleted in the admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.record_delete(instance=obj, reason="deleted in the admin")


class RegistryAdmin(ServiceAdminMixin, SimpleHistoryAdmin):
    """The admin of a registry model: writes through the services, a History button on every record."""

    class Media:
        # Slugs prepopulated with the Vietnamese fold (đ -> d), as registry.text.slugify_vi does.
        js = ("registry/admin/slug.js",)


class FoldedSearchMixin:
    """Search the way the API's ``q`` does (the queryset's ``search``): `nguyen van duoc` finds Nguyễn Văn Được."""

    search_fields = ("search_text",)

    def get_search_results(self, request, queryset, search_term):
        return (queryset.search(search_term) if search_term else queryset), False


class CitationInline(GenericTabularInline):
    model = Citation
    form = InlineServiceForm
    extra = 0
    fields = ("document", "quote", "field")
    autocomplete_fields = ("document",)


class IdentifierInline(GenericTabularInline):
    """Identifiers other systems issued (Wikidata, registers, the city's codes); saved through the services."""

    model = Identifier
    form = InlineServiceForm
    extra = 0
    fields = Identifier.EDITABLE_FIELDS


class OtherNameInline(GenericTabularInline):
    """Former names, abbreviations, transliterations, with dates; saved through the services."""

    model = OtherName
    form = InlineServiceForm
    extra = 0
    fields = OtherName.EDITABLE_FIELDS


class AppointmentInline(admin.TabularInline):
    model = Appointment
    form = InlineServiceForm
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
    form = InlineServiceForm
    extra = 0
    fields = ("order", "text", "text_en")


class InEffectTodayFilter(admin.SimpleListFilter):
    """Records in effect today (the queryset's ``current()``), or the others; ``options`` names the two."""

    parameter_name = "current"
    options: tuple[str, str] = ("", "")

    def lookups(self, request, model_admin):
        return (("yes", self.options[0]), ("no", self.options[1]))

    def queryset(self, request, queryset):
        in_effect = queryset.model._default_manager.current().values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_effect)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_effect)
        return queryset


class CurrentFilter(InEffectTodayFilter):
    title = _("current or ended")
    options = (_("Current (holds today)"), _("Ended or not yet started"))


class ExistsTodayFilter(InEffectTodayFilter):
    title = _("existing or dissolved")
    options = (_("Exists today"), _("Dissolved or not yet founded"))


def day(value) -> str:
    """A date as the office writes it: 20/11/2026."""
    return value.strftime("%d/%m/%Y") if value else ""


def dated(value, precision: str) -> str:
    """A date with its precision when it is not the exact day: ``20/11/2026 (attested)``."""
    if value is None:
        return ""
    if precision and precision != DatePrecision.EXACT:
        return f"{day(value)} ({DatePrecision(precision).label})"
    return day(value)


def dated_column(field: str, description):
    """A change-list column: the date ``field`` with its precision (``<field>_precision``), sorted by the date."""

    @admin.display(description=description, ordering=field)
    def column(self, record) -> str:
        return dated(getattr(record, field), getattr(record, f"{field}_precision"))

    return column


class TimelineMixin:
    """The change page of a person or a post shows its appointments in order: who, which post, from, until, source."""

    timeline_field = ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        if object_id and str(object_id).isdigit():
            appointments = (
                Appointment.objects.filter(**{f"{self.timeline_field}_id": object_id})
                .select_related("person", "post__organization", "post__portfolio")
                .prefetch_related(Prefetch("sources", queryset=Citation.objects.select_related("document")))
                .order_by("start_date", "id")
            )
            extra_context["timeline"] = [
                {
                    "appointment": appointment,
                    "start": dated(appointment.start_date, appointment.start_date_precision),
                    "end": dated(appointment.end_date, appointment.end_date_precision),
                    "current": appointment.holds_on(clock.today()),
                }
                for appointment in appointments
            ]
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Organization)
class OrganizationAdmin(FoldedSearchMixin, RegistryAdmin):
    list_display = ("name", "abbreviation", "classification", "parent", "post_count", "founded", "dissolved")
    list_filter = ("classification", ExistsTodayFilter)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "legal_basis")
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (DutyInline, IdentifierInline, OtherNameInline, CitationInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(post_count=Count("posts", distinct=True))

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
    prepopulated_fields = {"slug": ("label",)}
    inlines = (PostAppointmentInline, CitationInline)
    actions = ("end_current_holders_today",)
    change_form_template = "admin/registry/post/change_form.html"
    timeline_field = "post"

    def get_queryset(self, request):
        current = Appointment.objects.current().select_related("person").order_by("start_date", "id")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("appointments", queryset=current, to_attr="current_appointments"))
        )

    @admin.display(description=_("holders today"))
    def holders(self, post: Post) -> str:
        names = ", ".join(str(appointment.person) for appointment in post.current_appointments)
        if post.seats is not None and post.seats > len(post.current_appointments):
            vacant = post.seats - len(post.current_appointments)
            free = ngettext("%(count)d vacant seat", "%(count)d vacant seats", vacant) % {"count": vacant}
            return f"{names} ({free})" if names else free
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


@admin.register(SystemKey)
class SystemKeyAdmin(APIKeyModelAdmin):
    """Keys of integrating systems: created here or with `manage.py create_system_account`; revoke to cut access."""

    list_display = (*APIKeyModelAdmin.list_display, "account")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


class WebhookDeliveryInline(admin.TabularInline):
    """The last attempts, read-only: the log the worker writes."""

    model = WebhookDelivery
    extra = 0
    max_num = 0
    can_delete = False
    fields = ("created", "event", "change_id", "attempt", "succeeded", "status_code", "error", "duration_ms")
    readonly_fields = fields
    ordering = ("-id",)

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Webhooks of city systems (configuration, not registry records: saved directly, not in the change feed)."""

    list_display = ("name", "owner", "url", "active", "failures", "next_attempt")
    list_filter = ("active",)
    list_select_related = ("owner",)
    autocomplete_fields = ("organizations",)
    readonly_fields = ("cursor_txid", "cursor_id", "failures", "next_attempt", "last_error", "created", "updated")
    inlines = (WebhookDeliveryInline,)
    # A scheme-less address is read as https: deliveries carry registry data (and Django 6 assumes the same).
    formfield_overrides = {URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        if not change:
            from registry.webhooks import start_position

            position = start_position()
            obj.cursor_txid, obj.cursor_id = position.txid, position.id
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("created", "endpoint", "event", "change_id", "attempt", "succeeded", "status_code")
    list_filter = ("succeeded",)
    list_select_related = ("endpoint",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
