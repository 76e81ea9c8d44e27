"""The JSON body parser: nesting deeper than a small limit is a 400, before Python's parser recurses into it.

Every check here reads the body in linear time: a body of the largest size the server accepts
(``DATA_UPLOAD_MAX_MEMORY_SIZE``) is checked in milliseconds whatever its shape, so no body can hold a worker.
"""

import itertools
import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: No request of this API nests deeper than 3 levels; 20 leaves room and keeps the parser's recursion shallow.
MAX_DEPTH = 20
# A string from its opening quote to its closing one or, left open, to the end of the text. The repetitions are
# possessive and the closing quote optional, so a match never backtracks and each character is read once: the older
# pattern backtracked over every `\"` of an unclosed string from each of its quotes, quadratic in the body's length.
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (strings, which may hold brackets, are skipped).

    The strings are read as JSON reads them, so for any text the parser would go as deep as this says or less.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets), initial=0))


class RegistryJSONParser(JSONParser):
    """JSON only, strictly: no NaN or Infinity, and at most ``MAX_DEPTH`` levels of nesting."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise ParseError(f"The body is not valid {encoding}.") from error
        if nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels is refused.")
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")
