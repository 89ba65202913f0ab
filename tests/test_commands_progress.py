"""The launch's progress as text and JSON: click's bar, drawn the way Winback always showed it."""

from __future__ import annotations

import asyncio
import io
import sys
from typing import Any, cast

import pytest
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from contracts.launch import LaunchProgress
from winback.commands.progress import follow_launch, launch_json, progress_line


@pytest.mark.parametrize(
    ("progress", "line"),
    [
        (
            LaunchProgress(planned=12),
            "[------------------------------] 0/12  started 0, already running 0, failed 0",
        ),
        (
            LaunchProgress(planned=12, started=5, already_running=1),
            "[###############---------------] 6/12  started 5, already running 1, failed 0",
        ),
        (
            LaunchProgress(planned=12, started=10, already_running=1, failed=1, done=True),
            "[##############################] 12/12  started 10, already running 1, failed 1",
        ),
        (
            LaunchProgress(planned=3, started=1),
            "[##########--------------------] 1/3  started 1, already running 0, failed 0",
        ),
    ],
)
def test_the_progress_line_carries_handled_of_planned_and_each_count(
    progress: LaunchProgress, line: str
) -> None:
    assert progress_line(progress) == line


def test_launch_json_is_the_documented_shape() -> None:
    p = LaunchProgress(planned=4, started=2, failed=1, failures=["ACC-9: no such template"])
    assert launch_json(p) == {
        "planned": 4,
        "started": 2,
        "already_running": 0,
        "failed": 1,
        "done": False,
        "failures": ["ACC-9: no such template"],
    }


class FakeLaunch:
    """A launch handle whose `progress` query walks through the given answers."""

    def __init__(self, answers: list[LaunchProgress | BaseException]) -> None:
        self.answers = answers

    async def query(self, *_args: Any, **_kw: Any) -> LaunchProgress:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def handle(answers: list[LaunchProgress | BaseException]) -> WorkflowHandle[Any, Any]:
    return cast("WorkflowHandle[Any, Any]", FakeLaunch(answers))


async def test_off_a_terminal_the_bar_is_a_line_per_tenth_and_one_at_the_end(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("winback.commands.progress.POLL_SECONDS", 0)
    steps = [LaunchProgress(planned=20, started=n) for n in (0, 1, 2, 3, 10, 11)]
    final = LaunchProgress(planned=20, started=19, failed=1, done=True)
    got = await follow_launch(handle([*steps, final]), 20)
    assert got == final
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "[------------------------------] 0/20  started 0, already running 0, failed 0",
        "[###---------------------------] 2/20  started 2, already running 0, failed 0",
        "[###############---------------] 10/20  started 10, already running 0, failed 0",
        "[##############################] 20/20  started 19, already running 0, failed 1",
    ]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt(), asyncio.CancelledError()])
async def test_ctrl_c_only_detaches(
    interrupt: BaseException, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("winback.commands.progress.POLL_SECONDS", 0)
    got = await follow_launch(handle([LaunchProgress(planned=5, started=1), interrupt]), 5)
    assert got is None
    assert capsys.readouterr().out.splitlines() == [
        "[######------------------------] 1/5  started 1, already running 0, failed 0"
    ]


def test_the_bar_fills_as_the_hand_drawn_one_did() -> None:
    for planned in range(1, 61):
        for handled in range(planned + 1):
            filled = 30 * handled // planned
            line = progress_line(LaunchProgress(planned=planned, started=handled))
            assert line.startswith(f"[{'#' * filled}{'-' * (30 - filled)}] {handled}/{planned}  ")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_on_a_terminal_the_bar_redraws_in_place_and_ctrl_c_leaves_it_on_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("winback.commands.progress.POLL_SECONDS", 0)
    screen = Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    got = await follow_launch(handle([LaunchProgress(planned=4, started=2), KeyboardInterrupt()]), 4)
    assert got is None
    drawn = screen.getvalue()
    assert drawn.endswith("\n") and drawn.count("\n") == 1  # one line, redrawn with \r
    last = drawn.rsplit("\r", 1)[-1]
    assert "[###############---------------] 2/4  started 2, already running 0, failed 0" in last


def unanswered() -> RPCError:
    # What the server says when no worker answers a query in time.
    return RPCError("Timeout expired", RPCStatusCode.CANCELLED, b"")


async def test_a_query_no_worker_answers_is_asked_again_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a worker the server holds a query for 30 s and then fails it: the bar must keep
    # waiting (and stay interruptible), and say once that no worker seems to run.
    monkeypatch.setattr("winback.commands.progress.POLL_SECONDS", 0)
    monkeypatch.setattr("winback.commands.progress.QUIET_SECONDS", 0)
    final = LaunchProgress(planned=2, started=2, done=True)
    got = await follow_launch(handle([unanswered(), unanswered(), final]), 2)
    assert got == final
    captured = capsys.readouterr()
    assert captured.err.count("no progress yet: is a worker running?") == 1
    assert captured.out.splitlines() == [
        "[##############################] 2/2  started 2, already running 0, failed 0"
    ]


async def test_ctrl_c_while_no_worker_answers_still_only_detaches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("winback.commands.progress.POLL_SECONDS", 0)
    assert await follow_launch(handle([unanswered(), asyncio.CancelledError()]), 3) is None
