"""Cancel intent (issue 12, part 4): what a product tells us about an account about to leave.

The product posts events to `POST /webhooks/intent` (winback/intent_webhook.py). Every kind below
is a red flag for the account; an abandoned cancel flow is the one moment a person can still
step in, so it gives the account's owner an intervention task due within one business day of the
customer's calendar. The account is then followed for FOLLOW_MONTHS calendar months from its
last event, so a save (still a customer when the window closes) can be told from a delayed
churn (churned inside it). Pure: no I/O.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from campaigns import calendar
from campaigns.model import Wait
from campaigns.months import add_months

CANCEL_FLOW_STARTED: Final = "cancel_flow_started"
CANCEL_FLOW_ABANDONED: Final = "cancel_flow_abandoned"
CANCEL_PAGE_VIEWED: Final = "cancel_page_viewed"
DATA_EXPORT: Final = "data_export"
WIDGET_REMOVED: Final = "widget_removed"
SUPPORT_CANCEL_MENTION: Final = "support_cancel_mention"
# The wire format's `event` values; anything else is refused (400), never guessed at.
INTENT_KINDS: Final = (
    CANCEL_FLOW_STARTED,
    CANCEL_FLOW_ABANDONED,
    CANCEL_PAGE_VIEWED,
    DATA_EXPORT,
    WIDGET_REMOVED,
    SUPPORT_CANCEL_MENTION,
)
# The kinds that ask a person to act now; the others are red flags only.
INTERVENTION_KINDS: Final = (CANCEL_FLOW_ABANDONED,)
# "Within one business day": the same rule as every save task's deadline (calendar.deadline_after:
# one Mon-Fri day that is not the country's public holiday later, at the same wall-clock time),
# so a Friday-evening abandonment in Helsinki is due Monday evening, and one on the eve of a
# holiday the business day after it.
INTERVENTION_BUSINESS_DAYS: Final = 1
# How long after its last cancel intent an account is watched (calendar months).
FOLLOW_MONTHS: Final = 6
# The verdicts of a follow-up.
FOLLOWING: Final = "following"
SAVED: Final = "saved"
CHURNED: Final = "churned"
# The channel of the owner's intervention task on the task board (save tasks use "save-<kind>").
INTERVENTION_CHANNEL: Final = "save-intervention"
# Its "report back" line: it is a call to make, not a step any workflow waits for.
INTERVENTION_REPORT: Final = (
    "nothing to report back: no step waits for this task; record what you learn in the save's "
    "tasks, or in your CRM when no save runs"
)

_WORDS: Final = {
    CANCEL_FLOW_STARTED: "started the cancellation flow",
    CANCEL_FLOW_ABANDONED: "started the cancellation flow and left it unfinished",
    CANCEL_PAGE_VIEWED: "viewed the cancellation page",
    DATA_EXPORT: "exported their data",
    WIDGET_REMOVED: "removed our widget",
    SUPPORT_CANCEL_MENTION: "mentioned cancelling to support",
}


def words(kind: str) -> str:
    """What the customer did, for a task or a details line."""
    return _WORDS.get(kind, kind)


def intervention_due(moment_utc: datetime, country: str, tz: str) -> datetime:
    """When the owner's intervention task for an abandonment at `moment_utc` is due (UTC)."""
    return calendar.deadline_after(moment_utc, Wait(INTERVENTION_BUSINESS_DAYS, "business_days"), country, tz)


def followed_until(last_event_day: date) -> date:
    """The last day an account is followed after a cancel intent on `last_event_day`."""
    return add_months(last_event_day, FOLLOW_MONTHS)


def follow_verdict(*, first_day: date, until: date, churned_on: date | None, lost: bool, as_of: date) -> str:
    """Saved, churned or still following: a churn (or a save recorded lost) on or after the first
    intent counts as churned, even after the window; past the window without one, saved."""
    if lost or (churned_on is not None and churned_on >= first_day):
        return CHURNED
    return SAVED if as_of > until else FOLLOWING


def intervention_text(company: str, kind: str, occurred_local: str, detail: str) -> str:
    """The owner's task: who did what, when in their time, and what to do about it."""
    seen = f"\nWhat the product reported: {detail}\n" if detail else ""
    return (
        f"{company} {words(kind)} at {occurred_local} (their time).\n{seen}\n"
        "Reach them within one business day: ask what made them look at cancelling and what would "
        "make them stay, and record what you learn on the account's save.\n"
    )
