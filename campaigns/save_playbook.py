"""A save's playbook: its tasks by effort and mode, with owners, order and deadlines (issue 12).

Every save is a set of tasks for people; nothing in it emails the customer. Each task has an
owner role (csm: the account's owner; manager and executive: the approvers file's), a deadline
in the customer's business days counted from when it opens, and the tasks it waits for (`after`:
a task opens once each of those is closed or past its deadline). By effort
(campaigns/save_effort.py):

- full: the save conversation, one task per issue, a written save plan after the conversation,
  and, when the save escalates (campaigns/escalation.py), the four escalation steps strictly one
  after another, the first from the start;
- standard: the conversation, the issues, and a manager's review after the conversation;
- light: the conversation and the issues, every task the CSM's ("the CSM alone");
- none: no save, one graceful exit conversation (what follows it is a later part of issue 12).

An issue is a red flag of the account (campaigns/risk.py) with the save's root cause, its fix,
owner, deadline and success metric (ISSUES). By mode (campaigns/save_mode.py) the deadlines
shrink (DEADLINES): an emergency save's fixes are due in 2 business days, the 48-72 hours of the
rule (a weekend makes 2 business days up to 4 calendar days, 3 would make 5), and its escalation
runs in 5 business days instead of 12.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from campaigns.escalation import ESCALATION_STEPS

__all__ = [
    "CONVERSATION_GUIDES",
    "DEADLINES",
    "ESCALATION_DAYS",
    "EXIT_GUIDES",
    "ISSUES",
    "OWNER_ROLES",
    "ROOT_CAUSE_FOCUS",
    "TASK_KINDS",
    "SaveIssue",
    "SaveTask",
    "save_tasks",
]

OWNER_ROLES: Final = ("csm", "manager", "executive")
TASK_KINDS: Final = ("conversation", "issue", "plan", "review", "escalation", "exit")

# The save conversation, in this order; each line goes into the task's notes.
CONVERSATION_GUIDES: Final = (
    ("Open with honesty", "say plainly that the renewal is at risk and that you want to understand why"),
    ("Listen first", "ask what has not worked and let them finish; take notes, do not defend"),
    ("Acknowledge", "repeat back what you heard and own what was ours to get right"),
    ("Propose with owners and dates", "for each issue: the fix, who owns it on both sides, the date"),
    ("Ask for commitment", "ask what would make them renew and agree the next step with a date"),
)
EXIT_GUIDES: Final = (
    ("Thank them", "for the time as a customer, without a sales pitch"),
    ("Make leaving easy", "data export, the end date, who to call; no obstacles"),
    ("Ask what would bring them back", "and write it down for the win-back team"),
)

# mode -> task kind -> business days from when the task opens.
DEADLINES: Final[Mapping[str, Mapping[str, int]]] = {
    "comprehensive": {"conversation": 5, "issue": 15, "plan": 10, "review": 10, "exit": 10},
    "compressed": {"conversation": 3, "issue": 10, "plan": 5, "review": 5, "exit": 5},
    "emergency": {"conversation": 1, "issue": 2, "plan": 2, "review": 1, "exit": 2},
}
# mode -> each escalation step's business days, in ESCALATION_STEPS order.
ESCALATION_DAYS: Final[Mapping[str, tuple[int, ...]]] = {
    "comprehensive": tuple(step.business_days for step in ESCALATION_STEPS),
    "compressed": tuple(step.business_days for step in ESCALATION_STEPS),
    "emergency": (1, 1, 2, 1),
}


@dataclass(frozen=True)
class IssueRule:
    issue: str
    fix: str
    success_metric: str
    owner_role: str  # one of OWNER_ROLES


# red flag (campaigns.risk.FLAGS) -> what it means, its fix and how we know it worked.
ISSUES: Final[Mapping[str, IssueRule]] = {
    "engagement_drop": IssueRule(
        "engagement dropped",
        "a working session with the active users on the workflows they stopped using",
        "weekly active users back to the level before the drop",
        "csm",
    ),
    "negative_feedback": IssueRule(
        "negative feedback",
        "a call on each complaint and a written answer with what changes and when",
        "the customer confirms in writing that the complaints are answered",
        "manager",
    ),
    "competitor_evaluation": IssueRule(
        "evaluating a competitor",
        "a value review in their numbers against the alternative they are trialling",
        "the customer ends the evaluation or names what we must match",
        "csm",
    ),
    "budget_pressure": IssueRule(
        "budget pressure",
        "a return-on-investment case for the budget owner, with their own usage figures",
        "the renewal budget is confirmed by the budget owner",
        "csm",
    ),
    "champion_left": IssueRule(
        "the champion left",
        "find a new champion and onboard them on what their predecessor valued",
        "a named champion attends a meeting and signs off the save plan",
        "csm",
    ),
    "usage_decline": IssueRule(
        "usage declined",
        "an adoption plan for the features they pay for and do not use",
        "usage of the planned features back above the level before the decline",
        "csm",
    ),
    "business_change": IssueRule(
        "their business changed",
        "map the product to their new structure and goals with the new decision makers",
        "the new decision makers agree on how they will use the product",
        "manager",
    ),
    "cancel_intent": IssueRule(
        "the product saw cancel intent",
        "call the decision maker within a day: ask what made them look at cancelling and agree a fix",
        "no new cancel intent for 30 days and the decision maker confirms the renewal conversation",
        "csm",
    ),
    "low_health_score": IssueRule(
        "low health score",
        "a health review of the score's weakest parts and a fix for each",
        "health score back to 50 or above",
        "csm",
    ),
}
# The save's root cause (campaigns.save_probability.FACTORS["root_cause"]): where every fix aims.
ROOT_CAUSE_FOCUS: Final[Mapping[str, str]] = {
    "value_perception": "show the value they missed, in their numbers",
    "situational": "bridge the moment: flexibility until it passes",
    "service": "a service recovery with a named contact and dates; a discount does not fix it",
    "product_fit": "be honest about fit: a workaround, a dated roadmap item, or a smaller scope",
}


@dataclass(frozen=True)
class SaveIssue:
    issue: str
    root_cause: str
    fix: str
    owner: str  # handle
    success_metric: str
    flag: str = ""


@dataclass(frozen=True)
class SaveTask:
    """One task of a save, as the workflow opens it on its owner's task board."""

    task_id: str  # stable within a save: "conversation", "issue-2", "escalation-brief"
    number: int  # 1-based, plan order
    kind: str  # one of TASK_KINDS
    title: str
    owner_role: str  # one of OWNER_ROLES
    owner: str  # the handle (or the account owner's email) whose task board gets it
    business_days: int  # the deadline after it opens, in the customer's business days
    after: tuple[str, ...] = field(default_factory=tuple)  # task ids it waits for
    notes: str = ""  # the conversation guides, the issue, the escalation step
    issue: SaveIssue | None = None


def save_tasks(
    *,
    effort: str,
    mode: str,
    flags: tuple[str, ...],
    root_cause: str,
    escalates: bool,
    owners: Mapping[str, str],
) -> tuple[SaveTask, ...]:
    """The save's tasks in plan order; `owners` maps each of OWNER_ROLES to a handle."""
    days = DEADLINES[mode]
    specs: list[tuple[str, str, str, str, int, tuple[str, ...], str, SaveIssue | None]] = []
    if effort == "none":
        specs.append(
            (
                "exit",
                "exit",
                "graceful exit conversation",
                "csm",
                days["exit"],
                (),
                _guides(EXIT_GUIDES),
                None,
            )
        )
    else:
        specs.append(
            (
                "conversation",
                "conversation",
                "save conversation",
                "csm",
                days["conversation"],
                (),
                _guides(CONVERSATION_GUIDES),
                None,
            )
        )
        for n, flag in enumerate(flags, start=1):
            rule = ISSUES[flag]
            role = "csm" if effort == "light" else rule.owner_role
            issue = SaveIssue(rule.issue, root_cause, rule.fix, owners[role], rule.success_metric, flag)
            specs.append(
                (
                    f"issue-{n}",
                    "issue",
                    f"fix: {rule.issue}",
                    role,
                    days["issue"],
                    (),
                    _issue_notes(issue),
                    issue,
                )
            )
        if effort == "full":
            specs.append(
                (
                    "plan",
                    "plan",
                    "written save plan",
                    "csm",
                    days["plan"],
                    ("conversation",),
                    "Send the customer the plan agreed in the conversation: every issue with its fix, "
                    "owner, date and success metric, and the commitment asked for.",
                    None,
                )
            )
        if effort == "standard":
            specs.append(
                (
                    "review",
                    "review",
                    "manager review of the save",
                    "manager",
                    days["review"],
                    ("conversation",),
                    "Review the save with the CSM after the conversation: are the fixes, owners and "
                    "dates realistic, and is a concession needed?",
                    None,
                )
            )
        if effort == "full" and escalates:
            previous: tuple[str, ...] = ()
            for step, step_days in zip(ESCALATION_STEPS, ESCALATION_DAYS[mode], strict=True):
                task_id = f"escalation-{step.step}"
                title = f"escalation {step.order}/{len(ESCALATION_STEPS)}: {step.step.replace('_', ' ')}"
                specs.append((task_id, "escalation", title, step.owner, step_days, previous, step.what, None))
                previous = (task_id,)
    return tuple(
        SaveTask(
            task_id=task_id,
            number=number,
            kind=kind,
            title=title,
            owner_role=role,
            owner=owners[role],
            business_days=business_days,
            after=after,
            notes=notes,
            issue=issue,
        )
        for number, (task_id, kind, title, role, business_days, after, notes, issue) in enumerate(specs, 1)
    )


def _guides(guides: tuple[tuple[str, str], ...]) -> str:
    return "\n".join(f"{n}. {head}: {line}." for n, (head, line) in enumerate(guides, start=1))


def _issue_notes(issue: SaveIssue) -> str:
    focus = ROOT_CAUSE_FOCUS.get(issue.root_cause, "")
    lines = [
        f"Issue: {issue.issue}",
        f"Root cause: {issue.root_cause.replace('_', ' ')}" + (f" ({focus})" if focus else ""),
        f"Fix: {issue.fix}",
        f"Success metric: {issue.success_metric}",
    ]
    return "\n".join(lines)
