"""The one start path: what a launch starts is exactly what the plan includes, nothing decided twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from activities import pipeline
from campaigns.accounts import load_accounts
from campaigns.campaign import load_campaign
from campaigns.model import Preference, TriggerEvidence
from contracts.codec import decode_input
from tests.factories import make_account, make_campaign, temp_store

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns" / "examples"
NOW = datetime(2027, 3, 1, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("name", ["demo-campaign.yaml", "spring-winback.yaml"])
def test_items_are_the_plans_included_entries_best_first_with_their_tier_and_playbook(name: str) -> None:
    campaign = load_campaign(EXAMPLES / name)
    accounts = load_accounts(EXAMPLES / "accounts.csv").accounts
    the_plan = pipeline.plan(campaign, accounts, pipeline.Memory(), as_of=NOW.date())
    items = pipeline.items(the_plan, campaign, accounts, now=NOW)

    included = {e.account_id: e for e in the_plan.entries if e.included}
    assert [i.account_id for i in items] == [
        e.account_id for e in sorted(included.values(), key=lambda e: e.sort_key)
    ]
    assert [i.position for i in items] == list(range(len(items)))
    for item in items:
        inp = decode_input(item.payload)
        entry = included[item.account_id]
        assert (inp.account.tier, inp.plan.playbook_id) == (entry.tier, entry.playbook)
        assert inp.campaign_id == campaign.id
        assert inp.start_at == item.start_at
        assert item.start_at is not None and item.start_at >= NOW


def test_an_excluded_entry_never_becomes_a_sequence() -> None:
    campaign = make_campaign()
    structural = make_account(account_id="GONE-1", churn_reason="structural")
    small = make_account(account_id="SMALL-1", arr=999.99)
    the_plan = pipeline.plan(campaign, [structural, small], pipeline.Memory(), as_of=NOW.date())
    assert pipeline.items(the_plan, campaign, [structural, small], now=NOW) == []
    with pytest.raises(ValueError, match="GONE-1 is not included"):
        pipeline.sequence_input(the_plan.entries[0], structural, campaign)


def test_what_people_told_us_reaches_the_plan_through_the_store(tmp_path: Path) -> None:
    campaign = make_campaign()
    account = make_account(account_id="ACC-DECL")
    store = temp_store(tmp_path)
    try:
        store.record_preference(
            Preference(
                email=account.contact.email.lower(),
                account_id=account.account_id,
                kind="unsubscribed",
                since="2026-12-01",
                until=None,
            )
        )
        prepared = pipeline.prepare(store, campaign, [account], now=NOW, as_of=NOW.date())
    finally:
        store.close()
    assert prepared.items == ()
    assert prepared.imported.inserted == 1
    (entry,) = prepared.plan.entries
    assert entry.exclusions == ("unsubscribed",)


def test_a_launch_limited_with_only_imports_the_whole_file(tmp_path: Path) -> None:
    campaign = make_campaign()
    first, second = make_account(account_id="ONLY-1"), make_account(account_id="ONLY-2")
    chosen, missing = pipeline.select([first, second], ["ONLY-2", "NOPE-9"])
    assert [a.account_id for a in chosen] == ["ONLY-2"]
    assert missing == ["NOPE-9"]
    store = temp_store(tmp_path)
    try:
        prepared = pipeline.prepare(
            store, campaign, chosen, imported_accounts=[first, second], now=NOW, as_of=NOW.date()
        )
    finally:
        store.close()
    assert prepared.imported.inserted == 2
    assert [i.account_id for i in prepared.items] == ["ONLY-2"]


def test_each_account_s_trigger_travels_with_the_sequence_it_starts() -> None:
    campaign = make_campaign()
    accounts = [make_account(account_id=f"TRIG-{n}") for n in range(3)]
    release = TriggerEvidence(kind="release", title="Salesforce sync is live", url="https://example.com/r")
    funding = TriggerEvidence(kind="funding", title="Trig raises $20M", published="2026-11-30")
    the_plan = pipeline.plan(campaign, accounts, pipeline.Memory(), as_of=NOW.date())
    items = pipeline.items(
        the_plan, campaign, accounts, now=NOW, evidence={"TRIG-0": release, "TRIG-1": funding}
    )
    by_account = {i.account_id: decode_input(i.payload).trigger for i in items}
    assert by_account == {"TRIG-0": release, "TRIG-1": funding, "TRIG-2": None}


def test_sequences_already_started_today_count_against_the_daily_cap() -> None:
    campaign = replace(make_campaign(), daily_cap=5)
    accounts = [make_account(account_id=f"CAP-{n}") for n in range(3)]
    the_plan = pipeline.plan(campaign, accounts, pipeline.Memory(), as_of=NOW.date())
    fresh = pipeline.items(the_plan, campaign, accounts, now=NOW)
    capped = pipeline.items(the_plan, campaign, accounts, now=NOW, started={NOW.date(): 4})
    first_day = min(i.start_at for i in fresh if i.start_at).date()
    assert first_day == NOW.date()
    # Four of today's five already went out: one more today, the other two on a later day.
    assert sum(1 for i in capped if i.start_at and i.start_at.date() == first_day) <= 1
    assert sum(1 for i in fresh if i.start_at and i.start_at.date() == first_day) == 3


def test_a_campaign_that_starts_later_starts_its_sequences_then() -> None:
    campaign = replace(make_campaign(), starts_on="2027-04-05")
    account = make_account(account_id="LATER-1")
    the_plan = pipeline.plan(campaign, [account], pipeline.Memory(), as_of=NOW.date())
    (item,) = pipeline.items(the_plan, campaign, [account], now=NOW)
    assert item.start_at is not None and item.start_at.date() >= date(2027, 4, 5)
