"""`POST /webhooks/sendgrid/events`: SendGrid's Event Webhook, verified, stored once, acted on once.

In this order: no public key configured answers 503 (unsigned events are never taken); a body
over 5 MB 413; a bad or stale signature 403; a body that is not JSON 400. Then the events are
stored (inbound/sendgrid_events.py parses them, activities/store/events.py keeps them once and
records the bounce or unsubscribe of each new fact), and only then is the 2xx sent: SendGrid
posts again whatever it did not see acknowledged, for 24 hours, so nothing is acknowledged
before it is stored. A store failure answers 503 for that reason.

Stopping a sequence is the `SequenceStopper`'s job, called after the store, for the facts that
changed state now. A failed stop is logged and the 2xx still sent: the event is stored, and a
retry would find its fact acted on already (making the stop reliable is the stopper's concern).

No email address and no body is ever logged; reasons come from inbound, which leaves them out.
Starlette loads only when the routes are built, as in winback/web.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Protocol

from activities.store import ProviderEventsReceipt
from inbound import sendgrid_events as sg
from winback.settings import Settings

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

# Under winback.web, so `winback web`'s INFO level reaches these lines too.
log = logging.getLogger("winback.web.sendgrid")

PATH: Final = "/webhooks/sendgrid/events"
MAX_BODY: Final = 5 * 1024 * 1024  # SendGrid batches stay far below this
STOP_TIMEOUT_S: Final = 5.0

NO_KEY: Final = (
    "SendGrid events are not accepted: SENDGRID_WEBHOOK_PUBLIC_KEY is not set. Turn on the "
    "Signed Event Webhook in SendGrid and set it to the verification key shown there."
)
BAD_KEY: Final = (
    "SendGrid events are not accepted: SENDGRID_WEBHOOK_PUBLIC_KEY is not usable ({problem}). "
    "Set it to the verification key SendGrid's Signed Event Webhook settings show."
)
TOO_LARGE: Final = f"The body is larger than {MAX_BODY // (1024 * 1024)} MB; SendGrid batches are smaller."
NOT_STORED: Final = "The events could not be stored just now; SendGrid will post them again."


class SequenceStopper(Protocol):
    """Ends a running sequence because the provider said its address bounced or unsubscribed.

    The real one signals the workflow through a Temporal client; until it is wired,
    `NotWiredStopper` says in the log which sequence should have stopped.
    """

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None: ...


class EventStore(Protocol):
    """The part of activities.store.Store the endpoint uses."""

    def record_provider_events(
        self, events: Sequence[sg.Event], *, received_at: datetime
    ) -> ProviderEventsReceipt[sg.Event]: ...


class NotWiredStopper:
    """The stopper until the sequence side is wired: the preference is recorded (so no later
    campaign plans the address), and the log names the sequence that should stop; its
    remaining touches still go out until then."""

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        log.warning("sequence %s should stop (%s); no sequence stopper is wired yet", workflow_id, outcome)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SendGridEvents:
    """What the endpoint needs; winback/web.py's create_app receives it, or builds it from the
    settings with `from_settings`."""

    public_key: str | None  # base64 DER, from SENDGRID_WEBHOOK_PUBLIC_KEY
    store: Callable[[], EventStore]  # called in a worker thread: it may open the store then
    stopper: SequenceStopper
    clock: Callable[[], datetime] = _now
    max_body: int = MAX_BODY


def from_settings(settings: Settings, stopper: SequenceStopper | None = None) -> SendGridEvents:
    """The key from the environment and the store the settings name, opened at the first post."""
    return SendGridEvents(
        public_key=settings.sendgrid_webhook_public_key(),
        store=settings.store_opener(),
        stopper=stopper if stopper is not None else NotWiredStopper(),
    )


def routes(config: SendGridEvents) -> list[Route]:
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    key_problem: str | None = None
    key = None
    if config.public_key is None:
        log.info("SENDGRID_WEBHOOK_PUBLIC_KEY is not set: SendGrid events are refused (503)")
    else:
        try:
            key = sg.load_public_key(config.public_key)
        except ValueError as err:
            key_problem = str(err)
            log.error("SENDGRID_WEBHOOK_PUBLIC_KEY is not usable (%s): SendGrid events are refused", err)

    async def receive(request: Request) -> Response:
        if key is None:
            message = NO_KEY if key_problem is None else BAD_KEY.format(problem=key_problem)
            return PlainTextResponse(message, status_code=503)
        body = await _body(request, config.max_body)
        if body is None:
            log.warning("refused a SendGrid event post: body over %d bytes", config.max_body)
            return PlainTextResponse(TOO_LARGE, status_code=413)
        now = config.clock()
        problem = sg.verify(
            key, request.headers.get(sg.SIGNATURE_HEADER), request.headers.get(sg.TIMESTAMP_HEADER), body, now
        )
        if problem is not None:
            log.warning("refused a SendGrid event post: %s", problem)
            return PlainTextResponse(f"Refused: {problem}.", status_code=403)
        try:
            batch = sg.parse_events(body)
        except sg.MalformedBatch as err:
            log.warning("refused a signed SendGrid event post: %s", err)
            return PlainTextResponse(f"Refused: {err}.", status_code=400)
        try:
            receipt = await asyncio.to_thread(
                lambda: config.store().record_provider_events(batch.events, received_at=now)
            )
        except Exception as err:
            # The exception text may quote an address (SQL parameters): log only its type.
            log.error("could not store %d SendGrid events: %s", len(batch.events), type(err).__name__)
            return PlainTextResponse(NOT_STORED, status_code=503)
        await _stop_sequences(config.stopper, receipt.acted)
        _log_batch(batch, receipt)
        return JSONResponse(
            {
                "received": len(batch.events) + len(batch.skipped),
                "stored": len(receipt.stored),
                "already_stored": len(batch.events) - len(receipt.stored),
                "skipped": len(batch.skipped),
            }
        )

    return [Route(PATH, receive, methods=["POST"])]


async def _body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than `limit` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def _stop_sequences(stopper: SequenceStopper, acted: Sequence[sg.Event]) -> None:
    stops: list[tuple[str, str, sg.Event]] = []
    for event in acted:
        if event.stop_outcome is None:
            continue
        if event.workflow_id is None:
            log.info("SendGrid %s recorded for mail without a winback sequence: nothing to stop", event.kind)
            continue
        stops.append((event.workflow_id, event.stop_outcome, event))
    await asyncio.gather(*(_stop(stopper, *stop) for stop in stops))


async def _stop(stopper: SequenceStopper, workflow_id: str, outcome: str, event: sg.Event) -> None:
    try:
        # Bounded: SendGrid gives up on a slow answer and posts again, for events already stored.
        await asyncio.wait_for(stopper.stop(workflow_id, outcome, event.summary), STOP_TIMEOUT_S)
    except Exception as err:
        # Not a reason to make SendGrid retry: the event is stored and its fact acted on, so a
        # retry would find nothing new to stop. Making the stop itself reliable belongs to the
        # stopper.
        log.error(
            "could not stop sequence %s (%s) after a SendGrid %s: %s",
            workflow_id,
            outcome,
            event.kind,
            type(err).__name__,
        )


def _log_batch(batch: sg.Batch, receipt: ProviderEventsReceipt[sg.Event]) -> None:
    skipped = Counter(s.reason for s in batch.skipped)
    log.info(
        "SendGrid events: %d stored, %d already stored, %d acted on, %d skipped%s",
        len(receipt.stored),
        len(batch.events) - len(receipt.stored),
        len(receipt.acted),
        len(batch.skipped),
        "".join(f"; {n} {reason}" for reason, n in sorted(skipped.items())),
    )
