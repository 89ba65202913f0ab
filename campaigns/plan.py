"""A campaign's plan over an accounts file: who is included, in what order, and why not.

`build_plan` runs campaigns.eligibility over every account; `launch_order` is the order a
launch starts the included ones in; `plan_lines` is the table `winback plan` prints.

`plan_json` is a contract other tools read; its shape is exactly:

    {
      "accounts": [                       # file order
        {
          "account_id": "ACC-1001",
          "included": true,
          "tier": "T1",                   # "T1" | "T2" | "T3" | null (ARR below 1,000)
          "priority": "high",             # "high" | "medium" | "low" | null (excluded)
          "playbook": "product_gap",      # playbook id | null (excluded)
          "earliest_start": "2027-03-01", # ISO date | null: included, the day it may start;
                                          # excluded for reasons that end, when they end
          "reasons": ["..."]              # why excluded (every reason) or why ranked so
        }
      ],
      "totals": {
        "accounts": 14, "included": 10, "excluded": 4, "skipped_rows": 1,
        "by_tier": {"T1": {"included": 4, "excluded": 1}, "T2": {...}, "T3": {...},
                    "none": {...}},       # always these four keys
        "by_churn_reason": {"product_gap": {"included": 2, "excluded": 0}, ...},
                                          # every churn reason in the file
        "by_exclusion_reason": {"structural": 1, ...}
                                          # only codes that occur; an account excluded for
                                          # two reasons counts under both
      }
    }

Keys appear in the order shown. Exclusion codes are campaigns.eligibility.EXCLUSION_CODES.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from campaigns.contactability import in_force, normalise_address
from campaigns.eligibility import EXCLUSION_CODES, PlanEntry, Rules, evaluate_with
from campaigns.model import CHURN_REASONS, Account, Campaign, Enrolment, Preference
from campaigns.reason_table import reason_table
from campaigns.tiers import TIERS

__all__ = ["Plan", "build_plan", "launch_order", "plan_json", "plan_lines"]

_ROW_PREFIX: Final = re.compile(r"(row \d+)(?:, |: )")


@dataclass(frozen=True)
class Plan:
    campaign_id: str
    as_of: str  # ISO date the rules were evaluated for
    entries: tuple[PlanEntry, ...]  # file order
    # Invalid rows left out with --skip-invalid: (account id or "row N", their problems).
    skipped: tuple[tuple[str, str], ...] = ()


def build_plan(
    accounts: Sequence[Account],
    campaign: Campaign,
    *,
    as_of: date,
    preferences: Sequence[Preference],
    enrolments: Sequence[Enrolment],
    skipped: Sequence[tuple[str, str]] = (),
    competitor_stories: Mapping[str, str] | None = None,
) -> Plan:
    """Evaluate every account; preferences and enrolments may cover any accounts.
    `competitor_stories`: live competitor signals a watcher saw (eligibility.Rules.of)."""
    rules = Rules.of(campaign, as_of, competitor_stories)
    # Index once: scanning every preference per account is quadratic at 100,000 accounts.
    by_email: dict[str, list[Preference]] = {}
    by_account: dict[str, list[Preference]] = {}
    for pref in preferences:
        if not in_force(pref, rules.start_day):
            continue
        if pref.email:
            by_email.setdefault(normalise_address(pref.email), []).append(pref)
        if pref.account_id:
            by_account.setdefault(pref.account_id, []).append(pref)
    enrolled: dict[str, list[Enrolment]] = {}
    for enrolment in enrolments:
        enrolled.setdefault(enrolment.account_id, []).append(enrolment)

    entries: list[PlanEntry] = []
    none: tuple[Preference, ...] = ()
    for account in accounts:
        found: list[Preference] = []
        found += by_email.get(normalise_address(account.contact.email), none)
        if account.executive is not None and account.executive.email:
            found += by_email.get(normalise_address(account.executive.email), none)
        found += by_account.get(account.account_id, none)
        if len(found) > 1:
            # One preference can be found by its email and by its account id; count it once.
            found = list({id(p): p for p in found}.values())
        entries.append(evaluate_with(rules, account, found, enrolled.get(account.account_id, ())))
    return Plan(
        campaign_id=campaign.id,
        as_of=as_of.isoformat(),
        entries=tuple(entries),
        skipped=tuple(skipped),
    )


def launch_order(plan: Plan) -> list[PlanEntry]:
    """The included entries, best first (see PlanEntry.sort_key)."""
    return sorted((e for e in plan.entries if e.included), key=lambda e: e.sort_key)


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON contract in this module's docstring."""
    return {
        "accounts": [
            {
                "account_id": e.account_id,
                "included": e.included,
                "tier": e.tier,
                "priority": e.priority,
                "playbook": e.playbook,
                "earliest_start": e.earliest_start,
                "reasons": list(e.reasons),
            }
            for e in plan.entries
        ],
        "totals": _totals(plan),
    }


def _totals(plan: Plan) -> dict[str, Any]:
    by_tier: dict[str, dict[str, int]] = {t: {"included": 0, "excluded": 0} for t in (*TIERS, "none")}
    by_reason: dict[str, dict[str, int]] = {}
    codes: dict[str, int] = {}
    included = 0
    for e in plan.entries:
        side = "included" if e.included else "excluded"
        included += e.included
        by_tier[e.tier or "none"][side] += 1
        by_reason.setdefault(e.churn_reason, {"included": 0, "excluded": 0})[side] += 1
        for code in e.exclusions:
            codes[code] = codes.get(code, 0) + 1
    return {
        "accounts": len(plan.entries),
        "included": included,
        "excluded": len(plan.entries) - included,
        "skipped_rows": len(plan.skipped),
        "by_tier": by_tier,
        "by_churn_reason": {r: by_reason[r] for r in sorted(by_reason, key=_reason_order)},
        "by_exclusion_reason": {c: codes[c] for c in sorted(codes, key=_code_order)},
    }


def _reason_order(reason: str) -> tuple[int, str]:
    return (CHURN_REASONS.index(reason) if reason in CHURN_REASONS else len(CHURN_REASONS), reason)


def _code_order(code: str) -> tuple[int, str]:
    return (EXCLUSION_CODES.index(code) if code in EXCLUSION_CODES else len(EXCLUSION_CODES), code)


def plan_lines(plan: Plan) -> list[str]:
    """The plan as a fixed-width table (file order) followed by its totals."""
    headers = ("account", "in/out", "tier", "priority", "playbook", "earliest", "reason")
    rows = [
        (
            e.account_id,
            "in" if e.included else "out",
            e.tier or "-",
            e.priority or "-",
            e.playbook or "-",
            e.earliest_start or "-",
        )
        for e in plan.entries
    ]
    totals = _totals(plan)
    out = [
        f"campaign {plan.campaign_id}, as of {plan.as_of}: {totals['included']} of "
        f"{totals['accounts']} accounts included",
        "",
        *reason_table(headers, rows, [e.reasons for e in plan.entries]),
    ]

    out += ["", f"included {totals['included']}, excluded {totals['excluded']}"]
    label = max(
        len(t) for t in (*totals["by_tier"], *totals["by_churn_reason"], *totals["by_exclusion_reason"])
    )
    out.append(f"{'by tier':<{label + 2}}  included  excluded")
    for name, counts in totals["by_tier"].items():
        out.append(f"  {name:<{label}}  {counts['included']:>8}  {counts['excluded']:>8}")
    out.append("by churn reason")
    for name, counts in totals["by_churn_reason"].items():
        out.append(f"  {name:<{label}}  {counts['included']:>8}  {counts['excluded']:>8}")
    if totals["by_exclusion_reason"]:
        out.append("by exclusion reason")
        for name, count in totals["by_exclusion_reason"].items():
            out.append(f"  {name:<{label}}  {count:>8}")
    if plan.skipped:
        out.append(f"skipped rows: {len(plan.skipped)}")
        out.extend(_skipped_line(where, problems) for where, problems in plan.skipped)
    return out


def _skipped_line(where: str, problems: str) -> str:
    """ "skipped  row 14 (ACC-1012): column arr: ...": the row and the id, each said once."""
    parts = problems.split(" | ")
    rows = {m.group(1) if (m := _ROW_PREFIX.match(p)) else None for p in parts}
    if len(rows) == 1 and (row := rows.pop()) is not None:
        text = " | ".join(p[len(row) + 2 :] for p in parts)
        label = row if where == row else f"{row} ({where})"
        return f"skipped  {label}: {text}"
    return f"skipped  {where}: {problems}"
