"""Template helpers of the public website: translated data, dates with their precision, sources, seats."""

from django import template
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from registry import clock, selectors, wording
from registry.choices import DocumentKind, OrganizationClassification, PostRole
from registry.selectors import evidence as evidence_of

register = template.Library()

#: The words a page shows for the codes the registry stores; each name is a filter: ``{{ post.role|role }}``.
LABELS = {
    # The stored codes' own labels (registry/choices.py): the admin, the API's schema and the pages say one thing.
    "classification": dict(OrganizationClassification.choices),
    "role": dict(PostRole.choices),
    "document_kind": dict(DocumentKind.choices),
    "change_type": {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")},
    "model_name": {
        "organization": gettext_lazy("body"),
        "person": gettext_lazy("person"),
        "post": gettext_lazy("post"),
        "appointment": gettext_lazy("appointment"),
        "document": gettext_lazy("document"),
    },
}
#: The largest number of seats drawn one by one; beyond it the chart says the number only.
MAX_SEATS_DRAWN = 60


@register.filter
def tr(record, name: str) -> str:
    """The English ``<name>_en`` of a record when the page is in English and it has one; the Vietnamese otherwise."""
    if record is None:
        return ""
    if get_language() == "en":
        english = getattr(record, f"{name}_en", "")
        if english:
            return english
    return getattr(record, name, "")


register.filter("day", wording.day)


def _label(labels: dict):
    def label(value: str) -> str:
        return labels.get(value, value)

    return label


for _name, _labels in LABELS.items():
    register.filter(_name, _label(_labels))


register.simple_tag(wording.period, name="period")


@register.simple_tag
def dated(date, precision: str) -> str:
    """A founding or dissolution date with its precision."""
    if date is None:
        return _("not stated in the sources")
    return wording.phrase(wording.FACT, date, precision)


@register.filter
def seat_states(post):
    """The post's seats on the chart's day: held, stated vacant, unknown (``selectors.seat_states``)."""
    return selectors.seat_states(post)


@register.filter
def seats(post) -> list[str]:
    """One state per seat of ``post`` (held, vacant, unknown) on the chart's day, when few enough to draw."""
    if post.seats is None or post.seats > MAX_SEATS_DRAWN:
        return []
    states = selectors.seat_states(post)
    return ["held"] * min(states.held, post.seats) + ["vacant"] * states.vacant + ["unknown"] * states.unknown


register.simple_tag(wording.known_around, name="known_around")


@register.simple_tag
def evidence(record, shown_day=None) -> str:
    """ "per source of 15/12/2025" for a record shown as holding today (a chart of another day says nothing)."""
    if shown_day is not None and shown_day != clock.today():
        return ""
    confirmed = evidence_of.last_confirmed_of(record)
    if confirmed is None:
        return _("no dated source")
    return _("per source of %(date)s") % {"date": wording.day(confirmed)}


@register.filter
def stale(record) -> bool:
    return evidence_of.stale(record)


@register.inclusion_tag("registry/web/sources.html")
def sources(record, label: str = ""):
    """The citations of a record: how many, and on demand each quote with a link to its place in the document."""
    return {"citations": getattr(record, "cited", []), "label": label}
