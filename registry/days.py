"""The registry's one way of reading a day: ISO 8601 calendar dates, YYYY-MM-DD, and nothing else.

Python's ``date.fromisoformat`` (and with it Django's ``parse_date``, which DRF uses) also reads ``20250101`` and
week dates, and Django's form fields read ``01/01/2025``: each entry point would accept its own set. Every query
parameter and body field that is a day goes through ``parse_day`` instead.
"""

import datetime
import re

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

#: The rule, as a refusal says it.
DAY_RULE = "Expected a date in the form YYYY-MM-DD (ISO 8601), e.g. 2025-01-31."


def parse_day(value: str) -> datetime.date:
    """The day ``value`` names, written YYYY-MM-DD; ValueError (saying the rule) for anything else."""
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError(f"{DAY_RULE} Got {value!r}.")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar. {DAY_RULE}") from None
