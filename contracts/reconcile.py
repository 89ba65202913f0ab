"""What the reconciler's workflow and its activity exchange: a look-back window in, counts out.

A sequence or a save that Temporal ended without letting it run its last step (terminated from
the UI or CLI, timed out, failed) never recorded its outcome; the reconciler finds such runs
through visibility and records them `cancelled` (activities/reconcile.py). Part of workflow
histories: add fields only with defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

# A week: a reconciler (or every worker) that was down for days still catches up on its return.
DEFAULT_LOOK_BACK_HOURS: Final = 7 * 24
# Enough for the result to say what happened without growing the history with thousands of ids.
MAX_LISTED: Final = 20


@dataclass(frozen=True)
class ReconcileInput:
    look_back_hours: int = DEFAULT_LOOK_BACK_HOURS


@dataclass(frozen=True)
class ReconcileRequest:
    closed_after: datetime  # sequences and saves Temporal closed after this moment are looked at


@dataclass
class ReconcileResult:
    """Counts of sequences and saves together; `saves_*` tells how many of them were saves (a
    result written before saves were reconciled has none)."""

    closed: int = 0  # sequences and saves terminated, timed out or failed in the window
    already_recorded: int = 0  # their outcome was in the store (recorded before they closed)
    recorded: int = 0  # outcomes this run wrote
    continued: int = 0  # a reset ended the run, but the sequence or save goes on in a newer one
    failed: int = 0  # could not be read (history gone, input not decodable)
    recorded_ids: list[str] = field(default_factory=list)  # workflow ids, the first MAX_LISTED
    failures: list[str] = field(default_factory=list)  # "winback-ACC-1: why", never personal data
    saves_closed: int = 0  # of `closed`, saves
    saves_recorded: int = 0  # of `recorded`, saves
