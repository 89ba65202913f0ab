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
