"""Filters of every list. Date logic calls the QuerySet methods the admin and the seeds use too."""

import datetime

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from drf_spectacular.drainage import set_override

from registry.choices import DocumentKind, OrganizationClassification, PostRole, RelationshipKind
from registry.models import (
    Appointment,
    Document,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.text import search_tokens


def search(queryset: QuerySet, query: str) -> QuerySet:
    """Records whose folded names contain every folded word of ``query``; exact and prefix matches first."""
    tokens = search_tokens(query)
    if not tokens:
        return queryset
    for token in tokens:
        queryset = queryset.filter(search_text__contains=token)
    phrase = " ".join(tokens)
    rank = Case(
        When(
            Q(search_text=phrase)
            | Q(search_text__startswith=f"{phrase} |")
            | Q(search_text__contains=f"| {phrase} |")
            | Q(search_text__endswith=f"| {phrase}"),
            then=Value(0),
        ),
        When(Q(search_text__startswith=phrase) | Q(search_text__contains=f"| {phrase}"), then=Value(1)),
        When(search_text__contains=phrase, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return queryset.annotate(search_rank=rank).order_by("search_rank", *queryset.model._meta.ordering)


def today() -> datetime.date:
    return timezone.localdate()


class StrictFilterSet(django_filters.FilterSet):
    """Query parameters are what the schema says: an empty `as_of=` or `standing=null` is a 400, not "no filter"."""

    strict_empty = ("as_of",)

    def is_valid(self):
        valid = super().is_valid()
        for name in self.strict_empty:
            if name in self.filters and self.data.get(name, None) == "":
                self.form.add_error(name, forms.ValidationError("Give a value or leave it out.", code="empty"))
                valid = False
        return valid


class StrictBooleanFilter(django_filters.BooleanFilter):
    """Only `true` or `false` (django-filter would read anything else as "no filter")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_class = StrictBooleanFormField


class StrictBooleanFormField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Expected true or false.", code="invalid")


class SearchFilterSet(StrictFilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label="Search names, accent- and case-insensitive (`so ngoai vu`); best match first."
    )

    def filter_q(self, queryset, name, value):
        return search(queryset, value)


class AsOfFilterSet(StrictFilterSet):
    as_of = django_filters.DateFilter(method="filter_as_of", label="The state on this day (YYYY-MM-DD).")

    def filter_as_of(self, queryset, name, value):
        return queryset.as_of(value)


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A related record named by its slug; an unknown slug is a 400 that says so."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        model = kwargs["queryset"].model._meta.verbose_name
        kwargs.setdefault("error_messages", {"invalid_choice": f"No {model} with slug %(value)s."})
        super().__init__(*args, **kwargs)
        # The schema shows a slug string with this filter's label (a class-level annotation would drop the label).
        set_override(self, "field", {"type": "string", "description": kwargs.get("label") or ""})


def slug_filter(field_name: str, queryset, label: str) -> SlugChoiceFilter:
    return SlugChoiceFilter(field_name=field_name, queryset=queryset, label=label)


class OrganizationFilterSet(SearchFilterSet, AsOfFilterSet):
    classification = django_filters.MultipleChoiceFilter(
        choices=OrganizationClassification.choices, label="Kind of body."
    )
    parent = slug_filter("parent", Organization.objects.all(), "Slug of the parent body.")

    class Meta:
        model = Organization
        fields = ("q", "as_of", "classification", "parent")


class PersonFilterSet(SearchFilterSet, AsOfFilterSet):
    organization = SlugChoiceFilter(
        queryset=Organization.objects.all(),
        method="filter_organization",
        label="Slug of a body: people who held a post in it (on as_of, if given).",
    )

    class Meta:
        model = Person
        fields = ("q", "as_of", "organization")

    def filter_organization(self, queryset, name, value):
        appointments = Appointment.objects.filter(post__organization=value)
        as_of = self.form.cleaned_data.get("as_of")
        if as_of:
            appointments = appointments.as_of(as_of)
        return queryset.filter(pk__in=appointments.values("person_id"))


class PortfolioFilterSet(StrictFilterSet):
    slug = django_filters.CharFilter(label="Exact slug of the portfolio.")

    class Meta:
        model = Portfolio
        fields = ("slug",)


class PostFilterSet(SearchFilterSet, AsOfFilterSet):
    organization = slug_filter("organization", Organization.objects.all(), "Slug of the body.")
    role = django_filters.MultipleChoiceFilter(choices=PostRole.choices, label="Generic rank.")
    portfolio = slug_filter("portfolio", Portfolio.objects.all(), "Slug of the portfolio.")
    standing = StrictBooleanFilter(label="Only posts of (true) or outside (false) the standing board.")

    class Meta:
        model = Post
        fields = ("q", "as_of", "organization", "role", "portfolio", "standing")


class AppointmentFilterSet(AsOfFilterSet):
    current = StrictBooleanFilter(method="filter_current", label="true: holds today; false: does not.")
    person = slug_filter("person", Person.objects.all(), "Slug of the person.")
    post = django_filters.ModelChoiceFilter(
        queryset=Post.objects.all(),
        label="Id of the post.",
        error_messages={"invalid_choice": "No post with id %(value)s."},
    )
    organization = slug_filter("post__organization", Organization.objects.all(), "Slug of the post's body.")
    role = django_filters.MultipleChoiceFilter(field_name="post__role", choices=PostRole.choices, label="Post rank.")
    portfolio = slug_filter("post__portfolio", Portfolio.objects.all(), "Slug of the post's portfolio.")

    class Meta:
        model = Appointment
        fields = ("as_of", "current", "person", "post", "organization", "role", "portfolio")

    def filter_current(self, queryset, name, value):
        holding = Appointment.objects.as_of(today()).values("pk")
        return queryset.filter(pk__in=holding) if value else queryset.exclude(pk__in=holding)


class DocumentFilterSet(SearchFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=DocumentKind.choices, label="Kind of document.")
    number = django_filters.CharFilter(lookup_expr="iexact", label="Official number, e.g. 59-NQ/TW.")
    issuer = slug_filter("issuer", Organization.objects.all(), "Slug of the issuing body.")

    class Meta:
        model = Document
        fields = ("q", "kind", "number", "issuer")


class RelationshipFilterSet(AsOfFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=RelationshipKind.choices, label="Kind of relationship.")
    subject = slug_filter("subject", Organization.objects.all(), "Slug of the acting body.")
    object = slug_filter("object", Organization.objects.all(), "Slug of the body acted towards.")
    organization = SlugChoiceFilter(
        queryset=Organization.objects.all(),
        method="filter_organization",
        label="Slug of a body on either side.",
    )

    class Meta:
        model = OrganizationRelationship
        fields = ("as_of", "kind", "subject", "object", "organization")

    def filter_organization(self, queryset, name, value):
        return queryset.filter(Q(subject=value) | Q(object=value))
