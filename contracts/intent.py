"""The `intent` signal a SaveWorkflow hears when the product reports a cancel intent (issue 12).

Part of workflow histories: add fields only with defaults, never rename or remove.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from campaigns.intent import INTENT_KINDS
from contracts.actions import Refused

# The signal's name, as the Temporal UI lists it, and what its dialog shows beside it.
INTENT: Final = "intent"
INTENT_DESCRIPTION: Final = (
    'A cancel intent the product reported (sent by the web service). Payload: {"event_id": text, '
    '"kind": "cancel_flow_abandoned|cancel_flow_started|...", "occurred_at": ISO 8601, "detail": '
    "text}. An abandoned cancel flow opens an intervention task for the owner due within one "
    "business day."
)
MAX_DETAIL: Final = 500


@dataclass(frozen=True)
class IntentNotice:
    event_id: str  # the product's event id (or the body's hash): a repeat is heard once
    kind: str  # campaigns.intent.INTENT_KINDS
    occurred_at: datetime  # aware, UTC
    detail: str = ""


def read_intent(value: object) -> IntentNotice:
    """The signal's JSON as the web service sends it; Refused names what is wrong."""
    if not isinstance(value, Mapping):
        raise Refused(f"{INTENT} refused: the input must be a JSON object")
    event_id, kind, at = value.get("event_id"), value.get("kind"), value.get("occurred_at")
    if not isinstance(event_id, str) or not event_id:
        raise Refused(f'{INTENT} refused: "event_id" must be a non-empty text')
    if kind not in INTENT_KINDS:
        raise Refused(f'{INTENT} refused: "kind" must be one of {", ".join(INTENT_KINDS)}')
    try:
        occurred = datetime.fromisoformat(at) if isinstance(at, str) else None
    except ValueError:
        occurred = None
    if occurred is None or occurred.tzinfo is None:
        raise Refused(f'{INTENT} refused: "occurred_at" must be an ISO 8601 time with an offset')
    detail = value.get("detail") or ""
    return IntentNotice(
        event_id=event_id, kind=str(kind), occurred_at=occurred, detail=str(detail)[:MAX_DETAIL]
    )
