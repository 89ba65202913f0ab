"""What bench/launch.py prints: the figures, the targets, and the table."""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from phases import REFERENCE_POLLERS, PhaseResult, PlanResult
from servers import REPO

from winback import binaries

TARGET_RATIO: Final = 0.70
TARGET_PLAN_SECONDS: Final = 10.0


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
