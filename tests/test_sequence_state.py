"""The sequence's state transitions, without a server: what pause, resume, a task report and a
skip do to what the CSM sees."""

from __future__ import annotations

from datetime import UTC, datetime

from campaigns.model import PlannedTouch
from contracts.sequence import (
    STATE_TASK_OPEN,
    STATE_WAITING,
    PauseRequest,
    RenderedMessage,
    SkipRequest,
    TaskCompletion,
)
from workflows.sequence_state import SequenceState

CALL = PlannedTouch(number=2, channel="call", waits=(), template="product_gap/03_call")
AT = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
DUE = datetime(2027, 3, 25, 8, 0, tzinfo=UTC)


def opened() -> SequenceState:
    s = SequenceState(tz="Europe/Helsinki")
    s.open(CALL, RenderedMessage("", "call script", "", "en/x.j2"), assigned=AT, due=DUE)
    return s


def test_a_task_opens_with_its_due_time_in_the_recipients_zone() -> None:
    s = opened()
    assert s.state == STATE_TASK_OPEN
    assert s.open_task is not None
    assert s.open_task.due_local == "2027-03-25T10:00:00+02:00"
    assert s.open_task.text == "call script"


def test_a_date_without_a_zone_pauses_until_that_moment_in_utc() -> None:
    s = SequenceState(tz="Europe/Helsinki")
    assert s.pause(PauseRequest(until=datetime(2027, 4, 15), reason="on leave"))
    assert s.paused and s.pause_until == datetime(2027, 4, 15, tzinfo=UTC)
    assert s.pause_reason == "on leave"


def test_an_ended_sequence_ignores_a_pause_and_a_skip() -> None:
    s = SequenceState(tz="UTC")
    s.finish("replied", "the contact replied")
    assert not s.pause(PauseRequest(reason="late"))
    s.request_skip(SkipRequest())
    assert not s.paused and s.skip_requested is None


def test_resume_returns_to_the_open_task_or_to_waiting() -> None:
    s = opened()
    s.pause(PauseRequest())
    assert s.resume() and s.state == STATE_TASK_OPEN
    assert not s.resume()  # not paused any more: nothing to publish
    waiting = SequenceState(tz="UTC")
    waiting.pause(PauseRequest())
    assert waiting.resume() and waiting.state == STATE_WAITING


def test_a_task_report_from_a_stale_screen_is_refused() -> None:
    s = opened()
    assert s.task_report_refused(TaskCompletion(outcome="done", touch=1)) == (
        "complete_task refused: the open task is touch 2, not 1"
    )
    assert s.task_report_refused(TaskCompletion(outcome="maybe")) == (
        "complete_task refused: unknown outcome 'maybe'"
    )
    nothing_open = SequenceState(tz="UTC")
    assert nothing_open.task_check(TaskCompletion()) == "complete_task refused: no task is open now"
    assert s.task_result is None
    assert s.task_report_refused(TaskCompletion(outcome="no_answer", touch=2)) is None
    assert s.task_result == TaskCompletion(outcome="no_answer", touch=2)


def test_a_skip_without_a_touch_means_the_current_one() -> None:
    s = SequenceState(tz="UTC", current_touch=3)
    s.request_skip(SkipRequest())
    assert s.skip_requested == 3
    s.request_skip(SkipRequest(touch=5))
    assert s.skip_requested == 5


def test_a_recorded_touch_keeps_utc_and_the_local_time() -> None:
    s = SequenceState(tz="Asia/Tokyo")
    s.record(CALL, "task_done", at=AT, deferred=("a -> b: public holiday",), note="left a voicemail")
    (t,) = s.touches
    assert (t.number, t.status, t.at_utc, t.at_local) == (2, "task_done", AT, "2027-03-22T17:00:00+09:00")
    assert t.deferred == ["a -> b: public holiday"]
