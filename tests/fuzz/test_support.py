"""The fuzz suite's own guard: the properties are only as good as its check for stray writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.fuzz.support import assert_problem_lines, guarded


def test_a_write_outside_the_example_folder_fails_the_example(tmp_path: Path) -> None:
    inside, outside = tmp_path / "inside", tmp_path / "outside"
    inside.mkdir()
    outside.mkdir()
    with guarded(inside):
        (inside / "fine.txt").write_text("x")
        (inside / "sub").mkdir()
    for stray in (
        lambda: (outside / "stray.txt").write_text("x"),
        lambda: os.close(os.open(outside / "raw", os.O_CREAT | os.O_WRONLY)),
        lambda: (outside / "dir").mkdir(),
        lambda: os.rename(inside / "fine.txt", outside / "moved.txt"),
    ):
        with pytest.raises(AssertionError, match="wrote outside"), guarded(inside):
            stray()


def test_reading_anywhere_is_fine(tmp_path: Path) -> None:
    with guarded(tmp_path):
        Path(__file__).read_text()


@pytest.mark.parametrize(
    "line",
    ["data.csv: row 2\nrow 3", "data.csv: " + "x" * 600, "other.csv: row 2: problem"],
    ids=["two-lines", "long", "other-file"],
)
def test_a_problem_line_is_one_short_line_naming_the_file(line: str) -> None:
    with pytest.raises(AssertionError):
        assert_problem_lines([line], ["data.csv"])
    good = "data.csv: row 2, column arr: 'x' is not a number; write it as 12000"
    assert_problem_lines([good], ["data.csv"])
