"""What a sequence shows a person: current details in the Temporal UI, times in the recipient's
zone, and the status query's record.

Pure functions of the sequence's input and state, passed through the workflow sandbox like the
state record (docs/ARCHITECTURE.md, "Packages and what may import what").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from temporalio.exceptions import ActivityError, ApplicationError

from campaigns import calendar
from campaigns.model import PlannedTouch
from contracts import ids
from contracts.sequence import (
    COMPLETED_NO_REPLY,
    DECLINED,
    STATE_PAUSED,
    STOP_OUTCOMES,
    UNSUBSCRIBED,
    NextAction,
    SequenceInput,
    SequenceResult,
    SequenceStatus,
    TriggerEvidence,
)
from workflows.sequence_state import SequenceState

CHANNEL_WORDS: Final = {
    "email": "email",
    "content": "content email",
    "linkedin": "LinkedIn task for the owner",
    "call": "call task for the owner",
    "executive": "executive outreach task for the owner",
}


def local_iso(when: datetime, tz: str) -> str:
    return calendar.to_local(when, tz).isoformat()


def local_minute(when: datetime, tz: str) -> str:
    """'2027-01-12 09:00': the form every deferral line uses."""
    return f"{calendar.to_local(when, tz):%Y-%m-%d %H:%M}"


def local_words(when: datetime, tz: str) -> str:
    """'Tue 6 Apr 14:00 Helsinki': what a CSM reads in the UI."""
    local = calendar.to_local(when, tz)
    city = tz.rsplit("/", 1)[-1].replace("_", " ")
    return f"{local:%a} {local.day} {local:%b %H:%M} {city}"


def touch_words(touch: PlannedTouch, total: int) -> str:
    return f"touch {touch.number}/{total}: {CHANNEL_WORDS.get(touch.channel, touch.channel)}"


def next_action(
    touch: PlannedTouch, total: int, at: datetime, tz: str, deferred: tuple[str, ...] = ()
) -> NextAction:
    return NextAction(
        touch=touch.number,
        description=touch_words(touch, total),
        at_utc=at,
        at_local=local_iso(at, tz),
        deferred=list(deferred),
    )


def pause_line(paused_at: datetime, resumed_at: datetime, reason: str, tz: str) -> str:
    """Why a touch moved: '2027-01-12 09:00 -> 2027-01-19 09:00: paused (customer on leave)'."""
    why = f" ({reason})" if reason else ""
    return f"{local_minute(paused_at, tz)} -> {local_minute(resumed_at, tz)}: paused{why}"


def moved_line(was: datetime, to: datetime, reason: str, tz: str) -> str:
    """'2027-01-12 09:00 -> 2027-01-19 14:00: moved by the owner (after their board meeting)';
    the calendar's line from there says if the rules moved it further."""
    why = f" ({reason})" if reason else ""
    return f"{local_minute(was, tz)} -> {local_minute(to, tz)}: moved by the owner{why}"


def late_line(due: datetime, woke: datetime, tz: str) -> str:
    """Why a touch missed its slot: '2027-01-11 09:00 -> 2027-01-11 22:00: overdue, no worker
    ran it in time'; the calendar's line from there says where it went instead."""
    return f"{local_minute(due, tz)} -> {local_minute(woke, tz)}: overdue, no worker ran it in time"


def state_label(s: SequenceState) -> str:
    return s.outcome or (STATE_PAUSED if s.paused else s.state)


def why_started(trigger: TriggerEvidence) -> str:
    """The story behind a sequence a watcher started, as the CSM reads it (no personal data:
    a headline, its date and its link)."""
    when = f" ({trigger.published[:10]})" if trigger.published else ""
    link = f" {trigger.url}" if trigger.url else ""
    return f"started by {trigger.kind.replace('_', ' ')}: “{trigger.title}”{when}{link}"


def details(s: SequenceState, total: int, tz: str, trigger: TriggerEvidence | None = None) -> str:
    why = f"; {why_started(trigger)}" if trigger is not None else ""
    return _details(s, total, tz) + why


def _details(s: SequenceState, total: int, tz: str) -> str:
    if s.outcome is not None:
        return f"ended: {s.outcome} ({s.outcome_reason}) after {len(s.touches)}/{total} touches"
    refused = f"; {s.last_refused}" if s.last_refused else ""
    if s.paused:
        until = f" until {pause_end_words(s.pause_until, tz)}" if s.pause_until else " until resumed"
        why = f" ({s.pause_reason})" if s.pause_reason else ""
        after = s.after_pause
        then = f"then {_action_words(s, after, tz)}" if after else "the next touch waits for the resume"
        return f"paused{until}{why}; {then}{refused}"
    na = s.next_action
    if na is None:
        return f"starting{refused}"
    return f"{_action_words(s, na, tz)}{refused}"


def _action_words(s: SequenceState, na: NextAction, tz: str) -> str:
    verb = "due" if s.open_task else "scheduled"
    return f"{na.description}, {verb} {both_words(na.at_utc, tz)}"


def both_words(when: datetime, tz: str) -> str:
    """The recipient's time, then the same moment in UTC as the UI shows times by default:
    'Thu 3 Dec 09:00 Helsinki (07:00 UTC)'."""
    local = calendar.to_local(when, tz)
    utc = when.astimezone(UTC)
    day = "" if utc.date() == local.date() else f"{utc:%a} {utc.day} {utc:%b} "
    return f"{local_words(when, tz)} ({day}{utc:%H:%M} UTC)"


def pause_end_words(when: datetime, tz: str) -> str:
    """'Tue 15 Dec Berlin (Mon 14 Dec 23:00 UTC)' for a pause to the start of a day there, else
    the minute as both_words says it."""
    local = calendar.to_local(when, tz)
    if local.hour or local.minute:
        return both_words(when, tz)
    city = tz.rsplit("/", 1)[-1].replace("_", " ")
    utc = when.astimezone(UTC)
    return f"{local:%a} {local.day} {local:%b} {city} ({utc:%a} {utc.day} {utc:%b %H:%M} UTC)"


def status(inp: SequenceInput, s: SequenceState) -> SequenceStatus:
    total = len(inp.plan.touches)
    return SequenceStatus(
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        playbook_id=inp.plan.playbook_id,
        tier=inp.account.tier,
        owner_handle=inp.account.owner_handle,
        state=state_label(s),
        current_touch=s.current_touch,
        total_touches=total,
        touches=list(s.touches),
        details=details(s, total, inp.account.timezone, inp.trigger),
        next_action=None if s.outcome else (s.after_pause if s.paused else s.next_action),
        open_task=s.open_task,
        paused=s.paused,
        pause_reason=s.pause_reason,
        pause_until=s.pause_until,
        outcome=s.outcome,
        outcome_reason=s.outcome_reason,
        trigger=inp.trigger,
        pause_until_local=local_iso(s.pause_until, inp.account.timezone) if s.pause_until else "",
        refused=list(s.refused),
    )


def result(inp: SequenceInput, s: SequenceState) -> SequenceResult:
    assert s.outcome is not None
    return SequenceResult(
        account_id=inp.account.account_id,
        campaign_id=inp.campaign_id,
        outcome=s.outcome,
        reason=s.outcome_reason,
        touches=list(s.touches),
    )


def failure_note(err: ActivityError) -> str:
    """What a failed touch records: the activity's own message, not the wrapper's."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return cause.message
    return str(cause or err)


def suppressed_outcome(err: ActivityError) -> str | None:
    """The outcome a send refused for suppression ends the sequence with (ids.SUPPRESSED_ERROR)."""
    cause = err.cause
    if not isinstance(cause, ApplicationError) or cause.type != ids.SUPPRESSED_ERROR:
        return None
    details = cause.details
    outcome = details[0] if details and isinstance(details[0], str) else ""
    return outcome if outcome in (*STOP_OUTCOMES, DECLINED, COMPLETED_NO_REPLY) else UNSUBSCRIBED
