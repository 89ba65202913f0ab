"""Which signal starts which playbook for which accounts: a campaign's `triggers:` rules.

    triggers:
      - on: funding                      # a kind, or a list of kinds
        when: {churn_reasons: [budget]}  # which accounts (audience keys); left out = any
        playbook: budget                 # one of the campaign's playbooks, by id
      - on: [price_increase, outage, acquisition]
        playbook: competitive            # a competitor's story concerns accounts lost to it
      - on: release
        playbook: product_gap            # accounts whose churn detail the release addresses
      - on: time
        milestones: [months_6, months_12, competitor_renewal]
        playbook: time_based

Rules are tried in file order and the first that admits the account wins. Whether the account
may be contacted at all is not decided here: a triggered account goes through the campaign's
plan like any launched one (tiers, months since churn, cool-offs, one running sequence, the
sender's daily cap), with the rule's playbook (`campaign_for`).

Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from campaigns.audience import FILTER_KEYS, detail_pattern, read_audience
from campaigns.errors import Problems, check_keys, choose_from, excerpt
from campaigns.model import CHURN_REASONS, Account, Audience, Campaign, Playbook, Trigger
from campaigns.months import add_months
from campaigns.tiers import tier_for_arr

__all__ = [
    "COMPETITOR_KINDS",
    "EVENT_KINDS",
    "LIVE_COMPETITOR_DAYS",
    "LIVE_COMPETITOR_KINDS",
    "MILESTONES",
    "SIGNAL_KINDS",
    "admits",
    "campaign_for",
    "milestones_on",
    "read_triggers",
    "release_concerns",
    "rule_for",
]

# What a story can be, as `winback signals scan --json` prints it (a contract).
EVENT_KINDS: Final = (
    "funding",
    "acquisition",
    "executive_change",
    "expansion",
    "layoffs",
    "price_increase",
    "outage",
    "strategy_change",
    "hiring",
    "leadership_hire",
    "release",
)
# What a trigger can start on: the stories, and the calendar.
SIGNAL_KINDS: Final = (*EVENT_KINDS, "time")
# A competitor's story: the accounts it concerns are those lost to that competitor.
COMPETITOR_KINDS: Final = frozenset({"price_increase", "acquisition", "outage", "strategy_change"})
# A competitor's price rise, acquisition or outage seen this recently makes accounts lost to it
# rank high (campaigns.priority), as the campaign's hand-written competitor_signals do.
LIVE_COMPETITOR_KINDS: Final = frozenset({"price_increase", "acquisition", "outage"})
LIVE_COMPETITOR_DAYS: Final = 90

# Milestones of the `time` source, each the day it falls on for an account:
#   months_6 / months_12: 6 and 12 months after churn;
#   competitor_renewal: 10 months after an account moved to a competitor, as its first
#     contract with them comes up for renewal (the 10-11 month window opens);
#   anniversary: each later year after churn (2, 3, ... years).
MILESTONES: Final = ("months_6", "months_12", "competitor_renewal", "anniversary")
_MAX_ANNIVERSARY_YEARS: Final = 10

_RULE_KEYS: Final = {"on": "on: funding", "playbook": "playbook: budget"}
_RULE_OPTIONAL: Final = ("when", "milestones")


def read_triggers(
    problems: Problems, raw: object, playbooks: Sequence[Playbook]
) -> tuple[Trigger, ...] | None:
    """The `triggers:` list (empty when left out), or None after adding its problems."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.add(
            "triggers",
            "must be a list of rules such as [{on: funding, when: {churn_reasons: [budget]}, "
            "playbook: budget}]",
        )
        return None
    before = len(problems.lines)
    ids = tuple(dict.fromkeys(p.id for p in playbooks))
    rules: list[Trigger] = []
    for n, item in enumerate(raw):
        field = f"triggers[{n}]"
        if not isinstance(item, dict):
            problems.add(field, "must be a rule such as {on: funding, playbook: budget}")
            continue
        if True in item and "on" not in item:
            # YAML 1.1 reads an unquoted `on:` key as the boolean true, as PyYAML does.
            item = {("on" if key is True else key): value for key, value in item.items()}
        check_keys(problems, field, item, _RULE_KEYS, optional=_RULE_OPTIONAL)
        kinds = _words(problems, f"{field}.on", item.get("on"), SIGNAL_KINDS)
        playbook = item.get("playbook")
        if "playbook" in item and (not isinstance(playbook, str) or playbook not in ids):
            problems.add(
                f"{field}.playbook",
                f"{excerpt(playbook)} is not one of this campaign's playbooks; "
                f"{choose_from(str(playbook), ids)} (or add it under playbooks:)",
            )
        when = read_audience(problems, item.get("when"), field=f"{field}.when", keys=FILTER_KEYS)
        milestones = _words(problems, f"{field}.milestones", item.get("milestones"), MILESTONES)
        if milestones and "time" not in kinds:
            problems.add(f"{field}.milestones", "only a rule `on: time` has milestones; add time to on:")
        if kinds and isinstance(playbook, str) and when is not None:
            rules.append(Trigger(on=kinds, playbook=playbook, when=when, milestones=milestones))
    if len(problems.lines) != before:
        return None
    return tuple(rules)


def _words(problems: Problems, field: str, value: object, allowed: Sequence[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in values:
        word = item.strip() if isinstance(item, str) else ""
        if word not in allowed:
            problems.add(field, f"unknown value {excerpt(item)}; {choose_from(word, allowed)}")
        elif word not in out:
            out.append(word)
    return tuple(out)


def admits(when: Audience, account: Account) -> bool:
    """Whether a rule's account filter takes this account (the same keys as `audience:`)."""
    if when.churn_reasons and account.churn_reason not in when.churn_reasons:
        return False
    tier = tier_for_arr(account.arr)
    if when.tiers and (tier is None or tier not in when.tiers):
        return False
    if when.countries and account.country.upper() not in when.countries:
        return False
    return not (when.churn_detail and not detail_pattern(when.churn_detail).search(account.churn_detail))


def release_concerns(account: Account, facts: Mapping[str, str]) -> bool:
    """Whether one of our releases is for this account: it addresses the account's churn reason
    (`addresses`, when given) and its pattern (`detail`, when given) matches the churn detail."""
    addresses = facts.get("addresses", "")
    if addresses and account.churn_reason not in {a.strip() for a in addresses.split(",")}:
        return False
    detail = facts.get("detail", "")
    return not (detail and not detail_pattern(detail).search(account.churn_detail))


def rule_for(
    triggers: Sequence[Trigger], kind: str, account: Account, facts: Mapping[str, str] | None = None
) -> Trigger | None:
    """The first rule this signal about this account fires, or None."""
    facts = facts or {}
    if kind == "release" and not release_concerns(account, facts):
        return None
    for rule in triggers:
        if kind not in rule.on or not admits(rule.when, account):
            continue
        if kind == "time" and rule.milestones and facts.get("milestone") not in rule.milestones:
            continue
        return rule
    return None


def campaign_for(campaign: Campaign, rule: Trigger) -> Campaign:
    """The campaign as a triggered account runs it: every churn reason runs the rule's
    playbook; every other rule of the campaign (audience, cool-offs, cap) stays."""
    playbook = next(pb for _, pb in campaign.playbooks if pb.id == rule.playbook)
    return replace(campaign, playbooks=tuple((reason, playbook) for reason in (*CHURN_REASONS, "default")))


def milestones_on(account: Account, day: date) -> tuple[str, ...]:
    """The time milestones that fall on `day` for this account (none without a churn date)."""
    if not account.churned_on:
        return ()
    churned = date.fromisoformat(account.churned_on)
    found: list[str] = []
    if add_months(churned, 6) == day:
        found.append("months_6")
    if add_months(churned, 12) == day:
        found.append("months_12")
    moved = account.churn_reason == "competitive" and account.competitor.strip()
    if moved and add_months(churned, 10) == day:
        found.append("competitor_renewal")
    if any(add_months(churned, 12 * years) == day for years in range(2, _MAX_ANNIVERSARY_YEARS + 1)):
        found.append("anniversary")
    return tuple(found)
