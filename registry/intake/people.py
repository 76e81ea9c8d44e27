"""Names of people in a sentence: a run of capitalised syllables that starts with a Vietnamese family name.

A family name anchors the run ("Chủ tịch UBND TP.HCM Nguyễn Văn Được" finds "Nguyễn Văn Được"), and words that
begin a title or a body end it. The registry's own family names are added, so a name it holds is always found.
A short reference ("ông Sơn", "bà Lan", "đồng chí Nghĩa") is the one person the text names in full with that given
name; it is read as that full name, and left unread when the text names two such people.
"""

import dataclasses
import re

from registry.choices import Honorific
from registry.intake.lexicon import FAMILY_NAMES, MIDDLE_OK, NOT_NAME, PLACES
from registry.text import fold

__all__ = ["FAMILY_NAMES", "Name", "find", "given_names", "short_references"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HONORIFIC = re.compile(r"\b(ông|bà|đồng chí|đ/c)\s*$", re.IGNORECASE)
_SHORT = re.compile(r"(?<!\w)(ông|bà|đồng chí|đ/c)\s+([^\W\d_]+)(?![^\W\d_])", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Name:
    """A person named in a sentence: the name as written, where it stands, and ông/bà if the text says so.

    For a short reference ``text`` is the full name it stands for, and ``start``/``end`` the reference's place.
    """

    text: str
    start: int
    end: int
    honorific: str = ""


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word[1:].isupper() or len(word) <= 2)


def _honorific(word: str) -> str:
    folded = fold(word)
    return Honorific.ONG if folded == "ong" else Honorific.BA if folded == "ba" else ""


def find(sentence: str, family_names: frozenset[str] | set[str] = frozenset()) -> list[Name]:
    """Every name in ``sentence``, in order."""
    families = FAMILY_NAMES | family_names
    words = list(_WORD.finditer(sentence))
    names, index = [], 0
    while index < len(words):
        word = words[index]
        if word.group() not in families or not _capitalised(word.group()):
            index += 1
            continue
        run = [word]
        for following in words[index + 1 : index + 5]:
            gap = sentence[run[-1].end() : following.start()]
            text = following.group()
            stop = text.lower() in NOT_NAME and not (len(run) < 3 and fold(text) in MIDDLE_OK)
            if gap != " " or not _capitalised(text) or stop:
                break
            run.append(following)
        start, end = run[0].start(), run[-1].end()
        text = sentence[start:end]
        if len(run) >= 2 and fold(text) not in PLACES and not sentence[end : end + 1].isdigit():
            before = _HONORIFIC.search(sentence[max(0, start - 12) : start])
            names.append(Name(text, start, end, _honorific(before.group(1)) if before else ""))
        index += len(run)
    return names


def given_names(full_names: list[str]) -> dict[str, str]:
    """{given name: full name} for the given names only one of ``full_names`` ends with."""
    by_given: dict[str, set[str]] = {}
    for name in full_names:
        by_given.setdefault(name.split()[-1], set()).add(name)
    return {given: next(iter(names)) for given, names in by_given.items() if len(names) == 1}


def short_references(sentence: str, known: dict[str, str], taken: list[Name]) -> list[Name]:
    """The short references of ``sentence`` ("ông Sơn") to the full names ``known`` by given name, outside ``taken``."""
    found = []
    for match in _SHORT.finditer(sentence):
        full = known.get(match.group(2))
        if full is None or not _capitalised(match.group(2)):
            continue
        if any(name.start <= match.start(2) < name.end for name in taken):
            continue
        found.append(Name(full, match.start(2), match.end(2), _honorific(match.group(1))))
    return found
