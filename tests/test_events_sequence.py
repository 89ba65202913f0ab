"""SendGrid's events end a running sequence for real: bounce, spam report and unsubscribe, posted
through the signed webhook (twice, as SendGrid retries), stop it on the time-skipping server and
nothing is sent after them, across the next touch's time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from activities.launch import start_sequence
from campaigns.model import Enrolment
from contracts.sequence import BOUNCED, UNSUBSCRIBED
from tests.factories import make_account, quiet_monday, sequence_input, temp_store
from tests.sendgrid import Signer, batch
from tests.test_sequence import emails_in, skip_to, until_touches
from tests.test_sequence_actions import connected
from tests.test_stop import activities
from winback.settings import Settings
from winback.web import create_app, store_recorder
from winback.webhooks import PATH, SendGridEvents
from winback.worker import sequence_worker


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [("bounce", BOUNCED), ("spamreport", UNSUBSCRIBED), ("unsubscribe", UNSUBSCRIBED)],
)
async def test_an_event_posted_twice_stops_the_sequence_once_and_nothing_follows(
    ts_env: WorkflowEnvironment, tmp_path: Path, kind: str, outcome: str
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    account_id = f"EVT-{kind}"
    inp = sequence_input(make_account(account_id=account_id))
    impl = activities(tmp_path)
    store = temp_store(tmp_path)
    signer = Signer()
    settings = Settings(data_dir=tmp_path, task_queue="events", public_url="https://winback.example")
    async with sequence_worker(ts_env.client, "events", impl):
        handle = await start_sequence(ts_env.client, "events", inp)
        store.record_started([Enrolment(account_id, inp.campaign_id, handle.id, "run", "2027-01-11")])
        await until_touches(ts_env, handle, 1)
        now = await ts_env.get_current_time()
        stopper = await connected(ts_env)
        events = SendGridEvents(signer.public_key, lambda: store, stopper, clock=lambda: now)
        app = create_app(settings, store_recorder(settings, store), events)
        body = batch(
            {
                "email": inp.contacts.primary.email,
                "timestamp": int(now.timestamp()) - 60,
                "event": kind,
                "type": "bounce" if kind == "bounce" else None,
                "reason": "550 5.1.1 user unknown" if kind == "bounce" else None,
                "sg_event_id": f"{kind}-1==",
                "sg_message_id": "msg-1.filter-1.0",
                "winback_key": f"{handle.id}/run/touch-1",
                "winback_workflow_id": handle.id,
            }
        )
        answers: list[Any] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://winback.test") as client:
            for _ in range(2):  # SendGrid retries a batch until it sees a 2xx
                headers = signer.headers(body, now) | {"Content-Type": "application/json"}
                response = await client.post(PATH, content=body, headers=headers)
                answers.append((response.status_code, response.json()["stored"]))
        assert answers == [(200, 1), (200, 0)]
        result = await handle.result()
        # Past the time touch 2 would have gone out: still one email.
        await ts_env.sleep(timedelta(days=30))
    assert result.outcome == outcome
    assert [t.status for t in result.touches] == ["sent"]
    assert len(emails_in(tmp_path / "outbox")) == 1
    assert store.suppression(inp.contacts.primary.email, as_of=now.date()) is not None
