"""The web service's hands on a running sequence: each action is the sequence's own signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.launch import start_sequence
from campaigns.model import Account, Contact
from contracts.sequence import BOUNCED, DECLINED, REPLIED
from tests.factories import make_account, quiet_monday, sequence_input
from tests.test_sequence import skip_to, until_touches
from tests.test_stop import activities
from winback.sequence_actions import TemporalSequences
from winback.worker import sequence_worker


def own_contact(account_id: str) -> Account:
    contact = Contact(name="Aino Korhonen", email=f"{account_id.lower()}@revontuli.example", title="COO")
    return make_account(account_id=account_id, contact=contact)


async def connected(env: WorkflowEnvironment) -> TemporalSequences:
    async def connect():  # type: ignore[no-untyped-def]
        return env.client

    return TemporalSequences(connect)


async def test_each_action_ends_or_pauses_the_sequence_it_names(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    actions = await connected(ts_env)
    async with sequence_worker(ts_env.client, "actions", activities(tmp_path)):
        ends = {}
        for account_id, act, outcome in [
            ("ACT-1", lambda wid: actions.replied(wid, "asked for a call"), REPLIED),
            ("ACT-2", lambda wid: actions.declined(wid, "built it in-house"), DECLINED),
            ("ACT-3", lambda wid: actions.stop(wid, BOUNCED, "mailbox gone"), BOUNCED),
        ]:
            # Each its own contact: a decline rests the address, and the next one would meet it.
            inp = sequence_input(own_contact(account_id))
            handle = await start_sequence(ts_env.client, "actions", inp)
            await until_touches(ts_env, handle, 1)
            await act(handle.id)
            ends[account_id] = ((await handle.result()).outcome, outcome)
        assert all(got == want for got, want in ends.values()), ends

        inp = sequence_input(own_contact("ACT-4"))
        handle = await start_sequence(ts_env.client, "actions", inp)
        await until_touches(ts_env, handle, 1)
        back = await ts_env.get_current_time() + timedelta(days=20)
        await actions.pause_until(handle.id, back, "out of office")
        status = await handle.query("status")
        assert status["paused"] and status["pause_reason"] == "out of office"
        await handle.cancel()


async def test_an_action_on_a_sequence_that_never_ran_here_is_no_error(ts_env: WorkflowEnvironment) -> None:
    actions = await connected(ts_env)
    await actions.stop("winback-NOPE-1", BOUNCED, "gone")
    await actions.pause_until("winback-NOPE-1", datetime(2030, 1, 1, tzinfo=UTC), "away")
