"""`winback plan`: the contract scripts read, and what a marketing-ops user sees."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import EXAMPLES, Run, env_for, winback

# Each test runs the real `winback` command in a subprocess: end to end, so it runs in `make test`
# and CI, not in the quick `pytest -m "not integration"` run.
pytestmark = pytest.mark.integration

CAMPAIGN = EXAMPLES / "spring-winback.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"
ACCOUNT_KEYS = ["account_id", "included", "tier", "priority", "playbook", "earliest_start", "reasons"]


async def plan(tmp_path: Path, accounts: Path, *args: str) -> Run:
    """`winback plan` on the example campaign, with no Temporal reachable."""
    return await winback(
        "plan", str(CAMPAIGN), "--accounts", str(accounts), *args, env=env_for(None, tmp_path)
    )


def with_bad_rows(tmp_path: Path) -> Path:
    """The example file with two bad rows: row 3 (ACC-1002) ARR and row 6 (ACC-1005) country."""
    rows = list(csv.DictReader(ACCOUNTS.open(newline="")))
    rows[1]["arr"] = "lots"
    rows[4]["country"] = "XX"
    path = tmp_path / "accounts.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_plan_json_is_the_documented_shape_and_needs_no_temporal(tmp_path: Path) -> None:
    # TEMPORAL_ADDRESS points nowhere: planning must not need the cluster.
    run = await plan(tmp_path, ACCOUNTS, "--as-of", "2027-01-15", "--json")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    assert list(doc) == ["accounts", "totals"]
    assert [a["account_id"] for a in doc["accounts"]] == [f"ACC-{n}" for n in range(1001, 1015)]
    for account in doc["accounts"]:
        assert list(account) == ACCOUNT_KEYS
        assert account["tier"] in ("T1", "T2", "T3", None)
        assert account["priority"] in ("high", "medium", "low", None)
        assert isinstance(account["reasons"], list) and account["reasons"]
    by_id = {a["account_id"]: a for a in doc["accounts"]}
    assert by_id["ACC-1001"]["included"] is True and by_id["ACC-1001"]["priority"] == "high"
    assert by_id["ACC-1001"]["earliest_start"] == "2027-01-15"
    assert by_id["ACC-1012"]["included"] is False and by_id["ACC-1012"]["earliest_start"] is None
    assert by_id["ACC-1013"]["tier"] is None
    totals = doc["totals"]
    assert (totals["accounts"], totals["included"], totals["excluded"]) == (14, 12, 2)
    assert totals["by_exclusion_reason"] == {"structural": 1, "below_min_arr": 1}
    assert totals["by_tier"]["none"] == {"included": 0, "excluded": 1}


async def test_as_of_moves_the_rules_to_that_day(tmp_path: Path) -> None:
    # ACC-1003 churned 2026-04-03: too early on 2026-10-02, eligible from 2026-10-03.
    early = await plan(tmp_path, ACCOUNTS, "--as-of", "2026-10-02", "--json")
    entry = {a["account_id"]: a for a in json.loads(early.out)["accounts"]}["ACC-1003"]
    assert entry["included"] is False and entry["earliest_start"] == "2026-10-03"
    assert any("too early" in r for r in entry["reasons"])
    on_time = await plan(tmp_path, ACCOUNTS, "--as-of", "2026-10-03", "--json")
    assert {a["account_id"]: a for a in json.loads(on_time.out)["accounts"]}["ACC-1003"]["included"] is True


async def test_bad_rows_stop_the_plan_unless_skipped_and_then_are_listed(tmp_path: Path) -> None:
    accounts = with_bad_rows(tmp_path)
    run = await plan(tmp_path, accounts)
    assert run.code == 2 and run.out == ""
    errors = run.err.strip().splitlines()
    assert any(f"{accounts}: row 3, column arr" in line for line in errors), run.err
    assert any(f"{accounts}: row 6, column country" in line for line in errors), run.err

    table = await plan(tmp_path, accounts, "--skip-invalid")
    assert table.code == 0, table.err
    assert "skipped" in table.out and "ACC-1002" in table.out

    as_json = await plan(tmp_path, accounts, "--skip-invalid", "--json")
    assert as_json.code == 0
    doc = json.loads(as_json.out)  # stdout stays pure JSON; the skipped rows go to stderr
    assert doc["totals"]["skipped_rows"] == 2
    assert "ACC-1002" not in {a["account_id"] for a in doc["accounts"]}
    assert "skipped" in as_json.err and "ACC-1002" in as_json.err


async def test_a_bad_as_of_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = await plan(tmp_path, ACCOUNTS, "--as-of", "next week")
    assert run.code == 2 and run.out == ""
    assert run.err.strip() == "--as-of: 'next week' is not a date; write it as YYYY-MM-DD, e.g. 2027-03-01"


def with_row_2(tmp_path: Path, edit: Callable[[str], str]) -> Path:
    """The example file with row 2 (ACC-1001) edited as text."""
    lines = ACCOUNTS.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = edit(lines[1])
    path = tmp_path / "accounts.csv"
    path.write_text("".join(lines), encoding="utf-8")
    return path


async def test_a_churn_year_of_9999_is_one_line_and_exit_2_not_a_traceback(tmp_path: Path) -> None:
    accounts = with_row_2(
        tmp_path, lambda line: re.sub(r",\d{4}-\d{2}-\d{2},", ",9999-12-31,", line, count=1)
    )
    run = await plan(tmp_path, accounts, "--as-of", "2027-01-15")
    assert run.code == 2 and run.out == "", run.err
    assert run.err.splitlines() == [
        f"{accounts}: row 2, column churned_on: '9999-12-31' is out of range: the year must be "
        "1900-2200; write it as YYYY-MM-DD such as 2026-03-01, or leave it empty for an at-risk account"
    ]
    skipped = await plan(tmp_path, accounts, "--as-of", "2027-01-15", "--skip-invalid")
    assert skipped.code == 0 and skipped.err == ""
    assert "skipped  row 2 (ACC-1001): column churned_on: '9999-12-31' is out of range" in skipped.out


async def test_a_stray_quote_stops_the_plan_even_with_skip_invalid(tmp_path: Path) -> None:
    # Skipping "bad rows" would plan 0 of 0 accounts: the quote swallowed every row after it.
    accounts = with_row_2(tmp_path, lambda line: line.replace(",needed ", ',"needed ', 1))
    for args in ((), ("--skip-invalid",), ("--skip-invalid", "--json")):
        run = await plan(tmp_path, accounts, "--as-of", "2027-01-15", *args)
        assert (run.code, run.out) == (2, ""), run.out
        assert run.err.splitlines() == [
            f'{accounts}: row 2: a quote (") opens in column churn_detail and never closes, so the '
            "rest of the file would be read as one value; close the quote or remove it"
        ]


def campaign_with(tmp_path: Path, extra: str) -> Path:
    """The example campaign with `extra` appended."""
    path = tmp_path / "campaign.yaml"
    path.write_text(CAMPAIGN.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


async def plan_of(tmp_path: Path, campaign: Path, accounts: Path = ACCOUNTS) -> Run:
    return await winback(
        "plan", str(campaign), "--accounts", str(accounts), env=env_for(None, tmp_path), timeout=60
    )


async def test_a_campaign_nested_a_hundred_thousand_deep_is_one_line_and_exit_2(tmp_path: Path) -> None:
    campaign = campaign_with(tmp_path, "extra: " + "[" * 100_000 + "\n")
    run = await plan_of(tmp_path, campaign)
    assert (run.code, run.out) == (2, ""), run.err[-2000:]
    line = len(CAMPAIGN.read_text(encoding="utf-8").splitlines()) + 1
    assert run.err == (
        f"{campaign}: line {line}: blocks and lists nested more than 20 deep; a campaign or playbook "
        "needs at most a few levels, so close the brackets or remove the extra indentation\n"
    )


async def test_an_alias_bomb_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bomb = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"x{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]" for n in range(1, 9)]
    # 9**9 strings under audience.churn_reasons, where the error message once expanded them
    # (3.4 GB, killed at 60 s).
    text = CAMPAIGN.read_text(encoding="utf-8").replace(
        "audience:\n", "\n".join(bomb) + "\naudience:\n  churn_reasons: [*a8, *a8]\n"
    )
    path = tmp_path / "campaign.yaml"
    path.write_text(text, encoding="utf-8")
    run = await plan_of(tmp_path, path)
    assert (run.code, run.out) == (2, ""), run.err[-2000:]
    first = text.splitlines().index(bomb[0]) + 1
    assert run.err == (
        f"{path}: line {first}: YAML aliases (*name) and anchors (&name) are not supported here; "
        "write the values out\n"
    )


async def test_a_catastrophic_churn_detail_pattern_plans_promptly(tmp_path: Path) -> None:
    # /(a+)+$/ against 33+ a's that do not end the detail: hours on a backtracking engine.
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(
        CAMPAIGN.read_text(encoding="utf-8").replace(
            "audience:\n", 'audience:\n  churn_detail: "/(a+)+$/"\n'
        ),
        encoding="utf-8",
    )
    rows = list(csv.DictReader(ACCOUNTS.open(newline="")))
    for row in rows:
        row["churn_detail"] = "a" * 40 + "!"
    accounts = tmp_path / "accounts.csv"
    with accounts.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run = await winback(
        "plan",
        str(campaign),
        "--accounts",
        str(accounts),
        "--as-of",
        "2027-01-15",
        "--json",
        env=env_for(None, tmp_path),
        timeout=60,
    )
    assert run.code == 0, run.err
    totals = json.loads(run.out)["totals"]
    assert (totals["included"], totals["by_exclusion_reason"]["audience_churn_detail"]) == (0, 14)
