"""The desk's building blocks: forms and mixins that save through the services, inlines, filters, dated columns."""

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, ProtectedError
from django.forms.models import construct_instance
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from registry import clock, services
from registry.choices import DatePrecision
from registry.models.documents import Citation
from registry.models.identifiers import Identifier, OtherName
from registry.models.organizations import Duty
from registry.models.posts import Appointment
from registry.services import Refused


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
        required=False,
        widget=forms.HiddenInput,
        label=_("Loaded version"),
        help_text=_("The version of the record this form was opened on."),
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
            elif not getattr(self.model, "created_with_sources", False):
                saved = services.record_create(model=self.model, values=self._new_values(form), reason=reason)
                obj.pk = saved.pk
            # else: created in save_related, with the rows of its Sources table, which the service asks for
        except (ValidationError, services.PreconditionFailed) as error:
            raise refusal(error) from error

    def _create_with_sources(self, form, formsets) -> None:
        """Create a record the services create only with its sources, from the form and its Sources rows."""
        citations = [formset for formset in formsets if formset.model is Citation]
        sources = [
            {"document": row["document"], "quote": row.get("quote", ""), "field": row.get("field", "")}
            for formset in citations
            for row in formset.cleaned_data
            if row and row.get("document") and not row.get("DELETE")
        ]
        reason = form.cleaned_data.get("change_reason", "")
        try:
            saved = services.record_create(
                model=self.model, values=self._new_values(form), reason=reason, sources=sources
            )
        except ValidationError as error:
            errors: dict[str, list] = {}
            for name, messages in error.message_dict.items():
                if name == "sources" or name.startswith("sources."):  # the Sources table has no field of that name
                    messages = [gettext("Sources (the table below): %(errors)s") % {"errors": " ".join(messages)}]
                    name = NON_FIELD_ERRORS
                errors.setdefault(name, []).extend(messages)
            raise Refused(errors) from error
        form.instance.pk = saved.pk
        form.instance._state.adding = False
        for formset in citations:  # written with the record: nothing left for the formset to save
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def _new_values(self, form) -> dict:
        names = {field.name for field in self.model._meta.get_fields()}
        return {name: value for name, value in form.cleaned_data.items() if name in names}

    def save_related(self, request, form, formsets, change):
        # The form's many-to-many fields were written by the service with the record (no form.save_m2m()).
        if not change and getattr(self.model, "created_with_sources", False):
            self._create_with_sources(form, formsets)
            formsets = [formset for formset in formsets if formset.model is not Citation]
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
        value, precision = getattr(record, field), getattr(record, f"{field}_precision")
        if value is None or not precision or precision == DatePrecision.EXACT:
            return dated(value, precision)
        # The day stays on one line; its precision may wrap under it, so the column stays narrow at 1366 px.
        label = DatePrecision(precision).label
        return format_html('<span class="day">{}</span> <span class="precision">({})</span>', day(value), label)

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
