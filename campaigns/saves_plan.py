"""A saves plan over a saves file: every renewal's decision (campaigns/triage.py) and totals.

`saves_json` is a contract other tools read (`winback saves plan --json`); its shape is exactly:

    {
      "accounts": [                         # every valid row, file order
        {
          "account_id": "ACC-2001",
          "included": true,                 # a save is planned: at risk, renewal not past
          "risk": "at_risk",                # "none" | "watch" | "at_risk"
          "flags": ["competitor_evaluation", "low_health_score"],
                                            # campaigns.risk.FLAGS order; [] when none
          "save_probability": "medium",     # "low" | "medium" | "high" | null (a factor empty)
          "value": "high",                  # "low" | "medium" | "high"
          "effort": "full",                 # "full" | "standard" | "light" | "none" | null
                                            # (null: not included)
          "mode": "compressed",             # "comprehensive" | "compressed" | "emergency" | null
                                            # (null: not included)
          "days_to_renewal": 45,            # from the as-of day; negative when past
          "executive_escalation": true,
          "reasons": ["..."]                # one short sentence per decision, in order: flags,
                                            # risk, [why not included], probability, value,
                                            # effort, mode, escalation
        }
      ],
      "totals": {
        "accounts": 9,                      # rows in the plan
        "included": 5, "excluded": 3,
        "past_renewals": 1,                 # excluded because the renewal is past (any risk)
        "by_risk": {"none": 1, "watch": 2, "at_risk": 6},
                                            # every row; always these three keys
        "by_save_probability": {"high": 1, "medium": 2, "low": 2},
        "by_value": {"high": 3, "medium": 1, "low": 1},
        "by_effort": {"full": 2, "standard": 1, "light": 1, "none": 1},
        "by_mode": {"comprehensive": 1, "compressed": 3, "emergency": 1},
                                            # these four: included rows only, always every key
        "executive_escalations": 1,
        "arr_at_risk": 201900               # the ARR of the included rows
      }
    }

Keys appear in the order shown; the numbers are campaigns/examples/renewals.csv as of
2027-03-01 (tests/golden/saves-plan-2027-03-01.json holds that output byte for byte).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from campaigns.reason_table import reason_table
from campaigns.renewals import Renewal
from campaigns.risk import RISK_LEVELS
from campaigns.save_effort import EFFORTS
from campaigns.save_mode import MODES
from campaigns.save_probability import PROBABILITIES
from campaigns.save_value import VALUES, arr_text
from campaigns.triage import SaveEntry, triage

__all__ = ["SavesPlan", "build_saves_plan", "saves_json", "saves_lines", "saves_totals"]


@dataclass(frozen=True)
class SavesPlan:
    as_of: str  # ISO date the rules were evaluated for
    entries: tuple[SaveEntry, ...]  # file order


def build_saves_plan(renewals: Sequence[Renewal], *, as_of: date) -> SavesPlan:
    return SavesPlan(as_of=as_of.isoformat(), entries=tuple(triage(r, as_of) for r in renewals))


def saves_json(plan: SavesPlan) -> dict[str, Any]:
    """The plan as the JSON contract in this module's docstring."""
    return {
        "accounts": [
            {
                "account_id": e.account_id,
                "included": e.included,
                "risk": e.risk,
                "flags": list(e.flags),
                "save_probability": e.save_probability,
                "value": e.value,
                "effort": e.effort,
                "mode": e.mode,
                "days_to_renewal": e.days_to_renewal,
                "executive_escalation": e.executive_escalation,
                "reasons": list(e.reasons),
            }
            for e in plan.entries
        ],
        "totals": saves_totals(plan),
    }


def saves_totals(plan: SavesPlan) -> dict[str, Any]:
    # Highest first, as a reader scans for what matters most.
    by_risk = dict.fromkeys(RISK_LEVELS, 0)
    by_probability = dict.fromkeys(reversed(tuple(PROBABILITIES)), 0)
    by_value = dict.fromkeys(reversed(VALUES), 0)
    by_effort = dict.fromkeys(EFFORTS, 0)
    by_mode = dict.fromkeys((mode for mode, _ in MODES), 0)
    included = past = escalations = 0
    arr_at_risk = 0.0
    for e in plan.entries:
        by_risk[e.risk] += 1
        past += e.days_to_renewal < 0
        if not e.included:
            continue
        included += 1
        arr_at_risk += e.arr
        escalations += e.executive_escalation
        by_value[e.value] += 1
        if e.save_probability is not None:
            by_probability[e.save_probability] += 1
        if e.effort is not None:
            by_effort[e.effort] += 1
        if e.mode is not None:
            by_mode[e.mode] += 1
    return {
        "accounts": len(plan.entries),
        "included": included,
        "excluded": len(plan.entries) - included,
        "past_renewals": past,
        "by_risk": by_risk,
        "by_save_probability": by_probability,
        "by_value": by_value,
        "by_effort": by_effort,
        "by_mode": by_mode,
        "executive_escalations": escalations,
        # A whole number stays one in JSON (86000, not 86000.0); cents stay cents.
        "arr_at_risk": int(arr_at_risk) if arr_at_risk == int(arr_at_risk) else round(arr_at_risk, 2),
    }


def saves_lines(plan: SavesPlan) -> list[str]:
    """The plan as a fixed-width table (file order), each decision's reasons under it, then totals."""
    headers = (
        "account",
        "in/out",
        "risk",
        "probability",
        "value",
        "effort",
        "mode",
        "days",
        "exec",
        "reason",
    )
    rows = [
        (
            e.account_id,
            "in" if e.included else "out",
            e.risk,
            e.save_probability or "-",
            e.value,
            e.effort or "-",
            e.mode or "-",
            str(e.days_to_renewal),
            "yes" if e.executive_escalation else "-",
        )
        for e in plan.entries
    ]
    totals = saves_totals(plan)
    out = [
        f"saves plan as of {plan.as_of}: {totals['included']} of {totals['accounts']} accounts "
        f"included, ARR at risk {arr_text(totals['arr_at_risk'])}",
        "",
        *reason_table(headers, rows, [e.reasons for e in plan.entries]),
    ]
    out += [
        "",
        f"included {totals['included']}, excluded {totals['excluded']} "
        f"({totals['past_renewals']} past renewal{'' if totals['past_renewals'] == 1 else 's'}), "
        f"executive escalations {totals['executive_escalations']}",
    ]
    for label, key in (
        ("by risk", "by_risk"),
        ("by save probability (included)", "by_save_probability"),
        ("by value (included)", "by_value"),
        ("by effort (included)", "by_effort"),
        ("by mode (included)", "by_mode"),
    ):
        counts = ", ".join(f"{name} {count}" for name, count in totals[key].items())
        out.append(f"{label}: {counts}")
    return out
