"""A watcher's poll on the time-skipping server, the outside world's feeds served through respx:
the same story in two feeds starts one sequence, a broken source is reported while the others
go on, a story that shows an account is out of reach stops its sequence, a competitor's price
rise starts the competitive playbook for the accounts lost to it and the plan names the story,
and one of our releases reaches exactly the accounts it answers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import respx
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities import pipeline
from activities.email import OutboxTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.store import Store
from activities.store.records import WatchSource
from activities.tasks import FolderTaskBoard
from activities.watch import Watcher, stored
from campaigns.campaign import load_campaign
from campaigns.model import Account
from contracts import ids
from contracts.sequence import DISQUALIFIED, SequenceStatus
from signals.extract import release_event
from signals.matching import AccountIndex
from signals.records import Matched
from tests.factories import make_account, sequence_input, temp_store
from winback.worker import sequence_worker

CAMPAIGN = """
id: signals-test
name: Signals
playbooks: {budget: budget, competitive: competitive, product_gap: product_gap, default: time_based}
audience: {months_since_churn: {min: 0, max: 120}}
schedule: {window: "00:00-24:00", weekdays: [mon, tue, wed, thu, fri, sat, sun], quarter_end_blackout_days: 0}
sender: {from: "Aino <aino@winback.example>", postal_address: "Esimerkkikatu 1, Helsinki"}
triggers:
  - on: funding
    when: {churn_reasons: [budget]}
    playbook: budget
  - on: [price_increase, outage, acquisition]
    when: {churn_reasons: [competitive]}
    playbook: competitive
  - on: release
    playbook: product_gap
"""


def rss(*items: tuple[str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link>"
        "<pubDate>Mon, 30 Nov 2026 07:00:00 GMT</pubDate></item>"
        for title, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'.encode()


async def public(host: str, port: int) -> list[str]:
    return ["93.184.216.34"]


def churned(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


@dataclass
class World:
    env: WorkflowEnvironment
    store: Store
    watcher: Watcher
    campaign_path: Path
    queue: str
    prefix: str

    def add_source(self, name: str, url: str) -> str:
        source_id = f"{self.prefix}-{name}"
        self.store.save_watch_source(
            WatchSource(
                source_id=source_id,
                kind="feed",
                location=url,
                company="",
                campaign_path=str(self.campaign_path),
                every_seconds=3600,
                created_at=datetime.now(UTC),
            )
        )
        return source_id

    def account(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
async def world(ts_env: WorkflowEnvironment, tmp_path: Path) -> AsyncIterator[World]:
    prefix = f"W{uuid.uuid4().hex[:6]}"
    store = temp_store(tmp_path)
    campaign_path = tmp_path / "signals.yaml"
    campaign_path.write_text(CAMPAIGN, encoding="utf-8")
    accounts: list[Account] = [
        make_account(account_id=f"{prefix}-BUDGET", churn_reason="budget", churned_on=churned(240)),
        make_account(
            account_id=f"{prefix}-LOST",
            company="Sakura Logistics KK",
            domain="sakura-logistics.example",
            country="JP",
            timezone="Asia/Tokyo",
            churn_reason="competitive",
            competitor="Brightloop",
            churned_on=churned(300),
        ),
        make_account(
            account_id=f"{prefix}-GAP",
            company="Nordlicht Maschinenbau GmbH",
            domain="nordlicht.example",
            country="DE",
            timezone="Europe/Berlin",
            churn_reason="product_gap",
            churn_detail="needed a Salesforce integration",
            churned_on=churned(200),
        ),
        make_account(
            account_id=f"{prefix}-SSO",
            company="Prairie Freight Co",
            domain="prairiefreight.example",
            country="US",
            timezone="America/Chicago",
            churn_reason="product_gap",
            churn_detail="wanted SSO",
            churned_on=churned(200),
        ),
    ]
    store.import_accounts(accounts, now=datetime.now(UTC))
    queue = f"watch-{prefix}"
    impl = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        store,
        public_url="https://winback.example",
        unsubscribe_secret=b"a-test-secret-that-is-32-bytes-long!",
    )
    async with sequence_worker(ts_env.client, queue, impl):
        yield World(
            ts_env,
            store,
            Watcher(ts_env.client, store, task_queue=queue, resolver=public),
            campaign_path,
            queue,
            prefix,
        )
    store.close()


async def status_of(world: World, account_id: str) -> SequenceStatus:
    handle = world.env.client.get_workflow_handle(ids.workflow_id_for(account_id))
    return await handle.query(ids.STATUS, result_type=SequenceStatus)


async def test_the_same_story_in_two_feeds_starts_one_sequence(world: World, mock: respx.MockRouter) -> None:
    story = "Revontuli Analytics raises €20M Series B"
    mock.get("https://funding.example/rss").respond(
        200, content=rss((story, "https://funding.example/revontuli"))
    )
    mock.get("https://nordic-news.example/feed").respond(
        200,
        content=rss(
            (story, "https://nordic-news.example/2026/revontuli-b"), ("Globex lands $5M", "https://x.example")
        ),
    )
    first = await world.watcher.poll(
        world.add_source("a", "https://funding.example/rss"), now=datetime.now(UTC)
    )
    second = await world.watcher.poll(
        world.add_source("b", "https://nordic-news.example/feed"), now=datetime.now(UTC)
    )
    assert (first.new_events, first.started) == (1, 1)
    assert (second.entries, second.new_events, second.started) == (2, 1, 0)  # only Globex is new
    status = await status_of(world, world.account("BUDGET"))
    assert status.trigger is not None and status.trigger.title == story
    assert status.trigger.url == "https://funding.example/revontuli"
    assert [d.result for _, d in world.store.signal_decisions()] == ["started"]


async def test_a_broken_source_is_reported_and_the_others_go_on(world: World, mock: respx.MockRouter) -> None:
    mock.get("https://broken.example/feed").respond(200, content=b"<html><body>Moved</body></html>")
    mock.get("https://ok.example/feed").respond(
        200, content=rss(("Revontuli Analytics raises €20M Series B", "https://ok.example/a"))
    )
    private = world.add_source("private", "http://10.0.0.5/feed")
    broken = world.add_source("broken", "https://broken.example/feed")
    bad = await world.watcher.poll(broken, now=datetime.now(UTC))
    refused = await world.watcher.poll(private, now=datetime.now(UTC))
    good = await world.watcher.poll(world.add_source("ok", "https://ok.example/feed"), now=datetime.now(UTC))
    assert bad.error is not None and "not an RSS or Atom feed" in bad.error
    assert refused.error is not None and "refused" in refused.error
    assert good.error is None and good.started == 1
    saved = world.store.watch_source(broken)
    assert saved is not None and saved.last_error == bad.error and saved.last_success_at is None


async def test_a_story_that_shows_the_account_is_gone_stops_its_sequence(
    world: World, mock: respx.MockRouter
) -> None:
    account_id = world.account("BUDGET")
    campaign = load_campaign(world.campaign_path)
    account = world.store.account(account_id)
    assert account is not None
    handle = await start_sequence(world.env.client, world.queue, sequence_input(account, campaign))
    mock.get("https://news.example/feed").respond(
        200,
        content=rss(("Revontuli Analytics shuts down after failing to raise", "https://news.example/gone")),
    )
    result = await world.watcher.poll(
        world.add_source("news", "https://news.example/feed"), now=datetime.now(UTC)
    )
    assert result.disqualified == 1
    ended = await handle.result()
    assert ended.outcome == DISQUALIFIED
    assert "shut down" in ended.reason
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def test_a_competitor_s_price_rise_starts_the_competitive_playbook_and_the_plan_names_it(
    world: World, mock: respx.MockRouter
) -> None:
    story = "Brightloop raises prices by 40% for all plans"
    mock.get("https://brightloop.example/news.xml").respond(
        200, content=rss((story, "https://brightloop.example/pricing-2027"))
    )
    result = await world.watcher.poll(
        world.add_source("brightloop", "https://brightloop.example/news.xml"), now=datetime.now(UTC)
    )
    assert result.started == 1
    status = await status_of(world, world.account("LOST"))
    assert status.playbook_id == "competitive" and status.trigger is not None
    assert status.trigger.kind == "price_increase" and status.trigger.company == "Brightloop"

    # The next plan ranks accounts lost to Brightloop high, and says which story made it so.
    campaign = load_campaign(world.campaign_path)
    newcomer = make_account(
        account_id=world.account("LOST2"),
        churn_reason="competitive",
        competitor="brightloop",
        churned_on=churned(300),
    )
    memory = pipeline.recall(world.store, "another-campaign", as_of=datetime.now(UTC).date())
    [entry] = pipeline.plan(campaign, [newcomer], memory, as_of=datetime.now(UTC).date()).entries
    assert entry.included and entry.priority == "high"
    assert any(f"live competitor signal: “{story}” (2026-11-30)" in r for r in entry.reasons), entry.reasons


async def test_a_release_reaches_the_accounts_it_answers_once(world: World) -> None:
    campaign = load_campaign(world.campaign_path)
    accounts = world.store.accounts()
    event = release_event("Salesforce integration", addresses="product_gap", detail="salesforce")
    signal = stored(Matched(event, None, None), "release")
    index = AccountIndex.build(accounts)
    assert world.store.record_signals([signal], at=datetime.now(UTC)) == [signal.event_key]
    acted = await world.watcher.act("release", campaign, accounts, index, now=datetime.now(UTC))
    assert acted.started == [world.account("GAP")]
    # Announced again: the same release is the same event, nothing new to act on.
    assert world.store.record_signals([signal], at=datetime.now(UTC)) == []
    again = await world.watcher.act("release", campaign, accounts, index, now=datetime.now(UTC))
    assert again.started == []
