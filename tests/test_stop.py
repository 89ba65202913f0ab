"""A contact who may not be emailed any more stops the sequence: the `stop` signal a webhook
sends, and a send refused because an unsubscribe or bounce landed after the touch was
scheduled. Nothing goes out after either."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.launch import start_sequence
from activities.sequence import SequenceActivities
from activities.tasks import FolderTaskBoard
from campaigns.model import Preference
from contracts import ids
from contracts.sequence import BOUNCED, UNSUBSCRIBED, SendRequest, SendResult, StopNotice
from tests.factories import make_account, quiet_monday, sequence_input, temp_store
from tests.test_sequence import emails_in, skip_to, until_touches
from winback.worker import sequence_worker


def activities(tmp_path: Path) -> SequenceActivities:
    return SequenceActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=b"test-secret-of-at-least-32-bytes",
    )


class RefusingActivities(SequenceActivities):
    """A send that finds the address bounced since the touch was scheduled."""

    @activity.defn(name="send_email")
    async def send_email(self, req: SendRequest) -> SendResult:
        raise ApplicationError(
            f"account {req.account_id}: the address bounced; not sent",
            BOUNCED,
            type=ids.SUPPRESSED_ERROR,
            non_retryable=True,
        )


async def test_a_stop_after_touch_one_ends_the_sequence_and_nothing_else_goes_out(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    inp = sequence_input(make_account(account_id="STOP-1"))
    async with sequence_worker(ts_env.client, "stop-signal", activities(tmp_path)):
        handle = await start_sequence(ts_env.client, "stop-signal", inp)
        await until_touches(ts_env, handle, 1)
        await handle.signal(ids.STOP, StopNotice(outcome=UNSUBSCRIBED, reason="one-click unsubscribe"))
        result = await handle.result()
    assert (result.outcome, result.reason) == (UNSUBSCRIBED, "one-click unsubscribe")
    assert [t.status for t in result.touches] == ["sent"]
    assert len(emails_in(tmp_path / "outbox")) == 1


async def test_a_stop_with_an_unknown_outcome_changes_nothing(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    inp = sequence_input(make_account(account_id="STOP-2"))
    async with sequence_worker(ts_env.client, "stop-unknown", activities(tmp_path)):
        handle = await start_sequence(ts_env.client, "stop-unknown", inp)
        await until_touches(ts_env, handle, 1)
        await handle.signal(ids.STOP, StopNotice(outcome="replied", reason="not a stop"))
        status = await until_touches(ts_env, handle, 2)
        assert status.outcome is None
        # Never dropped in silence: the refusal shows where the CSM looks.
        assert [line.split(" UTC ", 1)[1] for line in status.refused] == [
            'stop refused: "outcome" must be one of unsubscribed, bounced, disqualified; '
            'got "replied". Example: {"outcome": "bounced", "reason": "mailbox gone"}'
        ]


async def test_a_send_refused_for_a_bounce_skips_the_touch_and_ends_the_sequence_bounced(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    inp = sequence_input(make_account(account_id="STOP-3"))
    impl = RefusingActivities(
        OutboxTransport(tmp_path / "outbox"),
        FolderTaskBoard(tmp_path / "tasks"),
        temp_store(tmp_path),
        public_url="https://winback.example",
        unsubscribe_secret=b"test-secret-of-at-least-32-bytes",
    )
    async with sequence_worker(ts_env.client, "stop-refused", impl):
        handle = await start_sequence(ts_env.client, "stop-refused", inp)
        result = await handle.result()
    assert result.outcome == BOUNCED
    (touch,) = result.touches
    assert touch.status == "skipped" and "bounced" in touch.note
    assert emails_in(tmp_path / "outbox") == []


async def test_an_unsubscribe_recorded_while_the_sequence_waits_blocks_the_next_email(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Nothing signals the sequence: the send itself asks the store after the timer fires."""
    await skip_to(ts_env, quiet_monday(await ts_env.get_current_time()))
    inp = sequence_input(make_account(account_id="STOP-4"))
    first, *_, last_email = (t for t in inp.plan.touches if t.channel == "email")
    call = next(t for t in inp.plan.touches if t.channel == "call")
    # Email, email, call: touch 2 is an email the unsubscribe must stop.
    touches = (first, replace(last_email, number=2), replace(call, number=3))
    inp = replace(inp, plan=replace(inp.plan, touches=touches))
    impl = activities(tmp_path)
    async with sequence_worker(ts_env.client, "stop-between", impl):
        handle = await start_sequence(ts_env.client, "stop-between", inp)
        await until_touches(ts_env, handle, 1)
        today = (await ts_env.get_current_time()).date().isoformat()
        impl.store.record_preference(
            Preference(
                email=inp.contacts.primary.email.upper(),
                account_id="STOP-4",
                kind="unsubscribed",
                since=today,
                until=None,
                reason="unsubscribed by one-click link",
            )
        )
        result = await handle.result()
    assert result.outcome == UNSUBSCRIBED
    assert [(t.number, t.status) for t in result.touches] == [(1, "sent"), (2, "skipped")]
    assert "unsubscribed" in result.touches[1].note and "@" not in result.touches[1].note
    assert len(emails_in(tmp_path / "outbox")) == 1
