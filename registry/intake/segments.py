"""The text cut into the pieces a quote may be: sentences and list items, each verbatim with its place.

Every piece keeps a folded twin of the same length (one character for one), so a match found in the folded text is
a slice of the original: quotes are never rebuilt from words.
"""

import dataclasses
import functools
import re
import unicodedata

from registry.text import fold

#: Words ending in a full stop that do not end a sentence (TP. Hồ Chí Minh, TS. Nguyễn …).
_ABBREVIATIONS = frozenset({"tp", "q", "p", "ts", "ths", "pgs", "gs", "bs", "ks", "kts", "ls", "th.s", "tt", "tx"})
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zđ][.)]|[-–•+*])\s+", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s+[\"“(]?(\w))")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char) if not char.isspace() else " "
    return folded if len(folded) == 1 else (char.lower() if len(char.lower()) == 1 else "?")


def fold_chars(text: str) -> str:
    """``fold`` character by character, so positions in the result are positions in ``text``."""
    return "".join(map(_fold_char, text))


@dataclasses.dataclass(frozen=True)
class Segment:
    """A sentence or a list item of the text: ``text`` is verbatim, ``start`` its offset in the whole text."""

    text: str
    start: int
    list_item: bool
    folded: str = ""

    def __post_init__(self):
        object.__setattr__(self, "folded", fold_chars(self.text))


def _sentence_ends(line: str) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(line):
        if not match.group(1).isupper() and not match.group(1).isdigit():
            continue
        word = re.search(r"([\w.]+)$", line[: match.start()])
        before = fold(word.group(1)) if word else ""
        if match.group() == "." and (before in _ABBREVIATIONS or (before.isdigit() and len(before) < 3)):
            continue
        ends.append(match.end())
    return ends


def split(text: str) -> list[Segment]:
    """The sentences and list items of ``text`` in order; a list item ("1. Ông …") is one piece, whole."""
    segments = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            if _LIST_ITEM.match(body):
                lead = len(body) - len(body.lstrip())
                segments.append(Segment(body.strip(), offset + lead, True))
            else:
                start = 0
                for end in [*_sentence_ends(body), len(body)]:
                    piece = body[start:end]
                    if piece.strip():
                        lead = len(piece) - len(piece.lstrip())
                        segments.append(Segment(piece.strip(), offset + start + lead, False))
                    start = end
        offset += len(line)
    return segments


def normalise(text: str) -> str:
    """The text as stored documents hold it: NFC, with Windows line ends made plain."""
    return unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
