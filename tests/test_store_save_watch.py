"""Watched renewals in the store, on SQLite and PostgreSQL: each launch's row round-trips whole, a
later launch replaces an account's row, and a large launch is kept in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import update

from activities.store import Store, schema
from campaigns.save_watch import WatchedRenewal
from tests.factories import make_account, make_watched

AT = datetime(2026, 11, 30, 9, tzinfo=UTC)


def test_a_row_round_trips_whole_and_a_later_launch_replaces_it(store: Store) -> None:
    first = make_watched("ACC-1", signals=("engagement_drop",))
    other = make_watched("ACC-2", factors=False)
    store.watch_renewals([first, other], at=AT)
    assert store.watched_renewal("ACC-1") == first and store.watched_renewal("ACC-2") == other
    later = replace(first, campaign_id="saves-2026-12", planned_on="2026-12-01", monitor_months=12)
    store.watch_renewals([later], at=AT)
    assert store.watched_renewal("ACC-1") == later and store.watched_renewal("ACC-2") == other
    assert store.watched_renewal("ACC-404") is None


def test_a_launch_of_thousands_of_rows_is_kept(store: Store) -> None:
    base = make_watched("ACC-0")
    rows = [
        replace(
            base, renewal=replace(base.renewal, account=make_account(account_id=f"ACC-{n}", churned_on=None))
        )
        for n in range(2500)
    ]
    store.watch_renewals(rows, at=AT)
    found = store.watched_renewal("ACC-2499")
    assert isinstance(found, WatchedRenewal) and found.account_id == "ACC-2499"


def test_a_row_this_version_cannot_read_is_no_row(store: Store) -> None:
    store.watch_renewals([make_watched("ACC-1")], at=AT)
    with store.engine.begin() as conn:
        conn.execute(update(schema.save_watch).values(payload='{"renewal": {"account": "?"}}'))
    # A cancel intent then gets the owner's task, not a 503 the product would post again for ever.
    assert store.watched_renewal("ACC-1") is None
