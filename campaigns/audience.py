"""Who a campaign is for: the `audience` block of a campaign file, and its churn-detail matcher.

An audience narrows a campaign on top of the rules every campaign follows (see
campaigns.eligibility, which applies it): churn reasons, tiers, countries, a pattern the
CRM's churn detail must match, the window of months since churn, and the competitors that
have a live signal. Empty means everyone the rules allow.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Final, Protocol

import re2

from campaigns import countries
from campaigns.errors import Problems, check_keys, choose_from, excerpt
from campaigns.model import CHURN_REASONS, Audience
from campaigns.tiers import TIERS, thresholds_text
from campaigns.values import text_value, whole

__all__ = [
    "CONTACTABLE_REASONS",
    "FILTER_KEYS",
    "MAX_MONTHS_SINCE_CHURN",
    "DetailMatcher",
    "detail_pattern",
    "read_audience",
]

MAX_MONTHS_SINCE_CHURN: Final = 120
CONTACTABLE_REASONS: Final = tuple(r for r in CHURN_REASONS if r != "structural")
# RE2's time is linear in the detail but also in the compiled pattern's size: (.*a){1000} is
# 11,004 steps and takes 4 s on a 100 KB detail. 2,000 steps keep any detail of a few KB in
# milliseconds; real patterns ("/sso|saml/i") are a few dozen.
MAX_PROGRAM_SIZE: Final = 2_000
MAX_DETAIL_TEXT: Final = 500

_AUDIENCE_KEYS: Final = (
    "churn_reasons",
    "tiers",
    "countries",
    "churn_detail",
    "months_since_churn",
    "competitor_signals",
)
# The keys that say which accounts (not when): what a trigger's `when:` filter takes.
FILTER_KEYS: Final = ("churn_reasons", "tiers", "countries", "churn_detail")
_REGEX_FORM: Final = re.compile(r"/(.+)/([A-Za-z]*)", re.DOTALL)
# What RE2 refuses that Python's engine accepts, by RE2's error text: the features that need
# backtracking, which is what lets one pattern take exponential time on one detail.
_NEEDS_BACKTRACKING: Final = {
    "(?=": "a lookahead",
    "(?!": "a lookahead",
    "(?<=": "a lookbehind",
    "(?<!": "a lookbehind",
    "(?>": "an atomic group",
    "(?(": "a conditional",
    "(?P": "a named backreference",
    "++": "a possessive quantifier",
    "*+": "a possessive quantifier",
    "?+": "a possessive quantifier",
}


class DetailMatcher(Protocol):
    """A compiled audience.churn_detail: search() finds it anywhere in a churn detail."""

    def search(self, text: str) -> object | None: ...


@lru_cache(maxsize=64)
def detail_pattern(text: str) -> DetailMatcher:
    """The matcher for audience.churn_detail: "/regex/i" (flags: only i) or plain text,
    matched case-insensitively anywhere. ValueError says what is wrong and how to fix it.

    Both run on RE2, whose time grows linearly with the detail: a user's pattern must not be
    able to stall a plan (Python's engine takes minutes for /(a+)+$/ on 33 characters).
    """
    options = re2.Options()
    options.log_errors = False  # RE2 would print its own lines on stderr
    if len(text.strip()) > MAX_DETAIL_TEXT:
        # It is quoted in every excluded account's reasons, and no real one comes near.
        raise ValueError(
            f"{excerpt(text.strip())} is too long; write at most {MAX_DETAIL_TEXT:,} characters: "
            "the words, or a pattern of them, that set these accounts apart"
        )
    match = _REGEX_FORM.fullmatch(text)
    if match is None:
        if not text.strip():
            raise ValueError(
                "is empty; write text to look for, e.g. salesforce, or a pattern like /sso|saml/i"
            )
        options.case_sensitive = False
        return re2.compile(re2.escape(text.strip()), options)
    body, flags = match.groups()
    unknown = sorted(set(flags) - {"i"})
    if unknown:
        raise ValueError(
            f"{excerpt(text)} has the flag '{excerpt(''.join(unknown), quoted=False)}' that is not "
            "supported; only i (ignore case) is, e.g. /salesforce/i"
        )
    try:
        # Python's parser first, so a broken pattern is explained as before; compiling is
        # linear, only matching backtracks. "[[" warns of a future change: not the user's concern.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            re.compile(body)
    except re.error as err:
        raise ValueError(
            f"{excerpt(text)} is not a valid regular expression ({err}); fix it, or write plain text "
            "without the slashes to match it anywhere in the detail"
        ) from None
    options.case_sensitive = "i" not in flags
    try:
        compiled = re2.compile(body, options)
    except re2.error as err:
        raise ValueError(_unsupported(text, err)) from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise ValueError(
            f"{excerpt(text)} is too large to match quickly (it compiles to {compiled.programsize:,} "
            f"steps, at most {MAX_PROGRAM_SIZE:,}); use smaller repetition counts than "
            "{1000}, or fewer alternatives"
        )
    return compiled


def _unsupported(text: str, err: re2.error) -> str:
    """Why RE2 refused a pattern Python's engine accepts, and the fix."""
    raw = err.args[0] if err.args else ""
    reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    kind, _, what = reason.partition(": ")
    feature = _NEEDS_BACKTRACKING.get(what)
    if kind == "invalid escape sequence" and what[1:2].isdigit():
        feature = "a backreference"
    if feature is not None:
        return (
            f"{excerpt(text)} uses {feature}, which is not supported (patterns run on a "
            "linear-time engine); rewrite it without"
        )
    return (
        f"{excerpt(text)} cannot run on the linear-time engine patterns use "
        f"({excerpt(reason, quoted=False)}); rewrite it, or write plain text without the slashes "
        "to match it anywhere in the detail"
    )


def read_audience(
    problems: Problems, raw: object, *, field: str = "audience", keys: tuple[str, ...] = _AUDIENCE_KEYS
) -> Audience | None:
    """The block as an Audience (everyone when it is left out), or None after adding its problems.
    `field` and `keys` let a trigger's account filter (`triggers[0].when`) read the same way."""
    if raw is None:
        return Audience()
    if not isinstance(raw, dict):
        problems.add(
            field,
            "must be a block such as {churn_reasons: [product_gap], tiers: [T1, T2]}; leave it out "
            "to reach every account the rules allow",
        )
        return None
    before = len(problems.lines)
    check_keys(problems, field, raw, {}, optional=keys)
    defaults = Audience()

    reasons = _items(problems, f"{field}.churn_reasons", raw.get("churn_reasons"), "[product_gap, service]")
    for item in reasons:
        if item == "structural":
            problems.add(
                f"{field}.churn_reasons",
                "structural churn (company closed, acquired onto another tool, team gone, built "
                "in-house) is never contacted; remove it from the list",
            )
        elif item not in CONTACTABLE_REASONS:
            problems.add(
                f"{field}.churn_reasons",
                f"unknown churn reason {excerpt(item)}; {choose_from(item, CONTACTABLE_REASONS)}",
            )

    tiers = [t.upper() for t in _items(problems, f"{field}.tiers", raw.get("tiers"), "[T1, T2]")]
    for item in tiers:
        if item not in TIERS:
            problems.add(
                f"{field}.tiers",
                f"unknown tier {excerpt(item)}; {choose_from(item, TIERS)} ({thresholds_text()})",
            )

    codes = [
        countries.normalise(c)
        for c in _items(problems, f"{field}.countries", raw.get("countries"), "[FI, SE, US]", norway=True)
    ]
    for item in codes:
        if not countries.is_code(item):
            problems.add(f"{field}.countries", f"unknown country code {excerpt(item)}; {countries.fix(item)}")

    detail = ""
    if raw.get("churn_detail") is not None:
        text = text_value(
            problems, f"{field}.churn_detail", raw["churn_detail"], 'churn_detail: "/salesforce/i"'
        )
        if text is not None:
            try:
                detail_pattern(text)
            except ValueError as err:
                problems.add(f"{field}.churn_detail", str(err))
            else:
                detail = text

    min_months, max_months = defaults.min_months, defaults.max_months
    if raw.get("months_since_churn") is not None:
        window = _months_window(problems, raw["months_since_churn"])
        if window is not None:
            min_months, max_months = window

    signals: list[str] = []
    seen: set[str] = set()
    named = _items(problems, f"{field}.competitor_signals", raw.get("competitor_signals"), "[Brightloop]")
    for item in named:
        # Matched case-insensitively against the accounts' competitor column.
        if item.casefold() not in seen:
            seen.add(item.casefold())
            signals.append(item)

    if len(problems.lines) != before:
        return None
    return Audience(
        churn_reasons=tuple(r for r in CHURN_REASONS if r in reasons),
        tiers=tuple(t for t in TIERS if t in tiers),
        countries=tuple(dict.fromkeys(codes)),
        churn_detail=detail,
        min_months=min_months,
        max_months=max_months,
        competitor_signals=tuple(signals),
    )


def _items(problems: Problems, field: str, value: object, example: str, *, norway: bool = False) -> list[str]:
    """A list of short texts; one bare value counts as a list of one, nothing as no filter."""
    if value is None:
        return []
    if isinstance(value, dict):
        problems.add(field, f"must be a list such as {example}")
        return []
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        if norway and item is False:
            # YAML 1.1 reads an unquoted NO (Norway) as false; no other country code is a boolean.
            out.append("NO")
            continue
        if item is None or isinstance(item, bool | dict | list) or not str(item).strip():
            problems.add(field, f"{excerpt(item)} is not a value this list takes; write it as e.g. {example}")
            continue
        out.append(str(item).strip())
    return out


def _months_window(problems: Problems, raw: object) -> tuple[int, int] | None:
    field = "audience.months_since_churn"
    if not isinstance(raw, dict):
        problems.add(field, "must be a block such as {min: 6, max: 36}")
        return None
    before = len(problems.lines)
    check_keys(problems, field, raw, {}, optional=("min", "max"))
    defaults = Audience()
    bounds = {"min": defaults.min_months, "max": defaults.max_months}
    for key in ("min", "max"):
        if key not in raw:
            continue
        value = whole(raw[key])
        if value is None or not 0 <= value <= MAX_MONTHS_SINCE_CHURN:
            problems.add(
                f"{field}.{key}",
                f"{excerpt(raw[key])} is not a whole number of months from 0 to {MAX_MONTHS_SINCE_CHURN}; "
                f"e.g. {key}: {bounds[key]}",
            )
        else:
            bounds[key] = value
    if len(problems.lines) != before:
        return None
    if bounds["min"] >= bounds["max"]:
        problems.add(
            field,
            f"min ({bounds['min']}) must be less than max ({bounds['max']}); the window runs from min "
            f"to max months after churn, e.g. {{min: {defaults.min_months}, max: {defaults.max_months}}}",
        )
        return None
    return bounds["min"], bounds["max"]
