"""The approvers file: handles and roles, the manager and executive, one line per problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.approvers import load_approvers
from campaigns.errors import ConfigError
from tests.cli import EXAMPLES


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "approvers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_approvers(path)
    return [line.removeprefix(f"{path}: ") for line in err.value.lines]


def test_the_example_loads() -> None:
    approvers = load_approvers(EXAMPLES / "approvers.yaml")
    assert approvers.role_map()["erik.holm"] == "director"
    assert (approvers.manager, approvers.executive) == ("sanna.virtanen", "claire.dubois")
    assert set(approvers.role_map().values()) == {"csm", "manager", "director", "vp"}


def test_every_problem_is_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "approvers:\n  Maria.Lind: csm\n  sanna: manger\n  ../x: vp\n  maria.lind: manager\n"
        "manager: maria.lind\nexecutive: nobody\n",
    )
    with pytest.raises(ConfigError) as err:
        load_approvers(path)
    assert all(line.startswith(f"{path}: ") for line in err.value.lines)
    assert problems(path) == [
        "approvers.sanna: unknown role 'manger'; did you mean 'manager'?",
        "approvers.../x: is not a handle; write the part of their email before the @, using only letters "
        "a-z, digits and . _ + - (not starting with '.', no '..')",
        "approvers.maria.lind: is listed twice (handles are not case-sensitive); keep one",
        "manager: maria.lind is a csm; the manager must be a manager or above",
        "executive: 'nobody' is not listed under approvers (maria.lind); list them there first",
    ]


def test_missing_keys_and_an_empty_list(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "approvers: {}\n")) == [
        "missing key 'manager'; add it, e.g. manager: sanna.virtanen",
        "missing key 'executive'; add it, e.g. executive: claire.dubois",
        "approvers: write each approver as handle: role, e.g. "
        "approvers: {maria.lind: csm, sanna.virtanen: manager}",
    ]


def test_an_empty_manager(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "approvers: {a.b: vp}\nmanager:\nexecutive: a.b\n")) == [
        "manager: write the handle of who carries the save's manager tasks, as listed under approvers"
    ]


def test_a_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yaml") == ["file not found; check the path and the file name"]
