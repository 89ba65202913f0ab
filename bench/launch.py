"""Launch benchmark: Winback's `winback launch` against plain SDK starts, on the local dev server.

    .venv/bin/python bench/launch.py [--accounts 10000] [--plan-rows 100000] [--in-flight 200]
                                     [--reference both|sdk_defaults|autoscaling] [--verify N|all]
                                     [--json] [--keep-temp]

Measurements, each on its own fresh dev server (the flags of `winback up`: file DB with the WAL
pragmas, search attributes, log level error; free ports; a temporary folder) and with nothing
from the network:

reference  A worker process for a trivial workflow that only sleeps a week (bench/reference.py);
           this process starts N of them with plain `client.start_workflow`, --in-flight at a
           time. The clock runs from the first start until every one has reached its first
           timer. Run twice by default, with the SDK's default worker (as `winback worker` has)
           and with autoscaling pollers; the target is judged against the faster, the plain SDK
           "as fast as it goes" (REFERENCE_POLLERS says why both).
winback    The real `winback worker` and the real
           `winback launch campaigns/examples/spring-winback.yaml --accounts <N rows> --detach`
           as subprocesses, with the store (DATABASE_URL unset: SQLite) in an empty temporary
           data folder. The clock runs from spawning the launch command (so its imports, the
           import into the store, the plan and every LaunchWorkflow batch count) until every
           sequence has reached its first timer. Most sequences' first timer is the wait for
           their staggered start; the few that start at once (today's share of the daily cap, in
           recipients whose sending window is open now) reach theirs after touch 1 (render and
           send), waiting for touch 2.
plan       `winback plan ... --json` and the human table over --plan-rows rows, each with an
           empty store, timed as subprocesses (wall time, output to /dev/null).

Rates are workflows (or accounts) per second: N / (seconds until the last reached its first timer).
The issue's targets: Winback's rate >= 70 % of the plain start rate, plan under 10 s. The run
exits 0 either way (it is a measurement) and prints a "TARGET MISSED" line per missed target.

"Reached its first timer" is read from the dev server's own counters on its Prometheus endpoint
(TimerGauge says why that is exact); the server publishes them about once a second, so the clock
stops up to ~1.3 s late (0.3-1.3 s measured against the histories: under 1 % at 10,000).
`--verify` then checks the claim against the histories: every checked workflow must have a
TimerStarted event no later than the moment the clock stopped; `--verify all` checks every one
and also gives the rate from the histories themselves. Peak memory is the resident set of the
worker process and of the server process (each with its children), sampled every 100 ms from
their start until the clock stops. CPU seconds per process during the clocked window are shown
too, with what the rest of the machine used ('other': other people's test runs on these cores).

The campaign is spring-winback.yaml unchanged, including sender.daily_cap 200: the cap only
decides each sequence's start_at (10,000 accounts spread over 50 sending days), not how fast
the launch creates the sequences: every sequence, staggered or not, is started now. A larger
cap would instead make thousands of first emails due at once, and the benchmark would measure
rendering and sending email rather than launching.

`--variant` (experiments only) runs the worker and the launch command through bench/variant.py
with proposed production changes patched in.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any, Final

import psutil
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

BENCH_DIR: Final = Path(__file__).resolve().parent
REPO: Final = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))  # run as a script from anywhere: its sibling modules

from accounts_csv import write_accounts  # noqa: E402
from reference import TASK_QUEUE as REFERENCE_QUEUE  # noqa: E402
from reference import SleepAWeek  # noqa: E402

from campaigns.accounts import load_accounts  # noqa: E402
from campaigns.campaign import load_campaign  # noqa: E402
from campaigns.plan import build_plan, launch_order  # noqa: E402
from contracts.ids import TASK_QUEUE as WINBACK_QUEUE  # noqa: E402
from contracts.ids import launch_workflow_id, workflow_id_for  # noqa: E402
from winback import binaries, connect, stack  # noqa: E402
from winback.settings import Settings  # noqa: E402
from workflows.launch import LaunchWorkflow  # noqa: E402

CAMPAIGN: Final = REPO / "campaigns" / "examples" / "spring-winback.yaml"
NAMESPACE: Final = "default"
TARGET_RATIO: Final = 0.70
TARGET_PLAN_SECONDS: Final = 10.0
SAMPLE_INTERVAL: Final = 0.1  # memory sampling
# One scrape of the dev server's /metrics page (2.4 MB of text) costs the server ~25 ms of CPU:
# at most once a second while far from done (~2.5 % of a core), five times a second at first
# and once the pace so far says the end is near. The server itself refreshes the counters about
# once a second, which is most of the clock's lag (0.3-1.3 s, measured with --verify all).
SLOW_POLL: Final = 1.0
FAST_POLL: Final = 0.2
STALL_SECONDS: Final = 180.0  # no progress this long: something is broken, stop

_PROCS: list[subprocess.Popen[bytes]] = []  # everything this run started, for the exit handler


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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

    async def start(self) -> Client:
        settings = Settings(data_dir=self.root, task_queue=WINBACK_QUEUE, public_url="http://localhost:8000")
        cmd = [*stack.dev_server_command(settings, port=self.port, ui_port=self.ui_port)]
        cmd += ["--metrics-port", str(self.metrics_port)]
        self.proc = spawn(cmd, self.root / "server.log", clean_env())
        try:
            return await stack.wait_for_server(self.address)
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


# --- measuring ---------------------------------------------------------------------------------


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


def _tree(proc: psutil.Process) -> list[psutil.Process]:
    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


class Sampler(threading.Thread):
    """Peak resident memory (process plus children) and the last CPU seconds seen, every 100 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.targets: dict[str, psutil.Process] = {}
        self.peak: dict[str, int] = {}
        self.cpu: dict[str, float] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name: str, pid: int) -> None:
        with self._lock, contextlib.suppress(psutil.NoSuchProcess):
            self.targets[name] = psutil.Process(pid)
            self.peak.setdefault(name, 0)
        self.sample()

    def sample(self) -> None:
        with self._lock:
            for name, proc in self.targets.items():
                rss = 0
                cpu = 0.0
                for p in _tree(proc):
                    with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        cpu += t.user + t.system
                if rss:
                    self.peak[name] = max(self.peak[name], rss)
                    self.cpu[name] = cpu

    def run(self) -> None:
        while not self._stop.wait(SAMPLE_INTERVAL):
            self.sample()

    def finish(self) -> None:
        self.sample()
        self._stop.set()


def machine_busy_seconds() -> float:
    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0))


@dataclass
class CpuWindow:
    """CPU seconds spent during the clocked window, by us and by everything else on the machine
    (other engineers' test runs share these 2 cores; a busy 'other' column flags a noisy run)."""

    start_machine: float = 0.0
    start_self: float = 0.0
    start_targets: dict[str, float] = field(default_factory=dict)

    def begin(self, sampler: Sampler) -> None:
        sampler.sample()
        self.start_machine = machine_busy_seconds()
        self.start_self = _self_cpu()
        self.start_targets = dict(sampler.cpu)

    def end(self, sampler: Sampler) -> dict[str, float]:
        sampler.sample()
        out = {name: cpu - self.start_targets.get(name, 0.0) for name, cpu in sampler.cpu.items()}
        out["bench"] = _self_cpu() - self.start_self
        out["machine"] = machine_busy_seconds() - self.start_machine
        out["other"] = out["machine"] - sum(v for k, v in out.items() if k != "machine")
        return {k: round(v, 1) for k, v in out.items()}


def _self_cpu() -> float:
    t = psutil.Process().cpu_times()
    return float(t.user + t.system)


@dataclass
class Verification:
    checked: int = 0
    without_timer: list[str] = field(default_factory=list)  # no TimerStarted at all
    late: list[str] = field(default_factory=list)  # first TimerStarted after the moment we claimed
    last_first_timer: float = 0.0  # latest first-TimerStarted time among the checked
    detect_lag: float | None = None  # claimed moment - truth, when every workflow was checked

    @property
    def ok(self) -> bool:
        return not self.without_timer and not self.late


async def verify(client: Client, ids: Sequence[str], claimed: float, *, complete: bool) -> Verification:
    """Fetch the histories: each must hold a TimerStarted event no later than the moment the
    gauge said all had reached their first timer."""
    out = Verification()
    gate = asyncio.Semaphore(20)

    async def one(wid: str) -> None:
        async with gate:
            history = await client.get_workflow_handle(wid).fetch_history()
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
                at = event.event_time.seconds + event.event_time.nanos / 1e9
                out.last_first_timer = max(out.last_first_timer, at)
                if at > claimed:
                    out.late.append(f"{wid} ({at - claimed:+.3f} s)")
                break
        else:
            out.without_timer.append(wid)
        out.checked += 1

    await asyncio.gather(*(one(wid) for wid in ids))
    if complete and out.checked:
        out.detect_lag = round(claimed - out.last_first_timer, 3)
    return out


def sample_ids(ids: Sequence[str], how: str, tail_count: int = 20) -> tuple[list[str], bool]:
    """Every id for --verify all; else a random sample plus the last ones (started last)."""
    if how == "all":
        return list(ids), True
    k = int(how)
    if k <= 0:
        return [], False
    picked = set(ids[-tail_count:]) | set(random.Random(1).sample(list(ids), min(k, len(ids))))
    return sorted(picked), len(picked) == len(ids)


# --- phases ------------------------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    count: int
    seconds: float  # clock start -> all reached their first timer (as detected)
    rate: float
    worker_peak_mb: float
    server_peak_mb: float
    started_all_at: float | None  # clock start -> the last start call returned / launch done
    command_seconds: float | None  # Winback: the launch command's own run time
    cpu_seconds: dict[str, float]
    timers: dict[str, int]
    verification: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    # (seconds since the clock started, workflows at their first timer), every 5 s.
    timeline: list[tuple[float, int]] = field(default_factory=list)
    # With --verify all: the rate from the histories themselves (the last first TimerStarted).
    true_rate: float | None = None

    def __post_init__(self) -> None:
        lag = self.verification.get("detect_lag_s")
        if lag is not None and self.seconds - lag > 0:
            self.true_rate = round(self.count / (self.seconds - lag), 1)


def _mb(value: int) -> float:
    return round(value / 2**20, 1)


# The reference worker's workflow-task pollers. With the SDK's defaults (the same as `winback
# worker`: 5 polls, nonsticky ratio 0.2) only one poll at a time asks the task queue where new
# workflows' first tasks wait, which caps the reference near 55 workflows/s here while the
# server could do twice that; with the SDK's autoscaling pollers it runs at the server's pace.
# The target is judged against the faster of the two: the plain SDK "as fast as it goes".
REFERENCE_POLLERS: Final = {
    "sdk_defaults": "SDK default worker",
    "autoscaling": "autoscaling pollers",
}


async def reference_phase(args: argparse.Namespace, root: Path, pollers: str) -> PhaseResult:
    n: int = args.accounts
    root.mkdir(parents=True)
    server = DevServer(root)
    sampler = Sampler()
    worker: subprocess.Popen[bytes] | None = None
    try:
        client = await server.start()
        sampler.watch("server", server.pid)
        sampler.start()
        worker_log = root / "worker.log"
        worker = spawn(
            [sys.executable, str(BENCH_DIR / "reference.py")],
            worker_log,
            clean_env(
                TEMPORAL_ADDRESS=server.address,
                BENCH_TASK_QUEUE=REFERENCE_QUEUE,
                BENCH_WF_POLLER="autoscaling" if pollers == "autoscaling" else "",
            ),
        )
        sampler.watch("worker", worker.pid)
        await wait_for_pollers(client, REFERENCE_QUEUE, worker, worker_log, activities=False)
        gauge = TimerGauge(server.metrics_url)
        ids = [f"ref-{i:06d}" for i in range(n)]
        cpu = CpuWindow()
        log(f"reference ({REFERENCE_POLLERS[pollers]}): starting {n} SleepAWeek, {args.in_flight} in flight")
        cpu.begin(sampler)
        t0 = time.time()

        next_index = 0
        all_started = 0.0

        async def starter() -> None:
            # --in-flight of these pull the next id: as fast as the client, server and worker go.
            nonlocal next_index
            while next_index < n:
                wid = ids[next_index]
                next_index += 1
                await client.start_workflow(SleepAWeek.run, id=wid, task_queue=REFERENCE_QUEUE)

        async def start_everything() -> None:
            nonlocal all_started
            await asyncio.gather(*(starter() for _ in range(min(args.in_flight, n))))
            all_started = time.time() - t0

        starting = asyncio.create_task(start_everything())
        timeline: list[tuple[float, int]] = []
        try:
            done_at, counts = await wait_for_first_timers(
                gauge,
                n,
                [("reference worker", worker, worker_log)],
                t0=t0,
                timeline=timeline,
                tasks=[starting],
            )
        finally:
            starting.cancel()  # a no-op when all went well: every one has a timer, so it started
        await asyncio.gather(starting, return_exceptions=True)
        cpu_seconds = cpu.end(sampler)
        sampler.finish()
        seconds = done_at - t0
        log(f"reference ({pollers}): {n} reached their first timer in {seconds:.1f} s; verifying")
        chosen, complete = sample_ids(ids, args.verify)
        ver = await verify(client, chosen, done_at, complete=complete)
        return PhaseResult(
            name=f"reference ({REFERENCE_POLLERS[pollers]})",
            count=n,
            seconds=round(seconds, 2),
            rate=round(n / seconds, 1),
            worker_peak_mb=_mb(sampler.peak["worker"]),
            server_peak_mb=_mb(sampler.peak["server"]),
            started_all_at=round(all_started, 2),
            command_seconds=None,
            cpu_seconds=cpu_seconds,
            timers=asdict(counts),
            verification=_ver_json(ver),
            timeline=timeline,
        )
    finally:
        sampler.finish()
        if worker is not None:
            stop(worker)
        server.stop()


def winback_cmd(args: argparse.Namespace) -> list[str]:
    """The real `winback`, or for an experiment the same with proposed changes patched in."""
    if args.variant:
        return [sys.executable, str(BENCH_DIR / "variant.py"), args.variant]
    return [sys.executable, "-m", "winback"]


def expected_sequences(accounts_csv: Path) -> tuple[int, list[str]]:
    """What the launch will start with an empty store: the plan's included accounts, in the
    launch's order (best first), so the verification sample can include the last ones started."""
    camp = load_campaign(CAMPAIGN)
    accounts = load_accounts(accounts_csv)
    if accounts.errors:
        raise BenchError(f"generated accounts are invalid: {accounts.errors[:3]}")
    plan = build_plan(accounts.accounts, camp, as_of=date.today(), preferences=(), enrolments=())
    included = [e.account_id for e in launch_order(plan)]
    return len(included), included


async def winback_phase(args: argparse.Namespace, root: Path) -> PhaseResult:
    n: int = args.accounts
    root.mkdir(parents=True)
    accounts_csv = write_accounts(root / "accounts.csv", n, date.today())
    expected, included = expected_sequences(accounts_csv)
    if expected != n:
        raise BenchError(f"only {expected} of {n} generated accounts are included by the campaign")
    data_dir = root / "data"
    server = DevServer(root / "server")
    (root / "server").mkdir()
    sampler = Sampler()
    worker: subprocess.Popen[bytes] | None = None
    launch: subprocess.Popen[bytes] | None = None
    try:
        client = await server.start()
        sampler.watch("server", server.pid)
        sampler.start()
        # DATABASE_URL unset: the store is a SQLite file in the empty data folder, as locally.
        env = clean_env(TEMPORAL_ADDRESS=server.address, WINBACK_DATA_DIR=str(data_dir), BENCH_TMP=str(root))
        worker_log = root / "worker.log"
        worker = spawn([*winback_cmd(args), "worker"], worker_log, env)
        sampler.watch("worker", worker.pid)
        await wait_for_pollers(client, WINBACK_QUEUE, worker, worker_log)
        gauge = TimerGauge(server.metrics_url)
        cpu = CpuWindow()
        log(f"winback: launching {n} accounts with {CAMPAIGN.name}")
        cpu.begin(sampler)
        t0 = time.time()
        launch_log = root / "launch.log"
        launch = spawn(
            [
                *winback_cmd(args),
                "launch",
                str(CAMPAIGN),
                "--accounts",
                str(accounts_csv),
                "--detach",
            ],
            launch_log,
            env,
        )
        sampler.watch("launch", launch.pid)
        launch_proc = launch
        command_seconds = 0.0

        async def launch_command() -> None:
            nonlocal command_seconds
            code = await asyncio.to_thread(launch_proc.wait)
            command_seconds = time.time() - t0
            if code != 0:
                raise BenchError(f"winback launch exited with code {code}:\n{tail(launch_log)}")

        command = asyncio.create_task(launch_command())
        timeline: list[tuple[float, int]] = []
        try:
            done_at, counts = await wait_for_first_timers(
                gauge,
                expected,
                [("winback worker", worker, worker_log)],
                t0=t0,
                timeline=timeline,
                tasks=[command],
            )
            await command  # --detach: it returned long before the last sequence reached its timer
        finally:
            command.cancel()
        cpu_seconds = cpu.end(sampler)
        sampler.finish()
        seconds = done_at - t0
        log(f"winback: {expected} sequences reached their first timer in {seconds:.1f} s; verifying")
        said = re.search(r"launching (\d+) sequences", launch_log.read_text())
        if said is None or int(said.group(1)) != expected:
            raise BenchError(f"the launch did not start {expected} sequences:\n{tail(launch_log)}")
        handle = client.get_workflow_handle(launch_workflow_id(_campaign_id()))
        progress = await handle.query(LaunchWorkflow.progress)
        if progress.started != expected or not progress.done:
            raise BenchError(f"the launch did not start every sequence: {progress}")
        desc = await handle.describe()
        launch_done = (desc.close_time.timestamp() - t0) if desc.close_time else None
        ids = [workflow_id_for(a) for a in included]
        chosen, complete = sample_ids(ids, args.verify)
        ver = await verify(client, chosen, done_at, complete=complete)
        return PhaseResult(
            name="winback",
            count=expected,
            seconds=round(seconds, 2),
            rate=round(expected / seconds, 1),
            worker_peak_mb=_mb(sampler.peak["worker"]),
            server_peak_mb=_mb(sampler.peak["server"]),
            started_all_at=None if launch_done is None else round(launch_done, 2),
            command_seconds=round(command_seconds, 2),
            cpu_seconds=cpu_seconds,
            timers=asdict(counts),
            verification=_ver_json(ver),
            extra={
                "launch_progress": {
                    "planned": progress.planned,
                    "started": progress.started,
                    "already_running": progress.already_running,
                    "failed": progress.failed,
                    "done": progress.done,
                },
                "launch_command_peak_mb": _mb(sampler.peak.get("launch", 0)),
                "outbox_emails": len(list((data_dir / "outbox").glob("*.eml")))
                if (data_dir / "outbox").is_dir()
                else 0,
            },
            timeline=timeline,
        )
    finally:
        sampler.finish()
        for proc in (launch, worker):
            if proc is not None:
                stop(proc)
        server.stop()


def _campaign_id() -> str:
    return load_campaign(CAMPAIGN).id


def _ver_json(ver: Verification) -> dict[str, Any]:
    return {
        "checked": ver.checked,
        "ok": ver.ok,
        "without_timer": ver.without_timer[:10],
        "late": ver.late[:10],
        "detect_lag_s": ver.detect_lag,
    }


@dataclass
class PlanResult:
    rows: int
    json_seconds: float
    table_seconds: float


def plan_phase(args: argparse.Namespace, root: Path) -> PlanResult:
    root.mkdir(parents=True)
    rows: int = args.plan_rows
    accounts_csv = write_accounts(root / "plan.csv", rows, date.today(), seed=11)
    seconds: dict[str, float] = {}
    for kind, flags in (("json", ["--json"]), ("table", [])):
        data_dir = root / f"data-{kind}"  # an empty store each time
        env = clean_env(WINBACK_DATA_DIR=str(data_dir))
        cmd = [
            sys.executable,
            "-m",
            "winback",
            "plan",
            str(CAMPAIGN),
            "--accounts",
            str(accounts_csv),
            *flags,
        ]
        log(f"plan: {rows} rows, {kind} output")
        t0 = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
        seconds[kind] = round(time.perf_counter() - t0, 2)
        if done.returncode != 0:
            raise BenchError(
                f"winback plan exited with code {done.returncode}: {done.stderr.decode()[-2000:]}"
            )
    return PlanResult(rows=rows, json_seconds=seconds["json"], table_seconds=seconds["table"])


# --- report ------------------------------------------------------------------------------------


def summary(
    refs: dict[str, PhaseResult], wb: PhaseResult | None, plan: PlanResult | None, variant: str = ""
) -> tuple[dict[str, Any], list[str]]:
    figures: dict[str, Any] = {
        "variant": variant or None,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "temporal_cli": _temporal_version(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            # Set here (and in the Dockerfile): with an editable install the sandbox then compiles
            # workflows/sequence.py from source for every new workflow (see the report).
            "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
            "sequence_bytecode_cached": _bytecode_cached(REPO / "workflows" / "sequence.py"),
        },
        "references": {k: asdict(v) for k, v in refs.items()},
        "winback": None if wb is None else asdict(wb),
        "plan": None if plan is None else asdict(plan),
    }
    missed: list[str] = []
    if refs and wb is not None:
        ratios = {k: round(wb.rate / v.rate, 3) for k, v in refs.items()}
        best = max(refs, key=lambda k: refs[k].rate)  # the plain SDK as fast as it goes
        ratio = wb.rate / refs[best].rate
        figures["ratios"] = ratios
        figures["ratio"] = round(ratio, 3)
        figures["ratio_against"] = best
        figures["ratio_target_met"] = ratio >= TARGET_RATIO
        if ratio < TARGET_RATIO:
            missed.append(
                f"TARGET MISSED: Winback launch rate {wb.rate:.1f}/s is {ratio:.0%} of the plain start "
                f"rate {refs[best].rate:.1f}/s ({REFERENCE_POLLERS[best]}; target >= {TARGET_RATIO:.0%})"
            )
    if plan is not None:
        figures["plan_target_met"] = plan.json_seconds < TARGET_PLAN_SECONDS
        if plan.json_seconds >= TARGET_PLAN_SECONDS:
            missed.append(
                f"TARGET MISSED: winback plan over {plan.rows} rows took {plan.json_seconds:.1f} s "
                f"(target < {TARGET_PLAN_SECONDS:.0f} s)"
            )
    for phase in (*refs.values(), wb):
        if phase is not None and not phase.verification["ok"]:
            missed.append(f"VERIFICATION FAILED ({phase.name}): {phase.verification}")
    figures["targets_missed"] = missed
    return figures, missed


def _bytecode_cached(source: Path) -> bool:
    try:
        return Path(importlib.util.cache_from_source(str(source))).exists()
    except (NotImplementedError, ValueError):
        return False


def table(figures: dict[str, Any]) -> str:
    refs: dict[str, dict[str, Any]] = figures["references"]
    wb: dict[str, Any] | None = figures["winback"]
    plan: dict[str, Any] | None = figures["plan"]
    m = figures["machine"]
    lines = [f"Winback launch benchmark  {m['when']}  {m['cpus']} CPUs  temporal {m['temporal_cli']}"]
    if figures.get("variant"):
        lines.append(f"EXPERIMENT: Winback with bench/variant.py {figures['variant']}")
    lines.append("")
    columns: list[tuple[str, dict[str, Any] | None]] = [
        (f"ref: {REFERENCE_POLLERS[k]}", v) for k, v in refs.items()
    ]
    columns.append(("Winback launch", wb))

    def cell(phase: dict[str, Any] | None, key: str, fmt: str = "{}") -> str:
        if phase is None or phase.get(key) is None:
            return "-"
        return fmt.format(phase[key])

    if refs or wb is not None:
        rows: list[tuple[str, list[str]]] = [
            ("", [name for name, _ in columns]),
            ("workflows / accounts", [cell(c, "count") for _, c in columns]),
            ("seconds to all first timers", [cell(c, "seconds", "{:.1f}") for _, c in columns]),
            ("RATE (started per second)", [cell(c, "rate", "{:.1f}") for _, c in columns]),
            ("rate from all histories", [cell(c, "true_rate", "{:.1f}") for _, c in columns]),
            ("all started after (s)", [cell(c, "started_all_at", "{:.1f}") for _, c in columns]),
            ("launch command ran (s)", [cell(c, "command_seconds", "{:.1f}") for _, c in columns]),
            ("worker peak RSS (MB)", [cell(c, "worker_peak_mb", "{:.0f}") for _, c in columns]),
            ("server peak RSS (MB)", [cell(c, "server_peak_mb", "{:.0f}") for _, c in columns]),
        ]
        for key in ("worker", "server", "bench", "launch", "other", "machine"):
            rows.append(
                (
                    f"CPU s: {key}",
                    ["-" if c is None else str(c["cpu_seconds"].get(key, "-")) for _, c in columns],
                )
            )
        verified = ["-" if c is None else _ver_cell(c["verification"]) for _, c in columns]
        rows.append(("first timers verified", verified))
        lines += [f"{label:<28}" + "".join(f"{v:>26}" for v in values) for label, values in rows]
        lines.append("(Winback's 'all started': its LaunchWorkflow closed)")
        if "ratio" in figures:
            lines.append("")
            for k, r in figures["ratios"].items():
                lines.append(f"ratio Winback / ref with {REFERENCE_POLLERS[k]:<22} {r:6.1%}")
            verdict = "met" if figures["ratio_target_met"] else "TARGET MISSED"
            lines.append(
                f"RATIO (against the faster reference)          {figures['ratio']:6.1%}"
                f"  target >= 70 %: {verdict}"
            )
    if plan is not None:
        verdict = "met" if figures["plan_target_met"] else "TARGET MISSED"
        lines += [
            "",
            f"winback plan, {plan['rows']} rows, --json:  {plan['json_seconds']:.1f} s"
            f"  (target < 10 s: {verdict})",
            f"winback plan, {plan['rows']} rows, table:   {plan['table_seconds']:.1f} s",
        ]
    lines += ["", *figures["targets_missed"]]
    return "\n".join(lines).rstrip() + "\n"


def _ver_cell(v: dict[str, Any]) -> str:
    if not v["checked"]:
        return "not checked"
    lag = "" if v["detect_lag_s"] is None else f", lag {v['detect_lag_s']:.2f} s"
    return f"{v['checked']} {'ok' if v['ok'] else 'FAILED'}{lag}"


def _temporal_version() -> str:
    try:
        out = subprocess.run(
            [str(binaries.temporal_cli()), "--version"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip().removeprefix("temporal version ")
    except (OSError, subprocess.CalledProcessError):
        return "temporal ?"


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--accounts", type=int, default=10_000, help="accounts launched, and reference workflows")
    p.add_argument("--plan-rows", type=int, default=100_000, help="rows for the `winback plan` timing")
    p.add_argument("--in-flight", type=int, default=200, help="concurrent reference starts")
    p.add_argument(
        "--reference",
        choices=("both", *REFERENCE_POLLERS),
        default="both",
        help="which reference worker(s) to run (see REFERENCE_POLLERS); the target uses the faster",
    )
    p.add_argument(
        "--verify",
        default="100",
        help="histories to check against the first-timer claim: a sample size, 0, or 'all'",
    )
    p.add_argument(
        "--only",
        action="append",
        choices=("reference", "winback", "plan"),
        help="run only these phases (repeatable); default all three",
    )
    p.add_argument(
        "--variant",
        default="",
        metavar="CHANGE[+CHANGE]",
        help="experiments only: worker and launch through bench/variant.py with these changes",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--keep-temp", action="store_true", help="keep the temporary folder (logs, databases)")
    args = p.parse_args(argv)
    if args.verify != "all" and not re.fullmatch(r"\d+", args.verify):
        p.error("--verify takes a number or 'all'")
    return args


@contextlib.contextmanager
def temp_root(keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="winback-bench-"))
    try:
        yield root
    finally:
        if keep:
            log(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


async def run(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    phases = args.only or ["reference", "winback", "plan"]
    refs: dict[str, PhaseResult] = {}
    if "reference" in phases:
        for pollers in REFERENCE_POLLERS if args.reference == "both" else [args.reference]:
            refs[pollers] = await reference_phase(args, root / f"reference-{pollers}", pollers)
    wb = await winback_phase(args, root / "winback") if "winback" in phases else None
    plan = await asyncio.to_thread(plan_phase, args, root / "plan") if "plan" in phases else None
    figures, _ = summary(refs, wb, plan, args.variant)
    return figures


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # SDK core logs to stderr, never into --json output.
    connect.configure_runtime("ERROR")
    # SIGTERM ends the run like Ctrl-C does: through the finally blocks that stop every process.
    # SIGINT too even when started in the background (`cmd &` starts with SIGINT ignored).
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with temp_root(args.keep_temp) as root:
            figures = asyncio.run(run(args, root))
    except KeyboardInterrupt:
        log("interrupted; stopped every process this run started")
        return 130
    except BenchError as err:
        log(f"benchmark failed: {err}")
        return 1
    if args.json:
        print(json.dumps(figures, indent=2))
        for line in figures["targets_missed"]:
            log(line)
    else:
        print(table(figures), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
