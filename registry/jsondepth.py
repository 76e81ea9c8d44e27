"""How deeply a JSON text nests, found in one linear pass over the raw text, before any parser recurses into it.

Python's ``json`` module recurses once per level: a body of 100,000 ``[`` ends in a ``RecursionError`` deep inside the
parser, after the whole text was read. Counting brackets outside strings first (a string's escaped quote ``\\"`` does
not end it) refuses such a text in time proportional to its length, with a message naming the limit.
"""

import re

#: Where the structure can change: a bracket, or the quote that opens a string.
_STRUCTURE = re.compile(r'["\[\]{}]')
#: One whole string from its opening quote, possessive (never backtracks): each string is scanned once, in C.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)


def nesting_depth(text: str | bytes, limit: int | None = None) -> int:
    """The deepest nesting of arrays and objects in ``text``; with ``limit``, stops as soon as it is passed (the
    answer is then ``limit + 1``). Malformed JSON is the parser's to refuse: this only counts, and stops counting at
    a string that never ends."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8", errors="replace")
    depth = deepest = position = 0
    while (found := _STRUCTURE.search(text, position)) is not None:
        char, position = found.group(), found.end()
        if char == '"':
            string = _STRING.match(text, found.start())
            if string is None:
                break
            position = string.end()
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    break
        else:
            depth -= 1
    return deepest
