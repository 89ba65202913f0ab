"""What every command shares: the command names, one-line errors with their exit codes, inputs."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli import EXAMPLES, REPO
from winback.cli import cli
from winback.commands.common import EXIT_BAD_INPUT, fail, load_inputs, parse_moment


def test_the_command_names_are_the_contract() -> None:
    assert set(cli.commands) == {
        "up",
        "down",
        "worker",
        "migrate",
        "plan",
        "launch",
        "simulate",
        "status",
        "pause",
        "resume",
        "cancel",
        "tasks",
        "task",
        "classify-reply",
        "web",
        "watch",
        "signals",
        "release",
        "reconcile",
        "saves",
        "templates",
    }
    task = cli.commands["task"]
    assert hasattr(task, "commands") and set(task.commands) == {"done"}
    watch = cli.commands["watch"]
    assert hasattr(watch, "commands")
    assert set(watch.commands) == {"add", "list", "pause", "resume", "run-once"}
    signals = cli.commands["signals"]
    assert hasattr(signals, "commands") and set(signals.commands) == {"scan"}
    saves = cli.commands["saves"]
    assert hasattr(saves, "commands") and set(saves.commands) == {"plan", "launch", "intent", "report"}
    templates = cli.commands["templates"]
    assert hasattr(templates, "commands") and set(templates.commands) == {"check"}


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_python_dash_m_winback_is_the_console_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "winback", "--help"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: winback [OPTIONS] COMMAND [ARGS]...")


def test_fail_is_one_line_on_stderr_and_the_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        fail("no sequence for account ACC-1; `winback status` lists them")
    assert exited.value.code == 1
    assert capsys.readouterr() == ("", "no sequence for account ACC-1; `winback status` lists them\n")
    with pytest.raises(SystemExit) as exited:
        fail("bad", EXIT_BAD_INPUT)
    assert exited.value.code == 2


def test_a_moment_is_iso_8601_with_z_and_utc_when_it_names_no_zone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert parse_moment("2027-04-15", "x") == datetime(2027, 4, 15, tzinfo=UTC)
    assert parse_moment("2027-04-15T09:30:00Z", "x") == datetime(2027, 4, 15, 9, 30, tzinfo=UTC)
    with pytest.raises(SystemExit) as exited:
        parse_moment("mid-April", "--until: 'mid-April' is not an ISO date or moment")
    assert exited.value.code == 2
    assert capsys.readouterr().err == "--until: 'mid-April' is not an ISO date or moment\n"


def test_a_bad_until_is_one_line_and_exit_2_before_temporal_is_asked(tmp_path: Path) -> None:
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    result = runner.invoke(cli, ["pause", "ACC-1", "--until", "Friday"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == "--until: 'Friday' is not an ISO date or moment; write e.g. 2027-04-15\n"


def test_bad_inputs_are_one_line_each_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accounts = tmp_path / "accounts.csv"
    lines = (EXAMPLES / "accounts.csv").read_text().splitlines()
    accounts.write_text("\n".join([lines[0], lines[1].replace(",86000,", ",ten,"), lines[2]]) + "\n")
    with pytest.raises(SystemExit) as exited:
        load_inputs(tmp_path / "nope.yaml", accounts)
    assert exited.value.code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{tmp_path / 'nope.yaml'}: file not found")
    assert err[1].startswith(f"{accounts}: row 2, column arr: 'ten' is not a number")
    assert len(err) == 2

    campaign, accounts_file = load_inputs(EXAMPLES / "spring-winback.yaml", accounts, skip_invalid=True)
    assert campaign.id == "spring-winback-2027"
    assert [a.account_id for a in accounts_file.accounts] == ["ACC-1002"]
    assert [where for where, _ in accounts_file.invalid_rows] == ["ACC-1001"]
