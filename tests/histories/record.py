"""Record the committed histories the replay tests check against.

    .venv/bin/python -m tests.histories.record

Run it only when adding a history; existing files are the contract that workflow changes
must keep replaying (use workflow.patched for changes).
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.email import OutboxTransport
from activities.sequence import SequenceActivities
from tests.factories import make_account, quiet_monday, sequence_input
from winback import binaries
from winback.launcher import start_sequence
from winback.simulate import InstantTaskBoard, register_search_attributes
from winback.worker import sequence_worker
from workflows.contracts import PauseRequest, ReplyNotice
from workflows.sequence import SequenceWorkflow

HERE = Path(__file__).parent


async def main() -> None:
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    async with env:
        await register_search_attributes(env.client)
        begin = quiet_monday(await env.get_current_time())
        await env.sleep(begin - await env.get_current_time())
        with tempfile.TemporaryDirectory() as tmp:
            impl = SequenceActivities(
                OutboxTransport(Path(tmp)),
                InstantTaskBoard(env.client),
                public_url="https://winback.example",
                unsubscribe_secret=b"record",
            )
            async with sequence_worker(env.client, "record", impl):
                full = sequence_input(make_account(account_id="HIST-T1"))
                handle = await start_sequence(env.client, "record", full)
                await handle.result()
                (HERE / "sequence_t1_full.json").write_text((await handle.fetch_history()).to_json())

                paused = sequence_input(make_account(account_id="HIST-PAUSE", arr=20_000.0))
                handle = await start_sequence(env.client, "record", paused)
                await env.sleep(timedelta(days=1))
                await handle.signal(SequenceWorkflow.pause, PauseRequest(reason="on leave"))
                await env.sleep(timedelta(days=5))
                await handle.signal(SequenceWorkflow.mark_replied, ReplyNotice(note="replied"))
                await handle.result()
                (HERE / "sequence_t2_pause_reply.json").write_text((await handle.fetch_history()).to_json())


if __name__ == "__main__":
    asyncio.run(main())
