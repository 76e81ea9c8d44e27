"""Template helpers of the public website: translated data, dates with their precision, sources, seats."""

import datetime

from django import template
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

register = template.Library()

#: The words a page shows for the codes the registry stores; each name is a filter: ``{{ post.role|role }}``.
LABELS = {
    "classification": {
        "party_body": gettext_lazy("Party body"),
        "government": gettext_lazy("Government"),
        "ministry": gettext_lazy("Ministry"),
        "peoples_committee": gettext_lazy("People's committee"),
        "department": gettext_lazy("Department"),
        "steering_committee": gettext_lazy("Steering committee"),
        "working_group": gettext_lazy("Working group"),
        "office": gettext_lazy("Office"),
        "institute": gettext_lazy("Institute"),
        "association": gettext_lazy("Association"),
        "administrative_unit": gettext_lazy("Administrative unit"),
    },
    "role": {
        "head": gettext_lazy("Head"),
        "permanent_deputy_head": gettext_lazy("Permanent deputy head"),
        "deputy_head": gettext_lazy("Deputy head"),
        "member": gettext_lazy("Member"),
    },
    "document_kind": {
        "article": gettext_lazy("News article"),
        "resolution": gettext_lazy("Resolution"),
        "regulation": gettext_lazy("Regulation"),
        "programme": gettext_lazy("Programme of action"),
        "plan": gettext_lazy("Plan"),
        "strategy": gettext_lazy("Strategy"),
        "scheme": gettext_lazy("Scheme"),
        "report": gettext_lazy("Report"),
        "treaty": gettext_lazy("International agreement"),
    },
    "change_type": {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")},
    "model_name": {
        "organization": gettext_lazy("body"),
        "person": gettext_lazy("person"),
        "post": gettext_lazy("post"),
        "appointment": gettext_lazy("appointment"),
        "document": gettext_lazy("document"),
    },
}
#: How a date reads by its precision (an exact date, or one without precision, is the day alone): an appointment's
#: start and end, and a body's founding or dissolution.
START = {
    "attested": gettext_lazy("shown in post on %(date)s"),
    "inferred": gettext_lazy("from %(date)s (inferred)"),
    "exact": gettext_lazy("from %(date)s"),
}
END = {
    "attested": gettext_lazy("last shown in post on %(date)s"),
    "inferred": gettext_lazy("until %(date)s (inferred)"),
    "exact": gettext_lazy("until %(date)s"),
}
FACT = {
    "attested": gettext_lazy("%(date)s (attested: a source shows it that day)"),
    "inferred": gettext_lazy("%(date)s (inferred)"),
    "exact": "%(date)s",
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


@register.filter
def day(value) -> str:
    """A date as Vietnamese and English readers in Vietnam write it: 20/12/2025."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y") if value else ""


def _label(labels: dict):
    def label(value: str) -> str:
        return labels.get(value, value)

    return label


for _name, _labels in LABELS.items():
    register.filter(_name, _label(_labels))


def _phrase(phrases: dict, date, precision: str) -> str:
    return phrases.get(precision, phrases["exact"]) % {"date": day(date)}


@register.simple_tag
def period(appointment) -> str:
    """The dates of an appointment with what they say: "shown in post on 15/12/2025", "from … until …"."""
    start, end = appointment.start_date, appointment.end_date
    if end is not None and end == start and appointment.start_date_precision == appointment.end_date_precision:
        return _phrase(START, start, appointment.start_date_precision)
    text = _phrase(START, start, appointment.start_date_precision)
    if end is None:
        return _("%(start)s; no end recorded") % {"start": text}
    return f"{text} – {_phrase(END, end, appointment.end_date_precision)}"


@register.simple_tag
def dated(date, precision: str) -> str:
    """A founding or dissolution date with its precision."""
    if date is None:
        return _("not stated in the sources")
    return _phrase(FACT, date, precision)


@register.filter
def seats(post) -> list[bool]:
    """One entry per seat of ``post`` (True: held on the chart's day), when there are few enough to draw."""
    if post.seats is None or post.seats > MAX_SEATS_DRAWN:
        return []
    held = len(getattr(post, "holders", []))
    return [index < held for index in range(post.seats)]


@register.filter
def vacant(post) -> int | None:
    if post.seats is None:
        return None
    return max(post.seats - len(getattr(post, "holders", [])), 0)


@register.inclusion_tag("registry/web/sources.html")
def sources(record, label: str = ""):
    """The citations of a record: how many, and on demand each quote with a link to its place in the document."""
    return {"citations": getattr(record, "cited", []), "label": label}
