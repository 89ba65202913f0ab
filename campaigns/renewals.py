"""The saves file: the accounts CSV of accounts still to renew, plus what a save plan reads.

Columns: every accounts column (campaigns/accounts.py; `churned_on` must stay empty, these
accounts have not churned), plus `renewal_on` (YYYY-MM-DD), `signals` (`;`-separated values of
campaigns.risk.SIGNALS, may be empty), the five factors of campaigns.save_probability.FACTORS
(`root_cause`, `relationship`, `alternative`, `budget`, `stakeholders`), and optionally
`health_score` (0-100) and `strategic` (`yes|no`, empty means no).

A factor may be empty only on a row that is not at risk: there is no save to judge yet, and a
CRM fills them in when an account starts to wobble. An at-risk row with an empty factor is an
error naming the factor. The file is read by campaigns/accounts.py's `read_rows`, so it has the
same spreadsheet row numbers, delimiter detection and one line per problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Final

from campaigns import accounts, cells
from campaigns.accounts import RowReport, keyword, parse_account, read_rows
from campaigns.errors import choose_from, excerpt
from campaigns.model import Account
from campaigns.risk import SIGNALS, red_flags, risk_level
from campaigns.save_probability import FACTORS, Factors

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "Renewal",
    "RenewalsFile",
    "load_renewals",
    "rebased",
]

REQUIRED_COLUMNS: Final = (*accounts.REQUIRED_COLUMNS, "renewal_on", "signals", *FACTORS)
OPTIONAL_COLUMNS: Final = (*accounts.OPTIONAL_COLUMNS, "health_score", "strategic")
HEALTH_RANGE: Final = (0, 100)
STRATEGIC: Final = ("yes", "no")
_NUMBER_RE: Final = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Renewal:
    """One account of the saves file, validated."""

    account: Account
    renewal_on: str  # ISO date
    health_score: float | None  # None when the CRM has none
    signals: tuple[str, ...]  # distinct SIGNALS values, file order
    factors: Factors | None  # None when a factor is empty (only on rows not at risk)
    strategic: bool
    # Cancel intents the store holds for the account (campaigns.risk.INTENT_DAYS): not a column
    # of the file; the saves commands add them (with_intents).
    intents: int = 0

    @property
    def flags(self) -> tuple[str, ...]:
        return red_flags(self.signals, self.health_score, self.intents)

    @property
    def risk(self) -> str:
        return risk_level(self.flags)


@dataclass(frozen=True)
class RenewalsFile:
    renewals: tuple[Renewal, ...]  # the valid rows, in file order
    errors: tuple[str, ...]  # one line per problem, for every invalid row
    rows: int  # rows read, valid or not; blank rows are not counted
    invalid_rows: tuple[tuple[str, str], ...] = ()  # as AccountsFile.invalid_rows


def load_renewals(path: Path) -> RenewalsFile:
    """Read the saves file; raises ConfigError only for problems with the file as a whole."""
    read = read_rows(path, _renewal, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    return RenewalsFile(
        renewals=read.items, errors=read.errors, rows=read.rows, invalid_rows=read.invalid_rows
    )


def rebased(renewals: Sequence[Renewal], *, was: date, now: date) -> tuple[Renewal, ...]:
    """Every renewal moved by `now - was` days: a file written as of `was` read as of `now`, with
    the same days to each renewal (the demo runs the example file on any day)."""
    shift = now - was
    return tuple(
        replace(r, renewal_on=(date.fromisoformat(r.renewal_on) + shift).isoformat()) for r in renewals
    )


def _renewal(v: dict[str, str], report: RowReport, seen_ids: dict[str, int], row: int) -> Renewal | None:
    churned_on = v.get("churned_on", "")
    if churned_on:
        report(
            "churned_on",
            f"{excerpt(churned_on)} is filled, but a saves file lists accounts still to renew; clear "
            "it, or plan this account's win-back with `winback plan`",
        )
        report.quiet.add("churned_on")  # parse_account would add a second line about its date
    account = parse_account(v, report, seen_ids, row)

    renewal_text = v.get("renewal_on", "")
    renewal_on = None
    if not renewal_text:
        report("renewal_on", "is empty; write the day the contract renews as YYYY-MM-DD such as 2027-06-30")
    else:
        renewal_on = cells.parse_date(renewal_text, "renewal_on", "the day the contract renews", report)

    health = _health(v.get("health_score", ""), report)
    signals = _signals(v.get("signals", ""), report)
    factors, empty = _factors(v, report)
    strategic = _strategic(v.get("strategic", ""), report)

    flags = red_flags(signals, health)
    if empty and risk_level(flags) == "at_risk":
        for column in empty:
            report(
                column,
                f"is empty, but the account is at risk ({', '.join(flags)}); fill it in so the save "
                f"probability can be judged: use one of {', '.join(FACTORS[column])}",
            )

    if account is None or renewal_on is None:
        return None  # reported above; read_rows drops rows with any problem
    return Renewal(
        account=account,
        renewal_on=renewal_on.isoformat(),
        health_score=health,
        signals=signals,
        factors=factors,
        strategic=strategic,
    )


def _health(text: str, report: Callable[[str, str], None]) -> float | None:
    if not text:
        return None
    low, high = HEALTH_RANGE
    fix = f"write the CRM's health score as a number from {low} to {high} such as 72, or leave it empty"
    if text.startswith("-") and _NUMBER_RE.fullmatch(text[1:]):
        report("health_score", f"{excerpt(text)} is below {low}; {fix}")
        return None
    if not _NUMBER_RE.fullmatch(text) or len(text) > 20:
        report("health_score", f"{excerpt(text)} is not a number; {fix}")
        return None
    score = float(text)
    if score > high:
        report("health_score", f"{excerpt(text)} is above {high}; {fix}")
        return None
    return score


def _signals(text: str, report: Callable[[str, str], None]) -> tuple[str, ...]:
    found: list[str] = []
    for part in text.split(";"):
        name = keyword(part)
        if not name:
            continue  # "a;;b" and a trailing ";" are a CRM's habit, not a mistake
        if name not in SIGNALS:
            report("signals", f"unknown signal {excerpt(part.strip())}; {choose_from(name, SIGNALS)}")
        elif name not in found:
            found.append(name)  # listed twice, counted once
    return tuple(found)


def _factors(v: dict[str, str], report: Callable[[str, str], None]) -> tuple[Factors | None, list[str]]:
    """The five factors, or None with the empty ones' columns (unknown values are reported)."""
    chosen: dict[str, str] = {}
    empty: list[str] = []
    for column, grades in FACTORS.items():
        text = v.get(column, "")
        value = keyword(text)
        if not value:
            empty.append(column)
        elif value not in grades:
            label = column.replace("_", " ")
            report(column, f"unknown {label} {excerpt(text)}; {choose_from(value, grades)}")
        else:
            chosen[column] = value
    if len(chosen) < len(FACTORS):
        return None, empty
    return Factors(**chosen), empty


def _strategic(text: str, report: Callable[[str, str], None]) -> bool:
    value = keyword(text) or "no"
    if value not in STRATEGIC:
        report(
            "strategic", f"{excerpt(text)} is not yes or no; {choose_from(value, STRATEGIC)} (empty means no)"
        )
        return False
    return value == "yes"


def with_intents(renewals: tuple[Renewal, ...], counts: Mapping[str, int]) -> tuple[Renewal, ...]:
    """The renewals with the cancel intents the store counted for each account."""
    return tuple(replace(r, intents=counts.get(r.account.account_id, 0)) for r in renewals)
