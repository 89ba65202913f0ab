"""How every bench script reports: progress on stderr, the figures on stdout as a table or JSON."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
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


def run_in_scratch(
    prefix: str,
    args: argparse.Namespace,
    measure: Callable[[argparse.Namespace, Path], dict[str, Any]],
    table: Callable[[dict[str, Any]], str],
) -> int:
    """Measure in a temporary folder removed afterwards, then report the figures."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        figures = measure(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    emit(figures, as_json=args.json, table=table)
    return 0
