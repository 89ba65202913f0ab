"""How long a reply takes to end its sequence: from the POST to /webhooks/sendgrid/inbound until
Temporal says the workflow is no longer running, with N sequences running (each waiting on a
30-day timer before its first touch). Target: p99 < 1 s at 2,000 running sequences.

For each N: a fresh dev server as `winback up` runs it (bench/servers.py), a worker in this
process, a SQLite store in a temporary folder, the web app in-process through httpx's ASGI
transport; replies are posted one after another to a sample of the sequences (token in the To
address), and each is timed until `describe()` no longer says RUNNING (polled every 5 ms).

    .venv/bin/python bench/reply.py [--sizes 100,2000] [--sample 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))  # run as a script from anywhere: its sibling modules
sys.path.insert(0, str(REPO))  # tests.factories builds the inputs

import httpx  # noqa: E402
from servers import DevServer, log  # noqa: E402
from temporalio.client import Client, WorkflowExecutionStatus  # noqa: E402

from activities import reply_token  # noqa: E402
from activities.email import OutboxTransport  # noqa: E402
from activities.launch import start_sequence  # noqa: E402
from activities.sequence import SequenceActivities  # noqa: E402
from activities.store import Store  # noqa: E402
from activities.tasks import FolderTaskBoard  # noqa: E402
from contracts import ids  # noqa: E402
from tests.factories import make_account, sequence_input  # noqa: E402
from winback import encryption  # noqa: E402
from winback.inbound_webhook import PATH, InboundReplies  # noqa: E402
from winback.sequence_actions import TemporalSequences  # noqa: E402
from winback.settings import Settings  # noqa: E402
from winback.web import create_app, store_recorder  # noqa: E402
from winback.worker import sequence_worker  # noqa: E402

QUEUE = "bench-reply"
SECRET = "bench-inbound-secret"
REPLY_SECRET = b"bench-reply-secret-of-at-least-32-bytes"


def signed(account_id: str) -> str:
    workflow_id = ids.workflow_id_for(account_id)
    return reply_token.reply_address(REPLY_SECRET, account_id, workflow_id, "reply.example")
START_CONCURRENCY = 50


def reply_body(account_id: str) -> bytes:
    headers = (
        f"From: contact@{account_id.lower()}.example\nSubject: Re: hello\n"
        f"Message-ID: <bench-{account_id}@example>\nTo: {signed(account_id)}\n"
    )
    fields = {"headers": headers.encode(), "text": b"Thanks, yes: let's talk on Tuesday."}
    parts = [
        b'--xYzZY\r\nContent-Disposition: form-data; name="' + k.encode() + b'"\r\n\r\n' + v + b"\r\n"
        for k, v in fields.items()
    ]
    return b"".join(parts) + b"--xYzZY--\r\n"


async def start_all(client: Client, store: Store, n: int) -> list[str]:
    now = await client_now()
    # A sequence that ends records its outcome against its account: the store must know it.
    store.import_accounts([make_account(account_id=f"R{n}-{i:05d}") for i in range(n)], now=now)
    gate = asyncio.Semaphore(START_CONCURRENCY)
    ids: list[str] = []

    async def one(i: int) -> None:
        account = make_account(account_id=f"R{n}-{i:05d}")
        inp = replace(sequence_input(account), start_at=now + timedelta(days=30))
        async with gate:
            handle = await start_sequence(client, QUEUE, inp)
        ids.append(handle.id)

    await asyncio.gather(*(one(i) for i in range(n)))
    return ids


async def client_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def until_waiting(client: Client, workflow_ids: list[str]) -> None:
    """Every sequence has run its first workflow task (its status query answers)."""
    gate = asyncio.Semaphore(START_CONCURRENCY)

    async def one(wid: str) -> None:
        async with gate:
            await client.get_workflow_handle(wid).query("status")

    await asyncio.gather(*(one(w) for w in workflow_ids))


async def measure(n: int, sample: int, root: Path) -> list[float]:
    server = DevServer(root / "temporal")
    (root / "temporal").mkdir(parents=True)
    settings = Settings(data_dir=root, task_queue=QUEUE, public_url="https://winback.example")
    # The codec of production, with the keys the web app below reads from the same folder.
    client = await server.start(encryption.converter_for(settings))
    try:
        os.environ.setdefault("WINBACK_UNSUBSCRIBE_SECRET", "bench-unsubscribe-secret-of-32-bytes-or-more")
        store = Store.open(f"sqlite:///{root}/winback.db")
        impl = SequenceActivities(
            OutboxTransport(root / "outbox"),
            FolderTaskBoard(root / "tasks"),
            store,
            public_url="https://winback.example",
            unsubscribe_secret=b"bench-unsubscribe-secret-of-32-bytes",
        )
        async with sequence_worker(client, QUEUE, impl):
            t0 = time.perf_counter()
            workflow_ids = await start_all(client, store, n)
            await until_waiting(client, workflow_ids)
            log(f"N={n}: {n} sequences started and waiting in {time.perf_counter() - t0:.1f} s")

            async def connect() -> Client:
                return client

            config = InboundReplies(
                secret=SECRET.encode(),
                store=lambda: store,
                actions=TemporalSequences(connect),
                reply_secret=REPLY_SECRET,
            )
            app = create_app(settings, store_recorder(settings, store), inbound_replies=config)
            transport = httpx.ASGITransport(app=app)
            latencies: list[float] = []
            step = max(1, n // sample)
            async with httpx.AsyncClient(transport=transport, base_url="http://winback.bench") as http:
                for wid in workflow_ids[::step][:sample]:
                    account_id = wid.removeprefix("winback-")
                    handle = client.get_workflow_handle(wid)
                    began = time.perf_counter()
                    response = await http.post(
                        f"{PATH}/{SECRET}",
                        content=reply_body(account_id),
                        headers={"Content-Type": "multipart/form-data; boundary=xYzZY"},
                    )
                    if response.status_code != 200:
                        raise RuntimeError(f"{wid}: {response.status_code} {response.text}")
                    deadline = began + 30
                    while (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                        if time.perf_counter() > deadline:
                            raise RuntimeError(f"{wid} still running 30 s after its reply")
                        await asyncio.sleep(0.005)
                    latencies.append(time.perf_counter() - began)
        store.close()
        return latencies
    finally:
        server.stop()


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100,2000", help="running sequences, comma-separated")
    parser.add_argument("--sample", type=int, default=300, help="replies posted per size")
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"winback-bench-reply-{n}-") as tmp:
            latencies = await measure(n, args.sample, Path(tmp))
        rows.append((n, len(latencies), quantile(latencies, 0.5), quantile(latencies, 0.99), max(latencies)))
        print(
            f"N={n:>5} running: {len(latencies)} replies, POST -> stopped "
            f"p50 {rows[-1][2] * 1000:.0f} ms, p99 {rows[-1][3] * 1000:.0f} ms, "
            f"max {rows[-1][4] * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms",
            flush=True,
        )
    worst = max(r[3] for r in rows)
    print(
        f"target p99 < 1000 ms at 2,000 running: {'met' if worst < 1.0 else 'NOT met'} "
        f"(worst p99 {worst * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    asyncio.run(main())
