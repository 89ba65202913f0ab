"""A save's tasks by effort and mode: which tasks, their owners, order and deadlines."""

from __future__ import annotations

import pytest

from campaigns.escalation import ESCALATION_STEPS
from campaigns.risk import FLAGS
from campaigns.save_effort import EFFORTS
from campaigns.save_mode import MODES
from campaigns.save_playbook import CONVERSATION_GUIDES, DEADLINES, ESCALATION_DAYS, ISSUES, save_tasks

OWNERS = {"csm": "maria.lind@winback.example", "manager": "sanna.virtanen", "executive": "claire.dubois"}
FLAGS_2 = ("engagement_drop", "negative_feedback")


def tasks(effort: str = "full", mode: str = "compressed", escalates: bool = True, flags=FLAGS_2):  # type: ignore[no-untyped-def]
    return save_tasks(
        effort=effort, mode=mode, flags=flags, root_cause="service", escalates=escalates, owners=OWNERS
    )


def test_full_with_escalation() -> None:
    plan = tasks()
    assert [t.task_id for t in plan] == [
        "conversation",
        "issue-1",
        "issue-2",
        "plan",
        "escalation-brief",
        "escalation-executive_contact",
        "escalation-follow_up",
        "escalation-debrief",
    ]
    assert [t.number for t in plan] == list(range(1, 9))
    by_id = {t.task_id: t for t in plan}
    # Strictly one after another, the first from the start.
    assert by_id["escalation-brief"].after == ()
    assert by_id["escalation-executive_contact"].after == ("escalation-brief",)
    assert by_id["escalation-debrief"].after == ("escalation-follow_up",)
    assert [t.owner for t in plan if t.kind == "escalation"] == [
        OWNERS["csm"],
        "claire.dubois",
        OWNERS["csm"],
        "claire.dubois",
    ]
    assert [t.business_days for t in plan if t.kind == "escalation"] == [
        s.business_days for s in ESCALATION_STEPS
    ]
    assert by_id["plan"].after == ("conversation",)


def test_the_conversation_carries_the_five_guides_in_order() -> None:
    notes = tasks()[0].notes.splitlines()
    assert [line.split(":")[0] for line in notes] == [
        f"{n}. {h}" for n, (h, _) in enumerate(CONVERSATION_GUIDES, 1)
    ]
    assert notes[0].startswith("1. Open with honesty") and notes[-1].startswith("5. Ask for commitment")


def test_an_issue_has_its_root_cause_fix_owner_and_metric() -> None:
    issue = tasks()[2].issue
    assert issue is not None
    assert (issue.issue, issue.root_cause, issue.owner) == ("negative feedback", "service", "sanna.virtanen")
    assert issue.fix == ISSUES["negative_feedback"].fix and issue.success_metric
    assert "Root cause: service (a service recovery" in tasks()[2].notes


def test_full_without_escalation_has_no_steps() -> None:
    assert not [t for t in tasks(escalates=False) if t.kind == "escalation"]


def test_standard_has_a_manager_review_light_is_the_csm_alone() -> None:
    standard = tasks("standard")
    assert [t.kind for t in standard] == ["conversation", "issue", "issue", "review"]
    assert standard[-1].owner == "sanna.virtanen"
    light = tasks("light")
    assert [t.kind for t in light] == ["conversation", "issue", "issue"]
    assert {t.owner for t in light} == {OWNERS["csm"]}


def test_none_is_one_graceful_exit() -> None:
    [exit_task] = tasks("none")
    assert exit_task.kind == "exit" and exit_task.owner == OWNERS["csm"]


@pytest.mark.parametrize("mode", [m for m, _ in MODES])
def test_deadlines_by_mode(mode: str) -> None:
    plan = tasks(mode=mode)
    assert plan[0].business_days == DEADLINES[mode]["conversation"]
    assert plan[1].business_days == DEADLINES[mode]["issue"]
    assert tuple(t.business_days for t in plan if t.kind == "escalation") == ESCALATION_DAYS[mode]


def test_emergency_fixes_are_due_in_2_business_days_and_the_escalation_in_5() -> None:
    plan = tasks(mode="emergency")
    assert {t.business_days for t in plan if t.kind == "issue"} == {2}
    assert sum(t.business_days for t in plan if t.kind == "escalation") == 5
    # Every mode is quicker than the one before it, task by task.
    for kind in ("conversation", "issue", "plan", "review"):
        assert (
            DEADLINES["comprehensive"][kind] >= DEADLINES["compressed"][kind] >= DEADLINES["emergency"][kind]
        )


def test_every_flag_and_effort_has_its_rules() -> None:
    assert set(ISSUES) == set(FLAGS)
    for effort in EFFORTS:
        assert tasks(effort, flags=FLAGS)
