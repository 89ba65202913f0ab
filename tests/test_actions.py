"""What a CSM types into the UI's dialogs, read strictly: dates are the customer's, mistakes are
one line that names the field and shows what to type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import actions
from contracts.actions import Refused, Zone
from contracts.sequence import PauseRequest, RescheduleRequest, SkipRequest, TaskCompletion

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
BERLIN = Zone("Europe/Berlin", NOW)


def test_a_date_is_the_start_of_that_day_where_the_customer_is() -> None:
    req = actions.read_pause({"until": "2026-12-15", "reason": "customer on leave"}, BERLIN)
    assert req == PauseRequest(until=datetime(2026, 12, 14, 23, 0, tzinfo=UTC), reason="customer on leave")
    helsinki = actions.read_pause({"until": "2026-12-15"}, Zone("Europe/Helsinki", NOW))
    assert helsinki.until == datetime(2026, 12, 14, 22, 0, tzinfo=UTC)


def test_a_time_without_an_offset_is_the_customers_and_one_with_an_offset_is_kept() -> None:
    local = actions.read_pause({"until": "2026-12-15T09:00"}, BERLIN)
    assert local.until == datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
    explicit = actions.read_pause({"until": "2026-12-15T09:00:00+00:00"}, BERLIN)
    assert explicit.until == datetime(2026, 12, 15, 9, 0, tzinfo=UTC)
    # A wall time the clocks skip (the spring-forward gap) is the first moment after it.
    gap = actions.read_pause({"until": "2027-03-28T02:30"}, BERLIN)
    assert gap.until == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_no_input_and_a_null_until_pause_until_resumed() -> None:
    assert actions.read_pause(None, BERLIN) == PauseRequest()
    assert actions.read_pause({"until": None, "reason": "on leave"}, BERLIN) == PauseRequest(
        reason="on leave"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (
            {"until": "15.12.2026"},
            'pause refused: "until" must be a date like 2026-12-15 or a date and time like '
            '2026-12-15T09:00 (the customer\'s time in Europe/Berlin); got "15.12.2026". '
            'Example: {"until": "2026-12-15", "reason": "customer on leave"}',
        ),
        ({"until": 20261215}, 'pause refused: "until" must be a date like 2026-12-15'),
        (
            {"untill": "2026-12-15"},
            'pause refused: unknown field "untill"; it takes "until", "reason". Example',
        ),
        ("2026-12-15", 'pause refused: the input must be a JSON object; got "2026-12-15"'),
        ({"until": "2026-11-30"}, 'pause refused: "until" 2026-11-30 is already past in Europe/Berlin'),
        ({"until": "2028-01-01"}, 'pause refused: "until" is more than a year away; cancel the sequence'),
        ({"reason": 5}, 'pause refused: "reason" must be text in quotes; got 5'),
    ],
)
def test_a_pause_the_sequence_cannot_take_is_one_line_that_says_what_to_type(
    value: object, says: str
) -> None:
    with pytest.raises(Refused) as refused:
        actions.read_pause(value, BERLIN)
    message = str(refused.value)
    assert message.startswith(says) and "\n" not in message


def test_a_pasted_essay_is_cut_in_the_refusal() -> None:
    with pytest.raises(Refused) as refused:
        actions.read_pause({"until": "next " * 200}, BERLIN)
    assert len(str(refused.value)) < 400


def test_sequences_older_than_these_rules_read_a_zoneless_date_as_utc_without_limits() -> None:
    legacy = Zone("UTC", None)
    assert actions.read_pause({"until": "2020-01-01"}, legacy).until == datetime(2020, 1, 1, tzinfo=UTC)


def test_each_action_reads_its_own_fields() -> None:
    assert actions.read_task_completion({"outcome": "no_answer", "touch": 2}) == TaskCompletion(
        outcome="no_answer", touch=2
    )
    assert actions.read_task_completion(None) == TaskCompletion()
    with pytest.raises(
        Refused, match='complete_task refused: "outcome" must be one of done, skipped, no_answer'
    ):
        actions.read_task_completion({"outcome": "finished"})
    with pytest.raises(Refused, match='"touch" must be a touch number'):
        actions.read_skip({"touch": "two"})
    with pytest.raises(Refused, match='"touch" must be a touch number'):
        actions.read_skip({"touch": True})
    assert actions.read_skip({"touch": 3, "note": " email  only "}) == SkipRequest(touch=3, note="email only")
    assert actions.read_reply({"note": "asked for a call"}).note == "asked for a call"
    assert actions.read_decline({"reason": "in-house"}).reason == "in-house"
    with pytest.raises(Refused, match='stop refused: "outcome" must be one of unsubscribed, bounced'):
        actions.read_stop({"outcome": "replied"})


def test_a_reschedule_needs_a_moment_in_the_customers_time() -> None:
    req = actions.read_reschedule({"at": "2026-12-17T14:00", "touch": 2, "reason": "board meeting"}, BERLIN)
    assert req == RescheduleRequest(
        at=datetime(2026, 12, 17, 13, 0, tzinfo=UTC), touch=2, reason="board meeting"
    )
    with pytest.raises(Refused, match='reschedule refused: "at" is required'):
        actions.read_reschedule({}, BERLIN)
    with pytest.raises(Refused, match="is already past"):
        actions.read_reschedule({"at": (NOW - timedelta(hours=1)).isoformat()}, BERLIN)
