"""Bad input: one line per problem naming file, row or field and the fix; exit 2; nothing started."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from campaigns.playbook import PLAYBOOK_DIR
from tests.cli import EXAMPLES, env_for, winback

# Each test runs the real `winback` command in a subprocess: end to end, so it runs in `make test`
# and CI, not in the quick `pytest -m "not integration"` run.
pytestmark = pytest.mark.integration

CAMPAIGN = EXAMPLES / "spring-winback.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"


def bad_accounts(tmp_path: Path) -> tuple[Path, Path, str]:
    path = tmp_path / "accounts.csv"
    text = ACCOUNTS.read_text()
    path.write_text(text.replace(",86000,", ",ten,", 1))
    return (
        CAMPAIGN,
        path,
        f"{path}: row 2, column arr: 'ten' is not a number; write the ARR as a plain number",
    )


def bad_campaign(tmp_path: Path) -> tuple[Path, Path, str]:
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN.read_text().replace('window: "09:00-17:00"', 'window: "9 to 5"'))
    return path, ACCOUNTS, f"{path}: schedule.window: "


def bad_playbook(tmp_path: Path) -> tuple[Path, Path, str]:
    playbook = tmp_path / "service.yaml"
    playbook.write_text((PLAYBOOK_DIR / "service.yaml").read_text().replace("channel: call", "channel: fax"))
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(CAMPAIGN.read_text().replace("service: service", "service: service.yaml"))
    return campaign, ACCOUNTS, f"{playbook}: touches["


def missing_file(tmp_path: Path) -> tuple[Path, Path, str]:
    return CAMPAIGN, tmp_path / "nope.csv", f"{tmp_path / 'nope.csv'}: file not found"


@pytest.mark.integration
@pytest.mark.parametrize(
    "case", [bad_accounts, bad_campaign, bad_playbook, missing_file], ids=lambda c: c.__name__
)
async def test_bad_input_exits_2_with_one_line_per_problem_and_starts_nothing(
    case: object, dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    campaign, accounts, expected = case(tmp_path)  # type: ignore[operator]
    before = datetime.now(UTC).isoformat()
    run = await winback("launch", str(campaign), "--accounts", str(accounts), env=env_for(dev_env, tmp_path))
    assert run.code == 2
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert lines and all(line.startswith(str(tmp_path)) or line.startswith(str(EXAMPLES)) for line in lines)
    assert any(line.startswith(expected) for line in lines), run.err
    if case is bad_playbook:
        assert any(
            "unknown channel 'fax'; use one of email, linkedin, call, content, executive" in x for x in lines
        )
    query = f"WorkflowType = 'SequenceWorkflow' AND StartTime > '{before}'"
    assert [wf.id async for wf in dev_env.client.list_workflows(query)] == []
    # Nothing half-done: not even the accounts were imported.
    assert not (tmp_path / "winback.db").exists()


@pytest.mark.parametrize(
    "case", [bad_accounts, bad_campaign, bad_playbook, missing_file], ids=lambda c: c.__name__
)
async def test_plan_refuses_bad_input_the_same_way(case: object, tmp_path: Path) -> None:
    campaign, accounts, expected = case(tmp_path)  # type: ignore[operator]
    run = await winback("plan", str(campaign), "--accounts", str(accounts), env=env_for(None, tmp_path))
    assert run.code == 2 and run.out == ""
    assert any(line.startswith(expected) for line in run.err.strip().splitlines()), run.err


@pytest.mark.integration
async def test_an_unknown_only_id_is_refused(dev_env: WorkflowEnvironment, tmp_path: Path) -> None:
    run = await winback(
        "launch",
        str(CAMPAIGN),
        "--accounts",
        str(ACCOUNTS),
        "--only",
        "ACC-NOPE",
        env=env_for(dev_env, tmp_path),
    )
    assert run.code == 2
    assert "ACC-NOPE" in run.err and "account_id column" in run.err


async def test_an_unreachable_temporal_says_how_to_fix_it(tmp_path: Path) -> None:
    run = await winback("status", env=env_for(None, tmp_path), timeout=60)
    assert run.code == 1
    assert "cannot reach Temporal at 127.0.0.1:1" in run.err and "winback up" in run.err
