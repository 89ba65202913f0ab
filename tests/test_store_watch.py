"""The watchers' part of the store, on SQLite and PostgreSQL: a story kept once however many
feeds carry it, an event acted on until it is marked done, a source's health, and the live
competitor stories the plan names."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from activities.store import Store, StoreError
from activities.store.records import PollRecord, SignalDecision, StoredSignal, WatchSource
from campaigns.model import Enrolment
from tests.factories import make_account

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def source(source_id: str = "news") -> WatchSource:
    return WatchSource(
        source_id=source_id,
        kind="feed",
        location="https://news.example/feed",
        company="",
        campaign_path="/srv/campaign.yaml",
        every_seconds=3600,
        created_at=NOW,
    )


def signal(key: str = "k1", source_id: str = "news", **changes: object) -> StoredSignal:
    base = StoredSignal(
        event_key=key,
        story="story-1",
        kind="funding",
        company="Revontuli Analytics",
        title="Revontuli Analytics raises €20M Series B",
        url="https://news.example/a",
        published="2026-11-29T08:00:00+00:00",
        facts=(("amount", "20000000"), ("currency", "EUR"), ("round", "Series B")),
        source_id=source_id,
        account_id="ACC-1",
        matched_by="name",
        competitor="",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_source_is_saved_and_changed_without_losing_its_health(store: Store) -> None:
    store.save_watch_source(source())
    store.record_poll("news", PollRecord(at=NOW, entries=12, new_events=2, etag='"v1"'))
    store.save_watch_source(replace(source(), every_seconds=600))
    got = store.watch_source("news")
    assert got is not None
    assert (got.every_seconds, got.entries_seen, got.last_entries, got.etag) == (600, 12, 12, '"v1"')
    assert got.last_success_at == NOW and got.last_new_at == NOW
    assert [s.source_id for s in store.watch_sources()] == ["news"]


def test_an_error_keeps_the_last_success_and_its_validators(store: Store) -> None:
    store.save_watch_source(source())
    store.record_poll("news", PollRecord(at=NOW, entries=3, etag='"v1"', last_modified="Mon, 30 Nov 2026"))
    later = NOW + timedelta(hours=1)
    store.record_poll("news", PollRecord(at=later, error="not an RSS or Atom feed: <html>"))
    got = store.watch_source("news")
    assert got is not None
    assert got.last_success_at == NOW and got.last_error_at == later
    assert got.last_error == "not an RSS or Atom feed: <html>"
    assert (got.etag, got.last_modified, got.entries_seen) == ('"v1"', "Mon, 30 Nov 2026", 3)
    # A 304 counts as a success and keeps what the last read saw.
    store.record_poll("news", PollRecord(at=later + timedelta(hours=1), not_modified=True))
    got = store.watch_source("news")
    assert got is not None and got.last_error is None and got.entries_seen == 3 and got.etag == '"v1"'


def test_a_poll_of_an_unknown_source_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no watched source 'nope'"):
        store.record_poll("nope", PollRecord(at=NOW))


def test_the_same_event_from_two_feeds_is_stored_once(store: Store) -> None:
    assert store.record_signals([signal(source_id="news")], at=NOW) == ["k1"]
    assert store.record_signals([signal(source_id="other-feed"), signal("k2")], at=NOW) == ["k2"]
    assert [s.event_key for s in store.unacted_signals("news")] == ["k1", "k2"]
    assert store.unacted_signals("other-feed") == []


def test_an_event_stays_to_act_on_until_its_decisions_are_recorded(store: Store) -> None:
    store.record_signals([signal()], at=NOW)
    [pending] = store.unacted_signals("news")
    assert pending == signal()
    store.record_decisions(
        "k1",
        [
            SignalDecision("ACC-1", "signals-2027", "started", "budget"),
            SignalDecision("ACC-2", "signals-2027", "excluded", "too early"),
        ],
        at=NOW,
    )
    assert store.unacted_signals("news") == []
    # A retried poll that records the same decision again changes nothing.
    store.record_decisions("k1", [SignalDecision("ACC-1", "signals-2027", "started", "budget")], at=NOW)
    assert [(k, d.account_id, d.result) for k, d in store.signal_decisions()] == [
        ("k1", "ACC-1", "started"),
        ("k1", "ACC-2", "excluded"),
    ]
    assert [d.result for _, d in store.signal_decisions(account_id="ACC-2")] == ["excluded"]


def test_live_competitor_stories_are_the_recent_ones_newest_first(store: Store) -> None:
    old = signal("old", competitor="brightloop", account_id=None, title="Brightloop raises prices 10%")
    new = signal("new", competitor="brightloop", account_id=None, title="Brightloop raises prices 40%")
    other = signal("other", competitor="tallyhawk", account_id=None, title="Tallyhawk is down")
    store.record_signals([old], at=NOW - timedelta(days=120))
    store.record_signals([new, other], at=NOW - timedelta(days=3))
    store.record_signals([signal("account")], at=NOW)  # not a competitor's story
    stories = store.competitor_stories(as_of=NOW.date(), days=90)
    assert stories == {
        "brightloop": "“Brightloop raises prices 40%” (2026-11-29)",
        "tallyhawk": "“Tallyhawk is down” (2026-11-29)",
    }
    assert store.competitor_stories(as_of=NOW.date() + timedelta(days=100), days=90) == {}


def test_sequences_started_that_day_count_per_campaign(store: Store) -> None:
    def enrolment(account_id: str, campaign_id: str, on: str) -> Enrolment:
        return Enrolment(account_id, campaign_id, f"winback-{account_id}", "r1", on)

    store.record_started(
        [
            enrolment("A", "signals-2027", "2026-11-30"),
            enrolment("B", "signals-2027", "2026-11-30"),
            enrolment("C", "signals-2027", "2026-11-29"),
            enrolment("D", "other", "2026-11-30"),
        ]
    )
    assert store.started_that_day("signals-2027", date(2026, 11, 30)) == 2


def test_every_account_the_store_knows_comes_back_whole(store: Store) -> None:
    accounts = [
        make_account(account_id="ACC-2", aliases=("Revo",)),
        make_account(account_id="ACC-1", executive=None),
    ]
    store.import_accounts(accounts, now=NOW)
    assert store.accounts() == sorted(accounts, key=lambda a: a.account_id)
    assert store.account("ACC-2") == accounts[0]
