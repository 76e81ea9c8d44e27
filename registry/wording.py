"""How dates read to people, in the active language: the pages and the pictures (SVG charts, timelines) say one thing.

A date is written as Vietnamese and English readers in Vietnam write it (20/12/2025); an appointment's start and end,
and a body's founding or dissolution, say what their precision lets them say ("shown in post on …", "(inferred)").
"""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: How a date reads by its precision (an exact date, or one without precision, is the day alone).
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


def day(value) -> str:
    """A date as Vietnamese and English readers in Vietnam write it: 20/12/2025."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.strftime("%d/%m/%Y") if value else ""


def phrase(phrases: dict, date, precision: str) -> str:
    return phrases.get(precision, phrases["exact"]) % {"date": day(date)}


def period(appointment) -> str:
    """The dates of an appointment with what they say: "shown in post on 15/12/2025", "from … until …"."""
    start, end = appointment.start_date, appointment.end_date
    if end is not None and end == start and appointment.start_date_precision == appointment.end_date_precision:
        return phrase(START, start, appointment.start_date_precision)
    text = phrase(START, start, appointment.start_date_precision)
    if end is None:
        return _("%(start)s; no end recorded") % {"start": text}
    return f"{text} – {phrase(END, end, appointment.end_date_precision)}"


def known_around(states) -> str:
    """For a seat nobody is known to hold: the last holder the sources show before the day, and the next after."""
    parts = []
    if states.last_known is not None:
        parts.append(
            _("last recorded: %(person)s, %(date)s")
            % {"person": states.last_known.person.name, "date": day(states.last_known.end_date)}
        )
    if states.next_known is not None:
        parts.append(
            _("next recorded: %(person)s, from %(date)s")
            % {"person": states.next_known.person.name, "date": day(states.next_known.start_date)}
        )
    return "; ".join(parts)
