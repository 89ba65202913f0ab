"""How a sequence ends. The store records it, the plan reports it, and a decline or a
sequence nobody answered leaves a cool-off behind (campaigns.contactability). A bounce or an
unsubscribe reported by the email provider ends it too; the permanent preference behind those
is recorded when the provider's event arrives (inbound/sendgrid_events.py), not by the outcome."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BOUNCED",
    "CANCELLED",
    "COMPLETED_NO_REPLY",
    "DECLINED",
    "DISQUALIFIED",
    "OUTCOMES",
    "REPLIED",
    "UNSUBSCRIBED",
    "outcome_words",
]

REPLIED: Final = "replied"
DECLINED: Final = "declined"
COMPLETED_NO_REPLY: Final = "completed_no_reply"
CANCELLED: Final = "cancelled"
BOUNCED: Final = "bounced"
UNSUBSCRIBED: Final = "unsubscribed"
# A story showed the account is out of reach (shut down, acquired onto another tool): a signal
# watcher stops its sequence (signals/, docs/ARCHITECTURE.md "Signal watchers").
DISQUALIFIED: Final = "disqualified"
OUTCOMES: Final = (REPLIED, DECLINED, COMPLETED_NO_REPLY, CANCELLED, BOUNCED, UNSUBSCRIBED, DISQUALIFIED)

_WORDS: Final = {
    COMPLETED_NO_REPLY: "completed with no reply",
    DISQUALIFIED: "disqualified (out of reach)",
}


def outcome_words(outcome: str | None) -> str:
    """The outcome as a sentence says it; "ended" when none was recorded."""
    if not outcome:
        return "ended"
    return _WORDS.get(outcome, outcome)
