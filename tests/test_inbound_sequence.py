"""Replies reaching running sequences: an away note mid-sequence pauses it until the day after
the return date, then it goes on; a reply during that pause ends it. The reply goes through the
web app (in-process, httpx's ASGI transport) to the time-skipping server's sequences."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.launch import start_sequence
from activities.store import Store
from activities.tasks import FolderTaskBoard
from contracts.sequence import REPLIED
from tests.factories import make_account, quiet_monday, sequence_input, temp_store
from tests.replies import REPLY_SECRET, signed
from tests.test_sequence import skip_to, until_touches
from tests.test_sequence_actions import connected
from tests.test_stop import activities
from winback.inbound_webhook import PATH, InboundReplies
from winback.settings import Settings
from winback.web import create_app, store_recorder
from winback.worker import sequence_worker

SECRET = "inbound-secret-for-time-skipping"
HELSINKI = ZoneInfo("Europe/Helsinki")


def away_note(account_id: str, back: str) -> bytes:
    headers = (
        "From: Aino <aino@revontuli.example>\nSubject: Automatic reply: Revontuli and us\n"
        f"Auto-Submitted: auto-replied\nMessage-ID: <away-{account_id}@revontuli.example>\n"
        f"To: {signed(account_id, 'reply.winback.example')}\n"
    )
    text = f"I am out of the office until {back} with limited access to email."
    return form(headers=headers.encode(), text=text.encode())


def reply(account_id: str) -> bytes:
    headers = (
        "From: Aino <aino@revontuli.example>\nSubject: Re: Revontuli and us\n"
        f"Message-ID: <reply-{account_id}@revontuli.example>\n"
        f"To: {signed(account_id, 'reply.winback.example')}\n"
    )
    return form(headers=headers.encode(), text=b"Back now. Yes, let's talk next week.")


def form(**fields: bytes) -> bytes:
    parts = [
        b'--xYzZY\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--xYzZY--\r\n"


async def post(app: Any, body: bytes) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://winback.test") as client:
        return await client.post(
            f"{PATH}/{SECRET}", content=body, headers={"Content-Type": "multipart/form-data; boundary=xYzZY"}
        )


async def web_app(
    env: WorkflowEnvironment, tmp_path: Path, store: Store, clock: Callable[[], datetime]
) -> Any:
    settings = Settings(data_dir=tmp_path, task_queue="inbound", public_url="https://winback.example")
    config = InboundReplies(
        secret=SECRET.encode(),
        store=lambda: store,
        actions=await connected(env),
        tasks=FolderTaskBoard(tmp_path / "tasks"),
        clock=clock,
        reply_secret=REPLY_SECRET,
    )
    return create_app(settings, store_recorder(settings, store), inbound_replies=config)


async def started(env: WorkflowEnvironment, store: Store, account_id: str) -> WorkflowHandle[Any, Any]:
    account = make_account(account_id=account_id)
    store.import_accounts([account], now=await env.get_current_time())
    handle = await start_sequence(env.client, "inbound", sequence_input(account))
    await until_touches(env, handle, 1)
    return handle


async def test_an_away_note_pauses_until_the_day_after_the_return_then_the_sequence_goes_on(
    ts_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    store = temp_store(tmp_path)
    now: list[datetime] = []
    app = await web_app(ts_env, tmp_path, store, lambda: now[-1])
    async with sequence_worker(ts_env.client, "inbound", activities(tmp_path)):
        handle = await started(ts_env, store, "OOO-1")
        now.append(await ts_env.get_current_time())
        back = (now[-1].astimezone(HELSINKI) + timedelta(days=20)).date()
        response = await post(app, away_note("OOO-1", f"{back.day} {back:%B %Y}"))
        assert response.status_code == 200, response.text
        assert response.json()["matched_by"] == "reply_token"
        assert response.json()["resume_on"] == (back + timedelta(days=1)).isoformat()

        status = await handle.query("status")
        assert status["paused"] and "out of office" in status["pause_reason"]
        await ts_env.sleep(timedelta(days=19))  # a touch was due meanwhile: it waits
        status = await handle.query("status")
        assert status["paused"] and len(status["touches"]) == 1

        await until_touches(ts_env, handle, 2)
        second = datetime.fromisoformat((await handle.query("status"))["touches"][1]["at_utc"])
        assert second.astimezone(HELSINKI).date() > back
        await handle.cancel()


async def test_a_reply_during_the_pause_ends_the_sequence(
    ts_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    store = temp_store(tmp_path)
    now: list[datetime] = []
    app = await web_app(ts_env, tmp_path, store, lambda: now[-1])
    async with sequence_worker(ts_env.client, "inbound", activities(tmp_path)):
        handle = await started(ts_env, store, "OOO-2")
        now.append(await ts_env.get_current_time())
        back = (now[-1] + timedelta(days=20)).date()
        assert (await post(app, away_note("OOO-2", f"{back.day} {back:%B %Y}"))).status_code == 200
        await ts_env.sleep(timedelta(days=5))
        assert (await handle.query("status"))["paused"]

        now.append(await ts_env.get_current_time())
        response = await post(app, reply("OOO-2"))
        assert response.json()["kind"] == "reply"
        result = await handle.result()
        assert result.outcome == REPLIED and len(result.touches) == 1
