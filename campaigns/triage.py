"""One renewal's save decision: risk, probability, value, effort, mode, escalation, and why.

Each rule lives in its own module (campaigns/risk.py, save_probability.py, save_value.py,
save_effort.py, save_mode.py, escalation.py); this one applies them in order and keeps a short
sentence for every decision, so a CSM can argue with the plan line by line.

An account is included (a save is planned) when its risk is `at_risk` and its renewal is not
past. For a left-out account the plan still states its risk, flags, value, days to renewal and,
when its factors are filled, the save probability (a review reads them), but no effort, no mode
and no escalation: there is no save to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from campaigns.escalation import escalates, escalation_reason
from campaigns.renewals import Renewal
from campaigns.risk import AT_RISK_FLAGS, HEALTH_FLAG, HEALTH_FLAG_BELOW, SOLE_FLAGS_AT_RISK
from campaigns.save_effort import effort_for, effort_reason
from campaigns.save_mode import days_to_renewal, mode_for, mode_reason
from campaigns.save_probability import save_probability
from campaigns.save_value import value_for, value_reason

__all__ = ["SaveEntry", "triage"]


@dataclass(frozen=True)
class SaveEntry:
    """One row of a saves plan (the JSON contract of campaigns/saves_plan.py, plus the ARR)."""

    account_id: str
    arr: float
    included: bool
    risk: str  # campaigns.risk.RISK_LEVELS
    flags: tuple[str, ...]  # campaigns.risk.FLAGS, in that order
    save_probability: str | None  # low|medium|high; None when a factor is empty
    value: str  # low|medium|high
    effort: str | None  # full|standard|light|none; None when not included
    mode: str | None  # comprehensive|compressed|emergency; None when not included
    days_to_renewal: int  # negative: the renewal is past
    executive_escalation: bool
    reasons: tuple[str, ...]


def triage(renewal: Renewal, as_of: date) -> SaveEntry:
    account = renewal.account
    flags = renewal.flags
    risk = renewal.risk
    days = days_to_renewal(date.fromisoformat(renewal.renewal_on), as_of)
    reasons = [_flags_reason(flags, renewal.health_score), _risk_reason(risk, flags)]

    odds = save_probability(renewal.factors) if renewal.factors is not None else None
    value = value_for(account.arr, renewal.strategic)
    # A stored cancel intent can put a row at risk that the file left without save factors: there
    # is no honest plan for it yet, and the reason says what to fill in.
    unplanned = risk == "at_risk" and odds is None
    included = risk == "at_risk" and days >= 0 and not unplanned
    if not included:
        if days < 0:
            reasons.append(f"not included: {mode_reason(days)} (renewal on {renewal.renewal_on})")
        elif unplanned:
            reasons.append(
                "not included: at risk, but the file gives no save factors for it; fill in root_cause, "
                "relationship, alternative, budget and stakeholders to plan its save"
            )
        elif risk == "watch":
            reasons.append("not included: one red flag is watched, not saved")
        else:
            reasons.append("not included: nothing to save")
        if odds is not None:
            reasons.append(odds.reason())
        reasons.append(value_reason(account.arr, renewal.strategic))
        return SaveEntry(
            account_id=account.account_id,
            arr=account.arr,
            included=False,
            risk=risk,
            flags=flags,
            save_probability=odds.level if odds is not None else None,
            value=value,
            effort=None,
            mode=None,
            days_to_renewal=days,
            executive_escalation=False,
            reasons=tuple(reasons),
        )

    assert odds is not None  # `unplanned` above
    effort = effort_for(value, odds.level)
    escalation = escalates(account.arr, effort)
    reasons += [
        odds.reason(),
        value_reason(account.arr, renewal.strategic),
        effort_reason(value, odds.level),
        mode_reason(days),
        escalation_reason(account.arr, effort),
    ]
    return SaveEntry(
        account_id=account.account_id,
        arr=account.arr,
        included=True,
        risk=risk,
        flags=flags,
        save_probability=odds.level,
        value=value,
        effort=effort,
        mode=mode_for(days),
        days_to_renewal=days,
        executive_escalation=escalation,
        reasons=tuple(reasons),
    )


def _flags_reason(flags: tuple[str, ...], health_score: float | None) -> str:
    if not flags:
        return "no red flags"
    named = [
        f"{flag} ({health_score:g} below {HEALTH_FLAG_BELOW})" if flag == HEALTH_FLAG else flag
        for flag in flags
    ]
    return f"red flag{'s' if len(flags) > 1 else ''}: {', '.join(named)}"


def _risk_reason(risk: str, flags: tuple[str, ...]) -> str:
    if risk == "none":
        return "risk none: the renewal looks safe"
    if risk == "watch":
        return "risk watch: one red flag is a review task for the owner, not a save"
    if len(flags) >= AT_RISK_FLAGS:
        return f"risk at_risk: {len(flags)} red flags"
    return f"risk at_risk: {', '.join(sorted(SOLE_FLAGS_AT_RISK & set(flags)))} alone is enough"
