"""Measuring for bench/launch.py: peak resident memory and CPU seconds of the processes under
test, sampled every 100 ms, and the check of the first-timer claim against the histories.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import psutil
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

SAMPLE_INTERVAL: Final = 0.1  # memory sampling


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
