"""A watcher on the real dev server: `winback watch add`'s Schedule fires the WatchWorkflow, a
funding story in a feed (served through respx: the outside world) starts the eligible account's
sequence with the story in its status, and firing again starts nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.sequence import SequenceActivities
from activities.store import Store
from activities.store.records import WatchSource
from activities.tasks import FolderTaskBoard
from activities.watch import WatchActivities
from contracts import ids
from contracts.sequence import SequenceStatus
from tests.factories import make_account, temp_store
from winback import watchers
from winback.worker import sequence_worker

pytestmark = pytest.mark.integration

FEED_URL = "https://news.example/funding.xml"
STORY = "Revontuli Analytics raises €20M Series B to expand across the Nordics"
FEED = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Funding news</title><link>https://news.example/</link>
<item><title>{STORY}</title><link>https://news.example/2026/11/revontuli-series-b</link>
<pubDate>Mon, 30 Nov 2026 07:00:00 GMT</pubDate>
<description>The Helsinki analytics company ...</description></item>
<item><title>Globex lands $5M seed round</title><link>https://news.example/2026/11/globex</link>
<pubDate>Mon, 30 Nov 2026 06:00:00 GMT</pubDate></item>
</channel></rss>""".encode()

CAMPAIGN = """
id: signals-e2e
name: Signals end to end
playbooks: {budget: budget, default: time_based}
audience: {months_since_churn: {min: 0, max: 120}}
schedule: {window: "00:00-24:00", weekdays: [mon, tue, wed, thu, fri, sat, sun], quarter_end_blackout_days: 0}
sender: {from: "Aino <aino@winback.example>", postal_address: "Esimerkkikatu 1, Helsinki", daily_cap: 1000}
triggers:
  - on: funding
    when: {churn_reasons: [budget]}
    playbook: budget
"""


async def public(host: str, port: int) -> list[str]:
    """DNS for the outside world's hosts: a public address, so the SSRF guard lets them through."""
    return ["93.184.216.34"]


async def decided(store: Store, count: int) -> None:
    for _ in range(300):
        if len(await asyncio.to_thread(store.signal_decisions)) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the watcher never decided anything: {store.watch_sources()}")


async def runs_of(client: Client, source_id: str) -> list[WorkflowExecutionStatus | None]:
    query = f'WorkflowType = "{ids.WATCH_WORKFLOW}"'
    prefix = ids.watch_schedule_id(source_id)
    return [w.status async for w in client.list_workflows(query) if w.id.startswith(prefix)]


async def test_a_schedule_fires_the_watcher_and_a_funding_story_starts_one_sequence(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    client = dev_env.client
    queue = f"watch-{uuid.uuid4().hex[:8]}"
    source_id = f"funding-{uuid.uuid4().hex[:6]}"
    account_id = f"W-{uuid.uuid4().hex[:8]}"
    store = temp_store(tmp_path)
    campaign = tmp_path / "signals.yaml"
    campaign.write_text(CAMPAIGN, encoding="utf-8")
    churned = (datetime.now(UTC) - timedelta(days=240)).date().isoformat()
    store.import_accounts(
        [
            make_account(account_id=account_id, churn_reason="budget", churned_on=churned, country="FI"),
            make_account(
                account_id=f"{account_id}-other", company="Tallinna Logistika AS", domain="tallinn.example"
            ),
        ],
        now=datetime.now(UTC),
    )
    src = WatchSource(
        source_id=source_id,
        kind="feed",
        location=FEED_URL,
        company="",
        campaign_path=str(campaign),
        every_seconds=86400,
        created_at=datetime.now(UTC),
    )
    store.save_watch_source(src)
    impl = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        store,
        public_url="https://winback.example",
        unsubscribe_secret=b"a-test-secret-that-is-32-bytes-long!",
    )
    watch = WatchActivities(client, store, task_queue=queue, resolver=public)
    etag = '"funding-v1"'
    with respx.mock(assert_all_called=False) as mock:
        route = mock.get(FEED_URL).mock(
            side_effect=lambda request: (
                httpx.Response(304)
                if request.headers.get("if-none-match") == etag
                else httpx.Response(
                    200, content=FEED, headers={"ETag": etag, "Content-Type": "application/rss+xml"}
                )
            )
        )
        async with sequence_worker(client, queue, impl, watch=watch):
            assert await watchers.upsert(client, src, queue)
            schedule = client.get_schedule_handle(ids.watch_schedule_id(source_id))
            try:
                await schedule.trigger()
                await decided(store, 1)

                sequence = client.get_workflow_handle(ids.workflow_id_for(account_id))
                status: SequenceStatus = await sequence.query(ids.STATUS, result_type=SequenceStatus)
                assert status.playbook_id == "budget"
                assert status.trigger is not None
                assert status.trigger.kind == "funding" and status.trigger.title == STORY
                assert status.trigger.url == "https://news.example/2026/11/revontuli-series-b"
                assert STORY in status.details
                summary = await (await sequence.describe()).static_summary() or ""
                assert f"funding: {STORY[:40]}" in summary

                # Fire again: a conditional GET answered 304, nothing new, nothing started.
                await schedule.trigger()
                for _ in range(300):
                    runs = await runs_of(client, source_id)
                    if len(runs) == 2 and all(s == WorkflowExecutionStatus.COMPLETED for s in runs):
                        break
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError(f"the second poll did not finish: {runs}")
            finally:
                await schedule.delete()
    assert route.call_count == 2
    assert route.calls[1].request.headers["if-none-match"] == etag
    decisions = [(d.account_id, d.result) for _, d in store.signal_decisions()]
    assert decisions == [(account_id, "started")]
    executions = [w async for w in client.list_workflows(f'WorkflowId = "{ids.workflow_id_for(account_id)}"')]
    assert len(executions) == 1
    got = store.watch_source(source_id)
    assert got is not None and got.last_error is None and got.entries_seen == 2
    store.close()
