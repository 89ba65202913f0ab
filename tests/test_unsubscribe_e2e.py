"""A recipient unsubscribes from touch 1 on the real dev server: the click is stored for the
address the email went to, the running sequence ends `unsubscribed`, and touch 2 never goes out."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities import unsubscribe
from activities.launch import start_sequence
from activities.store import Store
from campaigns.model import WEEKDAYS, Contact, Schedule, Wait
from contracts.sequence import UNSUBSCRIBED, SequenceInput
from tests.factories import make_account, make_campaign, sequence_input, temp_store
from winback.sequence_actions import TemporalSequences
from winback.settings import Settings
from winback.web import create_app, store_recorder
from winback.worker import build_worker

pytestmark = pytest.mark.integration

SECRET = "an-end-to-end-unsubscribe-secret-of-32-bytes"
OLD = "aino@revontuli.example"
NEW = "ville@revontuli.example"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", SECRET)
    return Settings(
        data_dir=tmp_path / "data",
        task_queue=f"unsub-{uuid.uuid4().hex[:8]}",
        public_url="https://winback.example",
    )


def two_emails(account_id: str) -> SequenceInput:
    """Touch 1 the moment the sequence starts (any hour, any day), touch 2 three days later: the
    dev server does not skip time, so touch 2 can only go out if the stop did not work."""
    always = Schedule(
        window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0
    )
    account = make_account(account_id=account_id, country="")
    inp = sequence_input(account, make_campaign(schedule=always))
    first = next(t for t in inp.plan.touches if t.channel == "email")
    touches = (
        replace(first, number=1, waits=()),
        replace(first, number=2, waits=(Wait(3, "days"),)),
    )
    return replace(inp, plan=replace(inp.plan, touches=touches))


async def first_email(settings: Settings) -> EmailMessage:
    for _ in range(300):  # the worker writes touch 1 within a second or two
        found = sorted(settings.outbox_dir.glob("*.eml")) if settings.outbox_dir.exists() else []
        if found:
            msg = email.message_from_bytes(found[0].read_bytes(), policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            return msg
        await asyncio.sleep(0.1)
    raise AssertionError("touch 1 never reached the outbox")


async def test_a_click_on_touch_1_stops_the_sequence_and_unsubscribes_only_the_person_it_went_to(
    dev_env: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    account_id = f"E2E-{uuid.uuid4().hex[:8]}"
    inp = two_emails(account_id)
    store: Store = temp_store(tmp_path)
    store.import_accounts([make_account(account_id=account_id, country="")], now=datetime.now(UTC))

    async def connect() -> Client:
        return dev_env.client

    app = create_app(settings, store_recorder(settings, store), sequences=TemporalSequences(connect))
    async with build_worker(dev_env.client, settings, store):
        handle = await start_sequence(dev_env.client, settings.task_queue, inp)
        msg = await first_email(settings)
        assert msg["To"] == f"Aino Korhonen <{OLD}>"
        found = re.search(r"<(https://[^>]+)>", msg["List-Unsubscribe"])
        assert found is not None
        path = urlsplit(found.group(1)).path

        # The outbox file is written before the message log: a person clicks only after both.
        for _ in range(100):
            if store.messages(account_id=account_id):
                break
            await asyncio.sleep(0.1)
        [logged] = store.messages(account_id=account_id)
        assert logged.workflow_id == handle.id

        # Meanwhile the CRM replaced the primary contact; the old one clicks their link.
        moved = make_account(
            account_id=account_id, country="", contact=Contact(name="Ville Niemi", email=NEW)
        )
        store.import_accounts([moved], now=datetime.now(UTC))

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://winback.example") as web:
            assert (await web.get(path)).status_code == 200  # opening the link changes nothing
            assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
            response = await web.post(path, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200, response.text
        assert "You are unsubscribed" in response.text

        result = await asyncio.wait_for(handle.result(), timeout=30)

    assert result.outcome == UNSUBSCRIBED
    assert [t.status for t in result.touches] == ["sent"], "touch 2 must never be sent"
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 1
    today = datetime.now(UTC).date()
    assert store.suppression(OLD, as_of=today) is not None, "the person who clicked is unsubscribed"
    assert store.suppression(NEW, as_of=today) is None, "the new contact never asked"


async def test_winback_up_serves_the_web_service_wired_to_its_temporal(
    dev_env: WorkflowEnvironment, settings: Settings, tmp_path: Path
) -> None:
    from winback import stack

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = temp_store(tmp_path)
    store.import_accounts([make_account(account_id="UP-1", country="")], now=datetime.now(UTC))
    web = stack.web_server(settings, store, dev_env.client, "127.0.0.1", port)
    task = asyncio.create_task(web.serve())
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(100):
                if web.started:
                    break
                await asyncio.sleep(0.1)
            assert (await client.get("/healthz")).json() == {"status": "ok"}
            link = unsubscribe.url("", SECRET.encode(), "test-campaign", "UP-1", "winback-UP-1", OLD)
            response = await client.post(link, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200, response.text
    finally:
        web.should_exit = True
        await task
    assert store.suppression(OLD, as_of=datetime.now(UTC).date()) is not None
