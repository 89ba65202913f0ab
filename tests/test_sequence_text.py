"""What a CSM reads about a sequence: current details and local times."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.exceptions import ActivityError, ApplicationError, RetryState

from campaigns.model import PlannedTouch
from workflows import sequence_text as text
from workflows.sequence_state import SequenceState

EMAIL = PlannedTouch(number=1, channel="email", waits=(), template="product_gap/01_whats_new")
CALL = PlannedTouch(number=3, channel="call", waits=(), template="product_gap/03_call")
TZ = "America/New_York"
AT = datetime(2027, 4, 6, 18, 0, tzinfo=UTC)


def test_local_times_read_in_the_recipients_city() -> None:
    assert text.local_words(AT, TZ) == "Tue 6 Apr 14:00 New York"
    assert text.local_minute(AT, TZ) == "2027-04-06 14:00"
    assert text.local_iso(AT, TZ) == "2027-04-06T14:00:00-04:00"


def test_details_say_what_comes_next_and_when() -> None:
    s = SequenceState(tz=TZ)
    assert text.details(s, 5, TZ) == "starting"
    s.next_action = text.next_action(CALL, 5, AT, TZ)
    # The recipient's time first, then the same moment in UTC, as the UI shows times.
    assert text.details(s, 5, TZ) == (
        "touch 3/5: call task for the owner, scheduled Tue 6 Apr 14:00 New York (18:00 UTC)"
    )


def test_a_paused_sequence_says_until_when_why_and_what_comes_after() -> None:
    s = SequenceState(tz=TZ, paused=True, pause_until=AT, pause_reason="customer on leave")
    # The slot from before the pause is stale: it never shows while paused.
    s.next_action = text.next_action(EMAIL, 4, datetime(2027, 4, 1, 13, tzinfo=UTC), TZ)
    assert text.details(s, 4, TZ) == (
        "paused until Tue 6 Apr 14:00 New York (18:00 UTC) (customer on leave); "
        "the next touch waits for the resume"
    )
    s.after_pause = text.next_action(CALL, 4, datetime(2027, 4, 8, 18, tzinfo=UTC), TZ)
    assert text.details(s, 4, TZ) == (
        "paused until Tue 6 Apr 14:00 New York (18:00 UTC) (customer on leave); "
        "then touch 3/4: call task for the owner, scheduled Thu 8 Apr 14:00 New York (18:00 UTC)"
    )
    assert text.state_label(s) == "paused"


def test_a_pause_to_the_start_of_a_day_reads_as_that_day_where_the_customer_is() -> None:
    berlin = "Europe/Berlin"
    midnight = datetime(2026, 12, 14, 23, tzinfo=UTC)  # 15 Dec 00:00 in Berlin
    s = SequenceState(tz=berlin, paused=True, pause_until=midnight, pause_reason="customer on leave")
    assert text.details(s, 5, berlin).startswith(
        "paused until Tue 15 Dec Berlin (Mon 14 Dec 23:00 UTC) (customer on leave); "
    )
    assert text.details(SequenceState(tz=berlin, paused=True), 5, berlin) == (
        "paused until resumed; the next touch waits for the resume"
    )


def test_a_refused_input_shows_until_the_next_accepted_action() -> None:
    s = SequenceState(tz=TZ)
    s.next_action = text.next_action(EMAIL, 4, AT, TZ)
    s.refuse(AT, 'pause refused: "until" must be a date like 2026-12-15')
    assert text.details(s, 4, TZ).endswith('; pause refused: "until" must be a date like 2026-12-15')
    assert s.refused == ['2027-04-06 18:00 UTC pause refused: "until" must be a date like 2026-12-15']
    s.accepted()
    assert "refused" not in text.details(s, 4, TZ) and len(s.refused) == 1


def test_an_ended_sequence_says_how_it_ended() -> None:
    s = SequenceState(tz=TZ)
    s.finish("declined", "built it in-house")
    assert text.details(s, 5, TZ) == "ended: declined (built it in-house) after 0/5 touches"
    assert text.state_label(s) == "declined"


def test_a_pause_line_names_both_ends_in_local_time() -> None:
    resumed = datetime(2027, 4, 13, 18, 0, tzinfo=UTC)
    line = text.pause_line(AT, resumed, "holiday", TZ)
    assert line == "2027-04-06 14:00 -> 2027-04-13 14:00: paused (holiday)"
    assert text.pause_line(AT, resumed, "", TZ).endswith(": paused")


def test_a_failed_touch_records_the_activitys_own_message() -> None:
    err = ActivityError(
        "activity failed",
        scheduled_event_id=1,
        started_event_id=2,
        identity="w",
        activity_type="send_email",
        activity_id="1",
        retry_state=RetryState.NON_RETRYABLE_FAILURE,
    )
    err.__cause__ = ApplicationError("template product_gap/01 failed: 'offer' is undefined")
    assert text.failure_note(err) == "template product_gap/01 failed: 'offer' is undefined"
