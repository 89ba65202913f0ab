"""The store's launch ledger, on SQLite and on PostgreSQL: a launch's items are written before it
starts, read back in batches and marked as they start, so a restarted launch starts none twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from activities.store import LaunchItem, LaunchItemResult, Store, StoreError

NOW = datetime(2026, 3, 2, tzinfo=UTC)






def items(count: int, first_account: int = 0) -> list[LaunchItem]:
    return [LaunchItem(n, f"ACC-{first_account + n}", None, "{}") for n in range(count)]


def test_a_launch_of_ten_thousand_items_round_trips(store: Store) -> None:
    # Timed by bench/store_import.py (`make bench-store`).
    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    payload = '{"account": "%s", "padding": "' + "x" * 3000 + '"}'
    items = [
        LaunchItem(
            position=n,
            account_id=f"ACC-{n}",
            start_at=None if n % 10 == 0 else start + timedelta(minutes=n),
            payload=payload % n,
        )
        for n in range(10_000)
    ]

    store.create_launch("launch-1", "spring-2026", items, created_at=start)
    read = [item for offset in range(0, 10_000, 500) for item in store.launch_items("launch-1", offset, 500)]

    assert read == items
    assert read[1].start_at is not None and read[1].start_at.tzinfo == UTC
    assert store.launch_items("launch-1", 9_990, 500) == items[9_990:]
    assert store.launch_items("launch-1", 10_000, 500) == []


def test_a_launch_id_can_be_used_once(store: Store) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    store.create_launch("launch-1", "spring-2026", [LaunchItem(0, "ACC-1", None, "{}")], created_at=now)
    with pytest.raises(StoreError, match=r"launch-1.*already exists"):
        store.create_launch("launch-1", "spring-2026", [LaunchItem(0, "ACC-2", None, "{}")], created_at=now)
    assert [i.account_id for i in store.launch_items("launch-1", 0, 10)] == ["ACC-1"]


def test_marking_launch_items_shows_in_the_summary(store: Store) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    store.create_launch(
        "launch-1", "spring-2026", [LaunchItem(n, f"ACC-{n}", None, "{}") for n in range(6)], created_at=now
    )
    store.create_launch("launch-2", "spring-2026", [LaunchItem(0, "ACC-9", None, "{}")], created_at=now)
    assert store.launch_summary("launch-1") == {"pending": 6, "started": 0, "already_running": 0, "failed": 0}

    results = [
        LaunchItemResult(0, "started", run_id="run-a"),
        LaunchItemResult(1, "started", run_id="run-b"),
        LaunchItemResult(2, "already_running", note="winback-ACC-2 is running in release-2026"),
        LaunchItemResult(3, "failed", note="template product_gap/1 not found"),
    ]
    store.mark_launch_items("launch-1", results)
    store.mark_launch_items("launch-1", results)  # the activity retried

    assert store.launch_summary("launch-1") == {"pending": 2, "started": 2, "already_running": 1, "failed": 1}
    assert store.launch_summary("launch-2") == {"pending": 1, "started": 0, "already_running": 0, "failed": 0}
    marked = store.launch_items("launch-1", 0, 4)
    assert [(i.state, i.run_id, i.note) for i in marked] == [
        ("started", "run-a", ""),
        ("started", "run-b", ""),
        ("already_running", "", "winback-ACC-2 is running in release-2026"),
        ("failed", "", "template product_gap/1 not found"),
    ]
    with pytest.raises(ValueError, match="unknown launch item state"):
        store.mark_launch_items("launch-1", [LaunchItemResult(4, "done")])
    with pytest.raises(StoreError, match="no launch"):
        store.launch_summary("launch-404")


def test_items_come_back_in_position_order_whatever_order_they_were_given(store: Store) -> None:
    given = [LaunchItem(n, f"ACC-{n}", None, "{}") for n in (3, 0, 2, 1)]
    store.create_launch("launch-1", "spring-2026", given, created_at=NOW)
    assert [i.position for i in store.launch_items("launch-1", 0, 10)] == [0, 1, 2, 3]
    assert [i.position for i in store.launch_items("launch-1", 1, 2)] == [1, 2]


def test_a_start_time_comes_back_as_the_same_instant_in_utc(store: Store) -> None:
    helsinki = timezone(timedelta(hours=2))
    at = datetime(2026, 3, 2, 9, 30, tzinfo=helsinki)
    store.create_launch("launch-1", "spring-2026", [LaunchItem(0, "ACC-1", at, "{}")], created_at=NOW)
    [item] = store.launch_items("launch-1", 0, 1)
    assert item.start_at == at
    assert item.start_at is not None and item.start_at.tzinfo == UTC


def test_launches_keep_their_items_apart(store: Store) -> None:
    store.create_launch("launch-1", "spring-2026", items(3), created_at=NOW)
    store.create_launch("launch-2", "spring-2026", items(2, first_account=10), created_at=NOW)
    store.mark_launch_items("launch-2", [LaunchItemResult(0, "started", run_id="run-x")])

    assert [i.account_id for i in store.launch_items("launch-2", 0, 10)] == ["ACC-10", "ACC-11"]
    assert [i.state for i in store.launch_items("launch-1", 0, 10)] == ["pending"] * 3
    assert store.launch_items("launch-404", 0, 10) == []


def test_two_items_in_one_position_are_refused_and_nothing_is_stored(store: Store) -> None:
    twice = [LaunchItem(0, "ACC-1", None, "{}"), LaunchItem(0, "ACC-2", None, "{}")]
    with pytest.raises(ValueError, match="two items share a position"):
        store.create_launch("launch-1", "spring-2026", twice, created_at=NOW)
    with pytest.raises(StoreError, match="no launch"):
        store.launch_summary("launch-1")


def test_an_item_in_an_unknown_state_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match=r"unknown item state\(s\) done"):
        store.create_launch(
            "launch-1", "spring-2026", [LaunchItem(0, "ACC-1", None, "{}", state="done")], created_at=NOW
        )
    store.create_launch("launch-1", "spring-2026", items(1), created_at=NOW)  # the id is still free


def test_marking_nothing_changes_nothing(store: Store) -> None:
    store.create_launch("launch-1", "spring-2026", items(2), created_at=NOW)
    store.mark_launch_items("launch-1", [])
    assert store.launch_summary("launch-1") == {"pending": 2, "started": 0, "already_running": 0, "failed": 0}


def test_an_empty_launch_has_a_summary_of_zeros(store: Store) -> None:
    store.create_launch("launch-1", "spring-2026", [], created_at=NOW)
    assert store.launch_summary("launch-1") == {"pending": 0, "started": 0, "already_running": 0, "failed": 0}
    assert store.launch_items("launch-1", 0, 10) == []
