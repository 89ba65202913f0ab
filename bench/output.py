"""How every bench script reports: progress on stderr, the figures on stdout as a table or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(figures: dict[str, Any], *, as_json: bool, table: Callable[[dict[str, Any]], str]) -> None:
    """The figures for a person (a table) or a script (JSON); a missed target is also said on
    stderr with JSON, so a pipe into a file still shows it."""
    if as_json:
        print(json.dumps(figures, indent=2))
        for line in figures["targets_missed"]:
            log(line)
    else:
        print(table(figures), end="")
