"""Watchers on Temporal Schedules: what a Schedule runs, and when `winback watch list` flags a
source (it failed, it went quiet, or nothing ever polled it)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from temporalio.client import ScheduleActionStartWorkflow, ScheduleOverlapPolicy

from activities.store.records import WatchSource
from contracts import ids
from contracts.watch import WatchInput
from winback.commands.watch import default_source_id
from winback.watchers import health, schedule_for

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SRC = WatchSource(
    source_id="brightloop-news",
    kind="feed",
    location="https://brightloop.example/feed.xml",
    company="",
    campaign_path="/srv/c.yaml",
    every_seconds=3600,
    created_at=NOW - timedelta(days=30),
    last_polled_at=NOW - timedelta(minutes=20),
    last_success_at=NOW - timedelta(minutes=20),
    last_new_at=NOW - timedelta(days=2),
)


def test_a_schedule_runs_one_watch_workflow_per_interval_skipping_overlaps_with_jitter() -> None:
    schedule = schedule_for(SRC, "winback")
    action = schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == ids.WATCH_WORKFLOW and action.task_queue == "winback"
    assert action.id == "winback-launch-watch:brightloop-news"
    assert list(action.args) == [WatchInput(source_id="brightloop-news")]
    assert schedule.policy.overlap == ScheduleOverlapPolicy.SKIP
    assert [i.every for i in schedule.spec.intervals] == [timedelta(hours=1)]
    assert schedule.spec.jitter == timedelta(minutes=6)
    assert not schedule.spec.cron_expressions


def test_a_healthy_source_is_not_flagged() -> None:
    assert health(SRC, now=NOW).ok


def test_a_failing_source_is_flagged_with_its_reason() -> None:
    failing = replace(SRC, last_error="refused http://10.0.0.1/: a private address", last_error_at=NOW)
    found = health(failing, now=NOW)
    assert not found.ok and found.flag == "failing: refused http://10.0.0.1/: a private address"


def test_a_source_quiet_for_longer_than_expected_is_flagged() -> None:
    quiet = replace(SRC, last_new_at=NOW - timedelta(days=8))
    found = health(quiet, now=NOW)
    assert not found.ok and found.flag == "nothing new since 2026-11-22"
    # A daily source is expected to stay quiet for up to 14 days.
    assert health(replace(quiet, every_seconds=86400), now=NOW).ok


def test_a_source_no_worker_ever_polled_is_flagged() -> None:
    never = replace(SRC, last_polled_at=None, last_success_at=None, last_new_at=None)
    assert health(never, now=NOW).flag == "never polled: is a worker running?"
    assert health(replace(never, created_at=NOW - timedelta(minutes=30)), now=NOW).ok


def test_source_ids_read_like_the_source() -> None:
    assert default_source_id("https://techcrunch.com/category/fundraising/feed/", "feed") == (
        "techcrunch-com-category-fundraising-feed"
    )
    assert default_source_id("time", "time") == "time"
