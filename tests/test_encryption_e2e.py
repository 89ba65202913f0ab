"""The acceptance check of the codec: real sequences on `winback up`'s dev server (file database)
leave no contact name or address anywhere in that database, while `winback status`, `winback
tasks`, the Temporal CLI and the Web UI's codec endpoint show them decrypted."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import sqlite3
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.email import Delivery, OutboxTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.store import Store
from activities.tasks import FolderTaskBoard
from campaigns.model import MANUAL_CHANNELS, WEEKDAYS, Account, Contact, Schedule
from contracts.ids import OPEN_TASK_MEMO
from contracts.sequence import COMPLETED_NO_REPLY, SequenceInput, SequenceStatus
from tests.cli import winback
from tests.factories import make_account, make_campaign, sequence_input, task_first_input
from winback import binaries, encryption, stack
from winback.settings import Settings
from winback.worker import build_worker
from workflows.sequence import SequenceWorkflow

pytestmark = pytest.mark.integration

T = TypeVar("T")

# Names and addresses found nowhere else, so a hit can only be a leak.
MAIL = Contact(name="Ilmatar Vaskivuori", email="ilmatar.vaskivuori@kuusikko.example", title="CFO")
TASK = Contact(name="Tellervo Kuusamo", email="tellervo.kuusamo@kuusikko.example", title="COO")
EXEC = Contact(name="Ukko Kalervonen", email="ukko.kalervonen@kuusikko.example", title="CEO")
SECRETS = [MAIL.name, MAIL.email, TASK.name, TASK.email, EXEC.name, EXEC.email]
ALWAYS = Schedule(window_start="00:00", window_end="24:00", weekdays=WEEKDAYS, quarter_end_blackout_days=0)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def leaks(blob: bytes) -> list[str]:
    """Each secret found in `blob` as UTF-8 or UTF-16 text, in any letter case."""
    folded = blob.lower()
    return [
        s for s in SECRETS for form in (s.lower().encode(), s.lower().encode("utf-16-le")) if form in folded
    ]


class RelayRefuses(OutboxTransport):
    """A mail relay whose refusal quotes the address, as a provider's error may."""

    def deliver(self, key: str, message: EmailMessage) -> Delivery:
        raise ApplicationError(f"the relay refused {message['To']}", non_retryable=True)


def account(account_id: str, contact: Contact) -> Account:
    return make_account(
        account_id=account_id,
        country="",
        company="Kuusikko Oy",
        domain="kuusikko.example",
        contact=contact,
        executive=EXEC,
    )


def email_first(acc: Account) -> SequenceInput:
    """One email touch that goes out the moment the sequence starts, whatever the hour."""
    inp = sequence_input(acc, make_campaign(schedule=ALWAYS))
    first = next(t for t in inp.plan.touches if t.channel not in MANUAL_CHANNELS)
    return replace(inp, plan=replace(inp.plan, touches=(replace(first, number=1, waits=()),)))


async def eventually(check: Callable[[], Awaitable[T | None]], what: str) -> T:
    for _ in range(150):  # visibility is eventually consistent
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"never saw {what}")


@dataclass
class Stack:
    settings: Settings
    client: Client
    store: Store
    port: int
    ui_port: int
    web_port: int
    env: dict[str, str]


async def dev_server(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> tuple[subprocess.Popen[bytes], Client, int, int, int]:
    """`winback up`'s dev server on free ports, and a client with the data folder's codec keys.
    Other test runs on this machine may take a port between our look and the server's bind: a
    server that exits at once is started again on new ports."""
    for _ in range(3):
        port, ui_port, web_port = free_port(), free_port(), free_port()
        # The web service's address goes into the UI's codec URL; the UI's into the CORS rule.
        monkeypatch.setenv("WINBACK_WEB_PORT", str(web_port))
        monkeypatch.setenv("WINBACK_UI_ORIGIN", f"http://localhost:{ui_port}")
        server = stack.start_dev_server(settings, port=port, ui_port=ui_port)
        connecting = asyncio.ensure_future(
            stack.wait_for_server(f"{stack.HOST}:{port}", encryption.converter_for(settings))
        )
        while not connecting.done() and server.poll() is None:
            await asyncio.sleep(0.2)
        if connecting.done() and server.poll() is None:
            return server, connecting.result(), port, ui_port, web_port
        connecting.cancel()
        server.kill()
        server.wait(timeout=30)
    raise AssertionError("the dev server did not start in 3 tries")


@pytest.fixture
async def up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stack]:
    """`winback up` in pieces: its dev server command (file database, WAL, the UI's codec URL),
    a client with the data folder's codec keys, the worker and the web service."""
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "0123456789abcdef" * 4)
    monkeypatch.setenv("WINBACK_WEB_HOST", "127.0.0.1")
    # The keys and the token come from the data folder, made on first use.
    for name in ("WINBACK_CODEC_KEYS", "WINBACK_CODEC_TOKEN", "TEMPORAL_CODEC_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    data = tmp_path / "data"
    settings = Settings(
        data_dir=data, task_queue=f"e2e-{uuid.uuid4().hex[:8]}", public_url="https://winback.example"
    )
    server, client, port, ui_port, web_port = await dev_server(settings, monkeypatch)
    web = None
    web_task = None
    try:
        store = settings.open_store()
        impl = SequenceActivities(
            RelayRefuses(settings.outbox_dir),
            FolderTaskBoard(settings.tasks_dir),
            store,
            public_url=settings.public_url,
            unsubscribe_secret=settings.unsubscribe_secret(),
        )
        web = stack.web_server(settings, store, client, "127.0.0.1", web_port)
        web_task = asyncio.create_task(web.serve())
        cli_env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "WINBACK_"))} | {
            "WINBACK_DATA_DIR": str(data),
            "WINBACK_TASK_QUEUE": settings.task_queue,
            "TEMPORAL_ADDRESS": f"{stack.HOST}:{port}",
        }
        async with build_worker(client, settings, store, impl):
            for _ in range(100):
                if web.started:
                    break
                await asyncio.sleep(0.1)
            yield Stack(settings, client, store, port, ui_port, web_port, cli_env)
    finally:
        if web is not None and web_task is not None:
            web.should_exit = True
            await web_task
        server.terminate()
        server.wait(timeout=30)


def database_files(settings: Settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.temporal_dir.iterdir()) if p.is_file()}


def dump(settings: Settings) -> str:
    """Every row of every table of the dev server's database, as SQL text (blobs as hex)."""
    db = sqlite3.connect(f"file:{settings.temporal_dir / 'temporal.db'}?mode=ro", uri=True)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def hex_leaks(text: str) -> list[str]:
    """Secrets inside the dump's X'...' blob literals (the dump writes blobs in hex)."""
    lowered = text.lower()
    return [s for s in SECRETS if s.encode().hex() in lowered or s.lower().encode().hex() in lowered]


async def test_no_contact_reaches_temporal_s_database_yet_every_tool_shows_them(up: Stack) -> None:
    client = up.client
    mailed = await start_sequence(client, up.settings.task_queue, email_first(account("ENC-MAIL", MAIL)))
    tasked = await start_sequence(client, up.settings.task_queue, task_first_input(account("ENC-TASK", TASK)))

    # The email touch fails with the relay's words, which quote the address: the workflow read
    # that message through the codec and recorded it.
    result = await asyncio.wait_for(mailed.result(), timeout=60)
    assert result.outcome == COMPLETED_NO_REPLY
    assert result.touches[0].note == f"the relay refused {MAIL.name} <{MAIL.email}>"

    async def task_open() -> SequenceStatus | None:
        st = await tasked.query(SequenceWorkflow.status)
        return st if st.open_task is not None else None

    status = await eventually(task_open, "the task open")
    assert status.open_task is not None and TASK.name.split()[0] in status.open_task.text

    async def memo_listed() -> bool:
        return any(
            [
                OPEN_TASK_MEMO in await wf.memo()
                async for wf in client.list_workflows("WinbackAccountId = 'ENC-TASK'")
            ]
        )

    await eventually(memo_listed, "the open task in the visibility list's memo")

    # --- what the tools show: decrypted -----------------------------------------------------
    shown = await winback("status", "ENC-MAIL", "--json", env=up.env)
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["touches"][0]["note"] == result.touches[0].note
    listed = await winback("tasks", "--json", env=up.env)
    assert listed.code == 0, listed.err
    [row] = json.loads(listed.out)
    assert row["account_id"] == "ENC-TASK" and row["text"] == status.open_task.text

    token = up.settings.codec_token().decode()
    codec_url = f"http://127.0.0.1:{up.web_port}/codec"
    temporal = [str(binaries.temporal_cli()), "workflow", "show", "--workflow-id", "winback-ENC-MAIL"]
    temporal += ["--address", f"{stack.HOST}:{up.port}", "--output", "json"]
    plain_show = await run(*temporal)
    # The CLI asks the web service in this process: run it without blocking the event loop.
    decoded_show = await run(*temporal, "--codec-endpoint", codec_url, "--codec-auth", f"Bearer {token}")
    assert not leaks(payload_text(plain_show).encode()), "the CLI showed plain data without the codec"
    assert MAIL.email in payload_text(decoded_show)

    # The Web UI was given the capability URL, and its browser call decrypts.
    async with httpx.AsyncClient() as http:
        ui = (await http.get(f"http://127.0.0.1:{up.ui_port}/api/v1/settings")).json()
        assert ui["Codec"]["Endpoint"] == f"{codec_url}/{token}"
        history = await mailed.fetch_history()
        sealed = history.events[0].workflow_execution_started_event_attributes.input.payloads[0]
        assert sealed.metadata["encoding"] == b"binary/encrypted"
        answer = await http.post(
            f"{ui['Codec']['Endpoint']}/decode?preserveStorageRefs=true",
            json={"payloads": [proto_json(sealed)]},
            headers={"Origin": f"http://localhost:{up.ui_port}", "X-Namespace": "default"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["access-control-allow-origin"] == f"http://localhost:{up.ui_port}"
        assert MAIL.email in base64.b64decode(answer.json()["payloads"][0]["data"]).decode()

    # --- what Temporal's database holds: ciphertext ----------------------------------------
    files = database_files(up.settings)
    assert "temporal.db" in files and "temporal.db-wal" in files
    found = {name: leaks(blob) for name, blob in files.items() if leaks(blob)}
    assert not found, f"contact data in the dev server's database files: {found}"
    # The control: what is not customer data (ids, search attributes) is there in the clear.
    assert b"winback-ENC-MAIL" in b"".join(files.values()) and b"ENC-TASK" in b"".join(files.values())
    text = dump(up.settings)
    assert not leaks(text.encode()) and not hex_leaks(text), "contact data in a table of the database"
    assert b"ENC-MAIL".hex() in text.lower() or "ENC-MAIL" in text


async def run(*command: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


def proto_json(payload: Payload) -> dict[str, Any]:
    return {
        "metadata": {k: base64.b64encode(v).decode() for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode(),
    }


def payload_text(show_json: str) -> str:
    """The CLI's JSON history with every base64 `data` field decoded, so a test can search it."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "data" and isinstance(value, str):
                    try:
                        found.append(base64.b64decode(value, validate=True).decode("utf-8", "replace"))
                    except ValueError:
                        found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(show_json))
    return show_json + "\n" + "\n".join(found)
