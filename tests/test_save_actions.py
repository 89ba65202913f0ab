"""What a CSM types for a save, read strictly: tasks, concessions, decisions, the outcome."""

from __future__ import annotations

import pytest

from contracts.actions import Refused
from contracts.save_actions import (
    read_concession_request,
    read_decision,
    read_follow_up_report,
    read_outcome,
    read_task_report,
)
from contracts.save_followup import FollowUpReport
from contracts.saves import TaskReport

REQUEST = {
    "kind": "discount",
    "size": 12,
    "commitment": "renew by 30 April",
    "sunset": "year 1 only",
    "rationale": "keeps the account",
    "alternatives": "payment terms",
}


def test_a_task_by_id_or_number_and_a_sequence_tool_s_touch() -> None:
    assert read_task_report({"task": "issue-1", "note": "done"}) == TaskReport(task_id="issue-1", note="done")
    assert read_task_report({"task": 3, "outcome": "skipped"}) == TaskReport(number=3, outcome="skipped")
    assert read_task_report({"touch": 2, "outcome": "no_answer"}) == TaskReport(number=2, outcome="done")
    with pytest.raises(Refused, match=r'^complete_task refused: "task" is required'):
        read_task_report({})


def test_a_request_reads_a_bare_number_as_a_percentage_and_one_alternative_as_a_list() -> None:
    req = read_concession_request(REQUEST, root_cause="situational", owner="maria.lind")
    assert req.requested_by == "maria.lind" and req.concession.percent == 12.0
    assert req.concession.alternatives == ("payment terms",) and req.concession.required_role == "manager"


def test_a_request_s_problem_is_one_line_with_an_example() -> None:
    with pytest.raises(Refused) as err:
        read_concession_request({**REQUEST, "rebate": 1}, root_cause="situational", owner="x")
    assert str(err.value).startswith('request_concession refused: unknown field "rebate"; it takes "kind"')
    with pytest.raises(Refused) as err:
        read_concession_request(REQUEST, root_cause="product_fit", owner="x")
    assert '"override_reason" is required: the root cause is product_fit' in str(err.value)
    assert "Example: {" in str(err.value)


def test_decisions_and_outcomes() -> None:
    dec = read_decision({"approver": "Erik.Holm", "decision": "reject"})
    assert (dec.concession, dec.approver, dec.decision) == (None, "erik.holm", "rejected")
    with pytest.raises(Refused, match=r'^decide_concession refused: "decision" must be approve or reject'):
        read_decision({"approver": "a", "decision": "yes"})
    assert read_outcome(None, "saved").reason == ""
    with pytest.raises(Refused, match=r'^mark_lost refused: "reason" is required'):
        read_outcome({}, "lost")


def test_a_follow_up_report_names_its_task_and_shows_the_follow_up_s_example() -> None:
    assert read_follow_up_report({"task": " health-2 ", "note": "usage\nsteady"}) == FollowUpReport(
        task_id="health-2", note="usage steady"
    )
    assert read_follow_up_report({"task": "renewal-check", "outcome": "held"}).outcome == "held"
    example = r'Example: \{"task": "health-1", "outcome": "done"'
    with pytest.raises(Refused, match=r'^complete_task refused: "task" is required: .*' + example):
        read_follow_up_report({"outcome": "done"})
    with pytest.raises(Refused, match=r'^complete_task refused: unknown field "touch"; it takes "task"'):
        read_follow_up_report({"touch": 3})
    with pytest.raises(Refused, match=r'^complete_task refused: "task" is required'):
        read_follow_up_report(None)
    with pytest.raises(Refused, match=r'^complete_task refused: "outcome" must be text in quotes; got 1'):
        read_follow_up_report({"task": "health-1", "outcome": 1})
