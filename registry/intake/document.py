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


def _year_less(text: str) -> dates.Found | None:
    """A day the text's first lines print without a year, given the most recent such day up to today."""
    lines = "\n".join([line for line in text.splitlines() if line.strip()][:HEADER_LINES])
    today = clock.today()
    for found in dates.short_dates(lines, today.year):
        year = today.year if found.day <= today else today.year - 1
        note = f"The text prints {found.day:%d-%m} without a year: {year} is the latest such day, inferred."
        return dataclasses.replace(found, day=found.day.replace(year=year), note=note)
    return None


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


def propose(text: str, catalogue: Catalogue, *, published_on=None, title: str = "") -> Proposed:
    """The document ``text`` is; ``published_on`` (given by the caller) dates it when it does not date itself."""
    folded = fold("\n".join([line for line in text.splitlines() if line.strip()][:HEADER_LINES]))
    kind = next((kind for pattern, kind in _KINDS if pattern.search(folded)), DocumentKind.ARTICLE)
    number = _NUMBER.search(text[:2000])
    found = _header_date(text)
    if found is None and published_on is not None:
        found = dates.Found(published_on, DatePrecision.EXACT, 0, 0)
    if found is None:
        found = _year_less(text)
    return Proposed(
        kind=kind,
        number=number.group(1) if number else "",
        title=_title(text, kind, title),
        day=found.day if found else None,
        precision=found.precision if found else "",
        note=found.note if found else "",
        issuer=_issuer(text, kind, catalogue),
        in_force_on_signing=bool(_SIGNED.search(text)),
    )
