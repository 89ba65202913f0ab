"""How a sequence ends: the outcome names, and what a finished sequence tells the next campaign
(its outcome lands in the store)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard
from campaigns.accounts import load_accounts
from campaigns.campaign import load_campaign
from campaigns.months import add_months
from campaigns.outcomes import (
    BOUNCED,
    CANCELLED,
    COMPLETED_NO_REPLY,
    DISQUALIFIED,
    OUTCOMES,
    REPLIED,
    UNSUBSCRIBED,
    outcome_words,
)
from contracts import sequence as contracts
from contracts.sequence import DECLINED, DeclineNotice
from tests.cli import EXAMPLES, env_for, winback
from tests.factories import sequence_input, temp_store
from winback.worker import sequence_worker
from workflows.sequence import SequenceWorkflow

SPRING = EXAMPLES / "spring-winback.yaml"
DEMO = EXAMPLES / "demo-campaign.yaml"
ACCOUNTS = EXAMPLES / "accounts.csv"


def test_the_outcome_names_exist_once() -> None:
    assert OUTCOMES == (REPLIED, DECLINED, COMPLETED_NO_REPLY, CANCELLED, BOUNCED, UNSUBSCRIBED, DISQUALIFIED)
    assert OUTCOMES == (
        "replied",
        "declined",
        "completed_no_reply",
        "cancelled",
        "bounced",
        "unsubscribed",
        "disqualified",
    )
    # The workflow's contract re-exports them rather than spelling them again.
    assert (contracts.REPLIED, contracts.DECLINED) == (REPLIED, DECLINED)
    assert (contracts.COMPLETED_NO_REPLY, contracts.CANCELLED) == (COMPLETED_NO_REPLY, CANCELLED)


def test_outcome_words() -> None:
    assert [outcome_words(o) for o in OUTCOMES] == [
        "replied",
        "declined",
        "completed with no reply",
        "cancelled",
        "bounced",
        "unsubscribed",
        "disqualified (out of reach)",
    ]
    assert outcome_words(None) == "ended"
    assert outcome_words("") == "ended"
    assert outcome_words("bounced") == "bounced"  # a later outcome reads as its name


async def plan_entry(tmp_path: Path, campaign: Path, account_id: str, as_of: str) -> dict[str, object]:
    run = await winback(
        "plan",
        str(campaign),
        "--accounts",
        str(ACCOUNTS),
        "--as-of",
        as_of,
        "--json",
        env=env_for(None, tmp_path),
    )
    assert run.code == 0, run.err
    entries = {a["account_id"]: a for a in json.loads(run.out)["accounts"]}
    return entries[account_id]  # type: ignore[no-any-return]


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_a_declined_sequence_keeps_the_account_out_of_the_next_plan_until_its_date(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    store = temp_store(tmp_path)  # the file `winback plan` opens with WINBACK_DATA_DIR=tmp_path
    impl = SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        store,
        public_url="https://winback.example",
        unsubscribe_secret=b"test",
    )
    account = next(a for a in load_accounts(ACCOUNTS).accounts if a.account_id == "ACC-1001")
    async with sequence_worker(ts_env.client, "outcomes", impl):
        handle = await start_sequence(
            ts_env.client, "outcomes", sequence_input(account, load_campaign(SPRING))
        )
        await handle.signal(SequenceWorkflow.mark_declined, DeclineNotice(reason="built it in-house"))
        result = await handle.result()
    assert result.outcome == DECLINED

    [enrolment] = [e for e in store.enrolments_for_plan("spring-winback-2027") if e.account_id == "ACC-1001"]
    assert enrolment.outcome == DECLINED and enrolment.ended_on is not None
    ended = date.fromisoformat(enrolment.ended_on)
    until = add_months(ended, 12)  # the campaign's cool_off.declined_months
    store.close()

    # Another campaign, the next day: still out, with the reason and the day it may start again.
    entry = await plan_entry(tmp_path, DEMO, "ACC-1001", ended.isoformat())
    assert entry["included"] is False
    assert entry["earliest_start"] == until.isoformat()
    reasons = " ".join(entry["reasons"])  # type: ignore[arg-type]
    assert "declined" in reasons and until.isoformat() in reasons and "built it in-house" in reasons
    assert "@" not in reasons

    # The day the cool-off ends it is eligible again.
    assert (await plan_entry(tmp_path, DEMO, "ACC-1001", until.isoformat()))["included"] is True
