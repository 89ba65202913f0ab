"""The saves report as a table and as JSON (`winback saves report [--json]`).

`report_json` is a contract other tools read; its shape is exactly:

    {
      "since": "2027-01-01",                # the --since day, or null
      "currency": "EUR",                    # from the saves settings file, or null without one
      "hourly_cost": 85,                    # idem
      "at_risk": 9,                         # at-risk accounts the launches recorded
      "started": 5,                         # ... whose save started
      "attempt_rate": 55.6,                 # per cent, 1 decimal; null when at_risk is 0
      "overall": FIGURES,                   # every ended save
      "by_effort": {"full": FIGURES, "standard": ..., "light": ..., "none": ...},
      "by_root_cause": {"value_perception": ..., "situational": ..., "service": ...,
                        "product_fit": ...},
      "by_mode": {"comprehensive": ..., "compressed": ..., "emergency": ...},
                                            # every rules value always, in the rules' order;
                                            # a value they no longer know after them, sorted
      "warnings": ["..."]                   # one line per group above 70 % success, overall first
    }

    FIGURES = {
      "ended": 4, "saved": 2, "lost": 1, "cancelled": 1, "no_decision": 0,
      "success_rate": 66.7,                 # saved / (saved + lost), per cent; null when 0 + 0
      "high_success_warning": false,        # success_rate above 70 (exactly: 70.0 is not)
      "saved_arr": 86000,                   # ARR of the saved accounts (whole numbers stay whole)
      "saved_arr_unknown": 0,               # saved saves with no ARR recorded, not in saved_arr
      "hours": 59,                          # the effort levels' hours, every ended save
      "cost": 5015,                         # hours x hourly_cost; null without a settings file
      "saved_arr_per_cost": 17.15,          # saved_arr / cost; null when cost is null or 0
      "median_days_to_save": 12.5,          # start -> saved, days, 1 decimal; null when none saved
      "retention_at_next_renewal": null,    # per cent of the checked saved saves; null: not yet known
      "renewals_checked": 0
    }

Keys appear in the order shown (campaigns/save_report.py says what each figure counts;
tests/golden/saves-report.json holds the output for a fixed store, byte for byte).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from campaigns.save_report import HIGH_SUCCESS_PERCENT, Figures, SaveReport
from campaigns.save_value import arr_text

__all__ = ["report_json", "report_lines"]


def _number(value: float | None) -> float | int | None:
    # A whole number stays one in JSON (86000, not 86000.0), as in the saves plan's totals.
    if value is None:
        return None
    return int(value) if value == int(value) else value


def figures_json(f: Figures) -> dict[str, Any]:
    return {
        "ended": f.ended,
        "saved": f.saved,
        "lost": f.lost,
        "cancelled": f.cancelled,
        "no_decision": f.no_decision,
        "success_rate": f.success_rate,
        "high_success_warning": f.high_success_warning,
        "saved_arr": _number(f.saved_arr),
        "saved_arr_unknown": f.saved_arr_unknown,
        "hours": _number(f.hours),
        "cost": _number(f.cost),
        "saved_arr_per_cost": f.saved_arr_per_cost,
        "median_days_to_save": f.median_days_to_save,
        "retention_at_next_renewal": f.retention_at_next_renewal,
        "renewals_checked": f.renewals_checked,
    }


def report_json(report: SaveReport) -> dict[str, Any]:
    """The report as the JSON contract in this module's docstring."""
    return {
        "since": report.since.isoformat() if report.since else None,
        "currency": report.costs.currency if report.costs else None,
        "hourly_cost": _number(report.costs.hourly_cost) if report.costs else None,
        "at_risk": report.at_risk,
        "started": report.started,
        "attempt_rate": report.attempt_rate,
        "overall": figures_json(report.overall),
        "by_effort": {name: figures_json(f) for name, f in report.by_effort},
        "by_root_cause": {name: figures_json(f) for name, f in report.by_root_cause},
        "by_mode": {name: figures_json(f) for name, f in report.by_mode},
        "warnings": report.warnings(),
    }


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g} %"


def _hours(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


_HEADERS = (
    "",
    "ended",
    "saved",
    "lost",
    "cancelled",
    "no decision",
    "success",
    "saved ARR",
    "hours",
    "cost",
    "ARR/cost",
    "median days",
    "retention",
)


def _row(name: str, f: Figures) -> tuple[str, ...]:
    return (
        name,
        str(f.ended),
        str(f.saved),
        str(f.lost),
        str(f.cancelled),
        str(f.no_decision),
        _rate(f.success_rate) + (" !" if f.high_success_warning else ""),
        arr_text(f.saved_arr) + (f" (+{f.saved_arr_unknown} unknown)" if f.saved_arr_unknown else ""),
        _hours(f.hours),
        "n/a" if f.cost is None else arr_text(f.cost),
        "n/a" if f.saved_arr_per_cost is None else f"{f.saved_arr_per_cost:g}",
        "n/a" if f.median_days_to_save is None else f"{f.median_days_to_save:g}",
        "not yet known" if f.retention_at_next_renewal is None else _rate(f.retention_at_next_renewal),
    )


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    # Names left, numbers right: figures line up by their last digit.
    return [
        "  ".join(
            (c.ljust(w) if i == 0 else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ).rstrip()
        for r in rows
    ]


def report_lines(report: SaveReport) -> list[str]:
    """The report as fixed-width tables: overall, then by effort, root cause and mode."""
    costs = report.costs
    since = f" since {report.since.isoformat()}" if report.since else ""
    cost_note = (
        f"cost at {arr_text(costs.hourly_cost)} {costs.currency} an hour"
        if costs
        else "no cost: give --config with the hourly cost"
    )
    out = [
        f"saves report{since}: {report.started} of {report.at_risk} at-risk accounts started a save, "
        f"attempt rate {_rate(report.attempt_rate)}; {cost_note}",
        "",
    ]
    rows = [_HEADERS, _row("all saves", report.overall)]
    for label, groups in (
        ("effort", report.by_effort),
        ("root cause", report.by_root_cause),
        ("mode", report.by_mode),
    ):
        rows.append((f"by {label}",) + ("",) * (len(_HEADERS) - 1))
        rows += [_row(f"  {name}", f) for name, f in groups]
    out += _table(rows)
    warnings = report.warnings()
    if warnings:
        out += ["", f"! success above {HIGH_SUCCESS_PERCENT} %:"]
        out += [f"  {w}" for w in warnings]
    return out
