"""`winback tasks`: every sequence's open task from one visibility list (memo + search attributes),
and the open tasks of running saves and save follow-ups from their status; `winback task done
--task` routes to whichever of the account's save and follow-up has the task open."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from click.testing import CliRunner, Result
from temporalio.api.enums import v1 as enums
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.client import Client, WorkflowExecution
from temporalio.common import QueryRejectCondition
from temporalio.converter import DataConverter, encode_search_attributes
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.launch import start_sequence
from activities.saves import start_save
from activities.store import Store
from campaigns import calendar
from contracts import ids
from contracts import search_attributes as sa
from contracts.ids import OPEN_TASK_MEMO
from contracts.save_followup import FollowUpStatus, FollowUpTask, Promise
from contracts.saves import SaveStatus, TaskView
from contracts.sequence import ActionResult, OpenTask, SequenceStatus
from tests.cli import codec_converter, env_for, winback
from tests.factories import make_account, sequence_input, task_first_input, temp_store
from tests.test_save import full_save
from tests.test_save_followup import follow_up
from winback.cli import cli
from winback.commands.tasks import (
    FOLLOW_UPS_RUNNING,
    SAVES_WITH_WORK,
    follow_up_task_json,
    listed_task,
    open_tasks,
    save_task_json,
    task_json,
    task_lines,
    tasks_query,
)
from winback.settings import Settings
from winback.worker import build_worker
from workflows.save import SaveWorkflow
from workflows.save_followup import SaveFollowUpWorkflow
from workflows.save_followup_text import report_back_for
from workflows.sequence import SequenceWorkflow

TASK_KEYS = [
    "account_id",
    "campaign_id",
    "owner",
    "touch",
    "channel",
    "template",
    "due_utc",
    "due_local",
    "subject",
    "text",
]


def open_task(due: datetime, touch: int = 2) -> OpenTask:
    return OpenTask(
        touch=touch,
        channel="linkedin",
        template="product_gap/02_linkedin_note",
        assigned_utc=datetime(2027, 3, 22, 8, 0, tzinfo=UTC),
        due_utc=due,
        due_local=due.astimezone().isoformat(),
        subject="",
        text="Hi Aino",
    )


def listed(account_id: str, task: OpenTask | None, owner: str = "maria.lind") -> WorkflowExecution:
    """A sequence as `list_workflows` returns it: its memo and search attributes."""
    info = WorkflowExecutionInfo()
    info.execution.workflow_id = f"winback-{account_id}"
    info.type.name = "SequenceWorkflow"
    info.status = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    if task is not None:
        payload = DataConverter.default.payload_converter.to_payload(task)
        info.memo.fields[OPEN_TASK_MEMO].CopyFrom(payload)
    account = replace(
        sequence_input(make_account(account_id=account_id, owner=f"{owner}@winback.example")).account,
        tier="T1",
        churn_reason="product_gap",
    )
    attrs = sa.for_sequence(account, campaign_id="spring", state="task_open")
    encode_search_attributes(attrs, info.search_attributes)
    return WorkflowExecution._from_raw_info(info, "default", DataConverter.default)


Status = SequenceStatus | SaveStatus | FollowUpStatus


class ListingClient:
    """list_workflows answers the sequences' list from the given executions, the saves' list
    from `saves` and the follow-ups' from `follow_ups`; a status query is the fallback only for
    sequences, the way for saves and follow-ups."""

    def __init__(
        self,
        executions: list[WorkflowExecution],
        statuses: dict[str, Status],
        saves: list[WorkflowExecution] | None = None,
        follow_ups: list[WorkflowExecution] | None = None,
    ) -> None:
        self.executions = executions
        self.saves = saves or []
        self.follow_ups = follow_ups or []
        self.statuses = statuses
        self.queries: list[str] = []
        self.lists: list[str] = []

    async def _iterate(self, executions: list[WorkflowExecution]) -> AsyncIterator[WorkflowExecution]:
        for wf in executions:
            yield wf

    def list_workflows(self, query: str) -> AsyncIterator[WorkflowExecution]:
        self.lists.append(query)
        lists = {SAVES_WITH_WORK: self.saves, FOLLOW_UPS_RUNNING: self.follow_ups}
        return self._iterate(lists.get(query, self.executions))

    def get_workflow_handle(self, workflow_id: str) -> Any:
        client = self

        class Handle:
            async def query(self, *_args: Any, **_kwargs: Any) -> Status:
                client.queries.append(workflow_id)
                return client.statuses[workflow_id]

        return Handle()


def listed_save(account_id: str, workflow_type: str = "SaveWorkflow") -> WorkflowExecution:
    """A running save (or follow-up) as `list_workflows` returns it: no memo; its tasks come
    from its status."""
    info = WorkflowExecutionInfo()
    prefix = "save-followup-" if workflow_type == "SaveFollowUpWorkflow" else "save-"
    info.execution.workflow_id = f"{prefix}{account_id}"
    info.type.name = workflow_type
    info.status = enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
    return WorkflowExecution._from_raw_info(info, "default", DataConverter.default)


def save_task(task_id: str, number: int, owner: str, state: str, due: datetime | None) -> TaskView:
    kind = task_id.split("-")[0]
    return TaskView(
        task_id=task_id,
        number=number,
        kind=kind,
        title=f"the {kind}",
        owner=owner,
        state=state,
        due_utc=due,
        due_local="" if due is None else due.isoformat(),
    )


def save_status(account_id: str, tasks: list[TaskView]) -> SaveStatus:
    return SaveStatus(
        account_id=account_id,
        campaign_id="saves-q2",
        state="working",
        effort="full",
        mode="compressed",
        value="high",
        renewal_on="2027-05-01",
        executive_escalation=False,
        tasks=tasks,
        concessions=[],
        details="",
    )


def test_a_task_row_has_the_documented_keys_in_order() -> None:
    due = datetime(2027, 3, 25, 7, 0, tzinfo=UTC)
    row = task_json("ACC-1", "spring", "maria.lind", open_task(due))
    assert list(row) == TASK_KEYS
    assert row["due_utc"] == "2027-03-25T07:00:00+00:00" and row["touch"] == 2


def test_the_query_takes_an_owner_email_or_handle() -> None:
    base = "WorkflowType = 'SequenceWorkflow' AND WinbackState = 'task_open'"
    assert tasks_query(None) == base
    assert tasks_query("maria.lind@winback.example") == f"{base} AND WinbackOwner = 'maria.lind'"
    assert tasks_query("maria.lind") == f"{base} AND WinbackOwner = 'maria.lind'"


async def test_a_listed_sequence_shows_its_task_from_memo_and_search_attributes() -> None:
    due = datetime(2027, 3, 25, 7, 0, tzinfo=UTC)
    row = await listed_task(listed("ACC-1", open_task(due), owner="jonas"))
    assert row == task_json("ACC-1", "spring", "jonas", open_task(due))
    assert await listed_task(listed("ACC-2", None)) is None


async def test_an_encrypted_memo_is_read_with_the_client_s_codec() -> None:
    due = datetime(2027, 3, 25, 7, 0, tzinfo=UTC)
    converter = codec_converter()
    plain = listed("ACC-1", open_task(due), owner="jonas")
    [sealed] = await converter.encode([open_task(due)])
    assert b"Hi Aino" not in sealed.SerializeToString()
    plain.raw_info.memo.fields[OPEN_TASK_MEMO].CopyFrom(sealed)
    # list_workflows hands each execution the client's converter: the codec's, for Winback.
    wf = WorkflowExecution._from_raw_info(plain.raw_info, "default", converter)
    assert await listed_task(wf) == task_json("ACC-1", "spring", "jonas", open_task(due))


async def test_one_list_and_a_status_query_only_for_a_sequence_without_the_memo() -> None:
    soon = datetime(2027, 3, 23, 7, 0, tzinfo=UTC)
    later = datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    old_style = SequenceStatus(
        account_id="ACC-OLD",
        campaign_id="spring",
        playbook_id="product_gap",
        tier="T1",
        owner_handle="maria.lind",
        state="task_open",
        current_touch=3,
        total_touches=5,
        touches=[],
        details="",
        open_task=open_task(soon, touch=3),
    )
    client = ListingClient(
        [listed("ACC-NEW", open_task(later)), listed("ACC-OLD", None)],
        {"winback-ACC-OLD": old_style},
    )
    rows = await open_tasks(cast(Client, client), "maria.lind@winback.example")
    assert client.lists == [tasks_query("maria.lind"), SAVES_WITH_WORK, FOLLOW_UPS_RUNNING]
    assert client.queries == ["winback-ACC-OLD"]  # the new sequence needed no query
    assert [r["account_id"] for r in rows] == ["ACC-OLD", "ACC-NEW"]  # soonest due first
    assert rows[0] == task_json("ACC-OLD", "spring", "maria.lind", open_task(soon, touch=3))
    assert task_lines(rows)[-1] == "2 open tasks"


def test_the_saves_list_asks_for_running_saves_with_work_open() -> None:
    assert SAVES_WITH_WORK == (
        "WorkflowType = 'SaveWorkflow' AND ExecutionStatus = 'Running' "
        "AND WinbackState IN ('working', 'paused')"
    )


def test_a_save_task_row_has_the_sequence_row_s_keys_and_says_how_to_report_it() -> None:
    due = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
    st = save_status("SAVE-1", [])
    row = save_task_json(st, save_task("issue-1", 2, "erik.holm", "open", due))
    assert list(row) == TASK_KEYS
    assert row == {
        "account_id": "SAVE-1",
        "campaign_id": "saves-q2",
        "owner": "erik.holm",
        "touch": 2,
        "channel": "save-issue",
        "template": "issue-1",
        "due_utc": "2027-03-24T07:00:00+00:00",
        "due_local": "2027-03-24T07:00:00+00:00",
        "subject": "Save SAVE-1: the issue",
        "text": (
            "winback task done SAVE-1 --task issue-1 --outcome done|skipped, or in the Temporal UI "
            'save-SAVE-1\'s complete_task Update with {"task": "issue-1", "outcome": "done"}'
        ),
    }
    assert task_lines([row])[0].startswith("SAVE-1         task issue-1 save-issue due 2027-03-24")


async def test_a_running_save_s_open_tasks_are_listed_by_their_own_owners() -> None:
    soon = datetime(2027, 3, 23, 7, 0, tzinfo=UTC)
    mid = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)
    later = datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    save = save_status(
        "SAVE-1",
        [
            save_task("conversation", 1, "maria.lind", "done", soon),
            save_task("issue-1", 2, "maria.lind", "open", later),
            save_task("issue-2", 3, "erik.holm", "open", soon),  # a manager's, in the same save
            save_task("plan", 4, "maria.lind", "pending", None),
        ],
    )
    client = ListingClient(
        [listed("ACC-1", open_task(mid))], {"save-SAVE-1": save}, saves=[listed_save("SAVE-1")]
    )

    everyone = await open_tasks(cast(Client, client), None)
    assert [(r["account_id"], r["template"], r["owner"]) for r in everyone] == [
        ("SAVE-1", "issue-2", "erik.holm"),  # soonest due first, sequences and saves together
        ("ACC-1", "product_gap/02_linkedin_note", "maria.lind"),
        ("SAVE-1", "issue-1", "maria.lind"),
    ]
    assert client.queries == ["save-SAVE-1"]  # the sequence's task came from its memo

    mine = await open_tasks(cast(Client, client), "maria.lind@winback.example")
    assert [(r["account_id"], r["template"]) for r in mine] == [
        ("ACC-1", "product_gap/02_linkedin_note"),
        ("SAVE-1", "issue-1"),
    ]
    assert task_lines(mine)[-1] == "2 open tasks"


def follow_up_task(task_id: str, owner: str, due: datetime, state: str = "open") -> FollowUpTask:
    return FollowUpTask(
        task_id=task_id,
        title=f"the {task_id}",
        owner=owner,
        opened_utc=due - timedelta(days=7),
        due_utc=due,
        state=state,
    )


def follow_up_status(account_id: str, tasks: list[FollowUpTask]) -> FollowUpStatus:
    return FollowUpStatus(
        account_id=account_id,
        outcome="saved",
        tasks=tasks,
        campaign_id="saves-q2",
        timezone="Europe/Helsinki",
    )


def test_the_follow_ups_list_asks_for_every_running_follow_up() -> None:
    assert FOLLOW_UPS_RUNNING == "WorkflowType = 'SaveFollowUpWorkflow' AND ExecutionStatus = 'Running'"


def test_a_follow_up_task_row_has_the_sequence_row_s_keys_and_says_how_to_report_it() -> None:
    due = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
    st = follow_up_status("FU-1", [])
    row = follow_up_task_json(st, 3, follow_up_task("health-2", "maria.lind", due))
    assert list(row) == TASK_KEYS
    assert row == {
        "account_id": "FU-1",
        "campaign_id": "saves-q2",
        "owner": "maria.lind",
        "touch": 3,
        "channel": "save-followup",
        "template": "health-2",
        "due_utc": "2027-03-24T07:00:00+00:00",
        "due_local": "2027-03-24T09:00:00+02:00",  # Helsinki
        "subject": "After the save of FU-1: the health-2",
        "text": (
            "winback task done FU-1 --task health-2 --outcome done|skipped, or in the Temporal UI "
            'save-followup-FU-1\'s complete_task Update with {"task": "health-2", "outcome": "done"}'
        ),
    }
    assert task_lines([row])[0].startswith("FU-1           task health-2 save-followup due 2027-03-24T09:00")
    check = follow_up_task_json(st, 30, follow_up_task("renewal-check", "maria.lind", due))
    assert check["text"].startswith("winback task done FU-1 --task renewal-check --outcome held|churned, ")
    assert check["text"].endswith('{"task": "renewal-check", "outcome": "held"}')
    # A status from a worker older than the zone in it: the due time in UTC, not nothing.
    old = follow_up_task_json(
        FollowUpStatus(account_id="FU-1", outcome="saved"), 1, follow_up_task("x", "m", due)
    )
    assert old["due_local"] == old["due_utc"] and old["campaign_id"] == ""


async def test_a_running_follow_up_s_open_tasks_are_listed_by_their_own_owners() -> None:
    soon = datetime(2027, 3, 23, 7, 0, tzinfo=UTC)
    mid = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)
    later = datetime(2027, 3, 30, 7, 0, tzinfo=UTC)
    follow = follow_up_status(
        "FU-1",
        [
            follow_up_task("promise-issue-1", "maria.lind", soon, state="done"),
            follow_up_task("promise-issue-2", "erik.holm", soon),
            follow_up_task("escalation-issue-2", "sanna.virtanen", later),
            follow_up_task("health-1", "maria.lind", later),
        ],
    )
    client = ListingClient(
        [listed("ACC-1", open_task(mid))],
        {"save-followup-FU-1": follow},
        follow_ups=[listed_save("FU-1", "SaveFollowUpWorkflow")],
    )

    everyone = await open_tasks(cast(Client, client), None)
    assert client.lists == [tasks_query(None), SAVES_WITH_WORK, FOLLOW_UPS_RUNNING]
    assert client.queries == ["save-followup-FU-1"]
    assert [(r["account_id"], r["template"], r["owner"], r["touch"]) for r in everyone] == [
        ("FU-1", "promise-issue-2", "erik.holm", 2),  # its place in the list, closed ones counted
        ("ACC-1", "product_gap/02_linkedin_note", "maria.lind", 2),
        ("FU-1", "escalation-issue-2", "sanna.virtanen", 3),
        ("FU-1", "health-1", "maria.lind", 4),
    ]
    assert all(list(r) == TASK_KEYS for r in everyone)

    mine = await open_tasks(cast(Client, client), "maria.lind@winback.example")
    assert [(r["account_id"], r["template"]) for r in mine] == [
        ("ACC-1", "product_gap/02_linkedin_note"),
        ("FU-1", "health-1"),
    ]
    managers = await open_tasks(cast(Client, client), "sanna.virtanen")
    assert [r["template"] for r in managers if r["account_id"] == "FU-1"] == ["escalation-issue-2"]


async def test_a_follow_up_that_does_not_answer_is_noted_and_the_rest_listed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Silent(ListingClient):
        def get_workflow_handle(self, workflow_id: str) -> Any:
            class Handle:
                async def query(self, *_args: Any, **_kwargs: Any) -> Status:
                    raise RPCError("deadline exceeded", RPCStatusCode.DEADLINE_EXCEEDED, b"")

            return Handle()

    due = datetime(2027, 3, 26, 7, 0, tzinfo=UTC)
    client = Silent(
        [listed("ACC-1", open_task(due))], {}, follow_ups=[listed_save("FU-9", "SaveFollowUpWorkflow")]
    )
    rows = await open_tasks(cast(Client, client), None)
    assert [r["account_id"] for r in rows] == ["ACC-1"]
    assert capsys.readouterr().err == (
        "save-followup-FU-9: no answer to its status (deadline exceeded); its tasks are not listed\n"
    )


class AccountClient:
    """An account's running save and follow-up by id (absent: NOT_FOUND, as Temporal answers),
    and the Updates sent to them."""

    def __init__(self, statuses: dict[str, Status]) -> None:
        self.statuses = statuses
        self.query_kwargs: list[dict[str, Any]] = []
        self.updates: list[tuple[str, str, dict[str, Any]]] = []

    def get_workflow_handle(self, workflow_id: str) -> Any:
        client = self

        class Handle:
            async def query(self, *_args: Any, **kwargs: Any) -> Status:
                client.query_kwargs.append(kwargs)
                if workflow_id not in client.statuses:
                    raise RPCError("workflow not found", RPCStatusCode.NOT_FOUND, b"")
                return client.statuses[workflow_id]

            async def execute_update(
                self, name: str, payload: dict[str, Any], **_kwargs: Any
            ) -> ActionResult:
                client.updates.append((workflow_id, name, payload))
                return ActionResult(
                    state="working", details="after the save (saved): 1 open task(s)\nhealth-3"
                )

        return Handle()


def task_done(client: AccountClient, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    async def connected() -> AccountClient:
        return client

    monkeypatch.setattr("winback.commands.tasks.client_or_fail", connected)
    return CliRunner().invoke(cli, ["task", "done", *args])


def account_with_both() -> AccountClient:
    due = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
    save = save_status(
        "ACC-1",
        [
            save_task("conversation", 1, "maria.lind", "done", due),
            save_task("issue-1", 2, "maria.lind", "open", due),
            save_task("plan", 3, "maria.lind", "pending", None),
        ],
    )
    follow = follow_up_status(
        "ACC-1",
        [
            follow_up_task("health-1", "maria.lind", due, state="done"),
            follow_up_task("health-2", "maria.lind", due),
            follow_up_task("renewal-check", "maria.lind", due),
        ],
    )
    return AccountClient({"save-ACC-1": save, "save-followup-ACC-1": follow})


def test_task_done_routes_to_the_save_or_the_follow_up_that_has_the_task_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = account_with_both()
    save = task_done(client, monkeypatch, "ACC-1", "--task", "issue-1", "--note", "called")
    assert save.exit_code == 0, save.output
    assert save.output.startswith("task issue-1 of the save of ACC-1 reported; the save: ")
    follow = task_done(client, monkeypatch, "ACC-1", "--task", "health-2")
    assert follow.exit_code == 0, follow.output
    assert follow.output == (
        "task health-2 of the follow-up of ACC-1 reported; "
        "the follow-up: after the save (saved): 1 open task(s)\n"
    )
    held = task_done(client, monkeypatch, "ACC-1", "--task", "renewal-check", "--outcome", "held")
    assert held.exit_code == 0, held.output
    by_number = task_done(client, monkeypatch, "ACC-1", "--task", "2")  # a save's task by number
    assert by_number.exit_code == 0, by_number.output
    assert client.updates == [
        ("save-ACC-1", "complete_task", {"task": "issue-1", "outcome": "done", "note": "called"}),
        ("save-followup-ACC-1", "complete_task", {"task": "health-2", "outcome": "done", "note": ""}),
        ("save-followup-ACC-1", "complete_task", {"task": "renewal-check", "outcome": "held", "note": ""}),
        ("save-ACC-1", "complete_task", {"task": "2", "outcome": "done", "note": ""}),
    ]
    # Only a running one counts: a closed run's status still lists tasks it cannot close.
    assert {k.get("reject_condition") for k in client.query_kwargs} == {QueryRejectCondition.NOT_OPEN}


def test_task_done_goes_to_the_follow_up_alone_when_no_save_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    both = account_with_both()
    client = AccountClient({"save-followup-ACC-1": both.statuses["save-followup-ACC-1"]})
    run = task_done(client, monkeypatch, "ACC-1", "--task", "renewal-check", "--outcome", "churned")
    assert run.exit_code == 0, run.output
    assert client.updates == [
        ("save-followup-ACC-1", "complete_task", {"task": "renewal-check", "outcome": "churned", "note": ""})
    ]


def test_task_done_with_the_task_open_in_neither_is_one_line_naming_what_is_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = account_with_both()
    closed = task_done(client, monkeypatch, "ACC-1", "--task", "health-1")
    assert closed.exit_code == 2 and client.updates == []
    assert closed.output == (
        "complete_task refused: no open task health-1 of ACC-1; "
        "open now: save issue-1; follow-up health-2, renewal-check\n"
    )

    quiet = AccountClient({"save-followup-ACC-1": follow_up_status("ACC-1", [])})
    none_open = task_done(quiet, monkeypatch, "ACC-1", "--task", "health-1")
    assert none_open.exit_code == 2
    assert none_open.output == "complete_task refused: no open task health-1 of ACC-1; open now: none\n"

    nothing = task_done(AccountClient({}), monkeypatch, "ACC-9", "--task", "health-1")
    assert nothing.exit_code == 2
    assert nothing.output == (
        "complete_task refused: no save or follow-up of ACC-9 is running; "
        "`winback tasks` lists the open tasks\n"
    )


def test_the_sequence_s_task_done_still_takes_only_its_own_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    client = account_with_both()
    run = task_done(client, monkeypatch, "ACC-1", "--outcome", "held")
    assert run.exit_code == 2 and client.updates == [] and client.query_kwargs == []
    assert "Invalid value for '--outcome': 'held' is not one of 'done', 'skipped', 'no_answer'." in run.output


@contextlib.asynccontextmanager
async def dev_worker(dev_env: WorkflowEnvironment, folder: Path, queue: str) -> AsyncIterator[Store]:
    """A real worker on the dev server for one test's queue, with its own store."""
    settings = Settings(data_dir=folder, task_queue=queue, public_url="https://winback.example")
    store = temp_store(folder)
    try:
        async with build_worker(dev_env.client, settings, store):
            yield store
    finally:
        store.close()


async def eventually(check: Any, what: str) -> Any:
    for _ in range(100):  # visibility is eventually consistent
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"never saw {what}")


@pytest.mark.integration
async def test_tasks_json_lists_the_open_task_and_task_done_closes_it(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    run_id = uuid.uuid4().hex[:8]
    queue = f"tasks-{run_id}"
    owner = f"csm-{run_id}@winback.example"
    account_id = f"TASK-{run_id}"
    env = env_for(dev_env, tmp_path, queue)
    client = dev_env.client
    async with dev_worker(dev_env, tmp_path, queue):
        inp = task_first_input(make_account(account_id=account_id, country="", owner=owner))
        handle = await start_sequence(client, queue, inp)

        async def status_with_task() -> SequenceStatus | None:
            st = await handle.query(SequenceWorkflow.status)
            return st if st.open_task is not None else None

        status = await eventually(status_with_task, "the task open")
        task = status.open_task
        assert task is not None

        async def listed_with_memo() -> list[WorkflowExecution]:
            return [
                wf
                async for wf in client.list_workflows(tasks_query(owner))
                if OPEN_TASK_MEMO in await wf.memo()
            ]

        await eventually(listed_with_memo, "the task in the visibility list's memo")

        run = await winback("tasks", "--owner", owner, "--json", env=env)
        assert run.code == 0, run.err
        rows = json.loads(run.out)
        assert rows == [
            {
                "account_id": account_id,
                "campaign_id": inp.campaign_id,
                "owner": f"csm-{run_id}",
                "touch": 1,
                "channel": task.channel,
                "template": task.template,
                "due_utc": task.due_utc.isoformat(),
                "due_local": task.due_local,
                "subject": task.subject,
                "text": task.text,
            }
        ]
        assert list(rows[0]) == TASK_KEYS and task.channel == "linkedin" and task.text

        human = await winback("tasks", "--owner", f"csm-{run_id}", env=env)
        assert human.code == 0, human.err
        assert human.out.splitlines()[-1] == "1 open tasks" and account_id in human.out

        done = await winback("task", "done", account_id, "--note", "sent the note", env=env)
        assert done.code == 0, done.err
        assert done.out.strip() == f"touch 1 of {account_id}: done"
        result = await handle.result()
        assert [t.status for t in result.touches] == ["task_done"]
        assert OPEN_TASK_MEMO not in await (await handle.describe()).memo()

        async def no_tasks() -> bool:
            return [wf async for wf in client.list_workflows(tasks_query(owner))] == []

        await eventually(no_tasks, "the task gone from the list")
        after = await winback("tasks", "--owner", owner, "--json", env=env)
        assert after.code == 0 and json.loads(after.out) == []


@pytest.mark.integration
async def test_tasks_lists_a_running_save_s_open_tasks_for_each_owner(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    run_id = uuid.uuid4().hex[:8]
    queue = f"save-tasks-{run_id}"
    account_id = f"SAVETASK-{run_id}"
    env = env_for(dev_env, tmp_path, queue)
    client = dev_env.client
    async with dev_worker(dev_env, tmp_path, queue):
        handle = await start_save(client, queue, full_save(datetime.now(UTC).date(), account_id=account_id))
        try:

            async def status_with_open_tasks() -> SaveStatus | None:
                st: SaveStatus = await handle.query(SaveWorkflow.status)
                return st if any(t.state == "open" and t.board for t in st.tasks) else None

            status = await eventually(status_with_open_tasks, "the save's first tasks open")
            open_now = [t for t in status.tasks if t.state == "open"]

            async def listed_as_working() -> list[WorkflowExecution]:
                query = f"{SAVES_WITH_WORK} AND WorkflowId = '{handle.id}'"
                return [wf async for wf in client.list_workflows(query)]

            await eventually(listed_as_working, "the save in the saves list")

            run = await winback("tasks", "--json", env=env)
            assert run.code == 0, run.err
            rows = [r for r in json.loads(run.out) if r["account_id"] == account_id]
            assert [r["template"] for r in rows] == [
                t.task_id for t in sorted(open_now, key=lambda t: (t.due_utc, t.number))
            ]
            assert all(list(r) == TASK_KEYS and r["channel"].startswith("save-") for r in rows)

            owner = open_now[0].owner
            mine = await winback("tasks", "--owner", owner, env=env)
            assert mine.code == 0, mine.err
            assert f"{account_id:<14} task {open_now[0].task_id} " in mine.out

            # The row's report-back command closes it; a save refuses an outcome it does not take.
            first = open_now[0].task_id
            wrong = await winback("task", "done", account_id, "--task", "issue-99", env=env)
            assert wrong.code == 2 and wrong.out == "" and len(wrong.err.strip().splitlines()) == 1
            assert wrong.err.startswith("complete_task refused: ") and "issue-99" in wrong.err
            done = await winback("task", "done", account_id, "--task", first, "--note", "called", env=env)
            assert done.code == 0, done.err
            assert done.out.startswith(f"task {first} of the save of {account_id} reported; the save: ")
            closed = next(t for t in (await handle.query(SaveWorkflow.status)).tasks if t.task_id == first)
            assert closed.state == "done"
            again = await winback("task", "done", account_id, "--task", first, env=env)
            assert again.code == 2 and again.err.startswith("complete_task refused: ")
            gone = await winback("task", "done", "NO-SUCH-SAVE", "--task", first, env=env)
            assert gone.code == 2 and "no save or follow-up of NO-SUCH-SAVE is running" in gone.err
        finally:
            await handle.terminate("test over")


@pytest.mark.integration
async def test_tasks_lists_a_running_follow_up_s_tasks_and_task_done_closes_them(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    run_id = uuid.uuid4().hex[:8]
    queue = f"follow-up-tasks-{run_id}"
    account_id = f"FUTASK-{run_id}"
    env = env_for(dev_env, tmp_path, queue)
    client = dev_env.client
    now = datetime.now(UTC)
    # A saved renewal more than a year ago: its renewal check opens at once, beside the promise
    # (a weekly health check would take a week of real time).
    promise = Promise("issue-1", "a working session", "erik.holm", now + timedelta(days=7))
    inp = replace(
        follow_up(now.date(), "saved", account_id=account_id, promises=(promise,)),
        renewal_on=(now.date() - timedelta(days=400)).isoformat(),
    )
    async with dev_worker(dev_env, tmp_path, queue) as store:
        handle = await client.start_workflow(
            SaveFollowUpWorkflow.run, inp, id=ids.save_follow_up_id(account_id), task_queue=queue
        )
        try:

            async def both_on_the_board() -> FollowUpStatus | None:
                st: FollowUpStatus = await handle.query(SaveFollowUpWorkflow.status)
                return st if len([t for t in st.tasks if t.board]) == 2 else None

            status = await eventually(both_on_the_board, "the promise and the renewal check open")
            assert [t.task_id for t in status.tasks] == ["promise-issue-1", "renewal-check"]

            async def listed_running() -> list[WorkflowExecution]:
                query = f"{FOLLOW_UPS_RUNNING} AND WorkflowId = '{handle.id}'"
                return [wf async for wf in client.list_workflows(query)]

            await eventually(listed_running, "the follow-up in the follow-ups list")

            run = await winback("tasks", "--json", env=env)
            assert run.code == 0, run.err
            rows = [r for r in json.loads(run.out) if r["account_id"] == account_id]
            assert [(r["template"], r["touch"], r["owner"]) for r in rows] == [
                ("promise-issue-1", 1, "erik.holm"),
                ("renewal-check", 2, "maria.lind"),
            ]
            for row, task in zip(rows, status.tasks, strict=True):
                assert list(row) == TASK_KEYS
                assert row["campaign_id"] == "saves-test" and row["channel"] == "save-followup"
                assert row["due_utc"] == task.due_utc.isoformat()
                assert row["due_local"] == calendar.to_local(task.due_utc, inp.account.timezone).isoformat()
                assert row["text"] == report_back_for(account_id, task.task_id)
            assert "--outcome held|churned" in rows[1]["text"]

            mine = await winback("tasks", "--owner", "erik.holm", env=env)
            assert mine.code == 0, mine.err
            assert f"{account_id:<14} task promise-issue-1 save-followup " in mine.out
            assert "renewal-check" not in mine.out

            # Routed to the follow-up (no save runs); a task it does not have open is one line.
            health = await winback("task", "done", account_id, "--task", "health-1", env=env)
            assert health.code == 2 and health.out == ""
            assert health.err == (
                f"complete_task refused: no open task health-1 of {account_id}; "
                "open now: follow-up promise-issue-1, renewal-check\n"
            )
            done = await winback(
                "task", "done", account_id, "--task", "promise-issue-1", "--note", "held", env=env
            )
            assert done.code == 0, done.err
            assert done.out.startswith(f"task promise-issue-1 of the follow-up of {account_id} reported; ")
            # The renewal check takes held or churned: its validator says so in one line.
            plain = await winback("task", "done", account_id, "--task", "renewal-check", env=env)
            assert plain.code == 2 and plain.err == (
                'complete_task refused: "outcome" of renewal-check must be one of held, churned\n'
            )
            held = await winback(
                "task", "done", account_id, "--task", "renewal-check", "--outcome", "held", env=env
            )
            assert held.code == 0, held.err
            result = await handle.result()
            assert result.steps == ["renewal-check: held"]
            assert [t.state for t in result.tasks] == ["done", "held"]
            [record] = store.follow_ups(account_id=account_id)
            assert (record.step, record.result) == ("renewal-check", "held")
            # Ended: nothing runs for the account any more.
            after = await winback("task", "done", account_id, "--task", "renewal-check", env=env)
            assert after.code == 2 and "no save or follow-up of" in after.err
        finally:
            with contextlib.suppress(RPCError):
                await handle.terminate("test over")
