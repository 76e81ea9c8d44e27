"""The floor: what plain Django answers for the same rows as each benchmarked endpoint, as fast as it can.

One view per benchmarked endpoint, mounted under /floor/ by bench/floor_urls.py (never in the API). Each fetches the
rows its registry endpoint shows with `.values()` (the same filters, order, page size and related names, in as few
queries as plain Django needs) and returns them with `JsonResponse`: no serializer, no permission, no filterset, no
throttle. Requests still pass the same middleware, so registry/floor measures what the API layer adds.
"""

import datetime

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path

from registry import clock
from registry.changes import feed
from registry.choices import RelationshipKind
from registry.models import Appointment, Duty, Organization, OrganizationRelationship, Person, Post

ORGANIZATION_FIELDS = (
    "id", "slug", "name", "name_en", "abbreviation", "classification", "parent__slug", "parent__name",
    "founding_date", "founding_date_precision", "dissolution_date", "dissolution_date_precision", "note",
    "created", "updated",
)  # fmt: skip
POST_FIELDS = (
    "id", "slug", "label", "label_en", "role", "rank", "seats", "standing", "organization__slug",
    "organization__name", "portfolio__slug", "portfolio__name", "ex_officio_of_id", "created", "updated",
)  # fmt: skip
HOLDER_FIELDS = (
    "id", "post_id", "person__slug", "person__name", "capacity_id", "capacity__label", "start_date",
    "start_date_precision", "end_date", "end_date_precision",
)  # fmt: skip
APPOINTMENT_FIELDS = (
    "id", "person__slug", "person__name", "post_id", "post__label", "post__role", "post__organization__slug",
    "post__organization__name", "capacity_id", "start_date", "start_date_precision", "end_date",
    "end_date_precision", "end_reason", "note", "created", "updated",
)  # fmt: skip
PERSON_FIELDS = ("id", "slug", "name", "family_name", "given_name", "honorific", "created", "updated")
CHANGE_FIELDS = ("id", "position", "model", "object_id", "date", "type", "reason", "fields", "data")


def page_size(request) -> int:
    return min(int(request.GET.get("page_size", settings.REST_FRAMEWORK["PAGE_SIZE"])), 200)


def as_of(request) -> datetime.date:
    value = request.GET.get("as_of")
    return datetime.date.fromisoformat(value) if value else clock.today()


def paged(queryset, request) -> dict:
    """The first page and the total, as the API's page-number pagination fetches them (a COUNT and a LIMIT)."""
    return {"count": queryset.count(), "results": list(queryset[: page_size(request)])}


def attach(rows: list[dict], related, key: str, name: str) -> list[dict]:
    """Put each related row under ``name`` of the row whose id is its ``key`` (one query for the whole page)."""
    groups: dict = {row["id"]: [] for row in rows}
    for item in related.filter(**{f"{key}__in": list(groups)}):
        groups[item[key]].append(item)
    for row in rows:
        row[name] = groups[row["id"]]
    return rows


def one(queryset) -> dict:
    rows = list(queryset[:1])
    if not rows:
        raise Http404("not found")
    return rows[0]


def holders(day: datetime.date):
    return Appointment.objects.as_of(day).order_by("start_date", "id").values(*HOLDER_FIELDS)


def organizations(request):
    return JsonResponse(paged(Organization.objects.order_by("name", "id").values(*ORGANIZATION_FIELDS), request))


def organization(request, slug):
    body = one(Organization.objects.filter(slug=slug).values(*ORGANIZATION_FIELDS))
    body["duties"] = list(Duty.objects.filter(organization_id=body["id"]).values("order", "text", "text_en"))
    basis = Organization.legal_basis.through.objects.filter(organization_id=body["id"])
    body["legal_basis"] = list(basis.values("document__slug", "document__title"))
    return JsonResponse(body)


def chart(request, slug):
    body = one(Organization.objects.filter(slug=slug).values("id", "slug", "name"))
    day = as_of(request)
    posts = list(Post.objects.filter(organization_id=body["id"]).order_by("rank", "label", "id").values(*POST_FIELDS))
    in_effect = OrganizationRelationship.objects.as_of(day).filter(kind=RelationshipKind.SUPPORTS, object_id=body["id"])
    supporters = Organization.objects.as_of(day).filter(pk__in=in_effect.values("subject_id")).order_by("name", "id")
    children = Organization.objects.as_of(day).filter(parent_id=body["id"]).order_by("name", "id")
    return JsonResponse(
        {
            "organization": body,
            "as_of": day,
            "posts": attach(posts, holders(day), "post_id", "holders"),
            "support_agencies": list(supporters.values("id", "slug", "name")),
            "sub_organizations": list(children.values("id", "slug", "name")),
        }
    )


def posts(request):
    day = as_of(request)
    body = paged(Post.objects.order_by("organization__name", "rank", "label", "id").values(*POST_FIELDS), request)
    attach(body["results"], holders(day), "post_id", "holders")
    return JsonResponse(body)


def appointments(request):
    rows = Appointment.objects.as_of(as_of(request)).order_by(*Appointment._meta.ordering)
    return JsonResponse(paged(rows.values(*APPOINTMENT_FIELDS), request))


def person(request, slug):
    body = one(Person.objects.filter(slug=slug).values(*PERSON_FIELDS))
    rows = Appointment.objects.filter(person_id=body["id"]).order_by("start_date", "id")
    body["appointments"] = list(rows.values(*APPOINTMENT_FIELDS))
    return JsonResponse(body)


def people(request):
    # A list item is the person's own fields (appointments come on the detail, or with ?expand=appointments).
    found = Person.objects.search(request.GET.get("q", "")).values(*PERSON_FIELDS)
    return JsonResponse(paged(found, request))


def changes(request):
    cursor = request.GET.get("cursor")
    start = feed.Position.decode(cursor) if cursor else None
    limit = int(request.GET.get("limit", 100))
    rows = list(feed.page(start, limit).values(*CHANGE_FIELDS))
    last = rows[-1] if rows else None
    return JsonResponse({"results": rows, "next_cursor": last and feed.Position(last["position"]).encode()})


_schema: dict = {}


def schema(request):
    """The schema the API serves, generated once per process and then served as bytes (what a cache would do)."""
    if not _schema:
        from drf_spectacular.views import SpectacularAPIView

        response = SpectacularAPIView.as_view()(request)
        response.render()
        _schema.update(content=response.content, content_type=response["Content-Type"])
    return HttpResponse(_schema["content"], content_type=_schema["content_type"])


urlpatterns = [
    path("organizations/", organizations),
    path("organizations/<slug:slug>/", organization),
    path("organizations/<slug:slug>/chart/", chart),
    path("posts/", posts),
    path("appointments/", appointments),
    path("people/", people),
    path("people/<slug:slug>/", person),
    path("changes/", changes),
    path("schema/", schema),
]
