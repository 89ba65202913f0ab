"""The local stack behind `winback up`: Temporal's dev server (with its Web UI), a worker, and the
web service (`winback web`: unsubscribe links, webhooks and the codec endpoint) on
WINBACK_WEB_HOST:WINBACK_WEB_PORT. Every client here encrypts with the codec
(winback/encryption.py), and the UI decrypts through the web service's codec endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.converter import DataConverter

from activities.store import StoreError
from contracts import search_attributes as sa
from winback import binaries, codec_server, encryption, private, reconciler
from winback.settings import Settings
from winback.worker import build_worker

if TYPE_CHECKING:
    import uvicorn

    from activities.store import Store

HOST = "127.0.0.1"
WEB_PORT = 8000  # winback/web.py's default
PORT = 7233
UI_PORT = 8233


def temporal_ports() -> tuple[int, int]:
    """The dev server's gRPC and Web UI ports: 7233 and 8233, or WINBACK_TEMPORAL_PORT and
    WINBACK_UI_PORT (the browser test runs a whole stack on free ports beside a developer's)."""

    def port(name: str, default: int) -> int:
        value = os.environ.get(name, "").strip()
        return int(value) if value.isdigit() else default

    return port("WINBACK_TEMPORAL_PORT", PORT), port("WINBACK_UI_PORT", UI_PORT)


def ui_url(ui_port: int = UI_PORT) -> str:
    return f"http://localhost:{ui_port}"


def web_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the web service listening on host:port."""
    if host in ("", "0.0.0.0", "::"):
        host = HOST  # listening everywhere: this machine's own address works
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def dev_server_command(settings: Settings, port: int = PORT, ui_port: int = UI_PORT) -> list[str]:
    """The dev server `winback up` runs. Its UI gets the web service's codec endpoint as a URL
    with the codec token in its path (the UI cannot send it as a header: winback/codec_server.py),
    so the token is in this command line, readable by this machine's other users; so is the UI
    itself, which decrypts for anyone who opens it."""
    private.make_folder(settings.temporal_dir)
    codec_endpoint = codec_server.ui_endpoint(web_url(*web_address()), settings.codec_token())
    return [
        str(binaries.temporal_cli()),
        "server",
        "start-dev",
        "--ip",
        HOST,
        "--port",
        str(port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        str(settings.temporal_dir / "temporal.db"),
        # WAL roughly doubles the start rate of the file database (docs/ARCHITECTURE.md,
        # "Facts about the Temporal parts we run on").
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "error",
        "--ui-codec-endpoint",
        codec_endpoint,
        # The UI would fetch its news from the internet on every visit; a local stack needs none.
        "--ui-disable-news-fetch",
        *sa.cli_flags(),
    ]


def start_dev_server(settings: Settings, port: int = PORT, ui_port: int = UI_PORT) -> subprocess.Popen[bytes]:
    """The dev server as a child process. Its SQLite file holds contact emails; the server makes
    it (and the -wal and -shm beside it) with the umask's mode, so the child gets a private one
    whatever ours is."""
    return subprocess.Popen(dev_server_command(settings, port, ui_port), umask=private.UMASK)


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


async def wait_for_server(address: str, data_converter: DataConverter, timeout: float = 60.0) -> Client:
    """A client of the server at `address` once it answers; `data_converter` is the codec's
    (encryption.converter_for), which the worker and the web service built on it share."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            client = await Client.connect(address, data_converter=data_converter)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return client
        except Exception as err:  # not up yet
            last = err
            await asyncio.sleep(0.5)
    raise TimeoutError(f"Temporal did not come up at {address} within {timeout:.0f} s: {last}")


def ready_file(settings: Settings) -> Path:
    return settings.data_dir / "up.ready"


def pid_file(settings: Settings) -> Path:
    return settings.data_dir / "up.pid"


def log_file(settings: Settings) -> Path:
    return settings.data_dir / "up.log"


def web_server(settings: Settings, store: Store, client: Client, host: str, port: int) -> uvicorn.Server:
    """`winback web` inside `winback up`: the same app, signalling through the stack's client."""
    import uvicorn

    from winback import intent_webhook, webhooks
    from winback.sequence_actions import TemporalSequences
    from winback.web import create_app, store_recorder

    async def connect() -> Client:
        return client

    sequences = TemporalSequences(connect)
    codec = codec_server.from_settings(settings)
    if not os.environ.get("WINBACK_UI_ORIGIN", "").strip():
        # The UI this stack runs is the origin, on whatever port WINBACK_UI_PORT gave it.
        codec = dataclasses.replace(codec, ui_origin=ui_url(temporal_ports()[1]))
    app = create_app(
        settings,
        store_recorder(settings, store),
        sendgrid_events=webhooks.from_settings(settings, stopper=sequences),
        sequences=sequences,
        codec=codec,
        cancel_intents=intent_webhook.from_settings(settings, sequences),
    )

    class Embedded(uvicorn.Server):
        # run_up owns SIGINT and SIGTERM: it stops the web service with the worker.
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    return Embedded(uvicorn.Config(app, host=host, port=port, log_level="warning"))


def web_address() -> tuple[str, int]:
    host = os.environ.get("WINBACK_WEB_HOST", "").strip() or HOST
    port = os.environ.get("WINBACK_WEB_PORT", "").strip()
    return host, int(port) if port.isdigit() else WEB_PORT


async def run_up(settings: Settings) -> int:
    """Dev server + worker in the foreground until Ctrl-C (or SIGTERM from `winback down`)."""
    port, ui_port = temporal_ports()
    if port_in_use(port):
        print(
            f"port {port} is already in use: another Temporal is running there "
            "(stop it, or run `winback worker` against it)",
            file=sys.stderr,
        )
        return 1
    try:
        # Before the server starts: a store that cannot open is the user's to fix first.
        store = settings.open_store()
    except StoreError as err:
        print(str(err), file=sys.stderr)
        return 1
    # `winback up` checked the keys already; loaded once here for the client, worker and web.
    converter = encryption.converter_for(settings)
    ready_file(settings).unlink(missing_ok=True)
    server = start_dev_server(settings, port, ui_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    web_host, web_port = web_address()
    web: uvicorn.Server | None = None
    web_task: asyncio.Task[None] | None = None
    try:
        client = await wait_for_server(f"{HOST}:{port}", converter)
        worker = build_worker(client, settings, store)
        # `winback up` checked the setting before it started anything.
        scheduled, schedule_line = await reconciler.ensure(
            client, settings.task_queue, settings.reconcile_every()
        )
        if port_in_use(web_port, web_host):
            # The worker is what sends; a busy web port must not keep it from starting.
            print(
                f"port {web_port} is in use: not starting the web service (run `winback web`)",
                file=sys.stderr,
            )
        else:
            web = web_server(settings, store, client, web_host, web_port)
            web_task = asyncio.create_task(web.serve())
        async with worker:
            private.write_text(ready_file(settings), str(os.getpid()))
            print(f"Temporal UI: {ui_url(ui_port)}", flush=True)
            print(f"Outbox:      {settings.outbox_dir}", flush=True)
            print(f"Reconciler:  {schedule_line}", file=sys.stdout if scheduled else sys.stderr, flush=True)
            if web is not None:
                print(
                    f"Web:         {web_url(web_host, web_port)} (unsubscribe links, webhooks, "
                    "the UI's codec endpoint)",
                    flush=True,
                )
            print("Worker running. Ctrl-C stops the worker and the server.", flush=True)
            while not stop.is_set() and server.poll() is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=1.0)
            if server.poll() is not None and not stop.is_set():
                print(f"the Temporal dev server exited with code {server.returncode}", file=sys.stderr)
                return 1
    finally:
        ready_file(settings).unlink(missing_ok=True)
        if web is not None and web_task is not None:
            web.should_exit = True
            # uvicorn exits the process on a failed start; here that only loses the web side.
            with contextlib.suppress(SystemExit):
                await web_task
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    return 0


def detach(settings: Settings, timeout: float = 90.0) -> int:
    """Start `winback up` in the background and return once its worker is ready."""
    private.make_folder(settings.data_dir)
    existing = read_pid(settings)
    if existing is not None:
        print(f"winback up is already running (pid {existing}); `winback down` stops it")
        return 0
    ready_file(settings).unlink(missing_ok=True)
    with os.fdopen(private.open_file(log_file(settings), os.O_WRONLY | os.O_APPEND), "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "winback", "up"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "WINBACK_DATA_DIR": str(settings.data_dir)},
        )
    private.write_text(pid_file(settings), str(proc.pid))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready_file(settings).exists():
            print(f"Local stack running in the background (pid {proc.pid}, log {log_file(settings)})")
            return 0
        if proc.poll() is not None:
            pid_file(settings).unlink(missing_ok=True)
            tail = log_file(settings).read_text(errors="replace").splitlines()[-15:]
            print("winback up failed:\n" + "\n".join(tail), file=sys.stderr)
            return 1
        time.sleep(0.3)
    print(f"winback up did not get ready in {timeout:.0f} s; see {log_file(settings)}", file=sys.stderr)
    return 1


def read_pid(settings: Settings) -> int | None:
    path = pid_file(settings)
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        return None
    return pid


def down(settings: Settings, timeout: float = 30.0) -> int:
    pid = read_pid(settings)
    if pid is None:
        print("winback up is not running")
        return 0
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pid_file(settings).unlink(missing_ok=True)
    print("Local stack stopped")
    return 0
