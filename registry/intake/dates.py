"""Vietnamese dates as texts print them: "ngày 10 tháng 3 năm 2026", "10/3/2026", "2026-03-10", "10-3", "Sáng 13-12".

A date printed whole is ``exact``; a day and month without a year take the document's year and are ``inferred``.
"""

import dataclasses
import datetime
import re

from registry.choices import DatePrecision

_FULL = re.compile(
    r"ngày\s+(?P<d1>\d{1,2})\s+tháng\s+(?P<m1>\d{1,2})\s+năm\s+(?P<y1>\d{4})"
    r"|(?<![\d/.-])(?P<d2>\d{1,2})\s*[/.-]\s*(?P<m2>\d{1,2})\s*[/.-]\s*(?P<y2>\d{4})(?!\d)"
    r"|(?<![\d/.-])(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2})(?!\d)",
    re.IGNORECASE,
)
#: A day and month alone are read only after a word that introduces a day, so "59-NQ" or "2021-2026" never are.
_SHORT = re.compile(
    r"(?:\b(?:ngày|sáng|chiều|tối|trưa|đêm|từ|đến|hôm)\s+(?:ngày\s+)?)"
    r"(?P<d>\d{1,2})(?:\s+tháng\s+|\s*[/.-]\s*)(?P<m>\d{1,2})(?![\d/.-]*\d)(?!\s+năm)",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class Found:
    """A date read from the text: the day, its precision, where it stands and, for an inferred year, why."""

    day: datetime.date
    precision: str
    start: int
    end: int
    note: str = ""


def _day(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def full_dates(text: str) -> list[Found]:
    """Every whole date (day, month, year) printed in ``text``."""
    found = []
    for match in _FULL.finditer(text):
        groups = match.groupdict()
        for n in "123":
            if groups[f"y{n}"]:
                day = _day(int(groups[f"y{n}"]), int(groups[f"m{n}"]), int(groups[f"d{n}"]))
                if day:
                    found.append(Found(day, DatePrecision.EXACT, match.start(), match.end()))
    return found


def short_dates(text: str, year: int | None) -> list[Found]:
    """Days printed without a year ("Sáng 13-12"), given ``year`` (the document's), marked inferred."""
    if year is None:
        return []
    found = []
    for match in _SHORT.finditer(text):
        day = _day(year, int(match["m"]), int(match["d"]))
        if day:
            note = f"The text prints {match['d']}-{match['m']} without a year; {year} is the document's year."
            found.append(Found(day, DatePrecision.INFERRED, match.start("d"), match.end("m"), note))
    return found


def dates_in(text: str, year: int | None) -> list[Found]:
    """Whole dates and, where a year is known, year-less days, in the order they stand."""
    whole = full_dates(text)
    taken = [(f.start, f.end) for f in whole]
    short = [f for f in short_dates(text, year) if not any(a <= f.start < b for a, b in taken)]
    return sorted(whole + short, key=lambda f: f.start)


_FROM = re.compile(r"(?:kể\s+)?từ\s+(?:ngày\s+)?$", re.IGNORECASE)


def effective(text: str, year: int | None) -> Found | None:
    """The date something takes effect from in ``text`` ("kể từ ngày 1/4/2026", "từ ngày 10-3"), or None."""
    for found in dates_in(text, year):
        if _FROM.search(text[max(0, found.start - 16) : found.start]):
            return found
    return None
