"""Who a campaign contacts, in what order, and why: the rules of docs/ARCHITECTURE.md, "Rules and
where they live", applied to one account at a time. Each rule has its own module (tiers,
priority, contactability, audience, months); this one puts their verdicts together.

`evaluate` judges one account against one campaign and reports every rule that excludes it
(not just the first), so marketing ops fix a segment in one pass; `campaigns.plan` runs it
over a whole accounts file, and a launch starts exactly the entries it includes, with the tier
and playbook it names.

The day-based rules (months since churn, cool-offs) are judged on the day a sequence could
start: `as_of`, or the campaign's `starts_on` when that is later. A plan made in February for
a campaign starting in March says who will be contacted in March.

Pure: no clock, no I/O. Reasons never carry an email address or a person's name; they end
up in CLI output, JSON for other tools and logs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from campaigns import contactability, priority
from campaigns.audience import DetailMatcher, detail_pattern
from campaigns.model import (
    CHURN_REASONS,
    Account,
    Campaign,
    Enrolment,
    Preference,
)
from campaigns.months import add_months, months_between
from campaigns.outcomes import outcome_words
from campaigns.tiers import MIN_ARR, tier_for_arr
from campaigns.tiers import rank as tier_rank

__all__ = [
    "EXCLUSION_CODES",
    "PlanEntry",
    "Rules",
    "evaluate",
    "evaluate_with",
]

# Stable codes other tools count and filter on; the order is the order reasons are reported.
EXCLUSION_CODES: Final = (
    "below_min_arr",
    "structural",
    "too_early",
    "too_late",
    "audience_churn_reason",
    "audience_tier",
    "audience_country",
    "audience_churn_detail",
    "unsubscribed",
    "bounced",
    "declined",
    "ghosted",
    "running",
    "already_in_campaign",
    "no_playbook",
)


SortKey = tuple[int, int, int, float, str]


@dataclass(frozen=True)
class PlanEntry:
    account_id: str
    included: bool
    tier: str | None  # one of TIERS; None below MIN_ARR
    priority: str | None  # "high" | "medium" | "low"; None when excluded
    playbook: str | None  # the playbook id it runs; None when excluded
    # Included: the day its sequence may start. Excluded only for reasons that end (too early,
    # a cool-off, the campaign not started yet): the day it becomes eligible. Otherwise None.
    earliest_start: str | None
    reasons: tuple[str, ...]  # excluded: every reason; included: why it ranks where it does
    exclusions: tuple[str, ...]  # codes from EXCLUSION_CODES; empty when included
    churn_reason: str
    # Launch order, best first: priority, sweet spot before the rest, tier, ARR (descending),
    # account id. The position in that order is a plan's business (`launch_order`).
    sort_key: SortKey


# --- dates ------------------------------------------------------------------------------


# --- the rules of one campaign on one day ------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """A campaign's rules prepared once for many accounts (a plan evaluates 100,000)."""

    campaign_id: str
    as_of: date
    start_day: date  # max(as_of, starts_on): the day the day-based rules are judged on
    starts_later: bool  # the campaign starts after as_of
    min_months: int
    max_months: int
    churn_reasons: frozenset[str]
    tiers: frozenset[str]
    countries: frozenset[str]
    detail_text: str
    detail: DetailMatcher | None
    # Casefolded competitor names with a live signal -> the story a watcher saw ("" for the
    # campaign's own audience.competitor_signals).
    signals: Mapping[str, str]
    playbooks: dict[str, str | None]  # churn reason -> playbook id, as campaign.playbook_for says

    @classmethod
    def of(cls, campaign: Campaign, as_of: date, stories: Mapping[str, str] | None = None) -> Rules:
        """`stories`: competitors (casefolded) with a price rise, acquisition or outage a watcher
        saw recently, each with the story a plan names (campaigns.triggers.LIVE_COMPETITOR_DAYS)."""
        audience = campaign.audience
        starts_on = date.fromisoformat(campaign.starts_on) if campaign.starts_on else None
        start_day = max(as_of, starts_on) if starts_on else as_of
        playbooks: dict[str, str | None] = {}
        for reason in (*CHURN_REASONS, "default"):
            playbook = campaign.playbook_for(reason)
            playbooks[reason] = playbook.id if playbook else None
        return cls(
            campaign_id=campaign.id,
            as_of=as_of,
            start_day=start_day,
            starts_later=start_day > as_of,
            min_months=audience.min_months,
            max_months=audience.max_months,
            churn_reasons=frozenset(audience.churn_reasons),
            tiers=frozenset(audience.tiers),
            countries=frozenset(c.upper() for c in audience.countries),
            detail_text=audience.churn_detail,
            detail=detail_pattern(audience.churn_detail) if audience.churn_detail else None,
            signals={
                **{s.strip().casefold(): "" for s in audience.competitor_signals},
                **{name.strip().casefold(): story for name, story in (stories or {}).items()},
            },
            playbooks=playbooks,
        )


def evaluate(
    account: Account,
    campaign: Campaign,
    *,
    as_of: date,
    preferences: Sequence[Preference],
    enrolments: Sequence[Enrolment],
) -> PlanEntry:
    """Judge one account; `preferences` and `enrolments` are the ones about this account."""
    return evaluate_with(Rules.of(campaign, as_of), account, preferences, enrolments)


def evaluate_with(
    rules: Rules,
    account: Account,
    preferences: Sequence[Preference],
    enrolments: Sequence[Enrolment],
) -> PlanEntry:
    """`evaluate` with the campaign's rules prepared once (what a plan over many accounts uses)."""
    out = _Verdict()
    day = rules.start_day
    reason = account.churn_reason

    tier = tier_for_arr(account.arr)
    if tier is None:
        out.exclude("below_min_arr", f"ARR {_money(account.arr)} is below {MIN_ARR:,}: no proactive outreach")

    # Priority: the churn reason sets the level, then each drawback lowers it one level.
    level = 0
    if reason == "structural":
        out.exclude(
            "structural",
            "structural churn (company closed, acquired onto another tool, team gone, built "
            "in-house): never contacted",
        )
    else:
        level, why = priority.by_churn_reason(reason, account.competitor, rules.signals)
        out.note(why)

    sweet = True
    window_end: date | None = None
    if account.churned_on is None:
        out.note("no churn date (at-risk renewal): the months-since-churn rule does not apply")
    else:
        churned = date.fromisoformat(account.churned_on)
        window_end = add_months(churned, rules.max_months)
        months = months_between(churned, day)
        if day < churned:
            when = f"churn date {churned.isoformat()} is after {day.isoformat()}"
        elif rules.starts_later:
            when = f"churned {_months(months)} before the campaign starts"
        else:
            when = f"churned {_months(months)} ago"
        opens = add_months(churned, rules.min_months)
        if day < opens:
            out.exclude(
                "too_early",
                f"{when}: too early, eligible from {opens.isoformat()} "
                f"({_months(rules.min_months)} after churn)",
                until=opens,
            )
        elif day > window_end:
            out.exclude(
                "too_late",
                f"{when}: more than {_months(rules.max_months)}, treat as a new prospect",
            )
        elif priority.in_sweet_spot(churned, day):
            out.note(f"{when}: in the {priority.SWEET_SPOT}")
        else:
            sweet = False
            level += 1
            out.note(f"{when}: outside the {priority.SWEET_SPOT} (one level lower)")

    drawback = priority.departure_drawback(account.departure)
    if drawback is not None:
        level += drawback[0]
        out.note(drawback[1])

    _audience(rules, account, tier, out)
    found = contactability.standing(
        preferences,
        primary=account.contact.email,
        executive=account.executive.email if account.executive else "",
        account_id=account.account_id,
        day=day,
    )
    for bar in found.bars:
        out.exclude(bar.kind, bar.line, until=bar.until)
    for note in found.notes:
        out.note(note)
    _enrolments(rules, account, enrolments, out)

    playbook = None
    if reason != "structural":
        # A reason outside CHURN_REASONS cannot pass the accounts loader; like decide(), it
        # would still run the default playbook.
        playbook = rules.playbooks.get(reason, rules.playbooks["default"])
        if playbook is None:
            out.exclude(
                "no_playbook", f"campaign {rules.campaign_id} has no playbook for {reason} and no default"
            )

    ranked = priority.named(level)
    key: SortKey = (
        priority.PRIORITIES.index(ranked) if not out.codes else len(priority.PRIORITIES),
        0 if sweet else 1,
        tier_rank(tier),
        -account.arr,
        account.account_id,
    )
    if out.codes:
        earliest = out.reopens(day)
        if earliest is not None and window_end is not None and earliest > window_end:
            out.lines.append(
                f"by {earliest.isoformat()} churn is more than {_months(rules.max_months)} ago: "
                "not eligible again in this campaign"
            )
            earliest = None
        return PlanEntry(
            account_id=account.account_id,
            included=False,
            tier=tier,
            priority=None,
            playbook=None,
            earliest_start=earliest.isoformat() if earliest else None,
            reasons=tuple(out.lines),
            exclusions=tuple(out.codes),
            churn_reason=reason,
            sort_key=key,
        )
    if rules.starts_later:
        out.note(f"starts {day.isoformat()}, when the campaign starts")
    return PlanEntry(
        account_id=account.account_id,
        included=True,
        tier=tier,
        priority=ranked,
        playbook=playbook,
        earliest_start=day.isoformat(),
        reasons=tuple(out.notes),
        exclusions=(),
        churn_reason=reason,
        sort_key=key,
    )


class _Verdict:
    """Collects exclusions (with the day each one ends, None = never) and ranking notes."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.lines: list[str] = []
        self.ends: list[date | None] = []
        self.notes: list[str] = []

    def exclude(self, code: str, line: str, until: date | None = None) -> None:
        self.codes.append(code)
        self.lines.append(line)
        self.ends.append(until)

    def note(self, line: str) -> None:
        self.notes.append(line)

    def reopens(self, day: date) -> date | None:
        """The day every exclusion has ended, or None if one of them never ends."""
        if any(end is None for end in self.ends):
            return None
        return max([day, *(end for end in self.ends if end is not None)])


def _audience(rules: Rules, account: Account, tier: str | None, out: _Verdict) -> None:
    if rules.churn_reasons and account.churn_reason not in rules.churn_reasons:
        out.exclude(
            "audience_churn_reason",
            f"churn reason {account.churn_reason} is not in this campaign's audience "
            f"({', '.join(sorted(rules.churn_reasons, key=_reason_order))})",
        )
    # No tier (ARR below 1,000) is already excluded; a tier filter has nothing to test.
    if rules.tiers and tier is not None and tier not in rules.tiers:
        out.exclude(
            "audience_tier",
            f"tier {tier} is not in this campaign's audience ({', '.join(sorted(rules.tiers))})",
        )
    if rules.countries and account.country.upper() not in rules.countries:
        out.exclude(
            "audience_country",
            f"country {account.country} is not in this campaign's audience "
            f"({', '.join(sorted(rules.countries))})",
        )
    if rules.detail is not None and not rules.detail.search(account.churn_detail):
        # The detail itself is CRM free text (it may name people): say which pattern, not what it said.
        out.exclude("audience_churn_detail", f"churn detail does not match {rules.detail_text}")


def _enrolments(rules: Rules, account: Account, enrolments: Sequence[Enrolment], out: _Verdict) -> None:
    running = [e for e in enrolments if e.account_id == account.account_id and e.ended_on is None]
    if running:
        first = min(running, key=lambda e: e.started_on)
        out.exclude(
            "running",
            f"already in a running sequence (campaign {first.campaign_id}, since {first.started_on})",
        )
    ended_here = [
        e
        for e in enrolments
        if e.account_id == account.account_id and e.campaign_id == rules.campaign_id and e.ended_on
    ]
    if ended_here:
        last = max(ended_here, key=lambda e: e.ended_on or "")
        outcome = outcome_words(last.outcome)
        out.exclude(
            "already_in_campaign", f"already contacted in this campaign: {outcome} on {last.ended_on}"
        )


def _reason_order(reason: str) -> int:
    return CHURN_REASONS.index(reason) if reason in CHURN_REASONS else len(CHURN_REASONS)


def _money(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _months(count: int) -> str:
    return f"{count} month{'' if abs(count) == 1 else 's'}"
