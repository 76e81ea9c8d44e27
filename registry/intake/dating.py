"""The dates of a fact: a day its sentence prints, else the document's day, with the precision each one has.

A start printed ("kể từ ngày 15/3/2026") is the day; an end printed is the day before it takes effect. A fact the
sentence leaves undated takes the document's day: exact for an appointment in force on signing, attested (or
inferred, when the document's day is) for what the text only shows that day. A predecessor ("thay ông …") leaves the
day before the successor starts.
"""

import dataclasses
import datetime

from registry.choices import DatePrecision
from registry.intake import dates

APPOINTMENT, END, HOLDING = "appointment", "end", "holding"


@dataclasses.dataclass
class Dating:
    """The document's day, to date what a sentence leaves undated, and whether the text is news ("vừa …")."""

    day: datetime.date | None
    precision: str
    in_force_on_signing: bool
    event: datetime.date | None = None

    @property
    def year(self) -> int | None:
        return self.day.year if self.day else None


def date(fact, dating: Dating) -> None:
    """Set the fact's dates: a day the sentence prints, else the document's (see the module's rules)."""
    printed = dates.effective(fact.segment.text, dating.year)
    if printed is None and fact.lead is not None:
        printed = dates.effective(fact.lead.text, dating.year)
    if printed is None and fact.kind == END:
        found = [d for d in dates.dates_in(fact.segment.text, dating.year) if d.start > fact.name.end]
        printed = found[0] if found else None
    if dating.day is None and printed is None:
        return
    shown = DatePrecision.INFERRED if dating.precision == DatePrecision.INFERRED else DatePrecision.ATTESTED
    if fact.kind == END:
        if printed is not None:
            note = f"The day before {printed.day:%d/%m/%Y}, from which the end takes effect."
            fact.end = (printed.day - datetime.timedelta(days=1), printed.precision, note)
        else:
            fact.end = (dating.day, DatePrecision.INFERRED, "The text prints no end date: the document's date.")
        return
    if printed is not None:
        fact.start = (printed.day, printed.precision, printed.note)
    elif fact.kind == APPOINTMENT and dating.in_force_on_signing and dating.precision == DatePrecision.EXACT:
        fact.start = (dating.day, DatePrecision.EXACT, "In force from the day the document is signed.")
    elif dating.event is not None:
        fact.start = (dating.event, shown, "The day the article's lead reports: the text shows it that day.")
    else:
        fact.start = (dating.day, shown, "The document's date: the text shows it that day.")


def succession_end(fact, successor) -> None:
    """A predecessor ("thay ông …") leaves the day before the successor starts."""
    if successor is not None and successor.start is not None:
        day = successor.start[0] - datetime.timedelta(days=1)
        fact.end = (day, DatePrecision.INFERRED, "The day before the successor starts.")
