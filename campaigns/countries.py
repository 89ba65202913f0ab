"""Country codes: ISO 3166 alpha-2 as the time zone database lists them, read one way.

A country picks the public holidays a send avoids and, when the file gives none, the time
zone; an audience may be limited to some. Codes arrive from CRM exports and campaign files
in any case and with spaces around them; people also write codes ISO 3166 does not have
(UK, EL) or the country's name, and are told the code they meant.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from campaigns.zones import tz_table

__all__ = ["HINTS", "fix", "is_code", "meant", "names", "normalise"]

HINTS: Final = {"UK": "GB", "EL": "GR"}  # codes people use that ISO 3166 does not
ISO_EXAMPLE: Final = "write the two-letter ISO 3166 code such as FI, US or DE"


def normalise(text: str) -> str:
    """The code as the rules compare it: upper case, no spaces around it."""
    return (text or "").strip().upper()


@cache
def names() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> English name, as the time zone database lists them."""
    return {row[0]: row[1] for row in tz_table("iso3166.tab") if len(row) >= 2}


@cache
def _codes_by_name() -> dict[str, str]:
    return {name.lower(): code for code, name in names().items()}


def is_code(code: str) -> bool:
    """Whether a normalised code is an ISO 3166 country."""
    return code in names()


def meant(code: str) -> str | None:
    """The code someone writing `code` meant: GB for UK, FI for Finland; None if unclear."""
    if code in HINTS:
        return HINTS[code]
    return _codes_by_name().get(code.lower())


def fix(code: str, *, otherwise: str = ISO_EXAMPLE) -> str:
    """The fix for a code that is not a country: the one it probably meant, else `otherwise`."""
    guess = meant(code)
    return f"use {guess}" if guess is not None else otherwise
