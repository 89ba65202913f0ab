"""The one encoding of a sequence's input outside Temporal: a launch item's stored payload.

Temporal's own JSON converter, so what the store keeps decodes to exactly what the workflow
would have received.
"""

from __future__ import annotations

from temporalio.api.common.v1 import Payload
from temporalio.converter import JSONPlainPayloadConverter

from contracts.sequence import SequenceInput

_json = JSONPlainPayloadConverter()


def encode_input(inp: SequenceInput) -> str:
    payload = _json.to_payload(inp)
    assert payload is not None
    return payload.data.decode()


def decode_input(text: str) -> SequenceInput:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=text.encode())
    value = _json.from_payload(payload, SequenceInput)
    assert isinstance(value, SequenceInput)
    return value
