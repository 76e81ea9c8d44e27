"""The facts a sentence states: who starts, ends or is shown in which post, from when, in its own words.

A post is tied to a person in one of three ways: its title stands right before the name ("Chủ tịch UBND TP.HCM
Nguyễn Văn Được"), after the name as an apposition ("Ông A, Giám đốc Sở B, …"), or across a verb ("bổ nhiệm ông A
giữ chức …", "… là ông A", "miễn nhiệm chức danh … đối với ông A"). What the words around say makes it a start
(``appointment``), an ``end``, or a post the person is shown in that day (``holding``).
"""

import dataclasses
import re

from registry.intake import people, posts
from registry.intake.dating import APPOINTMENT, END, HOLDING, Dating, date, succession_end
from registry.intake.segments import Segment

__all__ = ["APPOINTMENT", "END", "HOLDING", "Dating", "Fact", "date", "read", "succession_end"]

_END = re.compile(r"\b(thoi giu chuc|thoi lam|thoi tham gia|mien nhiem|cach chuc|nghi huu|thoi chuc)\b")
_RETIRES = re.compile(r"\bnghi huu\b")
_APPOINT = re.compile(
    r"\b(bo nhiem|dieu dong|tiep nhan|bau|lam|giu chuc|giu vai tro|la|chi dinh|phan cong|dam nhiem|kiem nhiem)\b"
)
#: Verbs of a move from one post to another: the post the person held is not the capacity of the new one.
_MOVES = re.compile(r"\b(bo nhiem|dieu dong|tiep nhan|bau|luan chuyen)\b")
_SUCCEEDS = re.compile(r"\bthay\s+(?:cho\s+)?(?:ong|ba|dong chi)?\s*$")
_NEWS = re.compile(r"\bvua\b")
_APPOSITION_GAP = re.compile(r"^[\s,–-]*$")
#: A post the person held before ("nguyên Phó Giám đốc …"): neither held that day nor ended by this text.
_FORMER = re.compile(r"(?<!\w)(?:nguyen|(?:tung|truoc day|truoc do|nguyen)\s+(?:la|giu chuc))\s+$")
#: A role before its holder in a list ("- Trưởng ban: ông A, …"): the role is the one the item gives.
_ROLE_FIRST = re.compile(r"^\s*:\s*(?:ông|bà|đồng chí|đ/c)?\s*$", re.IGNORECASE)


@dataclasses.dataclass
class Fact:
    """One proposal before it is rendered: the person, the post mention and what the sentence says of them."""

    kind: str
    name: people.Name
    mention: posts.Mention
    segment: Segment
    capacity: posts.Mention | None = None
    start: tuple | None = None  # (day, precision, note)
    end: tuple | None = None
    successor: "Fact | None" = None  # for a predecessor ("thay ông …"): whose start ends the post
    lead: Segment | None = None  # for a list item, the line that leads the list in ("Cho thôi giữ chức …:")


def _tie(mention, segment: Segment, names, predecessors, mentions) -> tuple:
    """The person ``mention`` names, and how: (name, "title" | "role" | "apposition" | "verb"), or (None, "")."""
    candidates = [name for name in names if name not in predecessors]
    for name in candidates:
        if name.start >= mention.end and not segment.text[mention.end : name.start].strip():
            return name, "title"
        if name.start >= mention.end and _ROLE_FIRST.match(segment.text[mention.end : name.start]):
            return name, "role"
    before = [name for name in candidates if name.end <= mention.start]
    if before:
        name = before[-1]
        between = segment.text[name.end : mention.start]
        for other in mentions:
            if name.end <= other.start and other.end <= mention.start:
                between = between.replace(segment.text[other.start : other.end], "", 1)
        if _APPOSITION_GAP.match(between) and re.search(r",|\s[–-]\s", segment.text[name.end : mention.start]):
            return name, "apposition"
        return name, "verb"
    after = [name for name in candidates if name.start >= mention.end]
    return (after[0], "verb") if after else (None, "")


def _clause_before(segment: Segment, name: people.Name, names: list) -> str:
    earlier = [other.end for other in names if other.end <= name.start]
    start = max([0, *earlier, segment.text.rfind(";", 0, name.start) + 1])
    return segment.folded[start : name.start]


def read(segment: Segment, catalogue, context: dict, *, known=None, founded=None, earlier=(), lead=None) -> list:
    """The facts ``segment`` states (dates are set by ``date``).

    ``known`` maps given names to the full names the text gives (for "ông Sơn"), ``founded`` is the body the
    document sets up (see ``posts.find``), ``earlier`` the facts of the sentences before (a successor named there),
    ``lead`` the line a list item's list is led in by.
    """
    names = people.find(segment.text, catalogue.family_names)
    if known:
        names = sorted(names + people.short_references(segment.text, known, names), key=lambda name: name.start)
    if not names:
        return []
    predecessors = [name for name in names if _SUCCEEDS.search(segment.folded[max(0, name.start - 20) : name.start])]
    mentions = posts.find(segment, catalogue, context, names, founded)
    facts, held, ties = [], {}, {}
    for mention in reversed(mentions):
        tie = _tie(mention, segment, names, predecessors, mentions)
        following = next((m for m in mentions if m.start >= mention.end), None)
        chained = following is not None and not segment.text[mention.end : following.start].strip(" ,")
        if chained and ties[id(following)][1] == "title":
            tie = ties[id(following)]  # a chain of titles before one name: "Phó Thủ tướng, Bộ trưởng … Sơn"
        ties[id(mention)] = tie
    for mention in mentions:
        name, how = ties[id(mention)]
        if name is None or _FORMER.search(segment.folded[max(0, mention.start - 20) : mention.start]):
            continue
        if how == "verb" and mention.end <= name.start and _named_after(mention, name, mentions, ties):
            continue  # "quyết định của Chủ tịch UBND … bổ nhiệm ông A giữ chức …": the chair is not A's post
        before = _clause_before(segment, name, names)
        if how == "role":
            kind = APPOINTMENT
        elif how == "verb":
            lo, hi = sorted((name.end, mention.start))
            between = segment.folded[lo:hi]
            words = before + " " + between if name.end <= mention.start else segment.folded[: name.start]
            if _END.search(words):
                kind = END
            elif _APPOINT.search(between) or (_APPOINT.search(before) and name.end <= mention.start):
                kind = APPOINTMENT
            else:
                continue
        else:
            after = segment.folded[mention.end :]
            later = [n.start for n in names if n.start > mention.end]
            after = after[: later[0] - mention.end] if later else after
            if (_END.search(before) and not _APPOINT.search(before.split("mien nhiem")[-1])) or _RETIRES.search(after):
                kind = END
            else:
                kind = HOLDING
        for person in [name, *(_coordinated(segment, name, names, predecessors) if how == "verb" else [])]:
            facts.append(Fact(kind, person, mention, segment))
            held.setdefault(person, []).append(facts[-1])
    _list_item_roles(segment, held, lead)
    _capacities(segment, held)
    for name in predecessors:
        successor = next((f for f in facts if f.kind == APPOINTMENT and f.name.end <= name.start), None)
        if successor is None:
            successor = _successor_before(segment, name, names, earlier)
        if successor is not None:
            facts.append(Fact(END, name, successor.mention, segment, successor=successor))
    return facts


_AND = re.compile(r"\s*(?:,|và)\s*(?:(?:ông|bà|đồng chí)\s+)?", re.IGNORECASE)


def _coordinated(segment: Segment, name, names: list, predecessors: list) -> list:
    """The names joined to ``name`` by "và" or a comma ("đối với ông A và ông B"): one post, one verb, each of them."""
    joined, previous = [], name
    for other in sorted(names, key=lambda n: n.start):
        if other.start < previous.end or other in predecessors:
            continue
        if not _AND.fullmatch(segment.text[previous.end : other.start]):
            break
        joined.append(other)
        previous = other
    return joined


def _named_after(mention, name, mentions, ties) -> bool:
    """Whether a post after ``name`` is tied to it across a verb ("… ông A giữ chức B"), the post A is given."""
    return any(ties[id(other)] == (name, "verb") for other in mentions if other.start >= name.end)


def _successor_before(segment: Segment, predecessor, names, earlier) -> Fact | None:
    """ "Ông A thay ông B" with A's appointment stated in an earlier sentence: that appointment."""
    successors = {name.text for name in names if name.end <= predecessor.start}
    found = [fact for fact in earlier if fact.kind == APPOINTMENT and fact.name.text in successors]
    return found[-1] if found else None


def _list_item_roles(segment: Segment, held: dict, lead: Segment | None) -> None:
    """In a list item ("1. Ông A, Phó Chủ tịch UBND TP, Trưởng ban.") the last post is the one the item gives; under a
    line that ends posts ("Cho thôi giữ chức vụ đối với các ông, bà sau:") every post the item names ends."""
    if not segment.list_item:
        return
    ends = lead is not None and _END.search(lead.folded) is not None
    for facts in held.values():
        if facts and all(fact.kind == HOLDING for fact in facts):
            for fact in facts if ends else facts[-1:]:
                fact.kind, fact.lead = (END, lead) if ends else (APPOINTMENT, None)


def _capacities(segment: Segment, held: dict) -> None:
    for facts in held.values():
        shown = [fact for fact in facts if fact.kind == HOLDING and fact.mention.post is not None]
        for fact in facts:
            if fact.kind != APPOINTMENT or not shown or _MOVES.search(segment.folded[: fact.mention.start]):
                continue
            other = shown[0].mention
            if other.post != fact.mention.post and other.organizations != fact.mention.organizations:
                fact.capacity = other
