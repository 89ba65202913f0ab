"""The saves settings file: what an hour of save work costs, how many hours each effort level
takes (issue 12, `winback saves report --config`), and how long a saved account is watched
(`winback saves launch --config`).

    # campaigns/examples/saves.yaml
    currency: EUR         # a label for the report; three capital letters
    hourly_cost: 85       # what an hour of a CSM's, manager's or executive's time costs
    hours:                # optional, each level optional: DEFAULT_HOURS fill the gaps
      full: 40
      standard: 15
      light: 4
      none: 1
    monitor_months: 6     # optional, 6 to 12: weekly health checks after a save

Every problem is one line naming the file and the key, all of them at once, as for the
approvers file and campaign files.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from campaigns.errors import ConfigError, Problems, check_keys, display_path, excerpt
from campaigns.save_effort import EFFORTS
from campaigns.save_followup import MONITOR_MONTHS, MONITOR_MONTHS_RANGE
from campaigns.yamlfile import read_yaml_mapping

__all__ = ["DEFAULT_HOURS", "SaveCosts", "load_save_costs"]

# People-hours a save takes by effort, start to outcome, all its owners together: a full save's
# conversations, written plan and executive escalation; standard's conversation, issue fixes and
# manager review; light's conversation and issues by the CSM alone; none's graceful exit. Rough
# on purpose: the report compares orders of magnitude against saved ARR, not timesheets.
DEFAULT_HOURS: Final[Mapping[str, float]] = {"full": 40, "standard": 15, "light": 4, "none": 1}
_CURRENCY_RE: Final = re.compile(r"[A-Z]{3}")
# Far beyond any real rate or save; a typo (an extra 0 or three) is reported, not reported on.
MAX_HOURLY_COST: Final = 100_000
MAX_HOURS: Final = 10_000


@dataclass(frozen=True)
class SaveCosts:
    currency: str
    hourly_cost: float
    hours: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    monitor_months: int = MONITOR_MONTHS

    def hours_for(self, effort: str) -> float:
        """An effort level outside EFFORTS (a save from an older rules version) costs nothing
        rather than failing the whole report."""
        return self.hours.get(effort, 0.0)


def load_save_costs(path: Path) -> SaveCosts:
    """Read and check the file; every problem in one ConfigError."""
    problems = Problems(display_path(path))
    data = read_yaml_mapping(path, problems)
    if data is None:
        raise ConfigError(problems.lines)  # read_yaml_mapping said why
    check_keys(
        problems,
        "",
        data,
        {"currency": "currency: EUR", "hourly_cost": "hourly_cost: 85"},
        optional=("hours", "monitor_months"),
    )
    currency = _currency(data, problems)
    hourly = (
        _number(data.get("hourly_cost"), "hourly_cost", MAX_HOURLY_COST, problems)
        if "hourly_cost" in data
        else None
    )
    hours = _hours(data.get("hours"), "hours" in data, problems)
    months = _months(data.get("monitor_months", MONITOR_MONTHS), problems)
    problems.raise_if_any()
    assert currency is not None and hourly is not None
    return SaveCosts(currency=currency, hourly_cost=hourly, hours=hours, monitor_months=months)


def _months(raw: object, problems: Problems) -> int:
    low, high = MONITOR_MONTHS_RANGE
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        problems.add(
            "monitor_months",
            f"{excerpt(raw)} is not a whole number of months from {low} to {high}; write e.g. "
            f"monitor_months: {MONITOR_MONTHS}",
        )
        return MONITOR_MONTHS
    return raw


def _currency(data: Mapping[object, object], problems: Problems) -> str | None:
    if "currency" not in data:
        return None  # reported as missing by check_keys
    raw = data["currency"]
    text = raw.strip() if isinstance(raw, str) else ""
    if not _CURRENCY_RE.fullmatch(text):
        problems.add(
            "currency", f"{excerpt(raw)} is not a currency code; write three capital letters, e.g. EUR"
        )
        return None
    return text


def _number(raw: object, field_name: str, highest: float, problems: Problems) -> float | None:
    # bool is an int to Python; `hourly_cost: yes` is a mistake, not 1.
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= highest or raw != raw:
        problems.add(
            field_name, f"{excerpt(raw)} is not a number from 0 to {highest:,}; write e.g. 85 or 92.5"
        )
        return None
    return float(raw)


def _hours(raw: object, given: bool, problems: Problems) -> dict[str, float]:
    hours = dict(DEFAULT_HOURS)
    if not given:
        return hours
    if not isinstance(raw, dict):
        problems.add(
            "hours", "write the hours per effort level as level: hours, e.g. hours: {full: 40, light: 4}"
        )
        return hours
    check_keys(problems, "hours", raw, {}, optional=EFFORTS)
    for key, value in raw.items():
        if key in EFFORTS:
            number = _number(value, f"hours.{key}", MAX_HOURS, problems)
            if number is not None:
                hours[str(key)] = number
    return hours
