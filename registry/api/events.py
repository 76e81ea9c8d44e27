"""Events (Popolo's Event): the conferences the sources report, their organisers, and who was shown there.

A resource like the others (CRUD through the services, history, brief related records): `GET /api/v1/events/` and
`/api/v1/events/{slug}/`. An event's detail lists its appearances: each appointment (person in post) the event shows,
with the sentence that shows it, so an `attested` date can be traced to the event of that day. The appearances are
written in the admin and by the seed loader; the API reads them.
"""

import django_filters
from django.db.models import Prefetch

from registry import selectors
from registry.api.filtersets import IsoDateFilter, SearchFilterSet, SlugChoiceFilter, slug_filter
from registry.api.serializers.events import EventSerializer
from registry.api.views.base import ExpandMixin, RegistryViewSet, expandable_list
from registry.choices import EventClassification
from registry.models import Appointment, Event, EventAppearance, Organization, Person


class EventFilterSet(SearchFilterSet):
    classification = django_filters.MultipleChoiceFilter(choices=EventClassification.choices, label="Kind of event.")
    organizer = slug_filter("organizers", Organization.objects.all(), "Slug of an organising body.")
    person = SlugChoiceFilter(
        queryset=Person.objects.all(), method="filter_person", label="Slug of a person the event shows."
    )
    appointment = django_filters.ModelChoiceFilter(
        field_name="appearances__appointment",  # one appearance per event and appointment: no duplicate rows
        queryset=Appointment.objects.all(),
        label="Id of an appointment the event shows (the event behind an attested date).",
        error_messages={"invalid_choice": "No appointment with id %(value)s."},
    )
    start_date_from = IsoDateFilter(field_name="start_date", lookup_expr="gte", label="Held on or after.")
    start_date_to = IsoDateFilter(field_name="start_date", lookup_expr="lte", label="Held on or before.")

    class Meta:
        model = Event
        fields = ("q", "classification", "organizer", "person", "appointment", "start_date_from", "start_date_to")

    def filter_person(self, queryset, name, value):
        return queryset.filter(pk__in=EventAppearance.objects.filter(appointment__person=value).values("event_id"))


def appearances() -> Prefetch:
    return Prefetch(
        "appearances",
        queryset=EventAppearance.objects.select_related(
            "appointment__person", "appointment__post__organization", "appointment__post__portfolio"
        ).prefetch_related(selectors.sources_prefetch()),
    )


def organizers() -> Prefetch:
    return Prefetch("organizers", queryset=Organization.objects.order_by("name", "id"))


@expandable_list(EventSerializer)
class EventViewSet(ExpandMixin, RegistryViewSet):
    """Conferences the sources report: when, organised by whom, and who was shown there in what post."""

    queryset = Event.objects.prefetch_related(organizers())
    collections = {"appearances": (appearances,), "sources": (selectors.sources_prefetch,)}
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    lookup_field = "slug"
