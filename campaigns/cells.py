"""One cell of an accounts row: what it may hold, and the one line that says why not.

Each check reports through `report(column, problem)` (campaigns/accounts.py adds the file and
the row) and returns what the rest of the row needs, so a row's every problem is reported at
once. The bounds here are the door: later code (file names, email headers, month arithmetic,
tiers) relies on them holding.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Final

from campaigns import locales
from campaigns.errors import excerpt

__all__ = [
    "DATE_YEARS",
    "EMAIL_RE",
    "MAX_ARR",
    "arr",
    "check_date",
    "check_email",
    "check_handle",
    "control_problem",
    "currency",
    "looks_like_email",
    "parse_date",
]

Report = Callable[[str, str], None]

_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE: Final = re.compile(rf"[^@\s<>(),;:\"]+@{_LABEL}(?:\.{_LABEL})+")
# The owner's handle names the CSM's folder of task files (activities/tasks.py): no path
# separators, no hidden or parent folders.
_HANDLE_RE: Final = re.compile(r"[a-z0-9._+-]+")
_NUMBER_RE: Final = re.compile(r"\d+(?:\.\d+)?")
# "12,000" or "12 000" (spreadsheets in many locales group with a space or no-break space);
# a comma not followed by exactly three digits could be a decimal comma, so it is refused.
_GROUPED_RE: Final = re.compile(r"\d{1,3}(?:([, \u00a0\u202f])\d{3})(?:\1\d{3})*(?:\.\d+)?")
_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
# Every value ends up in an email header, a display name, a subject, a task file or a
# terminal: a line break there splits a header (or the message), other C0/C1 controls hide
# or rewrite text. Letters of any script, apostrophes and ordinary spaces are fine.
CONTROL_RE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # str.splitlines'
# Month arithmetic (campaigns/months.py) and the calendar run years past a churn date; a year
# like 9999 is a CRM's placeholder, never a churn, and would overflow them.
DATE_YEARS: Final = (1900, 2200)
# No company's ARR is above this; a longer number is a pasted id or a unit mix-up, and past
# ~309 digits it is not even a finite float.
MAX_ARR: Final = 10**12
_ARR_FIX: Final = "write the ARR as a plain number such as 12000 (12,000 works too; leave out the currency)"


def control_problem(value: str) -> str | None:
    """What is wrong with a value holding a control character; None if it holds none."""
    found = CONTROL_RE.search(value)
    if found is None:
        return None
    if any(char in _LINE_BREAKS for char in value):
        return "contains a line break; remove it in the CRM export"
    return f"contains a control character U+{ord(found.group()):04X}; remove it in the CRM export"


def arr(text: str, report: Report) -> float | None:
    """The ARR of a non-empty cell, or None when it is reported."""
    if text.startswith("-") and _NUMBER_RE.fullmatch(text[1:]):
        report("arr", f"{excerpt(text)} is negative; {_ARR_FIX}")
        return None
    if _NUMBER_RE.fullmatch(text):
        value = float(text)
    elif match := _GROUPED_RE.fullmatch(text):
        value = float(text.replace(match.group(1), ""))
    else:
        report("arr", f"{excerpt(text)} is not a number; {_ARR_FIX}")
        return None
    if not math.isfinite(value) or value > MAX_ARR:
        shown = f"'{text}'" if len(text) <= 24 else f"'{text[:16]}...' ({len(text)} characters)"
        report("arr", f"{shown} is more than {MAX_ARR:,}, more than any company's ARR; {_ARR_FIX}")
        return None
    return value


def check_date(text: str, column: str, or_else: str, report: Report) -> None:
    """A YYYY-MM-DD day in DATE_YEARS; `or_else` ends the fix (what else the cell may be)."""
    parse_date(text, column, or_else, report)


def parse_date(text: str, column: str, or_else: str, report: Report) -> date | None:
    """The day of a check_date cell, or None when it is reported."""
    example = f"write it as YYYY-MM-DD such as 2026-03-01, {or_else}"
    try:
        day = date.fromisoformat(text) if _DATE_RE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        report(column, f"{excerpt(text)} is not a date; {example}")
        return None
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        first, last = DATE_YEARS
        report(column, f"{excerpt(text)} is out of range: the year must be {first}-{last}; {example}")
        return None
    return day


def check_email(value: str, column: str, report: Report) -> bool:
    if looks_like_email(value):
        return True
    report(column, f"{excerpt(value)} is not an email address; write it as name@company.com")
    return False


def check_handle(owner: str, report: Report) -> None:
    """The owner's email (lower case) works as a folder name: see model.owner_handle."""
    handle = owner.split("@", 1)[0]
    if not _HANDLE_RE.fullmatch(handle) or handle.startswith(".") or ".." in handle:
        report(
            "owner",
            f"{excerpt(owner)} cannot be used: the part before @ names the CSM's task folder, so use only "
            "letters a-z, digits and . _ + - (not starting with '.', no '..')",
        )


def looks_like_email(text: str) -> bool:
    """A plain address (no display name); deliverability is the mail provider's business."""
    return EMAIL_RE.fullmatch(text) is not None


def currency(text: str, report: Report) -> str | None:
    """The account's ISO 4217 currency, upper case; "" when empty (the country's currency is
    used); None when reported: money in the wrong currency is worse than no column."""
    code = text.strip().upper()
    if not code:
        return ""
    if not locales.is_currency(code):
        report(
            "currency",
            f"{excerpt(text)} is not an ISO 4217 currency code; write e.g. EUR, SEK, JPY or USD "
            "(empty means the country's currency)",
        )
        return None
    return code
