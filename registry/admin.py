"""The Django admin: every model editable, accent-insensitive search, no query per row in change lists."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline

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
class OrganizationAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("name", "abbreviation", "classification", "parent", "founding_date", "dissolution_date")
    list_filter = ("classification", ExistsTodayFilter)
    list_select_related = ("parent",)
    autocomplete_fields = ("parent", "legal_basis")
    readonly_fields = ("created", "updated")
    inlines = (DutyInline, CitationInline)


@admin.register(Person)
class PersonAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("name", "family_name", "given_name", "honorific")
    list_filter = ("honorific",)
    readonly_fields = ("created", "updated")
    inlines = (AppointmentInline, CitationInline)


@admin.register(Portfolio)
class PortfolioAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "slug")
    search_fields = ("name", "name_en", "slug")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Post)
class PostAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("label", "organization", "role", "portfolio", "seats", "standing", "rank")
    list_filter = ("role", "standing", ("organization", admin.RelatedOnlyFieldListFilter), "portfolio")
    list_select_related = ("organization", "portfolio")
    autocomplete_fields = ("organization", "portfolio", "ex_officio_of")
    readonly_fields = ("created", "updated")
    inlines = (PostAppointmentInline, CitationInline)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
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
class OrganizationRelationshipAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "object", "start_date", "end_date", "document")
    list_filter = ("kind",)
    list_select_related = ("subject", "object", "document")
    autocomplete_fields = ("subject", "object", "document")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Document)
class DocumentAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ("title", "number", "kind", "issuer", "issued_on", "published_on", "date_precision")
    list_filter = ("kind", "date_precision")
    list_select_related = ("issuer",)
    autocomplete_fields = ("issuer",)
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ("organization", "order", "text")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organization",)
    search_fields = ("text", "text_en")
    inlines = (CitationInline,)


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ("document", "content_type", "object_id", "field", "quote")
    list_filter = ("content_type", "document")
    list_select_related = ("document", "content_type")
    search_fields = ("quote",)
    autocomplete_fields = ("document",)
