"""What the seed file may claim: the rules that keep stated facts apart from inferred ones.

Pure functions over the parsed seed file (``registry.yaml``, as ``yaml`` reads it) and what is known of the documents
it cites. Each rule returns human-readable problems that name the record and the rule; an empty list means the file
keeps the rules. ``registry.seeding.load_seed_file`` refuses a file with any problem, before it writes anything.

1. **A person-post link needs a sentence that states it.** An appointment needs one citation whose quote names the
   person (their full name) and the post (its label) and, when the appointment has one, the capacity (its label).
   Derived appointments (the chairman leads the group ex officio, the group's leader is therefore Mr X) are not kept.
2. **Stated dates come from exactly dated documents.** A date marked ``exact`` or ``attested`` (founding, dissolution,
   start, end) must be the exact date of a document the record cites; otherwise it is ``inferred`` and its note says
   how. An article's own date is ``exact`` only if its text prints the year.
3. **Facts end where their documents end.** An appointment or a relationship with a start and no end (open-ended)
   must be shown by one of the latest documents: those dated within :data:`LATEST_WINDOW` of the newest article *the
   seed file itself defines* (never a document staff recorded later: the seeds are judged by their own evidence). One
   shown only by earlier documents ends at the last day a document shows it. A body is not ended for want of later
   mention: it keeps no dissolution date unless a sentence states it gone (rule 4), and its age shows as
   ``last_confirmed``.
4. **Every link has a source.** An organization's ``parent`` and ``dissolution_date``, a document's ``issuer``, a
   post's ``ex_officio_of`` and an event's ``organizers`` each need a citation for that field (``field: parent`` …): a
   link no sentence states is left empty.
"""

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.text import comparable

#: How close to the newest article a document must be to count among the latest documents (rule 3).
LATEST_WINDOW = datetime.timedelta(days=31)
#: Precisions that claim a document shows the date (rule 2).
STATED = ("exact", "attested")
#: The dated fields of each section, as (date, precision) pairs; the first pair is the start, the second the end.
DATED_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "organizations": (("founding_date", "founding_date_precision"), ("dissolution_date", "dissolution_date_precision")),
    "appointments": (("start_date", "start_date_precision"), ("end_date", "end_date_precision")),
    "relationships": (("start_date", "start_date_precision"), ("end_date", "end_date_precision")),
    "events": (("start_date", "start_date_precision"),),
}
#: The sections whose open-ended records must be shown by the latest documents (rule 3): a body is not among them.
ENDED_WHERE_DOCUMENTS_END = ("appointments", "relationships")
#: "Phó …" makes a deputy's title of a post's label: "Chủ tịch" is not named by "Phó Chủ tịch" (rule 1).
DEPUTY = "phó "
#: Links that need a citation for their field (rule 4).
LINKS: dict[str, tuple[str, ...]] = {
    "organizations": ("parent", "dissolution_date"),
    "documents": ("issuer",),
    "posts": ("ex_officio_of",),
    "events": ("organizers",),
}


@dataclass(frozen=True)
class DocumentFacts:
    """What the rules need to know of one document."""

    text: str = ""  #: the full text of a seeded article ("" for an instrument the articles only mention)
    date: datetime.date | None = None  #: published_on or issued_on
    date_precision: str = ""

    @property
    def exact_date(self) -> datetime.date | None:
        return self.date if self.date is not None and self.date_precision == "exact" else None


@dataclass(frozen=True)
class Known:
    """Documents, people's names and posts' labels by slug: the file's own, and the database's for the rest."""

    documents: Mapping[str, DocumentFacts] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    posts: Mapping[str, str] = field(default_factory=dict)
    #: The documents the seed file itself defines: "the latest documents" are judged among these alone, so a
    #: document staff recorded later never makes the seeds' own records look stale (empty: all documents count).
    own_documents: frozenset[str] = frozenset()

    @property
    def newest_article(self) -> datetime.date | None:
        judged = {slug: self.documents[slug] for slug in self.own_documents if slug in self.documents}
        dates = [facts.exact_date for facts in (judged or self.documents).values() if facts.text and facts.exact_date]
        return max(dates) if dates else None

    def is_latest(self, slug: str) -> bool:
        newest, facts = self.newest_article, self.documents.get(slug)
        return bool(newest and facts and facts.exact_date and facts.exact_date >= newest - LATEST_WINDOW)


# -- Reading the parsed file defensively: the loader reports malformed records itself, the rules skip them. ---------


def records(data: Mapping, section: str) -> list[tuple[str, dict]]:
    """The section's well-formed records, each with the label problems use for it."""
    found = data.get(section) if isinstance(data, Mapping) else None
    if not isinstance(found, list):
        return []
    return [
        (f"{section} #{index} ({brief(record)})", record)
        for index, record in enumerate(found, 1)
        if isinstance(record, dict)
    ]


def records_of(data: Mapping, table: Mapping[str, Any]) -> Iterator[tuple[Any, str, dict]]:
    """For each section of ``table``: the section's entry in it, with each of the section's well-formed records."""
    for section, entry in table.items():
        for where, record in records(data, section):
            yield entry, where, record


def sources(record: Mapping) -> list[dict]:
    found = record.get("sources")
    return [source for source in found if isinstance(source, dict)] if isinstance(found, list) else []


def cited_documents(record: Mapping) -> list[str]:
    """Slugs of the documents the record cites, in order, each once."""
    slugs = [source.get("document") for source in sources(record)]
    return list(dict.fromkeys(slug for slug in slugs if isinstance(slug, str)))


def brief(record: Mapping) -> str:
    if "slug" in record:
        return str(record["slug"])
    keys = ("person", "post", "start_date", "subject", "object", "kind")
    return ", ".join(f"{key}={record[key]}" for key in keys if key in record)


def is_date(value: Any) -> bool:
    return isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)


def _named(needle: str, haystack: str) -> bool:
    """``needle`` occurs in ``haystack`` (NFC, white space and case aside), and not as "Phó …" (a deputy's title)."""
    needle, haystack = comparable(needle).casefold(), comparable(haystack).casefold()
    start = haystack.find(needle) if needle else -1
    while start != -1:
        if needle.startswith(DEPUTY) or not haystack[:start].endswith(DEPUTY):
            return True
        start = haystack.find(needle, start + 1)
    return False


# -- The rules ------------------------------------------------------------------------------------------------------


def appointments_are_stated(data: Mapping, known: Known) -> Iterator[str]:
    """Rule 1: an appointment needs a citation that names the person, the post and (if any) the capacity."""
    for where, record in records(data, "appointments"):
        name, label = known.people.get(record.get("person")), known.posts.get(record.get("post"))
        if not name or not label:
            continue  # an unknown slug: the loader names it
        wanted = {"the person": name, "the post": label}
        if record.get("capacity"):
            capacity = known.posts.get(record["capacity"])
            if capacity:
                wanted["the capacity"] = capacity
        quotes = [source.get("quote") for source in sources(record) if isinstance(source.get("quote"), str)]
        if not any(all(_named(text, quote) for text in wanted.values()) for quote in quotes):
            named = " and ".join(f"{what} “{text}”" for what, text in wanted.items())
            yield (
                f"{where}: no citation names {named} in one quote. A person-post link needs a sentence that "
                "states it; an appointment deduced from several sentences is not kept (rule: stated appointments)."
            )


def appearances_are_stated(data: Mapping, known: Known) -> Iterator[str]:
    """Rule 1, for events: a person shown at an event in a post needs one quote that names them and the post."""
    for where, record in records(data, "events"):
        found = record.get("appearances")
        for appearance in found if isinstance(found, list) else []:
            if not isinstance(appearance, dict):
                continue
            name, label = known.people.get(appearance.get("person")), known.posts.get(appearance.get("post"))
            quote = appearance.get("quote")
            if name and label and isinstance(quote, str) and not (_named(name, quote) and _named(label, quote)):
                yield (
                    f"{where}: the appearance of {appearance.get('person')} as {appearance.get('post')} has no quote "
                    f"naming the person “{name}” and the post “{label}” (rule: stated appointments)."
                )


def stated_dates_come_from_exact_documents(data: Mapping, known: Known) -> Iterator[str]:
    """Rule 2: an exact or attested date is the exact date of a cited document; an exact article prints its year."""
    for pairs, where, record in records_of(data, DATED_FIELDS):
        slugs = cited_documents(record)
        if isinstance(record.get("document"), str):
            slugs.append(record["document"])  # the instrument a relationship rests on
        dates = {known.documents[slug].exact_date for slug in slugs if slug in known.documents} - {None}
        for date_key, precision_key in pairs:
            day, precision = record.get(date_key), record.get(precision_key)
            if is_date(day) and precision in STATED and day not in dates:
                yield (
                    f"{where}: {date_key} {day} is marked {precision}, but it is not the exact date of any document "
                    f"the record cites ({_shown(slugs, known)}). Mark it inferred and say in the note how it was "
                    "derived (rule: stated dates come from exactly dated documents)."
                )
    for where, record in records(data, "documents"):
        facts = known.documents.get(record.get("slug"))
        if facts and facts.text and facts.exact_date and str(facts.exact_date.year) not in facts.text:
            yield (
                f"{where}: its date {facts.exact_date} is marked exact, but its text does not print the year "
                f"{facts.exact_date.year}. Mark it inferred and explain in date_note "
                "(rule: stated dates come from exactly dated documents)."
            )


def open_records_are_shown_by_the_latest_documents(data: Mapping, known: Known) -> Iterator[str]:
    """Rule 3: a record left open (a start, no end) must be cited from one of the latest documents."""
    newest = known.newest_article
    if newest is None:
        return
    ended = {section: DATED_FIELDS[section] for section in ENDED_WHERE_DOCUMENTS_END}
    for ((start_key, _), (end_key, _)), where, record in records_of(data, ended):
        if not is_date(record.get(start_key)) or record.get(end_key) is not None:
            continue
        slugs = cited_documents(record)
        if not any(known.is_latest(slug) for slug in slugs):
            yield (
                f"{where}: left open-ended ({end_key} empty) but shown only by earlier documents "
                f"({_shown(slugs, known)}); the latest documents are those dated from {newest - LATEST_WINDOW} to "
                f"{newest}. End it on the last day a document shows it (rule: facts end where their documents end)."
            )


def links_have_sources(data: Mapping, known: Known) -> Iterator[str]:
    """Rule 4: a parent, an issuer or an ex-officio rule needs a citation for that field."""
    for keys, where, record in records_of(data, LINKS):
        fields = {source.get("field") for source in sources(record)}
        for key in keys:
            if record.get(key) and key not in fields:
                yield (
                    f"{where}: {key} {record[key]!r} has no citation for it (a source with field: {key}). A link "
                    "no sentence states is left empty (rule: every link has a source)."
                )


RULES = (
    appointments_are_stated,
    appearances_are_stated,
    stated_dates_come_from_exact_documents,
    open_records_are_shown_by_the_latest_documents,
    links_have_sources,
)


def problems(data: Mapping, known: Known) -> list[str]:
    """Every problem of the parsed seed file, rule by rule."""
    return [problem for rule in RULES for problem in rule(data, known)]


def _shown(slugs: list[str], known: Known) -> str:
    """The cited documents and their dates, as a problem shows them."""
    return "; ".join(_describe(slug, known) for slug in slugs) or "no documents"


def _describe(slug: str, known: Known) -> str:
    facts = known.documents.get(slug)
    if facts is None:
        return f"{slug}: unknown"
    if facts.date is None:
        return f"{slug}: not dated"
    return f"{slug}: {facts.date} {facts.date_precision or 'without precision'}"


# -- What is known: the file's own records, then the database's for slugs the file does not define -----------------


def known_from_file(data: Mapping, folder: Path) -> Known:
    """Documents, people and posts the file defines; article texts are read from ``folder``."""
    documents = {}
    for _, record in records(data, "documents"):
        slug = record.get("slug")
        if not isinstance(slug, str):
            continue
        text = ""
        if isinstance(record.get("file_name"), str) and (folder / record["file_name"]).is_file():
            text = (folder / record["file_name"]).read_text(encoding="utf-8")
        day = record.get("published_on") if is_date(record.get("published_on")) else record.get("issued_on")
        precision = record.get("date_precision")
        documents[slug] = DocumentFacts(
            text=comparable(text),
            date=day if is_date(day) else None,
            date_precision=precision if isinstance(precision, str) else "",
        )
    people = {r["slug"]: r["name"] for _, r in records(data, "people") if _texts(r.get("slug"), r.get("name"))}
    posts = {r["slug"]: r["label"] for _, r in records(data, "posts") if _texts(r.get("slug"), r.get("label"))}
    return Known(documents=documents, people=people, posts=posts, own_documents=frozenset(documents))


def known_from_database() -> Known:
    """The registry's documents, people and posts (a file that loads a few records refers to the others)."""
    from registry.models import Document, Person, Post

    documents = {
        document.slug: DocumentFacts(
            text=comparable(document.text), date=document.date, date_precision=document.date_precision
        )
        for document in Document.objects.only("slug", "text", "issued_on", "published_on", "date_precision")
    }
    return Known(
        documents=documents,
        people=dict(Person.objects.values_list("slug", "name")),
        posts=dict(Post.objects.values_list("slug", "label")),
    )


def merged(*layers: Known) -> Known:
    """Later layers win: the file's records override the database's."""
    return Known(
        documents=_merge(layer.documents for layer in layers),
        people=_merge(layer.people for layer in layers),
        posts=_merge(layer.posts for layer in layers),
        own_documents=frozenset().union(*(layer.own_documents for layer in layers)),
    )


def check(data: Mapping, folder: Path) -> list[str]:
    """The problems of a parsed seed file in ``folder``, with the database filling in what the file refers to."""
    return problems(data, merged(known_from_database(), known_from_file(data, folder)))


def _merge(mappings: Iterable[Mapping]) -> dict:
    result: dict = {}
    for mapping in mappings:
        result.update(mapping)
    return result


def _texts(*values: Any) -> bool:
    return all(isinstance(value, str) and value for value in values)
