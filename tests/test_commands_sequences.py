"""`winback status`'s JSON and text, built without a server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from contracts.launch import LaunchProgress
from contracts.sequence import NextAction, OpenTask, SequenceStatus, TouchRecord
from winback.commands.sequences import (
    campaign_json,
    campaign_lines,
    sequences_query,
    status_lines,
    status_to_json,
)

T1 = datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
T2 = datetime(2027, 3, 25, 7, 0, tzinfo=UTC)


def a_status() -> SequenceStatus:
    return SequenceStatus(
        account_id="ACC-1001",
        campaign_id="spring-winback-2027",
        playbook_id="product_gap",
        tier="T1",
        owner_handle="maria.lind",
        state="task_open",
        current_touch=2,
        total_touches=5,
        touches=[
            TouchRecord(
                number=1,
                channel="email",
                template="product_gap/01_whats_new",
                status="sent",
                at_utc=T1,
                at_local="2027-03-22T10:00:00+02:00",
                deferred=["2027-03-21 10:00 -> 2027-03-22 10:00: weekend"],
                message_id="<m1@winback.example>",
                locale="fi",
            )
        ],
        details="touch 2/5: LinkedIn task for the owner, due Thu 25 Mar 09:00 Helsinki",
        next_action=NextAction(
            touch=2, description="touch 2/5: LinkedIn task", at_utc=T2, at_local="2027-03-25T09:00:00+02:00"
        ),
        open_task=OpenTask(
            touch=2,
            channel="linkedin",
            template="product_gap/02_linkedin_note",
            assigned_utc=T1,
            due_utc=T2,
            due_local="2027-03-25T09:00:00+02:00",
            subject="",
            text="Hi Aino",
        ),
    )


def test_status_json_is_the_status_with_iso_times() -> None:
    doc = status_to_json(a_status())
    assert json.loads(json.dumps(doc)) == doc  # plain JSON all the way down
    assert list(doc) == [
        "account_id",
        "campaign_id",
        "playbook_id",
        "tier",
        "owner_handle",
        "state",
        "current_touch",
        "total_touches",
        "touches",
        "details",
        "next_action",
        "open_task",
        "paused",
        "pause_reason",
        "pause_until",
        "outcome",
        "outcome_reason",
        "trigger",  # added with the signal watchers: null unless a watcher started it
        "pause_until_local",  # added with the CSM's console: the pause's end where the customer is
        "refused",  # inputs the sequence could not take, newest last
    ]
    assert doc["trigger"] is None and doc["pause_until_local"] == "" and doc["refused"] == []
    assert doc["touches"][0]["at_utc"] == "2027-03-22T08:00:00+00:00"
    assert doc["touches"][0]["deferred"] == ["2027-03-21 10:00 -> 2027-03-22 10:00: weekend"]
    # Added with the translations: the language the touch was written in, after fallback.
    assert doc["touches"][0]["locale"] == "fi"
    assert doc["next_action"]["at_utc"] == "2027-03-25T07:00:00+00:00"
    assert doc["open_task"] == {
        "touch": 2,
        "channel": "linkedin",
        "template": "product_gap/02_linkedin_note",
        "assigned_utc": "2027-03-22T08:00:00+00:00",
        "due_utc": "2027-03-25T07:00:00+00:00",
        "due_local": "2027-03-25T09:00:00+02:00",
        "subject": "",
        "text": "Hi Aino",
    }
    assert doc["pause_until"] is None and doc["outcome"] is None


def test_status_text() -> None:
    assert status_lines(a_status()) == [
        "account ACC-1001  campaign spring-winback-2027  playbook product_gap",
        "tier T1  owner maria.lind  state task_open",
        "now: touch 2/5: LinkedIn task for the owner, due Thu 25 Mar 09:00 Helsinki",
        "next: touch 2/5: LinkedIn task at 2027-03-25T09:00:00+02:00 (2027-03-25T07:00:00+00:00)",
        "open task: touch 2 linkedin, due 2027-03-25T09:00:00+02:00",
        "  touch 1 email     sent            fi      2027-03-22T10:00:00+02:00",
        "      deferred 2027-03-21 10:00 -> 2027-03-22 10:00: weekend",
    ]


def test_status_text_shows_a_pause_in_both_times_and_what_was_refused() -> None:
    paused = replace(
        a_status(),
        paused=True,
        pause_until=datetime(2027, 3, 31, 22, 0, tzinfo=UTC),
        pause_until_local="2027-04-01T00:00:00+02:00",
        refused=['2027-03-23 08:00 UTC pause refused: "until" must be a date like 2026-12-15'],
    )
    lines = status_lines(paused)
    assert lines[3:5] == [
        "paused until: 2027-04-01T00:00:00+02:00 (2027-03-31T22:00:00+00:00)",
        'refused: 2027-03-23 08:00 UTC pause refused: "until" must be a date like 2026-12-15',
    ]


ROW = {
    "account_id": "ACC-1001",
    "campaign": "spring-winback-2027",
    "tier": "T1",
    "owner": "maria.lind",
    "churn_reason": "product_gap",
    "state": "waiting",
    "running": True,
    "workflow_id": "winback-ACC-1001",
}


def test_campaign_status_json() -> None:
    launch = LaunchProgress(planned=12, started=12, done=True)
    outcomes = {"running": 12, "replied": 0}
    assert campaign_json("spring", launch, outcomes, [ROW]) == {
        "campaign": "spring",
        "launch": {
            "planned": 12,
            "started": 12,
            "already_running": 0,
            "failed": 0,
            "done": True,
            "failures": [],
        },
        "outcomes": outcomes,
        "sequences": [ROW],
    }
    assert campaign_json("spring", None, outcomes, [])["launch"] is None


def test_campaign_status_text() -> None:
    launch = LaunchProgress(planned=12, started=11, failed=1, done=True, failures=["ACC-9: boom"])
    assert campaign_lines("spring", launch, {"running": 11, "replied": 0}, [ROW]) == [
        "campaign spring",
        "launch: finished  [##############################] 12/12  started 11, already running 0, failed 1",
        "  failed ACC-9: boom",
        "outcomes: running 11, replied 0",
        "  ACC-1001       T1  maria.lind       waiting",
        "1 sequences",
    ]
    assert campaign_lines("spring", None, {}, [])[1] == "launch: none found"


def test_sequences_query() -> None:
    assert sequences_query(None) == "WorkflowType = 'SequenceWorkflow'"
    assert sequences_query("spring") == "WorkflowType = 'SequenceWorkflow' AND WinbackCampaign = 'spring'"
