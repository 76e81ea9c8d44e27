"""Text helpers for Vietnamese data: NFC normalisation, accent folding and ASCII slugs."""

import re
import unicodedata

from django.utils.text import slugify

# NFKD does not decompose đ/Đ (it is a letter of its own, not d + a mark), so it is mapped by hand.
_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")


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
