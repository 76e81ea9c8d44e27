"""Filters of every list. Date and search logic are the QuerySet methods the admin and the pages use too.

`as_of` means one thing everywhere: what holds on that day (appointments holding their post, people holding one,
relationships in effect). Whether a body existed that day is its own filter, `exists_on`. A post's holders on a day
are not a filter: the posts list and detail take `as_of` to choose the day of the holders they show (the view).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from drf_spectacular.drainage import set_override

from registry.api.names import IdentifierFilter
from registry.choices import DocumentKind, OrganizationClassification, PostRole, RelationshipKind
from registry.days import parse_day
from registry.models import (
    Appointment,
    Document,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)


class StrictFilterSet(django_filters.FilterSet):
    """Query parameters are what the schema says: an empty `as_of=`, an empty date or `standing=null` is a 400, not
    "no filter"."""

    strict_empty = ("as_of", "exists_on", "identifier")

    def is_valid(self):
        valid = super().is_valid()
        dates = (name for name, declared in self.filters.items() if isinstance(declared, django_filters.DateFilter))
        for name in {*self.strict_empty, *dates}:
            if name in self.filters and self.data.get(name, None) == "":
                self.form.add_error(name, forms.ValidationError("Give a value or leave it out.", code="empty"))
                valid = False
        return valid


class IsoDateFormField(forms.DateField):
    """A day written YYYY-MM-DD only (registry.days): not the locale's 01/31/2025, not 20250131."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_day(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateFormField


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
        return queryset.search(value)


class AsOfFilterSet(StrictFilterSet):
    as_of = IsoDateFilter(method="filter_as_of", label="What holds on this day (YYYY-MM-DD).")

    def filter_as_of(self, queryset, name, value):
        return queryset.as_of(value)


class ExistsOnFilterSet(StrictFilterSet):
    exists_on = IsoDateFilter(method="filter_exists_on", label="Only bodies that existed on this day (YYYY-MM-DD).")

    def filter_exists_on(self, queryset, name, value):
        return queryset.exists_on(value)


class SlugChoiceFilter(django_filters.ModelChoiceFilter):
    """A related record named by its slug; an unknown slug is a 400 that says so."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        model = kwargs["queryset"].model._meta.verbose_name
        # Lazy: the filtersets are built at import, in whatever language is active then; the message is the request's.
        kwargs.setdefault("error_messages", {"invalid_choice": format_lazy("No {} with slug %(value)s.", model)})
        super().__init__(*args, **kwargs)
        # The schema shows a slug string with this filter's label (a class-level annotation would drop the label).
        set_override(self, "field", {"type": "string", "description": kwargs.get("label") or ""})


def slug_filter(field_name: str, queryset, label: str) -> SlugChoiceFilter:
    return SlugChoiceFilter(field_name=field_name, queryset=queryset, label=label)


class OrganizationFilterSet(SearchFilterSet, ExistsOnFilterSet):
    classification = django_filters.MultipleChoiceFilter(
        choices=OrganizationClassification.choices, label="Kind of body."
    )
    parent = slug_filter("parent", Organization.objects.all(), "Slug of the parent body.")
    identifier = IdentifierFilter()

    class Meta:
        model = Organization
        fields = ("q", "exists_on", "classification", "parent", "identifier")


class PersonFilterSet(SearchFilterSet, AsOfFilterSet):
    organization = SlugChoiceFilter(
        queryset=Organization.objects.all(),
        method="filter_organization",
        label="Slug of a body: people who held a post in it (on as_of, if given).",
    )
    identifier = IdentifierFilter()

    class Meta:
        model = Person
        fields = ("q", "as_of", "organization", "identifier")

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


class PostFilterSet(SearchFilterSet, ExistsOnFilterSet):
    organization = slug_filter("organization", Organization.objects.all(), "Slug of the body.")
    role = django_filters.MultipleChoiceFilter(choices=PostRole.choices, label="Generic rank.")
    portfolio = slug_filter("portfolio", Portfolio.objects.all(), "Slug of the portfolio.")
    standing = StrictBooleanFilter(label="Only posts of (true) or outside (false) the standing board.")

    class Meta:
        model = Post
        fields = ("q", "exists_on", "organization", "role", "portfolio", "standing")


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
        holding = Appointment.objects.current().values("pk")
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
