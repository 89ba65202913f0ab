"""`winback signals scan`, `watch add|list|pause|resume|run-once` and `release`, run as marketing
ops run them: the scan's JSON contract over a real feed, one clear line and exit 2 for bad input,
and the watch commands against the dev server."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from tests.cli import REPO, env_for, winback

pytestmark = pytest.mark.integration  # the real winback command in a subprocess

FIXTURES = REPO.parent / "shared" / "fixtures"
TECHCRUNCH_2011 = FIXTURES / "funding_feeds" / "feedjira_TechCrunch_2011_feedburner.xml"
HEADER = (
    "account_id,company,domain,country,timezone,arr,churned_on,churn_reason,churn_detail,competitor,"
    "departure,owner,contact_name,contact_email,contact_title,linkedin_url,locale,exec_name,exec_email,"
    "exec_title,aliases"
)


def accounts_csv(folder: Path, *rows: dict[str, str]) -> Path:
    columns = HEADER.split(",")
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        base = {
            "country": "US",
            "timezone": "America/Chicago",
            "arr": "60000",
            "churned_on": (datetime.now(UTC) - timedelta(days=240)).date().isoformat(),
            "churn_reason": "budget",
            "departure": "graceful",
            "owner": "maria.lind@winback.example",
            "contact_name": "Dana Whitfield",
            "contact_email": f"dana@{row['domain']}",
            "locale": "en",
        }
        writer.writerow({**dict.fromkeys(columns, ""), **base, **row})
    path = folder / "accounts.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


async def test_scan_json_is_one_object_per_event_with_the_contract_s_keys(tmp_path: Path) -> None:
    accounts = accounts_csv(
        tmp_path,
        {"account_id": "ACC-AGARI", "company": "Agari, Inc.", "domain": "agari.example"},
        # A common word as a name: Square is mentioned in the feed, never as a funding subject.
        {"account_id": "ACC-SQ", "company": "Square", "domain": "square.example"},
    )
    run = await winback(
        "signals",
        "scan",
        str(TECHCRUNCH_2011),
        "--accounts",
        str(accounts),
        "--json",
        env=env_for(None, tmp_path),
    )
    assert run.code == 0, run.err
    events = json.loads(run.out)
    assert isinstance(events, list) and events
    for event in events:
        assert list(event) == [
            "kind",
            "company",
            "account_id",
            "facts",
            "title",
            "url",
            "published",
            "matched_by",
        ]
    [agari] = [e for e in events if e["account_id"] == "ACC-AGARI"]
    assert agari["kind"] == "funding" and agari["matched_by"] == "name"
    assert agari["facts"]["amount"] == "2500000" and agari["facts"]["currency"] == "USD"
    # The real article, not the feedburner redirect.
    assert agari["url"].startswith("http://techcrunch.com/") and "feedburner" not in agari["url"]
    assert agari["published"] is not None and agari["published"].startswith("2011-")
    assert not [e for e in events if e["account_id"] == "ACC-SQ"]
    assert {e["kind"] for e in events} <= {
        "funding", "acquisition", "executive_change", "expansion", "layoffs", "price_increase",
        "outage", "strategy_change", "hiring", "leadership_hire", "release",
    }  # fmt: skip


async def test_scan_of_a_job_board_file(tmp_path: Path) -> None:
    accounts = accounts_csv(
        tmp_path, {"account_id": "ACC-GL", "company": "GitLab", "domain": "gitlab.example"}
    )
    board = FIXTURES / "job_posts" / "greenhouse_real_trimmed_gitlab_2026.json"
    run = await winback(
        "signals", "scan", str(board), "--accounts", str(accounts), "--json", env=env_for(None, tmp_path)
    )
    assert run.code == 0, run.err
    kinds = {e["kind"] for e in json.loads(run.out)}
    assert "hiring" in kinds


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("http://169.254.169.254/latest/meta-data/", "refused"),
        ("no-such-feed.xml", "no such file"),
    ],
)
async def test_scan_refuses_a_source_it_must_not_read_with_one_line(
    tmp_path: Path, source: str, says: str
) -> None:
    accounts = accounts_csv(tmp_path, {"account_id": "ACC-1", "company": "Agari", "domain": "agari.example"})
    run = await winback("signals", "scan", source, "--accounts", str(accounts), env=env_for(None, tmp_path))
    assert run.code == 2
    assert run.out == "" and len(run.err.strip().splitlines()) == 1 and says in run.err


async def test_scan_of_something_that_is_no_feed_names_the_file_and_the_reason(tmp_path: Path) -> None:
    accounts = accounts_csv(tmp_path, {"account_id": "ACC-1", "company": "Agari", "domain": "agari.example"})
    page = tmp_path / "page.html"
    page.write_text("<html><body>Our blog moved</body></html>", encoding="utf-8")
    run = await winback(
        "signals", "scan", str(page), "--accounts", str(accounts), env=env_for(None, tmp_path)
    )
    assert run.code == 2 and run.err.startswith(f"{page}: ") and len(run.err.strip().splitlines()) == 1


CAMPAIGN = """
id: watch-cli
name: Watch CLI
playbooks: {budget: budget, product_gap: product_gap, default: time_based}
audience: {months_since_churn: {min: 0, max: 120}}
schedule: {window: "00:00-24:00", weekdays: [mon, tue, wed, thu, fri, sat, sun], quarter_end_blackout_days: 0}
sender: {from: "Aino <aino@winback.example>", postal_address: "Esimerkkikatu 1, Helsinki"}
triggers:
  - on: funding
    playbook: budget
  - on: release
    playbook: product_gap
"""


async def test_watch_add_list_pause_and_run_once_on_the_dev_server(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = env_for(dev_env, tmp_path, task_queue=f"watch-cli-{uuid.uuid4().hex[:6]}")
    campaign = tmp_path / "watch.yaml"
    campaign.write_text(CAMPAIGN, encoding="utf-8")
    accounts = accounts_csv(tmp_path, {"account_id": "ACC-W", "company": "Agari", "domain": "agari.example"})
    source_id = f"tc-{uuid.uuid4().hex[:6]}"

    bad = await winback(
        "watch", "add", "https://feeds.example/tc", "--campaign", str(campaign), "--every", "1s", env=env
    )
    assert bad.code == 2 and "--every" in bad.err

    added = await winback(
        "watch", "add", "https://feeds.example/tc", "--campaign", str(campaign), "--accounts", str(accounts),
        "--id", source_id, "--every", "6h", env=env,
    )  # fmt: skip
    assert added.code == 0, added.err
    assert f"watching {source_id} (feed) every 6h" in added.out

    listed = await winback("watch", "list", "--json", env=env)
    assert listed.code == 0, listed.err
    [row] = [r for r in json.loads(listed.out) if r["id"] == source_id]
    assert row["schedule"] == "active" and row["every_seconds"] == 6 * 3600 and row["last_success"] is None

    paused = await winback("watch", "pause", source_id, env=env)
    assert paused.code == 0, paused.err
    listed = await winback("watch", "list", "--json", env=env)
    [row] = [r for r in json.loads(listed.out) if r["id"] == source_id]
    assert row["schedule"] == "paused"

    # A poll now: feeds.example does not resolve here, so the source is recorded as failing,
    # with its reason, and the command says so in one line.
    once = await winback("watch", "run-once", source_id, env=env)
    assert once.code == 1 and once.err.startswith(f"{source_id}: ")
    listed = await winback("watch", "list", env=env)
    assert f"!! {source_id}" in listed.out and "failing:" in listed.out

    missing = await winback("watch", "pause", "no-such-source", env=env)
    assert missing.code == 2 and "no watched source 'no-such-source'" in missing.err


async def test_release_starts_the_playbook_for_the_accounts_it_answers(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = env_for(dev_env, tmp_path, task_queue=f"release-{uuid.uuid4().hex[:6]}")
    campaign = tmp_path / "watch.yaml"
    campaign.write_text(CAMPAIGN, encoding="utf-8")
    suffix = uuid.uuid4().hex[:6].upper()
    accounts = accounts_csv(
        tmp_path,
        {"account_id": f"SF-{suffix}", "company": "Agari", "domain": "agari.example",
         "churn_reason": "product_gap", "churn_detail": "needed a Salesforce integration"},
        {"account_id": f"SSO-{suffix}", "company": "Prairie", "domain": "prairie.example",
         "churn_reason": "product_gap", "churn_detail": "wanted SSO"},
    )  # fmt: skip
    bad = await winback(
        "release",
        "Salesforce integration",
        "--addresses",
        "product_gapp",
        "--campaign",
        str(campaign),
        env=env,
    )
    assert bad.code == 2 and "--addresses: unknown churn reason 'product_gapp'" in bad.err
    run = await winback(
        "release", f"Salesforce integration {suffix}", "--addresses", "product_gap", "--detail", "salesforce",
        "--campaign", str(campaign), "--accounts", str(accounts), env=env,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert f"1 sequences started (SF-{suffix})" in run.out
    again = await winback(
        "release", f"Salesforce integration {suffix}", "--addresses", "product_gap", "--detail", "salesforce",
        "--campaign", str(campaign), env=env,
    )  # fmt: skip
    assert again.code == 0 and "announced before" in again.out and "0 sequences started" in again.out
