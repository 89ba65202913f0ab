"""How well saves work (issue 12, `winback saves report`): frozen records in, a SaveReport out.

The figures and what each counts:

- at_risk: accounts a `saves launch` found at risk (campaigns/risk.py `at_risk`), one per
  campaign and account, past renewals included: they were at risk and got no save.
- started: those of them whose save started (by that launch or an earlier one).
- attempt_rate: started / at_risk, in per cent.
- ended: saves with an outcome; running saves count nowhere below.
- success_rate: saved / (saved + lost), in per cent; cancelled and no_decision are counted apart
  and left out, since nobody learnt whether the customer would stay.
- high_success_warning: success rate above HIGH_SUCCESS_PERCENT (70.1 warns, 70 does not): the
  effort may be going to accounts that would have renewed anyway.
- saved_arr: the ARR the launch saw for each saved account; saved_arr_unknown counts saved saves
  with no launch record (started before launches recorded ARR), left out of saved_arr.
- hours: per ended save, the hours of its effort level (campaigns/save_costs.py); cost: hours x
  the hourly cost, None without a saves settings file; saved_arr_per_cost: saved_arr / cost.
- median_days_to_save: median of start -> outcome, in days, over saved saves.
- retention_at_next_renewal: of the saved saves whose next renewal has been checked, the share
  that renewed; None ("not yet known") until a renewal check records anything (EndedSave.renewed
  is that seam); renewals_checked says how many it is over.

Every rate is None when its denominator is 0: no division by zero, "n/a" in the table.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Final

from campaigns.save_costs import DEFAULT_HOURS, SaveCosts
from campaigns.save_effort import EFFORTS
from campaigns.save_mode import MODES
from campaigns.save_probability import FACTORS

__all__ = [
    "HIGH_SUCCESS_PERCENT",
    "AtRiskAccount",
    "EndedSave",
    "Figures",
    "SaveReport",
    "build_save_report",
]

# Above this success rate the saves may be spent on customers who would have stayed anyway.
HIGH_SUCCESS_PERCENT: Final = 70
_SECONDS_PER_DAY: Final = 86_400
_SAVED: Final = "saved"
_LOST: Final = "lost"
_CANCELLED: Final = "cancelled"
_NO_DECISION: Final = "no_decision"


@dataclass(frozen=True)
class AtRiskAccount:
    """One account a saves launch found at risk, as the store keeps it."""

    campaign_id: str
    account_id: str
    planned_on: date  # the launch's as-of day
    arr: float
    started: bool  # a save started for it, by this launch or an earlier one


@dataclass(frozen=True)
class EndedSave:
    """One save with an outcome (the store's save_outcomes), joined with its ARR."""

    account_id: str
    campaign_id: str
    outcome: str  # saved | lost | cancelled | no_decision
    effort: str
    mode: str
    root_cause: str
    started_at: datetime
    ended_at: datetime
    arr: float | None  # None: no launch recorded this account for this campaign
    renewed: bool | None = None  # at the next renewal; None until a renewal check says


@dataclass(frozen=True)
class Figures:
    ended: int
    saved: int
    lost: int
    cancelled: int
    no_decision: int
    success_rate: float | None  # per cent, 1 decimal
    high_success_warning: bool
    saved_arr: float
    saved_arr_unknown: int
    hours: float
    cost: float | None
    saved_arr_per_cost: float | None  # 2 decimals
    median_days_to_save: float | None  # 1 decimal
    retention_at_next_renewal: float | None  # per cent, 1 decimal
    renewals_checked: int


@dataclass(frozen=True)
class SaveReport:
    since: date | None
    costs: SaveCosts | None
    at_risk: int
    started: int
    attempt_rate: float | None  # per cent, 1 decimal
    overall: Figures
    by_effort: tuple[tuple[str, Figures], ...]
    by_root_cause: tuple[tuple[str, Figures], ...]
    by_mode: tuple[tuple[str, Figures], ...]

    def warnings(self) -> list[str]:
        """One line per group whose success rate is above HIGH_SUCCESS_PERCENT, overall first."""
        groups = [("all saves", self.overall)]
        for label, rows in (
            ("effort", self.by_effort),
            ("root cause", self.by_root_cause),
            ("mode", self.by_mode),
        ):
            groups += [(f"{label} {name}", group) for name, group in rows]
        return [
            f"{name}: success rate {group.success_rate:g} % is above {HIGH_SUCCESS_PERCENT} %: effort may be "
            "going to accounts that would renew anyway"
            for name, group in groups
            if group.high_success_warning
        ]


def percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def above_high_success(saved: int, lost: int) -> bool:
    # Exact: 7 of 10 is 70 % and does not warn, whatever floating point makes of 0.7.
    decided = saved + lost
    return decided > 0 and Fraction(saved, decided) * 100 > HIGH_SUCCESS_PERCENT


def median_days(durations: Iterable[float]) -> float | None:
    values = sorted(durations)
    return round(statistics.median(values), 1) if values else None


def figures(saves: Sequence[EndedSave], costs: SaveCosts | None) -> Figures:
    counts = {outcome: 0 for outcome in (_SAVED, _LOST, _CANCELLED, _NO_DECISION)}
    for s in saves:
        counts[s.outcome] = counts.get(s.outcome, 0) + 1
    saved = [s for s in saves if s.outcome == _SAVED]
    saved_arr = sum(s.arr for s in saved if s.arr is not None)
    hours_of = costs.hours_for if costs is not None else lambda effort: DEFAULT_HOURS.get(effort, 0.0)
    hours = sum(hours_of(s.effort) for s in saves)
    cost = None if costs is None else round(hours * costs.hourly_cost, 2)
    checked = [s for s in saved if s.renewed is not None]
    return Figures(
        ended=len(saves),
        saved=counts[_SAVED],
        lost=counts[_LOST],
        cancelled=counts[_CANCELLED],
        no_decision=counts[_NO_DECISION],
        success_rate=percent(counts[_SAVED], counts[_SAVED] + counts[_LOST]),
        high_success_warning=above_high_success(counts[_SAVED], counts[_LOST]),
        saved_arr=round(saved_arr, 2),
        saved_arr_unknown=sum(1 for s in saved if s.arr is None),
        hours=hours,
        cost=cost,
        saved_arr_per_cost=None if not cost else round(saved_arr / cost, 2),
        median_days_to_save=median_days(
            (s.ended_at - s.started_at).total_seconds() / _SECONDS_PER_DAY for s in saved
        ),
        retention_at_next_renewal=percent(sum(1 for s in checked if s.renewed), len(checked)),
        renewals_checked=len(checked),
    )


def _by(
    saves: Sequence[EndedSave], key: Callable[[EndedSave], str], known: Sequence[str], costs: SaveCosts | None
) -> tuple[tuple[str, Figures], ...]:
    # Every known value always appears, in the rules' order (a reader compares reports by
    # position); a value the rules no longer know is added after them, sorted.
    names = list(known) + sorted({key(s) for s in saves} - set(known))
    return tuple((name, figures([s for s in saves if key(s) == name], costs)) for name in names)


def build_save_report(
    at_risk: Sequence[AtRiskAccount],
    ended: Sequence[EndedSave],
    *,
    costs: SaveCosts | None = None,
    since: date | None = None,
) -> SaveReport:
    """The report over at-risk accounts planned on or after `since` and saves started on or after
    it (UTC day); everything when `since` is None."""
    if since is not None:
        at_risk = [a for a in at_risk if a.planned_on >= since]
        ended = [s for s in ended if s.started_at.date() >= since]
    started = sum(1 for a in at_risk if a.started)
    return SaveReport(
        since=since,
        costs=costs,
        at_risk=len(at_risk),
        started=started,
        attempt_rate=percent(started, len(at_risk)),
        overall=figures(ended, costs),
        by_effort=_by(ended, lambda s: s.effort, EFFORTS, costs),
        by_root_cause=_by(ended, lambda s: s.root_cause, tuple(FACTORS["root_cause"]), costs),
        by_mode=_by(ended, lambda s: s.mode, tuple(mode for mode, _ in MODES), costs),
    )
