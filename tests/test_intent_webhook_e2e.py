"""A cancel intent starts the save a saves launch only watched, for real: the signed post goes
through the web app over httpx to the time-skipping server, where the SaveWorkflow starts from
the stored row with the intent as its first signal and gives the owner the intervention task."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.saves import start_save, watched_input
from campaigns.intent import INTERVENTION_CHANNEL
from campaigns.renewals import Renewal
from campaigns.save_probability import Factors
from campaigns.save_watch import WatchedRenewal, judge
from contracts import ids
from contracts import search_attributes as sa
from contracts.intent import IntentNotice
from inbound import intent_events as wire
from tests.factories import APPROVERS, make_account, quiet_monday
from tests.test_save import RecordingBoard, save_worker, until
from tests.test_sequence_actions import connected
from winback.intent_webhook import PATH, CancelIntents
from winback.settings import Settings
from winback.web import create_app, store_recorder

SECRET = b"intent-secret-for-tests-0123456789abcdef"


async def test_an_abandoned_cancel_flow_starts_the_watched_account_s_save_which_opens_the_owner_s_task(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    board = RecordingBoard()
    async with save_worker(ts_env, tmp_path, board) as store:
        await ts_env.sleep(quiet_monday(await ts_env.get_current_time()) - await ts_env.get_current_time())
        now = (await ts_env.get_current_time()).replace(microsecond=0)
        # One red flag when the launch read it: watched, no save.
        renewal = Renewal(
            account=make_account(account_id="SAVE-W", churned_on=None),
            renewal_on=(now.date() + timedelta(days=60)).isoformat(),
            health_score=70,
            signals=("usage_decline",),
            factors=Factors("value_perception", "strong", "evaluating", "confirmed", "engaged"),
            strategic=False,
        )
        store.watch_renewals(
            [WatchedRenewal(renewal, APPROVERS, campaign_id="saves-test", planned_on=now.date().isoformat())],
            at=now,
        )
        settings = Settings(data_dir=tmp_path, task_queue="saves", public_url="https://winback.example")
        config = CancelIntents(
            secret=SECRET,
            store=lambda: store,
            saves=await connected(ts_env),
            clock=lambda: now,
            task_queue="saves",
        )
        app = create_app(settings, store_recorder(settings, store), cancel_intents=config)
        body = json.dumps(
            {
                "account_id": "SAVE-W",
                "event": "cancel_flow_abandoned",
                "occurred_at": now.isoformat(),
                "id": "evt-1",
                "detail": "left at the reason step",
            }
        ).encode()
        stamp = str(int(now.timestamp()))
        headers = {
            wire.TIMESTAMP_HEADER: stamp,
            wire.SIGNATURE_HEADER: wire.signature(SECRET, stamp, body),
            "content-type": "application/json",
        }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://winback.test") as client:
            first = await client.post(PATH, content=body, headers=headers)
            again = await client.post(PATH, content=body, headers=headers)  # the product retried
        assert first.status_code == 200 and first.json()["acted"] == {"started": 1}
        assert again.status_code == 200 and again.json()["already_acted"] == 1

        handle = ts_env.client.get_workflow_handle(ids.save_workflow_id("SAVE-W"))
        status = await until(
            handle,
            lambda s: any(t.channel == INTERVENTION_CHANNEL for t in board.assigned),
            "the intervention task on the owner's board",
        )
        assert (status.campaign_id, status.effort, status.mode) == ("saves-test", "full", "compressed")
        assert [i.event_id for i in status.intents] == [
            "id:evt-1"
        ] and "cancel intent, latest:" in status.details
        description = await handle.describe()
        assert description.status == WorkflowExecutionStatus.RUNNING
        # The summary is checked on the dev server below: the time-skipping server keeps none for a
        # signal-with-start.
        [task] = [t for t in board.assigned if t.channel == INTERVENTION_CHANNEL]
        assert task.owner == "maria.lind@winback.example" and task.template == "cancel_flow_abandoned"
        # Monday: due within one business day, Tuesday at the same time.
        assert task.due_utc - now == timedelta(days=1)
        assert [a.started for a in store.at_risk_accounts()] == [True]
        await handle.cancel()


@pytest.mark.integration
async def test_a_save_an_intent_starts_shows_its_summary_and_columns_in_the_ui(
    dev_env: WorkflowEnvironment,
) -> None:
    """The dev server (the UI's): signal-with-start keeps the summary and search attributes."""
    today = (await dev_env.get_current_time()).date()
    renewal = Renewal(
        account=make_account(account_id="SAVE-UI", churned_on=None),
        renewal_on=(today + timedelta(days=60)).isoformat(),
        health_score=70,
        signals=("usage_decline",),
        factors=Factors("value_perception", "strong", "evaluating", "confirmed", "engaged"),
        strategic=False,
    )
    watched = WatchedRenewal(renewal, APPROVERS, campaign_id="saves-ui", planned_on=today.isoformat())
    inp = watched_input(watched, judge(watched, intents=1, as_of=today))
    notice = IntentNotice(event_id="id:evt-ui", kind="data_export", occurred_at=datetime.now(UTC))
    # No worker polls this queue: the start is all there is to see.
    handle = await start_save(dev_env.client, f"no-worker-{uuid.uuid4().hex}", inp, intent=notice)
    try:
        described = await handle.describe()
        assert await described.static_summary() == (
            f"Save · SAVE-UI · high value · full effort · executive escalation · renewal {renewal.renewal_on}"
        )
        attributes = described.typed_search_attributes
        assert attributes.get(sa.CAMPAIGN) == "saves-ui" and attributes.get(sa.ACCOUNT_ID) == "SAVE-UI"
        history = [e async for e in handle.fetch_history_events()]
        assert any(e.HasField("workflow_execution_signaled_event_attributes") for e in history)
    finally:
        await handle.terminate("test over")
