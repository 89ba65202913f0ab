"""The one encoding of our records outside Temporal: a launch item's stored sequence input, a
saves launch's watched row (campaigns/save_watch.py).

Temporal's own JSON converter, so what the store keeps decodes to exactly what a workflow would
have received, dataclasses, tuples and datetimes included.
"""

from __future__ import annotations

from typing import TypeVar

from temporalio.api.common.v1 import Payload
from temporalio.converter import JSONPlainPayloadConverter

from contracts.sequence import SequenceInput

T = TypeVar("T")

_json = JSONPlainPayloadConverter()


def encode_value(value: object) -> str:
    payload = _json.to_payload(value)
    assert payload is not None
    return payload.data.decode()


def decode_value(text: str, type_: type[T]) -> T:
    payload = Payload(metadata={"encoding": b"json/plain"}, data=text.encode())
    value = _json.from_payload(payload, type_)
    assert isinstance(value, type_)
    return value


def encode_input(inp: SequenceInput) -> str:
    return encode_value(inp)


def decode_input(text: str) -> SequenceInput:
    return decode_value(text, SequenceInput)
