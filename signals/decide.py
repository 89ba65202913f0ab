"""What a matched event asks for, account by account: start a playbook, stop a sequence
because the account is out of reach, or nothing (and why).

Whether an account may be contacted at all is the plan's business, not this module's: a
`start` here only names the rule that fired; the watcher runs the account through the same
start path as `winback launch` (activities/pipeline.py), which applies every launch rule.

Pure: no clock, no I/O.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from campaigns.model import Account, Campaign, Trigger, TriggerEvidence
from campaigns.triggers import COMPETITOR_KINDS, rule_for
from signals.records import Event, Matched

__all__ = ["DISQUALIFY", "NO_RULE", "START", "Action", "decide", "event_key", "evidence_for"]

START: Final = "start"
DISQUALIFY: Final = "disqualify"
NO_RULE: Final = "no_rule"
# The fact an extractor sets when a story shows its subject is out of reach: "shut_down" or
# "acquired" (acquired onto another tool).
OUT_OF_REACH: Final = "out_of_reach"


@dataclass(frozen=True)
class Action:
    account_id: str
    what: str  # START | DISQUALIFY | NO_RULE
    rule: Trigger | None = None  # START: the rule that fired
    note: str = ""


def event_key(event: Event) -> str:
    """One event of one story: the same story from two feeds, or polled twice, has one key."""
    basis = f"{event.story}|{event.kind}|{event.company.casefold().strip()}"
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


def evidence_for(event: Event) -> TriggerEvidence:
    """What the sequence carries so a CSM sees why it started."""
    return TriggerEvidence(
        kind=event.kind,
        title=event.title[:300],
        url=event.url[:2000],
        published=event.published,
        company=event.company[:200],
    )


def decide(
    matched: Matched,
    campaign: Campaign,
    accounts: Mapping[str, Account],
    *,
    everyone: Sequence[Account] = (),
) -> list[Action]:
    """The actions one event asks for. `everyone`: the accounts a release is checked against
    (a release names no company; its `addresses` and `detail` facts say whom it is for)."""
    event = matched.event
    facts = dict(event.facts)
    if event.kind == "release":
        targets = [a.account_id for a in everyone]
    elif matched.account_id is not None:
        account = accounts.get(matched.account_id)
        if account is not None and facts.get(OUT_OF_REACH):
            why = facts[OUT_OF_REACH].replace("_", " ")
            return [Action(account.account_id, DISQUALIFY, note=f"{why}: “{event.title[:200]}”")]
        targets = [matched.account_id]
    elif event.kind in COMPETITOR_KINDS:
        targets = list(matched.concerns)
    else:
        targets = []
    actions: list[Action] = []
    for account_id in targets:
        account = accounts.get(account_id)
        if account is None:
            continue
        rule = rule_for(campaign.triggers, event.kind, account, facts)
        if rule is None:
            if event.kind != "release":  # a release is checked against everyone: say nothing
                actions.append(Action(account_id, NO_RULE, note=f"no trigger of {campaign.id} takes it"))
            continue
        actions.append(Action(account_id, START, rule=rule))
    return actions
