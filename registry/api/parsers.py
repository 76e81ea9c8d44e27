"""The JSON body parser: nesting deeper than a small limit is a 400, before Python's parser recurses into it."""

import json
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: No request of this API nests deeper than 3 levels; 20 leaves room and keeps the parser's recursion shallow.
MAX_DEPTH = 20
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (strings, which may hold brackets, are skipped)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


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
