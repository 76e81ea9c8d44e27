"""Text helpers for Vietnamese data: NFC normalisation, accent folding and ASCII slugs."""

import bisect
import itertools
import re
import unicodedata

from django.utils.text import slugify

# NFKD does not decompose đ/Đ (it is a letter of its own, not d + a mark), so it is mapped by hand.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\S+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form every stored Vietnamese string uses."""
    return unicodedata.normalize("NFC", text or "")


def comparable(text: str) -> str:
    """NFC with every run of white space (no-break spaces included) as one space: how quotes are matched."""
    return _SPACES.sub(" ", nfc(text)).strip()


def fold(text: str) -> str:
    """Lower-case ASCII form of ``text`` for accent-insensitive search (`Được` -> `duoc`)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LETTERS_WITHOUT_DECOMPOSITION))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def slugify_vi(text: str) -> str:
    """ASCII slug of a Vietnamese name: ``Ban Chỉ đạo`` -> ``ban-chi-dao`` (Django's slugify alone drops đ)."""
    return slugify(fold(text))


def search_tokens(query: str) -> list[str]:
    """The folded words of a search query; punctuation is kept inside words (``59-nq/tw``)."""
    return [token for token in fold(query).split(" ") if token]


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Where ``quote`` first stands in ``text`` whatever the white space, as (start, end) in ``text``; or None.

    Both are compared in their ``comparable`` form with ``str.find``, linear in the text's length: a pattern of the
    quote's words joined by ``\\s+`` retried from every word of the text is quadratic (a quote of many repeated
    words in a text of the same words held a page for minutes).
    """
    needle = comparable(quote)
    words = list(_WORD.finditer(text))
    if not needle or not words:
        return None
    found = " ".join(word.group() for word in words).find(needle)
    if found < 0:
        return None
    # Where each word starts in the joined form: one space between words.
    starts = list(itertools.accumulate((len(word.group()) + 1 for word in words[:-1]), initial=0))

    def original(position: int) -> int:
        index = bisect.bisect_right(starts, position) - 1
        return words[index].start() + position - starts[index]

    return original(found), original(found + len(needle) - 1) + 1


# -- what no stored text may hold -------------------------------------------------------------------------------------

#: Most combining marks one base character may carry in a row. Vietnamese needs two at most even decomposed
#: (ệ is e + circumflex + dot below); a long stack of marks is only ever there to smear a name over its neighbours.
MAX_COMBINING_MARKS = 4

#: Line breaks and tabs, allowed in multi-line text (a note, a quote) and nowhere else.
_LAYOUT = frozenset("\t\n\r")

#: Characters that reorder what follows them on screen: a name holding one can display as another person's.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: Characters that show nothing: two names differing by one look the same.
_INVISIBLE = frozenset("\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff")

_LINE_SEPARATORS = frozenset("\u2028\u2029")


def _noncharacter(code: int) -> bool:
    """Unicode's permanently unassigned code points: U+FDD0..U+FDEF and the last two of every plane."""
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _refused(char: str, multiline: bool) -> str | None:
    """Why ``char`` may not stand in a stored text, or None if it may."""
    if char in _BIDI_CONTROLS:
        return "a bidirectional control"
    if char in _INVISIBLE:
        return "a zero-width character"
    if 0xE0000 <= ord(char) <= 0xE007F:
        return "an invisible tag character"
    category = unicodedata.category(char)
    if category == "Cc" and not (multiline and char in _LAYOUT):
        return "a control character" if multiline else "a control character (tabs and line breaks included)"
    if char in _LINE_SEPARATORS and not multiline:
        return "a line separator"
    if category == "Cs":
        return "a lone surrogate"
    if _noncharacter(ord(char)):
        return "a Unicode noncharacter"
    return None


def text_problem(value: str, *, multiline: bool = False, required: bool = False) -> str | None:
    """Why ``value`` (already NFC) may not be stored, as a sentence naming the rule; None when it may.

    The one rule for every stored text (names, titles, notes, quotes): no control characters (multi-line texts keep
    tabs and line breaks), no bidirectional controls, no zero-width characters, no noncharacters, at most
    ``MAX_COMBINING_MARKS`` combining marks in a row; and a required text is not white space alone.
    """
    if required and value and not value.strip():
        return "Must not be white space only."
    marks = 0
    for position, char in enumerate(value):
        reason = _refused(char, multiline)
        if reason:
            return f"Must not contain {reason}: U+{ord(char):04X} at position {position}."
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        if marks > MAX_COMBINING_MARKS:
            return (
                f"Must not stack more than {MAX_COMBINING_MARKS} combining marks on one character "
                f"(position {position - marks + 1})."
            )
    return None
