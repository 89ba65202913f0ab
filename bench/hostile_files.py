"""How long the worst campaign file and churn-detail pattern within the limits take.

The limits (campaigns/yamlfile.py, campaigns/audience.py; docs/ARCHITECTURE.md) turn hangs
and crashes into one-line refusals; this measures what they still let through (PyYAML is pure
Python here, and reads a file twice: once for the limits, once to build it). Target on a
2-core machine: every file here loads or is refused in under 5 s, and the largest pattern
allowed matches a 10 KB churn detail in under 50 ms.

    .venv/bin/python -m bench.hostile_files
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from campaigns.audience import detail_pattern
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.yamlfile import MAX_DEPTH, MAX_FILE_BYTES

HEAD: Final = (
    "id: a\nname: b\nplaybooks: {default: time_based}\n"
    "sender: {from: 'Aino Virtanen <aino@winback.example>', postal_address: x}\n"
)


def files() -> dict[str, str]:
    """Each file just under MAX_FILE_BYTES, built to be slow in a different part."""
    return {
        "20,000 unknown keys (a line each)": "".join(f"k{i}: {i}\n" for i in range(20_000)),
        "30,000 unknown weekdays": "schedule:\n  weekdays: ["
        + ", ".join(f"d{i}" for i in range(30_000))
        + "]\n",
        "6,000 blackouts (valid)": HEAD
        + "schedule:\n  blackout:\n"
        + "    - {from: 2027-01-01, to: 2027-01-02}\n" * 6_000,
        "nested to the limit, repeated": HEAD
        + "".join(f"x{i}: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n" for i in range(5_000)),
        "one 250 KB value": HEAD.replace("id: a", "id: " + "a" * 250_000),
    }


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def load(path: Path) -> None:
    with contextlib.suppress(ConfigError):  # a refusal is as much an answer as a campaign
        load_campaign(path)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "campaign.yaml"
        for name, text in files().items():
            assert len(text.encode()) <= MAX_FILE_BYTES, name
            path.write_text(text, encoding="utf-8")
            print(f"{timed(lambda: load(path)):6.2f} s  {name} ({len(text.encode()):,} bytes)")
    # About 2,000 compiled steps: the most campaigns/audience.py accepts.
    pattern = detail_pattern("/(.*a){180}/")
    detail = "ab " * 3_400
    runs = 20
    seconds = timed(lambda: [pattern.search(detail) for _ in range(runs)]) / runs
    print(f"{seconds * 1000:6.2f} ms  /(.*a){{180}}/ on a {len(detail):,}-character detail")


if __name__ == "__main__":
    main()
