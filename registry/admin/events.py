"""The admin of events: a conference, its organisers and day, and the appearances it shows (each with its quote).

Every save goes through the services like the rest of the admin (registry/admin.py's ``RegistryAdmin``).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registry.admin.base import CitationInline, FoldedSearchMixin, InlineServiceForm, RegistryAdmin, dated_column
from registry.models import Event, EventAppearance


class AppearanceInline(admin.TabularInline):
    """Who the event shows, in which post (an appointment); the quote goes on the appearance's own page."""

    model = EventAppearance
    form = InlineServiceForm
    extra = 0
    fields = ("appointment", "note")
    autocomplete_fields = ("appointment",)
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("appointment__person", "appointment__post__organization", "appointment__post__portfolio")
        )


@admin.register(Event)
class EventAdmin(FoldedSearchMixin, RegistryAdmin):
    list_display = ("name", "classification", "held")
    list_filter = ("classification",)
    autocomplete_fields = ("organizers",)
    readonly_fields = ("created", "updated")
    prepopulated_fields = {"slug": ("name",)}
    fields = (
        "slug",
        "name",
        "name_en",
        "classification",
        "start_date",
        "start_date_precision",
        "organizers",
        "note",
        "created",
        "updated",
    )
    inlines = (AppearanceInline, CitationInline)

    held = dated_column("start_date", _("held"))


@admin.register(EventAppearance)
class EventAppearanceAdmin(RegistryAdmin):
    list_display = ("event", "appointment")
    list_select_related = ("event", "appointment__person", "appointment__post__organization")
    autocomplete_fields = ("event", "appointment")
    readonly_fields = ("created", "updated")
    inlines = (CitationInline,)
