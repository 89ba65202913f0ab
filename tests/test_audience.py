"""The audience block: what each key accepts, its messages, and the churn-detail matcher."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from campaigns.audience import CONTACTABLE_REASONS, MAX_MONTHS_SINCE_CHURN, detail_pattern, read_audience
from campaigns.errors import Problems
from campaigns.model import Audience

REPO = Path(__file__).resolve().parents[1]


def read(raw: object) -> tuple[Audience | None, list[str]]:
    problems = Problems("camp.yaml")
    return read_audience(problems, raw), problems.lines


# --- detail_pattern ---------------------------------------------------------------------------


def test_plain_text_detail_is_not_a_regex() -> None:
    assert detail_pattern("a.b").search("aXb") is None
    assert detail_pattern("A.B").search("xa.bx") is not None
    assert detail_pattern("  sso ").search("needs SSO now") is not None


def test_a_slashed_detail_is_a_regex_and_only_i_is_a_flag() -> None:
    assert detail_pattern("/sso|saml/i").search("SAML") is not None
    assert detail_pattern("/sso|saml/").search("SAML") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("  ", "is empty; write text to look for, e.g. salesforce, or a pattern like /sso|saml/i"),
        (
            "/sso/gx",
            "'/sso/gx' has the flag 'gx' that is not supported; only i (ignore case) is, e.g. /salesforce/i",
        ),
    ],
)
def test_detail_pattern_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        detail_pattern(text)
    assert str(err.value) == message


def test_an_invalid_regex_suggests_plain_text() -> None:
    with pytest.raises(ValueError) as err:
        detail_pattern("/(/")
    assert str(err.value).startswith("'/(/' is not a valid regular expression (")
    assert str(err.value).endswith("write plain text without the slashes to match it anywhere in the detail")


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_a_catastrophic_pattern_returns_promptly() -> None:
    # Python's backtracking engine tries every way to split 33 a's (2**33, hours): patterns run on
    # RE2, linear in the detail. A subprocess, so a hang fails the test instead of stalling it.
    code = (
        "from campaigns.audience import detail_pattern as p\n"
        "print(p('/(a+)+$/').search('a' * 33 + '!'), p('/(a+)+$/i').search('A' * 40))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=20, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("None <")


@pytest.mark.parametrize(
    ("text", "feature"),
    [
        ("/(a)\\1/", "a backreference"),
        ("/(?P<x>a)(?P=x)/", "a named backreference"),
        ("/sales(?=force)/i", "a lookahead"),
        ("/(?<!no )sso/", "a lookbehind"),
        ("/(?>sso)/", "an atomic group"),
        ("/a++b/", "a possessive quantifier"),
    ],
)
def test_what_needs_backtracking_is_refused_and_named(text: str, feature: str) -> None:
    with pytest.raises(ValueError) as err:
        detail_pattern(text)
    assert str(err.value) == (
        f"'{text}' uses {feature}, which is not supported (patterns run on a linear-time engine); "
        "rewrite it without"
    )


def test_the_refusal_is_the_only_output(capfd: pytest.CaptureFixture[str]) -> None:
    # RE2 logs its own parse errors on stderr unless told not to: a second, unasked-for line.
    with pytest.raises(ValueError):
        detail_pattern("/(a)\\1/i")
    assert capfd.readouterr() == ("", "")


def test_a_pattern_too_large_to_match_quickly_is_refused() -> None:
    with pytest.raises(ValueError) as err:
        detail_pattern("/(.*a){1000}/")
    assert str(err.value) == (
        "'/(.*a){1000}/' is too large to match quickly (it compiles to 11,004 steps, at most 2,000); "
        "use smaller repetition counts than {1000}, or fewer alternatives"
    )
    assert detail_pattern("/[a-z]{1000}x/").search("b" * 1000 + "x") is not None


def test_a_detail_longer_than_500_characters_is_refused() -> None:
    with pytest.raises(ValueError) as err:
        detail_pattern("sso " * 200)
    assert str(err.value) == (
        f"'{'sso ' * 15}…' (799 characters) is too "
        "long; write at most 500 characters: the words, or a pattern of them, that set these "
        "accounts apart"
    )


def test_ignoring_case_covers_more_than_ascii() -> None:
    assert detail_pattern("/päätös/i").search("PÄÄTÖS tehty") is not None
    assert detail_pattern("Ärger").search("viel ärger") is not None
    assert detail_pattern("/päätös/").search("PÄÄTÖS") is None


# --- read_audience ----------------------------------------------------------------------------


def test_no_block_is_everyone() -> None:
    assert read(None) == (Audience(), [])


def test_a_full_block_in_canonical_order() -> None:
    audience, lines = read(
        {
            "churn_reasons": ["service", "product_gap"],
            "tiers": ["t2", "T1"],
            "countries": ["se", "FI", "SE", False],  # false: YAML's reading of NO
            "churn_detail": "/sso/i",
            "months_since_churn": {"min": 0, "max": MAX_MONTHS_SINCE_CHURN},
            "competitor_signals": ["Brightloop", "brightloop", "Tallyhawk"],
        }
    )
    assert lines == []
    assert audience == Audience(
        churn_reasons=("product_gap", "service"),
        tiers=("T1", "T2"),
        countries=("SE", "FI", "NO"),
        churn_detail="/sso/i",
        min_months=0,
        max_months=120,
        competitor_signals=("Brightloop", "Tallyhawk"),
    )


def test_structural_is_not_a_contactable_reason() -> None:
    assert "structural" not in CONTACTABLE_REASONS
    assert read({"churn_reasons": ["structural"]}) == (
        None,
        [
            "camp.yaml: audience.churn_reasons: structural churn (company closed, acquired onto another "
            "tool, team gone, built in-house) is never contacted; remove it from the list"
        ],
    )


def test_unknown_values_get_their_fix() -> None:
    _, lines = read({"tiers": ["T4"], "countries": ["UK", "Sweden", "XX"]})
    assert lines == [
        "camp.yaml: audience.tiers: unknown tier 'T4'; use one of T1, T2, T3 "
        "(T1: ARR >= 50,000, T2: >= 10,000, T3: >= 1,000)",
        "camp.yaml: audience.countries: unknown country code 'UK'; use GB",
        "camp.yaml: audience.countries: unknown country code 'SWEDEN'; use SE",
        "camp.yaml: audience.countries: unknown country code 'XX'; write the two-letter ISO 3166 code "
        "such as FI, US or DE",
    ]


@pytest.mark.parametrize(
    ("window", "line"),
    [
        ({"min": 7, "max": 7}, "min (7) must be less than max (7)"),
        (
            {"max": MAX_MONTHS_SINCE_CHURN + 1},
            "'121' is not a whole number of months from 0 to 120; e.g. max: 36",
        ),
        ({"min": -1}, "'-1' is not a whole number of months from 0 to 120; e.g. min: 6"),
        ({"min": True}, "'True' is not a whole number of months from 0 to 120; e.g. min: 6"),
    ],
)
def test_the_months_window_at_its_edges(window: dict[str, object], line: str) -> None:
    audience, lines = read({"months_since_churn": window})
    assert audience is None
    assert len(lines) == 1 and line in lines[0]
