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

This file is the entry point; the rest is in bench/servers.py (dev servers, processes, the
Prometheus counters: TimerGauge), bench/measure.py (memory and CPU sampling, the check against
the histories), bench/phases.py (the three phases; REFERENCE_POLLERS) and bench/report.py (the
figures, the targets, the table).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

BENCH_DIR: Final = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))  # run as a script from anywhere: its sibling modules

from output import emit, log  # noqa: E402
from phases import (  # noqa: E402
    REFERENCE_POLLERS,
    PhaseResult,
    plan_phase,
    reference_phase,
    winback_phase,
)
from report import summary, table  # noqa: E402
from servers import BenchError  # noqa: E402

from winback import connect  # noqa: E402


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
    emit(figures, as_json=args.json, table=table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
