"""The document a text is: its kind, number, title, date and issuer, as its header and first lines print them."""

import dataclasses
import datetime
import re

from registry import clock
from registry.choices import DatePrecision, DocumentKind
from registry.intake import dates
from registry.intake.catalogue import Catalogue
from registry.text import fold

_KINDS = [
    (re.compile(r"^\s*quyet dinh\b|/qd-", re.MULTILINE), DocumentKind.DECISION),
    (re.compile(r"^\s*nghi quyet\b|/nq-", re.MULTILINE), DocumentKind.RESOLUTION),
    (re.compile(r"^\s*thong bao\b|/tb-", re.MULTILINE), DocumentKind.NOTICE),
]
_NUMBER = re.compile(r"\bSố\s*[:.]?\s*(\d+[\w/.-]*/[\wĐđ-]+)", re.IGNORECASE)
_ABOUT = re.compile(r"^\s*(V/v|Về việc)\b.*$", re.IGNORECASE | re.MULTILINE)
#: A date after these words is another instrument's ("Nghị quyết số 153/NQ-CP ngày 31/5/2025"), not the text's.
_CITED = re.compile(r"(số|/[\wĐđ-]+|ban hành|quyết định|nghị quyết)\s*(ngày\s*)?$", re.IGNORECASE)
_SIGNED = re.compile(r"hiệu lực\s+(kể\s+)?từ\s+ngày\s+ký", re.IGNORECASE)
HEADER_LINES = 6


@dataclasses.dataclass
class Proposed:
    """The proposed document and the day its facts are dated by (None when it prints no day at all)."""

    kind: str
    number: str
    title: str
    day: datetime.date | None
    precision: str
    note: str
    issuer: object
    in_force_on_signing: bool
    years: tuple = ()  # for a day printed without a year: the years the text allows, latest first
    event: datetime.date | None = None  # an article's lead day ("Chiều 20-11, …"), when it is not the article's

    def as_dict(self, published_on: datetime.date | None) -> dict:
        article = self.kind == DocumentKind.ARTICLE
        issuer = {"name": self.issuer.name, "slug": self.issuer.slug} if self.issuer is not None else None
        return {
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "issued_on": None if article else self.day,
            "published_on": published_on if published_on else (self.day if article else None),
            "date_precision": self.precision,
            "date_note": self.note,
            "issuer": issuer,
        }


def _header_date(text: str) -> dates.Found | None:
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_LINES]
    head = "\n".join(lines)
    for found in dates.full_dates(head):
        if not _CITED.search(head[max(0, found.start - 30) : found.start]):
            return found
    return None


def _dateline(text: str) -> dates.Found | None:
    """A line that is only a place and a date ("TP.HCM, ngày 21/11/2025"), the last one: where an article dates
    itself when its header does not."""
    found = None
    for line in text.splitlines()[HEADER_LINES:]:
        whole = dates.full_dates(line)
        if len(whole) == 1 and len(line) <= 60:
            rest = line[: whole[0].start] + line[whole[0].end :]
            if len(rest.split()) <= 5 and not _CITED.search(line[: whole[0].start]) and "từ" not in rest.lower():
                found = whole[0]
    return found


_YEAR = re.compile(r"\bnăm\s+(\d{4})\b", re.IGNORECASE)
_PERIOD = re.compile(r"(?<!\d)(\d{4})\s*[-–]\s*(\d{4})(?!\d)")


def _year_less(text: str) -> tuple[dates.Found | None, tuple]:
    """A day the text's first lines print without a year, and the years it may be in, latest first: those its own
    line or title prints ("cuối năm 2024", "giai đoạn 2020 – 2025"), else the last few; never after today."""
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_LINES]
    head = "\n".join(lines)
    today = clock.today()
    for found in dates.short_dates(head, today.year):
        line = head[head.rfind("\n", 0, found.start) + 1 :].split("\n")[0] + "\n" + lines[0]
        printed = {int(year) for year in _YEAR.findall(line)}
        periods = {y for a, b in _PERIOD.findall(line) if int(a) <= int(b) for y in range(int(a), int(b) + 1)}
        allowed = printed or periods or set(range(today.year - 5, today.year + 1))
        years = tuple(y for y in sorted(allowed, reverse=True) if found.day.replace(year=y) <= today)
        if not years:
            continue
        why = "the year its lead prints" if printed else "the latest such day"
        note = f"The text prints {found.day:%d-%m} without a year: {years[0]} is {why}, inferred."
        return dataclasses.replace(found, day=found.day.replace(year=years[0]), note=note), years
    return None, ()


def _issuer(text: str, kind: str, catalogue: Catalogue):
    if kind == DocumentKind.ARTICLE:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()][:3]
    for count in (2, 1):
        bodies = catalogue.bodies_named(" ".join(lines[:count]))
        if bodies:
            return bodies[0]
    return None


def _title(text: str, kind: str, given: str) -> str:
    if given:
        return given.strip()
    about = _ABOUT.search(text)
    if kind == DocumentKind.DECISION and about:
        words = about.group().strip()
        return "Quyết định " + words[0].lower() + words[1:]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:500]


_LEAD = re.compile(r"^(?:sáng|chiều|tối|trưa|ngày|hôm)\s+(?:ngày\s+)?\d{1,2}\s*[-/.]\s*\d{1,2}(?![\d/.-]*\d)", re.I)


def _event(text: str, day: datetime.date | None) -> datetime.date | None:
    """The day an article's lead reports ("Chiều 20-11, Sở Nội vụ tổ chức …"), in the month before ``day``."""
    if day is None:
        return None
    for line in [line.strip() for line in text.splitlines() if line.strip()][:HEADER_LINES]:
        if _LEAD.match(line):
            for found in dates.short_dates(line[: _LEAD.match(line).end()], day.year):
                event = found.day if found.day <= day else found.day.replace(year=day.year - 1)
                return event if event != day and (day - event).days <= 31 else None
    return None


def propose(text: str, catalogue: Catalogue, *, published_on=None, title: str = "") -> Proposed:
    """The document ``text`` is; ``published_on`` (given by the caller) dates it when it does not date itself."""
    folded = fold("\n".join([line for line in text.splitlines() if line.strip()][:HEADER_LINES]))
    kind = next((kind for pattern, kind in _KINDS if pattern.search(folded)), DocumentKind.ARTICLE)
    number = _NUMBER.search(text[:2000])
    found, years = _header_date(text) or _dateline(text), ()
    if found is None and published_on is not None:
        found = dates.Found(published_on, DatePrecision.EXACT, 0, 0)
    if found is None:
        found, years = _year_less(text)
    return Proposed(
        kind=kind,
        number=number.group(1) if number else "",
        title=_title(text, kind, title),
        day=found.day if found else None,
        precision=found.precision if found else "",
        note=found.note if found else "",
        issuer=_issuer(text, kind, catalogue),
        in_force_on_signing=bool(_SIGNED.search(text)),
        years=years,
        event=_event(text, found.day if found else None) if kind == DocumentKind.ARTICLE else None,
    )
