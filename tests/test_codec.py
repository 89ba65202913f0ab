"""A launch item's stored payload: exactly the SequenceInput the workflow would have received."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from temporalio.api.common.v1 import Payload
from temporalio.converter import DataConverter

from campaigns.model import Blackout, Contact, CoolOff, Offer, Schedule, TriggerEvidence
from contracts.codec import decode_input, encode_input
from contracts.sequence import SequenceInput
from tests.factories import make_account, make_campaign, sequence_input

JSON_PLAIN = {"encoding": b"json/plain"}


def everything_set() -> SequenceInput:
    """An input with every optional part filled in: offer, trigger, executive, start_at, blackouts."""
    schedule = Schedule(
        window_start="08:30",
        window_end="24:00",
        weekdays=("mon", "wed", "fri"),
        quarter_end_blackout_days=3,
        blackouts=(Blackout(start="2026-12-24", end="2027-01-01", reason="holidays"),),
    )
    campaign = replace(
        make_campaign(schedule=schedule),
        offer=Offer(kind="discount", value="20%", expires_in_days=30),
        cool_off=CoolOff(declined_months=9),
    )
    account = make_account(
        locale="pt-BR",
        executive=Contact(
            name="Mikko Saari",
            email="mikko@revontuli.example",
            title="COO",
            linkedin_url="https://www.linkedin.com/in/example",
        ),
    )
    return sequence_input(
        account,
        campaign,
        start_at=datetime(2027, 1, 11, 7, 30, tzinfo=UTC),
        trigger=TriggerEvidence(kind="release", title="Salesforce sync is live", url="https://example.com/r"),
    )


def test_an_input_with_everything_set_round_trips_exactly() -> None:
    inp = everything_set()
    assert inp.offer is not None and inp.trigger is not None and inp.contacts.executive is not None
    assert decode_input(encode_input(inp)) == inp


def test_an_input_with_nothing_optional_round_trips_exactly() -> None:
    inp = sequence_input(make_account(executive=None))
    assert (inp.offer, inp.trigger, inp.start_at, inp.contacts.executive) == (None, None, None, None)
    assert decode_input(encode_input(inp)) == inp


def test_a_start_time_keeps_its_instant_and_its_offset() -> None:
    helsinki_winter = timezone(timedelta(hours=2))
    inp = replace(everything_set(), start_at=datetime(2027, 1, 11, 9, 30, tzinfo=helsinki_winter))
    back = decode_input(encode_input(inp)).start_at
    assert back == datetime(2027, 1, 11, 7, 30, tzinfo=UTC)
    assert back is not None and back.utcoffset() == timedelta(hours=2)


def test_the_text_is_json_the_sdk_default_converter_decodes() -> None:
    inp = everything_set()
    text = encode_input(inp)

    plain = json.loads(text)
    assert plain["account"]["account_id"] == "ACC-1"
    assert plain["offer"] == {"kind": "discount", "value": "20%", "expires_in_days": 30}

    converter = DataConverter.default.payload_converter
    payload = Payload(metadata=JSON_PLAIN, data=text.encode())
    assert converter.from_payloads([payload], [SequenceInput]) == [inp]


def test_what_the_sdk_sends_a_workflow_decodes_to_the_same_input() -> None:
    inp = everything_set()
    [payload] = DataConverter.default.payload_converter.to_payloads([inp])
    assert payload.metadata["encoding"] == b"json/plain"
    assert decode_input(payload.data.decode()) == inp
    assert json.loads(payload.data) == json.loads(encode_input(inp))
