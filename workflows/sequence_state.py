"""The sequence's state record, in a module of its own so that the workflow sandbox passes it
through: a dataclass defined inside workflows/sequence.py would be rebuilt for every new
workflow, a measurable share of a 10,000-account launch's worker CPU."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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
    RescheduleRequest,
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
    pause_version: int = 0  # bumped by every pause, so a waiting pause sees a new `until`
    paused_since: datetime | None = None  # when the pause began, for where the next touch lands
    after_pause: NextAction | None = None  # where the next action lands once the pause ends
    reschedule: RescheduleRequest | None = None  # an owner's move, until the touch loop takes it
    refused: list[str] = field(default_factory=list)  # inputs refused, newest last
    last_refused: str = ""  # shown in current details until the next accepted action

    # Checks: why an action cannot be taken now, or None. The update validators refuse with
    # these; the signals (machines) are lenient as they always were.

    def pause_refused(self) -> str | None:
        return self._ended()

    def resume_refused(self) -> str | None:
        return self._ended() or (None if self.paused else "resume refused: the sequence is not paused")

    def stop_refused(self, action: str) -> str | None:
        return self._ended(action)

    def skip_refused(self, req: SkipRequest, total: int) -> str | None:
        ended = self._ended("skip_touch")
        if ended or req.touch is None:
            return ended
        if not max(1, self.current_touch) <= req.touch <= total:
            first = max(1, self.current_touch)
            return f"skip_touch refused: touch {req.touch} is not ahead; give {first} to {total} or null"
        return None

    def reschedule_refused(self, req: RescheduleRequest) -> str | None:
        ended = self._ended("reschedule")
        if ended:
            return ended
        if self.paused:
            return (
                "reschedule refused: the sequence is paused; resume it first, or pause until the day you mean"
            )
        if self.open_task is not None:
            return (
                f"reschedule refused: touch {self.open_task.touch} is an open task; "
                "complete_task or skip_touch it"
            )
        if req.touch is not None and req.touch != max(1, self.current_touch):
            return (
                f"reschedule refused: the touch waited for is {max(1, self.current_touch)}, not {req.touch}"
            )
        return None

    def _ended(self, action: str = "pause") -> str | None:
        if self.outcome is None:
            return None
        return f"{action} refused: the sequence has ended ({self.outcome})"

    def refuse(self, at: datetime, line: str) -> None:
        """Keep a refused input where the CSM looks: status and current details."""
        stamp = f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        self.last_refused = line
        self.refused = [*self.refused[-9:], f"{stamp} {line}"]

    def accepted(self) -> None:
        self.last_refused = ""

    # Transitions: pure, so the workflow keeps only waiting, activities and publishing.

    def pause(self, req: PauseRequest, at: datetime | None = None) -> bool:
        """Pause (an ended sequence ignores it); False when nothing changed."""
        if self.outcome is not None:
            return False
        if not self.paused:
            self.paused_since = at
        until = req.until
        if until is not None and until.tzinfo is None:
            # Sequences older than contracts/actions.py read a zoneless time as UTC.
            until = until.replace(tzinfo=UTC)
        self.paused = True
        self.pause_reason = req.reason
        self.pause_until = until
        self.pause_version += 1
        self.after_pause = None
        return True

    def resume(self) -> bool:
        """Resume; False when it was not paused."""
        if not self.paused:
            return False
        self.paused = False
        self.pause_reason = ""
        self.pause_until = None
        self.after_pause = None
        if self.outcome is None:
            self.state = STATE_TASK_OPEN if self.open_task else STATE_WAITING
        return True

    def task_report_refused(self, req: TaskCompletion) -> str | None:
        """Take a report on the open task; why it was refused, or None when taken."""
        refused = self.task_check(req)
        if refused is None:
            self.task_result = req
        return refused

    def task_check(self, req: TaskCompletion) -> str | None:
        task = self.open_task
        if self.outcome is not None:
            return self._ended("complete_task")
        if task is None:
            return "complete_task refused: no task is open now"
        if req.outcome not in TASK_OUTCOMES:
            return f"complete_task refused: unknown outcome {req.outcome!r}"
        if req.touch is not None and req.touch != task.touch:
            return f"complete_task refused: the open task is touch {task.touch}, not {req.touch}"
        return None

    def request_skip(self, req: SkipRequest) -> None:
        if self.outcome is None:
            self.skip_requested = req.touch if req.touch is not None else max(1, self.current_touch)

    def request_reschedule(self, req: RescheduleRequest) -> None:
        self.reschedule = req

    def take_reschedule(self) -> RescheduleRequest | None:
        req, self.reschedule = self.reschedule, None
        return req

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
        locale: str = "",
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
                locale=locale,
            )
        )


def whole_minutes(span: timedelta) -> timedelta:
    """A pause's length as touches shift by it: whole minutes keep a clean time of day."""
    return timedelta(minutes=round(span.total_seconds() / 60))
