"""What the web service does to a running sequence when the outside world speaks: a reply, a
decline, an out-of-office, an unsubscribe or a bounce. Each is a signal addressed by workflow id
through the contracts (docs/ARCHITECTURE.md, "The flow"); the workflow decides what it means.

The Temporal client connects on first use, so the web service starts (and serves unsubscribe
pages) even while Temporal is down; a signal that cannot be sent raises, and the caller, which
has already stored what happened, logs it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.saves import start_save
from contracts import ids
from contracts.intent import INTENT, IntentNotice
from contracts.saves import SaveInput
from contracts.sequence import DeclineNotice, PauseRequest, ReplyNotice, StopNotice


class SequenceActions(Protocol):
    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None: ...

    async def replied(self, workflow_id: str, note: str) -> None: ...

    async def declined(self, workflow_id: str, reason: str) -> None: ...

    async def pause_until(self, workflow_id: str, until: datetime, reason: str) -> None: ...


class TemporalSequences:
    """SequenceActions on a real Temporal cluster; a sequence that has ended is left alone."""

    def __init__(self, connect: Callable[[], Awaitable[Client]] | None = None) -> None:
        # The default reads the SDK's environment configuration (TEMPORAL_ADDRESS, ...).
        self._connect = connect
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def _temporal(self) -> Client:
        async with self._lock:
            if self._client is None:
                if self._connect is None:
                    from winback import connect as connect_mod

                    self._client = await connect_mod.connect()
                else:
                    self._client = await self._connect()
            return self._client

    async def _handle(self, workflow_id: str) -> WorkflowHandle[Any, Any]:
        return (await self._temporal()).get_workflow_handle(workflow_id)

    async def _signal(self, workflow_id: str, name: str, arg: object) -> None:
        handle = await self._handle(workflow_id)
        try:
            await handle.signal(name, arg)
        except RPCError as err:
            # Already ended (or never ran here): what happened is stored; nothing to stop.
            if err.status != RPCStatusCode.NOT_FOUND:
                raise

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        await self._signal(workflow_id, ids.STOP, StopNotice(outcome=outcome, reason=reason))

    async def replied(self, workflow_id: str, note: str) -> None:
        await self._signal(workflow_id, ids.MARK_REPLIED, ReplyNotice(note=note))

    async def declined(self, workflow_id: str, reason: str) -> None:
        await self._signal(workflow_id, ids.MARK_DECLINED, DeclineNotice(reason=reason))

    async def pause_until(self, workflow_id: str, until: datetime, reason: str) -> None:
        await self._signal(workflow_id, ids.PAUSE, PauseRequest(until=until, reason=reason))

    async def save_intent(self, account_id: str, notice: IntentNotice) -> bool:
        """Tell the account's running save of a cancel intent; False when no save runs (never
        started, or ended: Temporal answers NOT_FOUND for both)."""
        handle = await self._handle(ids.save_workflow_id(account_id))
        try:
            await handle.signal(INTENT, notice)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            return False
        return True

    async def start_save(self, task_queue: str, inp: SaveInput, notice: IntentNotice) -> None:
        """Start the account's save with the cancel intent as its first signal; a save started
        meanwhile hears the intent instead (activities/saves.py `start_save`)."""
        await start_save(await self._temporal(), task_queue, inp, intent=notice)
