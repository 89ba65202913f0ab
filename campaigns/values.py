"""One setting of a YAML file, read as the type it must be: text, a whole number, a date.

Each reader adds a problem line with its fix and returns None, so a loader can go on and
report every problem of a file at once.
"""

from __future__ import annotations

import re
from datetime import date

from campaigns.errors import Problems, excerpt

__all__ = ["date_value", "text_value", "whole"]


def text_value(problems: Problems, field: str, value: object, example: str) -> str | None:
    """A non-empty single-line text setting; numbers are accepted as their text."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        problems.add(field, f"must be text; write e.g. {example}")
        return None
    text = str(value).strip()
    if not text:
        problems.add(field, f"is empty; write e.g. {example}")
        return None
    return text


def whole(value: object) -> int | None:
    # YAML's true/false are ints to Python; a cap of "yes" is a mistake, not 1.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def date_value(problems: Problems, field: str, value: object) -> date | None:
    # YAML turns 2027-12-20 into a date itself; a quoted "2027-12-20" arrives as text.
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    problems.add(field, f"{excerpt(text)} is not a date; write it as YYYY-MM-DD such as 2027-12-20")
    return None
