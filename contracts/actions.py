"""What a CSM types into the Temporal UI's "Send an Update" or "Send a Signal" dialog, read
strictly into the sequence's messages.

The dialogs take free JSON. Temporal's own converter would drop a signal it cannot read with a
line in the worker's log only, and reject an update with a parser's traceback; here every input
is read by hand, so a mistake is refused with one line that names the field and shows what to
type. Dates and times without an offset are the recipient's: "pause until the 15th" means the
start of the 15th where the customer is (docs/ARCHITECTURE.md, "The CSM's console").

Pure: the workflow's update validators and signal handlers call these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from campaigns import calendar
from contracts import ids
from contracts.sequence import (
    STOP_OUTCOMES,
    TASK_OUTCOMES,
    DeclineNotice,
    PauseRequest,
    ReplyNotice,
    RescheduleRequest,
    ResumeRequest,
    SkipRequest,
    StopNotice,
    TaskCompletion,
)

# The longest pause or the furthest reschedule: beyond a year a sequence should end, not wait.
LONGEST_WAIT: Final = timedelta(days=366)
# A quoted input is cut to this, so a refusal stays one line whatever was pasted.
_QUOTE: Final = 40

EXAMPLES: Final = {
    ids.PAUSE: '{"until": "2026-12-15", "reason": "customer on leave"}',
    ids.RESUME: "{}",
    ids.COMPLETE_TASK: '{"outcome": "done", "note": "left a voicemail", "touch": 2}',
    ids.SKIP_TOUCH: '{"touch": 3, "note": "they asked for email only"}',
    ids.MARK_REPLIED: '{"note": "asked for a call next week"}',
    ids.MARK_DECLINED: '{"reason": "built it in-house"}',
    ids.RESCHEDULE: '{"at": "2026-12-17T14:00", "reason": "after their board meeting"}',
    ids.STOP: '{"outcome": "bounced", "reason": "mailbox gone"}',
}


class Refused(ValueError):
    """An input the sequence cannot take; the message says what to type instead."""


@dataclass(frozen=True)
class Zone:
    """What a date is read against: the recipient's zone and the sequence's clock (None: no
    limits, as sequences that predate these rules read a date)."""

    tz: str
    now: datetime | None


def read_pause(value: object, zone: Zone) -> PauseRequest:
    f = _fields(value, ids.PAUSE, ("until", "reason"))
    until = None if f.get("until") is None else _moment(f["until"], ids.PAUSE, "until", zone)
    return PauseRequest(until=until, reason=_text(f, ids.PAUSE, "reason"))


def read_resume(value: object) -> ResumeRequest:
    f = _fields(value, ids.RESUME, ("note",))
    return ResumeRequest(note=_text(f, ids.RESUME, "note"))


def read_task_completion(value: object) -> TaskCompletion:
    f = _fields(value, ids.COMPLETE_TASK, ("outcome", "note", "touch"))
    outcome = f.get("outcome", "done")
    if outcome not in TASK_OUTCOMES:
        raise _refused(ids.COMPLETE_TASK, f'"outcome" must be one of {", ".join(TASK_OUTCOMES)}', outcome)
    return TaskCompletion(
        outcome=outcome,
        note=_text(f, ids.COMPLETE_TASK, "note"),
        touch=_touch(f, ids.COMPLETE_TASK),
    )


def read_skip(value: object) -> SkipRequest:
    f = _fields(value, ids.SKIP_TOUCH, ("touch", "note"))
    return SkipRequest(touch=_touch(f, ids.SKIP_TOUCH), note=_text(f, ids.SKIP_TOUCH, "note"))


def read_reply(value: object) -> ReplyNotice:
    f = _fields(value, ids.MARK_REPLIED, ("note",))
    return ReplyNotice(note=_text(f, ids.MARK_REPLIED, "note"))


def read_decline(value: object) -> DeclineNotice:
    f = _fields(value, ids.MARK_DECLINED, ("reason",))
    return DeclineNotice(reason=_text(f, ids.MARK_DECLINED, "reason"))


def read_stop(value: object) -> StopNotice:
    f = _fields(value, ids.STOP, ("outcome", "reason"))
    outcome = f.get("outcome")
    if outcome not in STOP_OUTCOMES:
        raise _refused(ids.STOP, f'"outcome" must be one of {", ".join(STOP_OUTCOMES)}', outcome)
    return StopNotice(outcome=outcome, reason=_text(f, ids.STOP, "reason"))


def read_reschedule(value: object, zone: Zone) -> RescheduleRequest:
    f = _fields(value, ids.RESCHEDULE, ("at", "touch", "reason"))
    if f.get("at") is None:
        raise _refused(ids.RESCHEDULE, '"at" is required: the day, or day and time, to move the touch to')
    return RescheduleRequest(
        at=_moment(f["at"], ids.RESCHEDULE, "at", zone),
        touch=_touch(f, ids.RESCHEDULE),
        reason=_text(f, ids.RESCHEDULE, "reason"),
    )


# --- pieces ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """How one family of actions reads the JSON a person typed (the sequence's here, a save's in
    contracts/save_actions.py): one line per mistake, with that action's example."""

    examples: Mapping[str, str]

    def fields(self, value: object, action: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.refused(action, "the input must be a JSON object", value)
        unknown = [k for k in value if k not in allowed]
        if unknown:
            takes = ", ".join(f'"{k}"' for k in allowed)
            raise self.refused(action, f'unknown field "{clip(str(unknown[0]))}"; it takes {takes}')
        return value

    def text(self, f: Mapping[str, Any], action: str, name: str) -> str:
        got = f.get(name)
        if got is None:
            return ""
        if not isinstance(got, str):
            raise self.refused(action, f'"{name}" must be text in quotes', got)
        # One line: it shows in current details and in the status.
        return " ".join(got.split())[:500]

    def refused(self, action: str, what: str, got: object = ...) -> Refused:
        shown = "" if got is ... else f"; got {clip(_json(got))}"
        return Refused(f"{action} refused: {what}{shown}. Example: {self.examples[action]}")


_READ: Final = Reader(EXAMPLES)


def _fields(value: object, action: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    return _READ.fields(value, action, allowed)


def _text(f: Mapping[str, Any], action: str, name: str) -> str:
    return _READ.text(f, action, name)


def _touch(f: Mapping[str, Any], action: str) -> int | None:
    got = f.get("touch")
    if got is None:
        return None
    if isinstance(got, bool) or not isinstance(got, int) or got < 1:
        raise _refused(action, '"touch" must be a touch number (1, 2, ...) or null', got)
    return got


def _moment(got: object, action: str, name: str, zone: Zone) -> datetime:
    """A date ("2026-12-15": the start of that day), a local time ("2026-12-15T09:00") or a time
    with an offset; the first two are the recipient's wall clock."""
    what = (
        f'"{name}" must be a date like 2026-12-15 or a date and time like 2026-12-15T09:00 '
        f"(the customer's time in {zone.tz})"
    )
    if not isinstance(got, str):
        raise _refused(action, what, got)
    text = got.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _refused(action, what, got) from None
    if parsed.tzinfo is None:
        moment = calendar.from_local(parsed, zone.tz)
    elif parsed.utcoffset() is None:
        raise _refused(action, what, got)
    else:
        moment = parsed.astimezone(UTC)
    if zone.now is None:
        return moment
    if moment <= zone.now:
        shown = _date_or_time(text, parsed)
        raise _refused(action, f'"{name}" {shown} is already past in {zone.tz}; give a later one')
    if moment - zone.now > LONGEST_WAIT:
        raise _refused(action, f'"{name}" is more than a year away; cancel the sequence instead')
    return moment


def _date_or_time(text: str, parsed: datetime) -> str:
    return parsed.date().isoformat() if len(text) == len(date.min.isoformat()) else clip(text)


def clip(text: str) -> str:
    """A quoted input on one line and at most _QUOTE characters, whatever was pasted."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE else text[: _QUOTE - 1] + "…"


def _refused(action: str, what: str, got: object = ...) -> Refused:
    return _READ.refused(action, what, got)


def _json(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)
