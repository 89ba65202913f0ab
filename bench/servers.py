"""Processes for bench/launch.py: the dev server as `winback up` runs it, on free ports in a
folder of its own; workers and commands, each in a session of its own and stopped at exit; and
the dev server's own Prometheus counters, which say when every workflow has reached its first
timer.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

from output import log
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.converter import DataConverter

from contracts.ids import TASK_QUEUE as WINBACK_QUEUE
from winback import stack
from winback.settings import Settings

BENCH_DIR: Final = Path(__file__).resolve().parent
REPO: Final = BENCH_DIR.parent
NAMESPACE: Final = "default"
# One scrape of the dev server's /metrics page (2.4 MB of text) costs the server ~25 ms of CPU:
# at most once a second while far from done (~2.5 % of a core), five times a second at first
# and once the pace so far says the end is near. The server itself refreshes the counters about
# once a second, which is most of the clock's lag (0.3-1.3 s, measured with --verify all).
SLOW_POLL: Final = 1.0
FAST_POLL: Final = 0.2
STALL_SECONDS: Final = 180.0  # no progress this long: something is broken, stop

_PROCS: list[subprocess.Popen[bytes]] = []  # everything this run started, for the exit handler


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((stack.HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that could point a process at another Temporal or store
    (BENCH_* experiment knobs pass through)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TEMPORAL_", "WINBACK_")) and k != "DATABASE_URL"
    }
    env.update(extra)
    return env


def spawn(cmd: Sequence[str], log_path: Path, env: dict[str, str], **kw: Any) -> subprocess.Popen[bytes]:
    # A session of its own: Ctrl-C in the terminal reaches only this script, which then stops
    # them in order (worker before server) instead of every process racing to exit.
    out: IO[bytes] | int = kw.pop("stdout", None) or log_path.open("ab")
    proc = subprocess.Popen(
        list(cmd),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
        start_new_session=True,
        **kw,
    )
    _PROCS.append(proc)
    return proc


def stop(proc: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # its own group (start_new_session): only ours
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc in _PROCS:
        _PROCS.remove(proc)


@atexit.register
def _stop_all() -> None:
    for proc in reversed(list(_PROCS)):
        stop(proc, timeout=5.0)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


class BenchError(Exception):
    pass


@dataclass
class DevServer:
    """`winback up`'s dev server command (file DB with WAL pragmas, search attributes, log level
    error), on free ports, in its own folder, plus a known metrics port."""

    root: Path
    port: int = field(default_factory=free_port)
    ui_port: int = field(default_factory=free_port)
    metrics_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{stack.HOST}:{self.port}"

    @property
    def metrics_url(self) -> str:
        return f"http://{stack.HOST}:{self.metrics_port}/metrics"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, data_converter: DataConverter) -> Client:
        """The server, and a client with `data_converter`: the codec of the workers it talks to
        (winback.encryption.converter_for), or the SDK's default for the plain reference worker."""
        settings = Settings(data_dir=self.root, task_queue=WINBACK_QUEUE, public_url="http://localhost:8000")
        cmd = [*stack.dev_server_command(settings, port=self.port, ui_port=self.ui_port)]
        cmd += ["--metrics-port", str(self.metrics_port)]
        self.proc = spawn(cmd, self.root / "server.log", clean_env())
        try:
            return await stack.wait_for_server(self.address, data_converter)
        except TimeoutError as err:
            raise BenchError(f"{err}\n{tail(self.root / 'server.log')}") from err

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)


async def wait_for_pollers(
    client: Client,
    queue: str,
    proc: subprocess.Popen[bytes],
    log_path: Path,
    *,
    activities: bool = True,
) -> None:
    """Until the worker polls both task queue kinds: the clock must not include its start-up."""
    waiting = [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW]
    if activities:  # the reference worker has no activities, so it polls no activity queue
        waiting.append(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
    deadline = time.monotonic() + 90
    while waiting:
        if proc.poll() is not None:
            raise BenchError(f"the worker exited with code {proc.returncode}:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            raise BenchError(f"the worker did not poll {queue} within 90 s:\n{tail(log_path)}")
        resp = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=NAMESPACE, task_queue=TaskQueue(name=queue), task_queue_type=waiting[0]
            )
        )
        if resp.pollers:
            waiting.pop(0)
        else:
            await asyncio.sleep(0.2)


# --- the dev server's counters --------------------------------------------------------------


_METRIC_LINE: Final = re.compile(r"^(command|task_attempt_count)\{([^}]*)\} (\S+)$", re.MULTILINE)
_LABEL: Final = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class TimerCounts:
    started: int  # StartTimer commands the history service accepted
    cancelled: int  # CancelTimer commands
    # User-timer tasks the timer queue acknowledged (task_attempt_count, one per task): each
    # fires the workflow's due timer; a stale task fires nothing and only makes us later.
    fired: int

    @property
    def reached_at_least(self) -> int:
        """A lower bound of the workflows that have reached their first timer.

        Each workflow here has at most one timer outstanding (SleepAWeek has one; a sequence
        waits on one timer at a time), so a workflow's k-th timer starts only after its
        (k-1)-th fired or was cancelled: timers started - fired - cancelled counts workflows
        with a timer open right now, each of which has reached its first. It is exact for the
        reference (one timer each, none fires within a week) and can only lag for a sequence
        whose first timer fired and which is still busy with touch 1 (it then starts its next
        timer within a second). LaunchWorkflow starts no timers. A fire is counted when its task
        is acknowledged, microseconds after the fire and long before the workflow's next
        timer, which needs a workflow task on the worker and two activities first.
        """
        return self.started - self.cancelled - self.fired


class TimerGauge:
    """Reads the dev server's own counters. SDK worker metrics cannot answer the question:
    they count workflow tasks, and a sequence's first workflow task may schedule an activity
    (touch 1 due now) rather than a timer; visibility has no notion of timers either."""

    def __init__(self, url: str) -> None:
        self.url = url

    def read(self) -> TimerCounts:
        with urllib.request.urlopen(self.url, timeout=10) as resp:
            text = resp.read().decode()
        started = cancelled = fired = 0
        for m in _METRIC_LINE.finditer(text):
            labels = dict(_LABEL.findall(m.group(2)))
            if labels.get("namespace") != NAMESPACE or labels.get("service_name") != "history":
                continue
            value = int(float(m.group(3)))
            if m.group(1) == "command":
                if labels.get("commandType") == "StartTimer":
                    started += value
                elif labels.get("commandType") == "CancelTimer":
                    cancelled += value
            elif labels.get("operation") == "TimerActiveTaskUserTimer":
                fired += value
        return TimerCounts(started, cancelled, fired)


async def wait_for_first_timers(
    gauge: TimerGauge,
    target: int,
    alive: Sequence[tuple[str, subprocess.Popen[bytes], Path]],
    *,
    t0: float,
    timeline: list[tuple[float, int]],
    tasks: Sequence[asyncio.Task[None]] = (),
) -> tuple[float, TimerCounts]:
    """Poll until `target` workflows have reached their first timer; the wall time of the scrape
    that showed it (time.time(), comparable with history event times: same machine clock).
    Appends (seconds since t0, reached) to `timeline` every 5 s: where the time went."""
    best = -1
    first = time.monotonic()
    last_progress = first
    while True:
        counts = await asyncio.to_thread(gauge.read)
        now = time.time()
        reached = counts.reached_at_least
        if not timeline or now - t0 >= timeline[-1][0] + 5 or reached >= target:
            timeline.append((round(now - t0, 1), reached))
            if len(timeline) % 6 == 0:
                log(f"  {now - t0:6.1f} s: {reached}/{target} at their first timer")
        if reached >= target:
            return now, counts
        for name, proc, log_path in alive:
            if proc.poll() is not None:
                raise BenchError(f"the {name} exited with code {proc.returncode}:\n{tail(log_path)}")
        for task in tasks:  # the starts or the launch command failed: no use waiting
            if task.done() and not task.cancelled() and task.exception() is not None:
                task.result()
        if reached > best:
            best, last_progress = reached, time.monotonic()
        elif time.monotonic() - last_progress > STALL_SECONDS:
            raise BenchError(f"no progress for {STALL_SECONDS:.0f} s at {reached}/{target}: {counts}")
        # A quarter of the time the remainder needs at the pace so far, within the bounds; fast
        # for the first 10 s, before the pace means anything (and small runs end that soon).
        elapsed = time.monotonic() - first
        pace = max(reached, 1) / max(elapsed, 0.1)
        wait = FAST_POLL if elapsed < 10 else min(SLOW_POLL, max(FAST_POLL, (target - reached) / pace / 4))
        await asyncio.sleep(wait)
