"""The names Temporal knows Winback by: ids without personal data, and names that match the workflows."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

from temporalio import workflow

from campaigns.accounts import load_accounts
from contracts import ids
from tests.factories import make_account
from workflows.launch import LaunchWorkflow
from workflows.sequence import SequenceWorkflow


def test_a_sequence_id_carries_the_account_id_and_nothing_personal() -> None:
    account = make_account()
    wid = ids.workflow_id_for(account.account_id)
    assert wid == "winback-ACC-1"
    personal = [
        account.owner,
        account.owner_handle,
        account.company,
        account.domain,
        *astuple(account.contact),
        *(astuple(account.executive) if account.executive else ()),
    ]
    assert [value for value in personal if value and value.lower() in wid.lower()] == []


def test_one_id_per_account_whatever_the_campaign() -> None:
    # The id names no campaign: a second campaign's start meets the running sequence.
    assert ids.workflow_id_for("ACC-1") == ids.workflow_id_for("ACC-1")
    assert ids.workflow_id_for("ACC-1") != ids.workflow_id_for("ACC-2")
    assert ids.workflow_id_for("ACC-1") != ids.workflow_id_for("ACC-10")


def test_launch_ids_are_per_campaign() -> None:
    assert ids.launch_workflow_id("spring-2026") == "winback-launch-spring-2026"
    assert ids.launch_workflow_id("spring-2026") != ids.launch_workflow_id("autumn-2026")


def test_no_account_id_the_loader_accepts_gives_the_id_of_a_launch(tmp_path: Path) -> None:
    # "launch-spring-2026" would be the id of campaign spring-2026's launch: that account's
    # sequence could not start while the launch runs (the launch would report it "already
    # running"), and the launch could not start while the sequence runs.
    assert ids.workflow_id_for("launch-spring-2026") == ids.launch_workflow_id("spring-2026")
    assert ids.LAUNCH_ID_PREFIX == "winback-launch-"  # the id running launches already have
    header = "account_id,company,domain,country,arr,churned_on,churn_reason,owner,contact_name,contact_email"
    rows = [
        "launch-spring-2026,Example Oy,example.fi,FI,60000,2026-01-15,product_gap,csm@winback.example,"
        "Aino,aino@example.fi",
        "Launch-2,Example Ab,example.se,SE,60000,2026-01-15,product_gap,csm@winback.example,"
        "Sven,sven@example.se",
    ]
    path = tmp_path / "accounts.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    loaded = load_accounts(path)
    assert [a.account_id for a in loaded.accounts] == ["Launch-2"]  # ids are case-sensitive
    (line,) = loaded.errors
    assert "row 2, column account_id" in line and "reserved for campaign launches" in line
    for account in loaded.accounts:
        assert not ids.workflow_id_for(account.account_id).startswith(ids.LAUNCH_ID_PREFIX)


def test_workflow_types_are_the_names_the_workflows_register() -> None:
    assert workflow._Definition.must_from_class(SequenceWorkflow).name == ids.SEQUENCE_WORKFLOW
    assert workflow._Definition.must_from_class(LaunchWorkflow).name == ids.LAUNCH_WORKFLOW


def test_the_sequence_answers_exactly_the_signals_updates_and_query_named_here() -> None:
    defn = workflow._Definition.must_from_class(SequenceWorkflow)
    assert set(defn.signals) == {
        ids.PAUSE,
        ids.RESUME,
        ids.COMPLETE_TASK,
        ids.MARK_REPLIED,
        ids.MARK_DECLINED,
        ids.SKIP_TOUCH,
        ids.STOP,
    }
    assert set(defn.queries) == {ids.STATUS}
    # What a person does in the UI's "Send an Update" dialog, validated; `stop` stays for machines.
    assert set(defn.updates) == {
        ids.PAUSE,
        ids.RESUME,
        ids.COMPLETE_TASK,
        ids.MARK_REPLIED,
        ids.MARK_DECLINED,
        ids.SKIP_TOUCH,
        ids.RESCHEDULE,
    }
    assert all(defn.updates[name].validator is not None for name in defn.updates)
    # Every one of them has the description the Temporal UI shows beside its name.
    assert set(ids.DESCRIPTIONS) == {*defn.signals, *defn.updates, *defn.queries}


def test_the_launch_answers_the_progress_query() -> None:
    defn = workflow._Definition.must_from_class(LaunchWorkflow)
    assert set(defn.queries) == {ids.PROGRESS}
    assert set(defn.signals) == set()


def test_the_names_the_ui_lists_never_change() -> None:
    # Running workflows and the histories in tests/histories know them by these names.
    assert (ids.SEQUENCE_WORKFLOW, ids.LAUNCH_WORKFLOW, ids.TASK_QUEUE) == (
        "SequenceWorkflow",
        "LaunchWorkflow",
        "winback",
    )
    assert (
        ids.PAUSE,
        ids.RESUME,
        ids.COMPLETE_TASK,
        ids.MARK_REPLIED,
        ids.MARK_DECLINED,
        ids.SKIP_TOUCH,
    ) == (
        "pause",
        "resume",
        "complete_task",
        "mark_replied",
        "mark_declined",
        "skip_touch",
    )
    assert (ids.STATUS, ids.PROGRESS) == ("status", "progress")
