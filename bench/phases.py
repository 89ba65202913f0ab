"""The phases of bench/launch.py: the plain SDK reference, Winback's launch, and `winback plan`."""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import temporalio.converter
from accounts_csv import write_accounts
from measure import CpuWindow, Sampler, Verification, sample_ids, verify
from reference import TASK_QUEUE as REFERENCE_QUEUE
from reference import SleepAWeek
from servers import (
    BENCH_DIR,
    REPO,
    BenchError,
    DevServer,
    TimerGauge,
    clean_env,
    log,
    spawn,
    stop,
    tail,
    wait_for_first_timers,
    wait_for_pollers,
)

from campaigns.accounts import load_accounts
from campaigns.campaign import load_campaign
from campaigns.plan import build_plan, launch_order
from contracts.ids import TASK_QUEUE as WINBACK_QUEUE
from contracts.ids import launch_workflow_id, workflow_id_for
from winback import encryption
from winback.settings import Settings
from workflows.launch import LaunchWorkflow

CAMPAIGN: Final = REPO / "campaigns" / "examples" / "spring-winback.yaml"


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
        # The reference worker holds no customer data and runs without the codec (bench/reference.py).
        client = await server.start(temporalio.converter.default())
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
        # The codec keys the worker and `launch` processes read from the same data folder.
        settings = Settings(data_dir=data_dir, task_queue=WINBACK_QUEUE, public_url="http://localhost:8000")
        client = await server.start(encryption.converter_for(settings))
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
