"""A saves launch's rows, kept so that a cancel intent can start an account's save later (issue 12).

`winback saves launch` keeps every valid row of its file, with the launch's approvers and
settings (the store's `save_watch`; a later launch of the same account replaces its row). When
the product reports a cancel intent for an account no save runs for (POST /webhooks/intent),
the row is judged again on that day with the stored intents counted (`judge`): the intent is
one more red flag, so a row the launch only watched (one flag) is now at risk. If the plan now
includes it (at risk, renewal not past, save factors filled in), its save starts from the row
exactly as `saves launch` would have started it that day. Otherwise the intent stays a red flag
and, for an abandoned cancel flow, the owner's intervention task.

No plan is invented: an account that no launch has seen, or whose row lacks the save factors,
gets no save, and the intervention task says so. Nor is a row used twice: once a save of the
account has ended since the launch read it (saved, lost or cancelled), the row was that save's
plan, and a CSM's verdict stands until a new launch plans again (`spent`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from campaigns.approvers import Approvers
from campaigns.renewals import Renewal
from campaigns.triage import SaveEntry, triage

__all__ = ["WatchedRenewal", "judge", "spent"]


@dataclass(frozen=True)
class WatchedRenewal:
    """One row of a saves launch and what its save would start with."""

    renewal: Renewal  # as the launch read it (renewals moved by --renewals-relative-to)
    approvers: Approvers
    campaign_id: str
    planned_on: str  # ISO date: the launch's as-of day
    winback_campaign: str = ""  # the lost save's win-back campaign file, resolved; "" none
    monitor_months: int = 6

    @property
    def account_id(self) -> str:
        return self.renewal.account.account_id


def judge(watched: WatchedRenewal, *, intents: int, as_of: date) -> SaveEntry:
    """The row's plan on `as_of` with `intents` cancel intents counted (campaigns/triage.py)."""
    return triage(replace(watched.renewal, intents=intents), as_of)


def spent(watched: WatchedRenewal, ended: Iterable[tuple[str, date]]) -> str | None:
    """Why the row may start no save: a save of the account ended (`ended`: its outcome and the
    day it ended) on or after the launch's day; None while it may."""
    planned = date.fromisoformat(watched.planned_on)
    for outcome, day in ended:
        if day >= planned:
            return (
                f"its save ended {outcome} on {day.isoformat()}, after the saves launch of "
                f"{watched.planned_on} planned it; a new saves launch plans the next one"
            )
    return None
