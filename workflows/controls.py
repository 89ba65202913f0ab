"""What a CSM's console shares, whatever it steers (a sequence, a save): every input arrives as a
raw payload and is read by hand; an Update's validator and handler read and check it on one path
and refuse with one line; a signal's unreadable input is recorded as refused, never dropped
(docs/ARCHITECTURE.md, "The CSM's console")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from temporalio import workflow
from temporalio.api.common.v1 import Payload
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from contracts import ids
    from contracts.actions import Refused, Zone

_T = TypeVar("_T")

# A signal or update sent with no input at all reads as JSON null: every field at its default.
NO_INPUT = RawValue(Payload(metadata={"encoding": b"binary/null"}))


def refusal(message: str) -> ApplicationError:
    # An ApplicationError, not a plain exception: after validation a plain one would fail the
    # workflow task over and over instead of answering the update.
    return ApplicationError(message, type=ids.REFUSED_ERROR, non_retryable=True)


class _Refusals(Protocol):
    def refuse(self, at: datetime, line: str) -> None: ...

    def accepted(self) -> None: ...


class _Account(Protocol):
    @property
    def timezone(self) -> str: ...


class _Input(Protocol):
    @property
    def account(self) -> _Account: ...


class Reading:
    """Mixed into each console (SequenceControls, SaveControls), whose workflow provides the
    state, the input and the publishing."""

    _inp: _Input
    _s: _Refusals

    def _publish(self) -> None:
        raise NotImplementedError

    def _value(self, raw: RawValue) -> object:
        try:
            return workflow.payload_converter().from_payload(raw.payload)
        except Exception:  # any payload the converter cannot turn into a value
            raise Refused("the input is not JSON; type a JSON object such as {}") from None

    def _zone(self) -> Zone:
        """Dates and times a CSM types are the customer's."""
        return Zone(self._inp.account.timezone, workflow.now())

    def _checked(self, read: Callable[[], _T], state_refused: Callable[[_T], str | None]) -> _T:
        """Read the input, then check it against the state: one path for the validator and
        the handler (a handler runs without its validator when a history replays)."""
        try:
            value = read()
        except Refused as err:
            raise refusal(str(err)) from None
        refused = state_refused(value)
        if refused:
            raise refusal(refused)
        return value

    def _signalled(self, action: str, read: Callable[[], _T]) -> _T | None:
        """A signal's input, or None when it cannot be read: then it is recorded as refused."""
        try:
            value = read()
        except Refused as err:
            message = str(err)
            if not message.startswith(action):
                message = f"{action} refused: {message}"
            self._s.refuse(workflow.now(), message)
            self._publish()
            return None
        self._s.accepted()
        return value
