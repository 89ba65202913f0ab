"""Realistic records for tests, built from the shipped playbooks and templates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from activities.pipeline import sequence_input as input_for
from activities.store import Store
from campaigns.approvers import Approvers
from campaigns.eligibility import PlanEntry
from campaigns.model import MANUAL_CHANNELS, WEEKDAYS, Account, Campaign, Contact, Schedule, Sender
from campaigns.playbook import PLAYBOOK_DIR, load_playbook
from campaigns.renewals import Renewal
from campaigns.save_probability import Factors
from campaigns.save_watch import WatchedRenewal
from contracts.sequence import SequenceInput


def make_account(**overrides: Any) -> Account:
    base = Account(
        account_id="ACC-1",
        company="Revontuli Analytics Oy",
        domain="revontuli.example",
        country="FI",
        timezone="Europe/Helsinki",
        arr=120_000.0,
        churned_on="2026-02-15",
        churn_reason="product_gap",
        churn_detail="needed a Salesforce integration",
        competitor="",
        departure="graceful",
        owner="maria.lind@winback.example",
        contact=Contact(name="Aino Korhonen", email="aino@revontuli.example", title="Head of RevOps"),
        locale="en",
        executive=Contact(name="Mikko Saari", email="mikko@revontuli.example", title="COO"),
    )
    return replace(base, **overrides)


def make_campaign(schedule: Schedule | None = None, campaign_id: str = "test-campaign") -> Campaign:
    playbooks = tuple(
        (reason, load_playbook(PLAYBOOK_DIR / f"{name}.yaml"))
        for reason, name in [
            ("product_gap", "product_gap"),
            ("competitive", "competitive"),
            ("service", "service"),
            ("budget", "budget"),
            ("adoption", "adoption"),
            ("default", "time_based"),
        ]
    )
    return Campaign(
        id=campaign_id,
        name="Test campaign",
        playbooks=playbooks,
        schedule=schedule or Schedule(),
        sender=Sender(
            from_email="maria.lind@winback.example",
            from_name="Maria Lind",
            postal_address="Winback Oy, Mannerheimintie 1, 00100 Helsinki, Finland",
        ),
    )


def sequence_input(
    account: Account | None = None, campaign: Campaign | None = None, **kw: Any
) -> SequenceInput:
    """The input a launch would give this account, whatever the day (tests pick their own)."""
    account = account or make_account()
    campaign = campaign or make_campaign()
    playbook = campaign.playbook_for(account.churn_reason)
    assert account.tier is not None and playbook is not None
    entry = PlanEntry(
        account_id=account.account_id,
        included=True,
        tier=account.tier,
        priority="high",
        playbook=playbook.id,
        earliest_start=None,
        reasons=(),
        exclusions=(),
        churn_reason=account.churn_reason,
        sort_key=(0, 0, 0, 0.0, account.account_id),
    )
    return input_for(entry, account, campaign, **kw)


def task_first_input(account: Account | None = None) -> SequenceInput:
    """A sequence of one touch, a manual task (a LinkedIn note) that opens the moment the
    sequence starts, whatever the day and hour: no sending window, weekend or holiday defers it."""
    always = Schedule(
        window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0
    )
    inp = sequence_input(account or make_account(country=""), make_campaign(schedule=always))
    manual = next(t for t in inp.plan.touches if t.channel in MANUAL_CHANNELS)
    return replace(inp, plan=replace(inp.plan, touches=(replace(manual, number=1, waits=()),)))


def quiet_monday(now: datetime) -> datetime:
    """05:00 UTC on the second Monday of January after `now`.

    From then until mid-March Finland has no public holiday (Epiphany is Jan 6, Good Friday
    is Mar 20 at the earliest) and no quarter-end blackout, so an 8-week sequence meets only
    weekends: tests can predict its times without the calendar module.
    """
    year = now.year + 1
    day = date(year, 1, 8)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 5, 0, tzinfo=UTC)


def temp_store(folder: Path) -> Store:
    """A real SQLite store in a test's own folder, migrated like production's."""
    return Store.open(f"sqlite:///{folder}/winback.db")


APPROVERS = Approvers(
    roles=(
        ("maria.lind", "csm"),
        ("sanna.virtanen", "manager"),
        ("erik.holm", "director"),
        ("claire.dubois", "vp"),
    ),
    manager="sanna.virtanen",
    executive="claire.dubois",
)

# The day make_watched counts its renewal from (the intent webhook tests' Friday).
WATCH_DAY = date(2026, 12, 4)


def make_watched(
    account_id: str, *, signals: tuple[str, ...] = (), factors: bool = True, days: int = 120
) -> WatchedRenewal:
    """A saves launch's row for an account the accounts import does not know: ARR 120,000,
    good factors (a full-effort save once at risk), renewal `days` after WATCH_DAY."""
    renewal = Renewal(
        account=make_account(account_id=account_id, churned_on=None),
        renewal_on=(WATCH_DAY + timedelta(days=days)).isoformat(),
        health_score=70,
        signals=signals,
        factors=Factors("value_perception", "strong", "evaluating", "confirmed", "engaged")
        if factors
        else None,
        strategic=False,
    )
    return WatchedRenewal(
        renewal=renewal,
        approvers=APPROVERS,
        campaign_id="saves-2026-11",
        planned_on="2026-11-30",
        winback_campaign="/srv/winback/spring-winback.yaml",
        monitor_months=9,
    )
