"""The "did you mean" matcher: difflib's answer, for every word, at a fraction of the cost."""

from __future__ import annotations

import difflib
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.nearest import Nearest
from campaigns.zones import all_zones


def difflib_closest(word: str, options: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def test_a_misspelt_zone_gets_the_zone_difflib_suggests() -> None:
    zones = Nearest(all_zones())
    assert zones("Europe/Helsinky") == "Europe/Helsinki"
    assert zones("America/New York") == "America/New_York"
    assert zones("Nowhere") is None
    assert zones("x" * 100_000) is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="EuropAmeicasN/_HlkYrw ", max_size=25))
def test_the_answer_is_difflibs_for_zone_like_words(word: str) -> None:
    zones = list(all_zones())
    assert Nearest(zones)(word) == difflib_closest(word, zones)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcab", max_size=8), st.lists(st.text(alphabet="abcd", max_size=8), max_size=12))
def test_the_answer_is_difflibs_ties_and_empty_words_included(word: str, options: list[str]) -> None:
    assert Nearest(options)(word) == difflib_closest(word, options)


def test_thousands_of_distinct_misspellings_do_not_hang() -> None:
    # A generous anti-hang bound; bench/accounts_bad_zone.py measures the real speed.
    zones = Nearest(all_zones())
    began = time.monotonic()
    for i in range(2_000):
        zones(f"Europe/Helsinky{i}")
    assert time.monotonic() - began < 30
