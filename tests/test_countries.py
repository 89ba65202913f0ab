"""Country codes: one normal form, ISO 3166 from the time zone database, the code people meant."""

from __future__ import annotations

import pytest

from campaigns.countries import HINTS, ISO_EXAMPLE, fix, is_code, meant, names, normalise


@pytest.mark.parametrize(
    ("text", "code"), [("fi", "FI"), (" fi ", "FI"), ("FI", "FI"), ("", ""), ("us\t", "US")]
)
def test_normalise(text: str, code: str) -> None:
    assert normalise(text) == code


def test_iso_codes_come_from_the_time_zone_database() -> None:
    assert names()["FI"] == "Finland"
    assert "UK" not in names()
    assert is_code("FI") and is_code("GB") and is_code("NO")
    assert not is_code("UK") and not is_code("fi") and not is_code("")


@pytest.mark.parametrize(
    ("code", "guess"),
    [
        ("UK", "GB"),
        ("EL", "GR"),
        ("FINLAND", "FI"),  # the name, in any case
        ("Germany", "DE"),
        ("XX", None),
        ("FIN", None),  # alpha-3 is not guessed
    ],
)
def test_meant(code: str, guess: str | None) -> None:
    assert meant(code) == guess


def test_hints_name_real_codes() -> None:
    assert all(not is_code(wrong) and is_code(right) for wrong, right in HINTS.items())


def test_fix_names_the_code_meant_or_says_how_to_write_one() -> None:
    assert fix("UK") == "use GB"
    assert fix("SWEDEN") == "use SE"
    assert fix("XX") == ISO_EXAMPLE == "write the two-letter ISO 3166 code such as FI, US or DE"
    assert fix("XX", otherwise="write the two-letter code") == "write the two-letter code"
