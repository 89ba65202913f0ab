"""`winback migrate`: the store's schema, without Temporal; the ports `winback up` takes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from winback import stack
from winback.cli import cli


def test_migrate_brings_the_store_up_to_date_and_says_where(tmp_path: Path) -> None:
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(tmp_path), "DATABASE_URL": None})
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"store at sqlite:///{tmp_path}/winback.db: schema up to date\n"
    assert (tmp_path / "winback.db").exists()
    again = runner.invoke(cli, ["migrate"])
    assert again.exit_code == 0 and again.stdout == result.stdout


def test_up_takes_its_temporal_ports_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WINBACK_TEMPORAL_PORT", raising=False)
    monkeypatch.delenv("WINBACK_UI_PORT", raising=False)
    assert stack.temporal_ports() == (7233, 8233)
    monkeypatch.setenv("WINBACK_TEMPORAL_PORT", "17233")
    monkeypatch.setenv("WINBACK_UI_PORT", " 18233 ")
    assert stack.temporal_ports() == (17233, 18233)
    monkeypatch.setenv("WINBACK_UI_PORT", "eighty")
    assert stack.temporal_ports() == (17233, 8233)
