"""The folder task board: one Markdown file per manual task, in the owner's folder."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from activities.tasks import FolderTaskBoard
from contracts.sequence import TaskAssignment

OWNER = "maria.lind@winback.example"


def assignment(**overrides: object) -> TaskAssignment:
    base = TaskAssignment(
        key="winback-ACC-1/run-1/touch-3",
        workflow_id="winback-ACC-1",
        account_id="ACC-1",
        company="Revontuli Analytics Oy",
        campaign_id="spring-2026",
        owner=OWNER,
        touch=3,
        channel="call",
        template="product_gap/04_call_script",
        due_utc=datetime(2027, 1, 20, 7, tzinfo=UTC),
        due_local="2027-01-20T09:00:00+02:00",
        subject="",
        text="Talking points: the Salesforce sync.\n",
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


async def test_a_task_is_one_file_in_the_owners_handle_folder(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")
    location = Path(await board.assign(assignment()))

    assert location == tmp_path / "tasks" / "maria.lind" / "ACC-1-touch3-call.md"
    assert files_under(tmp_path / "tasks") == [location]
    assert "@" not in str(location.relative_to(tmp_path))


async def test_the_file_holds_what_the_owner_needs_and_no_email(tmp_path: Path) -> None:
    text = Path(await FolderTaskBoard(tmp_path / "tasks").assign(assignment())).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# call task: Revontuli Analytics Oy (ACC-1)"
    assert "- campaign: spring-2026" in text
    assert "- due: 2027-01-20T09:00:00+02:00" in text
    assert "winback task done ACC-1 --outcome done|skipped|no_answer" in text
    assert text.endswith("Talking points: the Salesforce sync.\n")
    assert "Subject:" not in text
    assert OWNER not in text


async def test_a_prepared_message_keeps_its_subject(tmp_path: Path) -> None:
    task = assignment(channel="executive", touch=5, subject="A note from our COO", text="Dear Mikko,\n")
    text = Path(await FolderTaskBoard(tmp_path / "tasks").assign(task)).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "Subject: A note from our COO" in lines
    assert lines.index("Subject: A note from our COO") < lines.index("Dear Mikko,")
    assert text.endswith("Dear Mikko,\n")


async def test_assigning_the_same_task_again_rewrites_identical_content(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")
    first = Path(await board.assign(assignment()))
    before = first.read_bytes()
    again = Path(await board.assign(assignment()))

    assert again == first
    assert again.read_bytes() == before
    assert files_under(tmp_path / "tasks") == [first]  # no second file, no temporary file left


async def test_each_touch_and_each_owner_gets_its_own_file(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")
    await board.assign(assignment())
    await board.assign(assignment(touch=4, channel="linkedin"))
    await board.assign(assignment(owner="li.wei@winback.example", account_id="ACC-2"))

    assert [p.relative_to(tmp_path / "tasks").as_posix() for p in files_under(tmp_path / "tasks")] == [
        "li.wei/ACC-2-touch3-call.md",
        "maria.lind/ACC-1-touch3-call.md",
        "maria.lind/ACC-1-touch4-linkedin.md",
    ]


def intervention(event_id: str) -> TaskAssignment:
    """A cancel intent's intervention task, as workflows/save_intent.py assigns it."""
    return assignment(
        key=f"save-ACC-1/run-1/intent-{event_id}",
        workflow_id="save-ACC-1",
        touch=0,
        channel="save-intervention",
        template="cancel_flow_abandoned",
        subject="Intervene: Revontuli Analytics Oy abandoned the cancel flow",
        text=f"Call them today (event {event_id}).\n",
    )


async def test_two_intervention_tasks_for_one_account_are_two_files(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")
    first = Path(await board.assign(intervention("evt-1")))
    second = Path(await board.assign(intervention("evt-2")))

    assert first != second
    assert files_under(tmp_path / "tasks") == sorted([first, second])
    assert "event evt-1" in first.read_text() and "event evt-2" in second.read_text()
    # What a CSM browsing the folder reads: whose, which kind of task, which one.
    assert first.parent.name == "maria.lind"
    prefix = "ACC-1-save-intervention-cancel_flow_abandoned-"
    assert first.name.startswith(prefix) and len(first.name.removeprefix(prefix)) == len("12345678.md")


async def test_the_same_task_that_is_not_a_touch_is_one_file_with_the_same_content(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")
    first = Path(await board.assign(intervention("evt-1")))
    before = first.read_bytes()
    again = Path(await board.assign(intervention("evt-1")))

    assert again == first and again.read_bytes() == before
    assert files_under(tmp_path / "tasks") == [first]


async def test_save_tasks_are_named_by_their_id_and_a_later_save_s_are_new_files(tmp_path: Path) -> None:
    board = FolderTaskBoard(tmp_path / "tasks")

    def save_task(run: str, number: int, task_id: str, kind: str) -> TaskAssignment:
        key = f"save-ACC-1/{run}/task-{task_id}"
        return assignment(key=key, touch=number, channel=f"save-{kind}", template=task_id)

    names = [
        Path(await board.assign(save_task("run-1", 1, "conversation", "conversation"))).name,
        Path(await board.assign(save_task("run-1", 2, "issue-1", "issue"))).name,
        Path(await board.assign(save_task("run-2", 2, "issue-1", "issue"))).name,  # next renewal's save
    ]
    assert names[0].startswith("ACC-1-save-conversation-")
    assert names[1].startswith("ACC-1-save-issue-1-") and names[2].startswith("ACC-1-save-issue-1-")
    assert len(set(names)) == 3 and len(files_under(tmp_path / "tasks")) == 3
