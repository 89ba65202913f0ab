"""The sequence's state record, in a module of its own so that the workflow sandbox passes it
through: a dataclass defined inside workflows/sequence.py would be rebuilt for every new
workflow, a measurable share of a 10,000-account launch's worker CPU."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contracts.sequence import STATE_SCHEDULED, NextAction, OpenTask, TaskCompletion, TouchRecord


@dataclass
class SequenceState:
    """Everything the sequence knows, in one place (the status query reads it)."""

    state: str = STATE_SCHEDULED
    current_touch: int = 0
    touches: list[TouchRecord] = field(default_factory=list)
    next_action: NextAction | None = None
    open_task: OpenTask | None = None
    task_result: TaskCompletion | None = None
    paused: bool = False
    pause_reason: str = ""
    pause_until: datetime | None = None
    skip_requested: int | None = None  # touch number to skip
    outcome: str | None = None
    outcome_reason: str = ""
    thread_root_id: str = ""
    thread_subject: str = ""
