"""The sequence's state record, in a module of its own so that the workflow sandbox passes it
through: a dataclass defined inside workflows/sequence.py would be rebuilt for every new
workflow, a measurable share of a 10,000-account launch's worker CPU."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from campaigns import calendar
from campaigns.model import PlannedTouch
from contracts.sequence import (
    STATE_SCHEDULED,
    STATE_TASK_OPEN,
    STATE_WAITING,
    TASK_OUTCOMES,
    NextAction,
    OpenTask,
    PauseRequest,
    RenderedMessage,
    SkipRequest,
    TaskCompletion,
    TouchRecord,
)


@dataclass
class SequenceState:
    """Everything the sequence knows, in one place (the status query reads it)."""

    tz: str  # the recipient's zone: every local time the sequence records is in it
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

    # Transitions: pure, so the workflow keeps only waiting, activities and publishing.

    def pause(self, req: PauseRequest) -> bool:
        """Pause (an ended sequence ignores it); False when nothing changed."""
        if self.outcome is not None:
            return False
        until = req.until
        if until is not None and until.tzinfo is None:
            # The UI's signal dialog takes free JSON: "2027-04-15" arrives without a zone.
            until = until.replace(tzinfo=UTC)
        self.paused = True
        self.pause_reason = req.reason
        self.pause_until = until
        return True

    def resume(self) -> bool:
        """Resume; False when it was not paused."""
        if not self.paused:
            return False
        self.paused = False
        self.pause_reason = ""
        self.pause_until = None
        if self.outcome is None:
            self.state = STATE_TASK_OPEN if self.open_task else STATE_WAITING
        return True

    def task_report_refused(self, req: TaskCompletion) -> str | None:
        """Take a report on the open task; why it was refused, or None when taken."""
        task = self.open_task
        if task is None or req.outcome not in TASK_OUTCOMES:
            return "no open task or unknown outcome"
        if req.touch is not None and req.touch != task.touch:
            return f"it names touch {req.touch}"
        self.task_result = req
        return None

    def request_skip(self, req: SkipRequest) -> None:
        if self.outcome is None:
            self.skip_requested = req.touch if req.touch is not None else max(1, self.current_touch)

    def open(
        self, touch: PlannedTouch, rendered: RenderedMessage, *, assigned: datetime, due: datetime
    ) -> OpenTask:
        """A manual task opens: the prepared message is what the owner sends or says."""
        self.task_result = None
        self.open_task = OpenTask(
            touch=touch.number,
            channel=touch.channel,
            template=touch.template,
            assigned_utc=assigned,
            due_utc=due,
            due_local=calendar.to_local(due, self.tz).isoformat(),
            subject=rendered.subject,
            text=rendered.body,
        )
        self.state = STATE_TASK_OPEN
        return self.open_task

    def finish(self, outcome: str, reason: str) -> None:
        self.outcome = outcome
        self.outcome_reason = reason
        self.paused = False
        self.next_action = None

    def record(
        self,
        touch: PlannedTouch,
        status: str,
        *,
        at: datetime,
        deferred: tuple[str, ...] = (),
        message_id: str = "",
        note: str = "",
    ) -> None:
        self.touches.append(
            TouchRecord(
                number=touch.number,
                channel=touch.channel,
                template=touch.template,
                status=status,
                at_utc=at,
                at_local=calendar.to_local(at, self.tz).isoformat(),
                deferred=list(deferred),
                message_id=message_id,
                note=note,
            )
        )
