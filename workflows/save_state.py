"""The save's state record and its pure transitions, in a module of its own so that the workflow
sandbox passes it through (as workflows/sequence_state.py does for sequences)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from campaigns import calendar
from campaigns.concessions import decision_refused
from campaigns.save_playbook import SaveTask
from contracts.intent import IntentNotice
from contracts.saves import (
    PENDING,
    TASK_OPEN,
    TASK_PENDING,
    ChainLink,
    ConcessionDecision,
    ConcessionRecord,
    ConcessionRequest,
    TaskReport,
    TaskView,
)
from contracts.sequence import PauseRequest


@dataclass
class SaveState:
    """Everything the save knows (the status query reads it)."""

    tz: str  # the customer's zone: every local time the save shows is in it
    tasks: list[TaskView] = field(default_factory=list)
    concessions: list[ConcessionRecord] = field(default_factory=list)
    paused: bool = False
    pause_reason: str = ""
    pause_until: datetime | None = None
    pause_version: int = 0  # bumped by every pause, so a waiting pause sees a new `until`
    outcome: str | None = None
    outcome_reason: str = ""
    version: int = 0  # bumped by every change the run loop waits for
    refused: list[str] = field(default_factory=list)  # inputs refused, newest last
    last_refused: str = ""  # shown in current details until the next accepted action
    intents: list[IntentNotice] = field(default_factory=list)  # cancel intents heard, in order

    @classmethod
    def planned(cls, tz: str, tasks: tuple[SaveTask, ...]) -> SaveState:
        views = [
            TaskView(
                task_id=t.task_id,
                number=t.number,
                kind=t.kind,
                title=t.title,
                owner=t.owner.split("@", 1)[0],
                state=TASK_PENDING,
                after=list(t.after),
            )
            for t in tasks
        ]
        return cls(tz=tz, tasks=views)

    # --- tasks -------------------------------------------------------------------------------

    def open_tasks(self) -> list[TaskView]:
        return [t for t in self.tasks if t.state == TASK_OPEN]

    def ready(self) -> list[TaskView]:
        """Tasks still to open whose predecessors are each closed or past their deadline."""
        settled = {t.task_id for t in self.tasks if t.state not in (TASK_PENDING, TASK_OPEN) or t.overdue}
        return [t for t in self.tasks if t.state == TASK_PENDING and set(t.after) <= settled]

    def open(self, task: TaskView, *, at: datetime, due: datetime) -> None:
        task.state = TASK_OPEN
        task.opened_utc = at
        self._set_due(task, due)

    def _set_due(self, task: TaskView, due: datetime) -> None:
        task.due_utc = due
        task.due_local = calendar.to_local(due, self.tz).isoformat()

    def mark_overdue(self, now: datetime) -> bool:
        """Open tasks past their deadline become overdue; True when any did."""
        changed = False
        for t in self.open_tasks():
            if not t.overdue and t.due_utc is not None and t.due_utc <= now:
                t.overdue = True
                changed = True
        return changed

    def next_deadline(self) -> TaskView | None:
        waiting = [t for t in self.open_tasks() if not t.overdue and t.due_utc is not None]
        return min(waiting, key=lambda t: (t.due_utc, t.number), default=None)

    def all_closed(self) -> bool:
        return all(t.state not in (TASK_PENDING, TASK_OPEN) for t in self.tasks)

    def shift_open_deadlines(self, by: timedelta) -> None:
        """A pause moves every open task's deadline by its length, as a sequence's."""
        for t in self.open_tasks():
            if t.due_utc is not None and not t.overdue:
                self._set_due(t, t.due_utc + by)

    def find(self, report: TaskReport) -> TaskView | None:
        for t in self.tasks:
            if (report.task_id and t.task_id == report.task_id) or (report.number == t.number):
                return t
        return None

    def task_refused(self, report: TaskReport) -> str | None:
        ended = self._ended("complete_task")
        if ended:
            return ended
        task = self.find(report)
        if task is None:
            which = report.task_id or report.number
            ids = ", ".join(t.task_id for t in self.open_tasks()) or "none"
            return f"complete_task refused: the save has no task {which}; open now: {ids}"
        if task.state != TASK_OPEN:
            word = "not open yet" if task.state == TASK_PENDING else f"already {task.state}"
            return f"complete_task refused: task {task.task_id} is {word}"
        return None

    def close(self, report: TaskReport, at: datetime) -> bool:
        """Close the task the report names; False when it cannot be (see task_refused)."""
        if self.task_refused(report) is not None:
            return False
        task = self.find(report)
        assert task is not None
        task.state = report.outcome
        task.closed_utc = at
        task.note = report.note or task.note
        self.version += 1
        return True

    # --- concessions -------------------------------------------------------------------------

    def request_refused(self) -> str | None:
        return self._ended("request_concession")

    def request(self, req: ConcessionRequest, *, at: datetime, role: str) -> ConcessionRecord:
        c = req.concession
        record = ConcessionRecord(
            number=len(self.concessions) + 1,
            concession=c,
            requested_by=req.requested_by,
            required_role=c.required_role,
            state=PENDING,
            chain=[
                ChainLink(at_utc=at, who=req.requested_by, role=role, action="requested", note=c.rationale)
            ],
        )
        self.concessions.append(record)
        self.version += 1
        return record

    def pending(self) -> list[ConcessionRecord]:
        return [c for c in self.concessions if c.state == PENDING]

    def decided(self, dec: ConcessionDecision) -> ConcessionRecord | None:
        if dec.concession is None:
            pending = self.pending()
            return pending[0] if len(pending) == 1 else None
        return next((c for c in self.concessions if c.number == dec.concession), None)

    def decision_refused(self, dec: ConcessionDecision, roles: Mapping[str, str]) -> str | None:
        ended = self._ended("decide_concession")
        if ended:
            return ended
        record = self.decided(dec)
        if record is None:
            numbers = ", ".join(str(c.number) for c in self.pending()) or "none"
            which = "no concession" if dec.concession is None else f"no concession {dec.concession}"
            return f"decide_concession refused: {which} to decide; pending: {numbers}"
        if record.state != PENDING:
            return f"decide_concession refused: concession {record.number} is already {record.state}"
        refused = decision_refused(record.concession, dec.approver, roles)
        return None if refused is None else f"decide_concession refused: {refused}"

    def decide(self, dec: ConcessionDecision, *, at: datetime, role: str) -> ConcessionRecord:
        record = self.decided(dec)
        assert record is not None
        record.state = dec.decision
        record.chain.append(
            ChainLink(at_utc=at, who=dec.approver, role=role, action=dec.decision, note=dec.note)
        )
        self.version += 1
        return record

    # --- pause and the end -------------------------------------------------------------------

    def pause_refused(self) -> str | None:
        return self._ended("pause")

    def resume_refused(self) -> str | None:
        return self._ended("resume") or (None if self.paused else "resume refused: the save is not paused")

    def outcome_refused(self, action: str) -> str | None:
        return self._ended(action)

    def pause(self, req: PauseRequest) -> bool:
        if self.outcome is not None:
            return False
        self.paused = True
        self.pause_reason = req.reason
        self.pause_until = req.until
        self.pause_version += 1
        self.version += 1
        return True

    def resume(self) -> bool:
        if not self.paused:
            return False
        self.paused = False
        self.pause_reason = ""
        self.pause_until = None
        self.version += 1
        return True

    def finish(self, outcome: str, reason: str) -> None:
        self.outcome = outcome
        self.outcome_reason = reason
        self.paused = False
        self.version += 1

    def _ended(self, action: str) -> str | None:
        if self.outcome is None:
            return None
        return f"{action} refused: the save has ended ({self.outcome})"

    def refuse(self, at: datetime, line: str) -> None:
        stamp = f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        self.last_refused = line
        self.refused = [*self.refused[-9:], f"{stamp} {line}"]

    def accepted(self) -> None:
        self.last_refused = ""
