"""`winback migrate`: the store's schema, without Temporal."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from winback.cli import cli


def test_migrate_brings_the_store_up_to_date_and_says_where(tmp_path: Path) -> None:
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(tmp_path), "DATABASE_URL": None})
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"store at sqlite:///{tmp_path}/winback.db: schema up to date\n"
    assert (tmp_path / "winback.db").exists()
    again = runner.invoke(cli, ["migrate"])
    assert again.exit_code == 0 and again.stdout == result.stdout
