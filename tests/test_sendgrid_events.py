"""SendGrid's Event Webhook, judged without I/O: the signature (the SDK's own vector and our own
key pair), every event the docs show, and the keys that make a retried post change nothing."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.contactability import PREFERENCE_KINDS, SUPPRESSION_KINDS
from campaigns.outcomes import BOUNCED, OUTCOMES, UNSUBSCRIBED
from inbound.sendgrid_events import (
    BOUNCE,
    EFFECTS,
    NOTHING,
    REPORT,
    UNSUBSCRIBE,
    Event,
    MalformedBatch,
    effect_for,
    load_public_key,
    parse_events,
    verify,
)
from tests.sendgrid import (
    VECTOR,
    VECTOR_BODY,
    VECTOR_NOW,
    Signer,
    batch,
    edge_cases,
    fixture_bytes,
)

NOW = datetime(2027, 3, 2, 9, 30, tzinfo=UTC)
KEY = VECTOR["public_key_b64_der"]
TS = VECTOR["timestamp"]
SIG = VECTOR["signature_b64"]


def one(**fields: Any) -> Event:
    [event] = parse_events(batch(fields)).events
    return event


def bounce(**changes: Any) -> dict[str, Any]:
    return {
        "email": "Aino@Revontuli.example",
        "timestamp": 1788340000,
        "event": "bounce",
        "type": "bounce",
        "reason": "550 5.1.1 <aino@revontuli.example>: Recipient address rejected",
        "status": "5.1.1",
        "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
        "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filter-1.0",
        "winback_key": "winback-ACC-1/run-1/touch-1",
        "winback_workflow_id": "winback-ACC-1",
    } | changes


# --- the SDK's vector ---------------------------------------------------------------------------


def test_the_sdk_vector_verifies_with_its_trailing_crlf() -> None:
    assert VECTOR_BODY.endswith(b"\r\n")
    assert verify(KEY, SIG, TS, VECTOR_BODY, VECTOR_NOW) is None
    assert verify(load_public_key(KEY), SIG, TS, VECTOR_BODY, VECTOR_NOW) is None


def test_the_vector_without_its_crlf_is_refused() -> None:
    assert verify(KEY, SIG, TS, VECTOR_BODY.rstrip(b"\r\n"), VECTOR_NOW) is not None


def test_the_vector_on_todays_clock_is_stale() -> None:
    problem = verify(KEY, SIG, TS, VECTOR_BODY, datetime.now(UTC))
    assert problem == "the timestamp is more than 5 minutes away from now"


@pytest.mark.parametrize(
    ("case", "key", "signature", "timestamp", "body"),
    [
        ("wrong_public_key", VECTOR["negative_cases"]["wrong_public_key"], SIG, TS, VECTOR_BODY),
        ("wrong_payload", KEY, SIG, TS, VECTOR["negative_cases"]["wrong_payload"].encode()),
        ("wrong_signature", KEY, VECTOR["negative_cases"]["wrong_signature"], TS, VECTOR_BODY),
        ("wrong_timestamp", KEY, SIG, VECTOR["negative_cases"]["wrong_timestamp"], VECTOR_BODY),
        ("altered body", KEY, SIG, TS, VECTOR_BODY.replace(b"dropped", b"dropped ")),
        ("altered timestamp", KEY, SIG, str(int(TS) + 1), VECTOR_BODY),
    ],
)
def test_the_sdks_negative_cases_are_refused(
    case: str, key: str, signature: str, timestamp: str, body: bytes
) -> None:
    assert verify(key, signature, timestamp, body, VECTOR_NOW) is not None, case


def test_the_vector_body_is_the_payload_the_sdk_signed() -> None:
    assert VECTOR_BODY.decode() == VECTOR["payload_exact"]
    [event] = parse_events(VECTOR_BODY).events
    assert (event.kind, event.effect) == ("dropped", BOUNCE)


# --- our own key pair ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def test_a_body_we_signed_verifies(signer: Signer) -> None:
    body = batch(bounce())
    headers = signer.headers(body, NOW)
    assert verify(signer.public_key, *headers.values(), body, NOW) is None


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (timedelta(0), True),
        (timedelta(minutes=4, seconds=59), True),
        (timedelta(minutes=5, seconds=1), False),
        (timedelta(hours=24), False),
        (-timedelta(minutes=4), True),  # a little clock skew
        (-timedelta(minutes=6), False),  # from the future: replayable until then
    ],
)
def test_only_a_timestamp_within_five_minutes_is_accepted(
    signer: Signer, age: timedelta, fresh: bool
) -> None:
    body = batch(bounce())
    headers = signer.headers(body, NOW - age)
    problem = verify(signer.public_key, *headers.values(), body, NOW)
    assert (problem is None) == fresh, problem


def test_the_allowed_age_can_be_chosen(signer: Signer) -> None:
    body = batch(bounce())
    headers = signer.headers(body, NOW - timedelta(minutes=2))
    problem = verify(signer.public_key, *headers.values(), body, NOW, max_age=timedelta(minutes=1))
    assert problem == "the timestamp is more than 1 minutes away from now"


def test_another_key_is_refused(signer: Signer) -> None:
    body = batch(bounce())
    headers = signer.headers(body, NOW)
    assert verify(Signer().public_key, *headers.values(), body, NOW) == (
        "the signature does not match the body and timestamp"
    )


@pytest.mark.parametrize(
    ("signature", "timestamp", "expected"),
    [
        (None, "1788340000", "missing X-Twilio-Email-Event-Webhook-Signature header"),
        ("", "1788340000", "missing X-Twilio-Email-Event-Webhook-Signature header"),
        ("c2ln", None, "missing X-Twilio-Email-Event-Webhook-Timestamp header"),
        ("c2ln", "  ", "missing X-Twilio-Email-Event-Webhook-Timestamp header"),
        ("c2ln", "1788340000.5", "the timestamp is not a number of seconds"),
        ("c2ln", "-1788340000", "the timestamp is not a number of seconds"),
        ("c2ln", "١٧٨٨٣٤٠٠٠٠", "the timestamp is not a number of seconds"),  # digits, not ASCII
        ("c2ln", "9" * 40, "the timestamp is not a number of seconds"),
        ("not base64 at all!", "NOW", "the signature is not base64"),
        (
            base64.b64encode(b"\x30\x02\x01").decode(),
            "NOW",
            "the signature does not match the body and timestamp",
        ),
        (base64.b64encode(b"x" * 64).decode(), "NOW", "the signature does not match the body and timestamp"),
        ("A" * 5000, "NOW", "the signature is malformed"),
    ],
)
def test_missing_and_malformed_headers_are_refused_with_a_reason(
    signer: Signer, signature: str | None, timestamp: str | None, expected: str
) -> None:
    stamp = str(int(NOW.timestamp())) if timestamp == "NOW" else timestamp
    assert verify(signer.public_key, signature, stamp, batch(bounce()), NOW) == expected


def test_a_naive_clock_is_a_programming_error(signer: Signer) -> None:
    body = batch(bounce())
    headers = signer.headers(body, NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(signer.public_key, *headers.values(), body, NOW.replace(tzinfo=None))


@settings(max_examples=200, deadline=None)
@given(signature=st.one_of(st.none(), st.text()), timestamp=st.one_of(st.none(), st.text()), body=st.binary())
def test_any_headers_give_a_verdict_never_an_exception(
    signature: str | None, timestamp: str | None, body: bytes
) -> None:
    assert isinstance(verify(KEY, signature, timestamp, body, VECTOR_NOW), str)


# --- the configured key -------------------------------------------------------------------------


def test_the_key_as_sendgrid_shows_it_or_as_pem_loads() -> None:
    key = load_public_key(KEY)
    assert isinstance(key.curve, ec.SECP256R1)
    pem = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(KEY[i : i + 64] for i in range(0, len(KEY), 64))
    pem += "\n-----END PUBLIC KEY-----\n"
    assert load_public_key(pem).public_numbers() == key.public_numbers()


def der_b64(public_key: Any) -> str:
    return base64.b64encode(public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).decode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not base64 !", "the public key is not base64"),
        (base64.b64encode(b"not a key").decode(), "the public key is not a DER public key"),
        (
            der_b64(rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()),
            "the public key is not an ECDSA P-256 key",
        ),
        (
            der_b64(ec.generate_private_key(ec.SECP384R1()).public_key()),
            "the public key is not an ECDSA P-256 key",
        ),
    ],
)
def test_an_unusable_key_says_why(text: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        load_public_key(text)
    assert verify(text, SIG, TS, VECTOR_BODY, VECTOR_NOW) == expected


# --- what each kind does ------------------------------------------------------------------------


def test_the_effect_table() -> None:
    assert {kind for kind, effect in EFFECTS.items() if effect == BOUNCE} == {"bounce", "dropped"}
    assert {kind for kind, effect in EFFECTS.items() if effect == UNSUBSCRIBE} == {
        "spamreport",
        "unsubscribe",
        "group_unsubscribe",
    }
    assert {kind for kind, effect in EFFECTS.items() if effect == NOTHING} == {"deferred"}
    assert {kind for kind, effect in EFFECTS.items() if effect == REPORT} == {
        "processed",
        "delivered",
        "open",
        "click",
        "group_resubscribe",
    }
    assert (BOUNCE.preference, BOUNCE.stop) == ("bounced", BOUNCED)
    assert (UNSUBSCRIBE.preference, UNSUBSCRIBE.stop) == ("unsubscribed", UNSUBSCRIBED)
    for effect in EFFECTS.values():
        assert effect.preference is None or effect.preference in SUPPRESSION_KINDS
        assert effect.preference is None or effect.preference in PREFERENCE_KINDS
        assert effect.stop is None or effect.stop in OUTCOMES


def test_a_blocked_bounce_only_is_stored() -> None:
    assert effect_for("bounce", "bounce") == BOUNCE
    assert effect_for("bounce", "") == BOUNCE  # older events carry no type
    assert effect_for("bounce", "blocked") == REPORT


@pytest.mark.parametrize(
    ("reason", "effect"),
    [
        ("Bounced Address", BOUNCE),
        ("Invalid", BOUNCE),
        ("", BOUNCE),
        ("Unsubscribed Address", UNSUBSCRIBE),
        ("Spam Reporting Address", UNSUBSCRIBE),
        ("Spam Content (if spam checker app enabled)", REPORT),
        ("Recipient List over Package Quota", REPORT),
        ("Invalid SMTPAPI header", REPORT),
    ],
)
def test_a_drop_acts_on_the_address_only_for_the_addresss_sake(reason: str, effect: Any) -> None:
    assert effect_for("dropped", reason=reason) == effect


def test_an_unknown_kind_is_stored_for_reports() -> None:
    assert one(event="machine_opened", email="a@b.example", timestamp=1).effect == REPORT


# --- parsing the docs' payloads -----------------------------------------------------------------


def test_every_event_type_is_parsed_although_all_share_a_placeholder_id() -> None:
    parsed = parse_events(fixture_bytes("sendgrid_docs_all_event_types.json"))
    assert parsed.skipped == ()
    kinds = [e.kind for e in parsed.events]
    assert kinds == [
        "processed", "deferred", "delivered", "open", "click", "bounce", "dropped",
        "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe",
    ]  # fmt: skip
    assert len({e.dedup_key for e in parsed.events}) == 11
    assert all(e.dedup_key.startswith("h:") for e in parsed.events)  # "sg_event_id" identifies none
    assert [e.effect for e in parsed.events] == [EFFECTS[kind] for kind in kinds]
    assert all(e.occurred_at == datetime(2017, 12, 15, 0, 59, 29, tzinfo=UTC) for e in parsed.events)


def test_a_bounce_and_a_block_sharing_an_id_are_two_events() -> None:
    parsed = parse_events(fixture_bytes("sendgrid_docs_per_event_examples.json"))
    assert len(parsed.events) == 12 and parsed.skipped == ()
    bounces = [e for e in parsed.events if e.kind == "bounce"]
    assert [(e.bounce_type, e.effect) for e in bounces] == [("bounce", BOUNCE), ("blocked", REPORT)]
    assert bounces[0].sg_event_id == bounces[1].sg_event_id == "6g4ZI7SA-xmRDv57GoPIPw=="
    assert bounces[0].dedup_key != bounces[1].dedup_key
    others = [e for e in parsed.events if e.kind != "bounce"]
    assert all(e.dedup_key.startswith("sg:") for e in others)  # real, unique ids are used


def test_the_edge_cases_of_the_docs() -> None:
    cases = {label: parse_events(json.dumps(payload).encode()) for label, payload in edge_cases().items()}
    assert all(not p.skipped for label, p in cases.items() if label != "custom_args_only_no_standard_fields")

    assert [e.categories for e in cases["category_as_string"].events] == [("newuser",), ("olduser",)]
    assert [e.categories for e in cases["category_as_array_mixed"].events] == [
        ("newuser", "transactional"),
        ("olduser",),
    ]
    [ms] = cases["single_send_timestamp_in_milliseconds"].events
    assert ms.categories == () and ms.occurred_at == datetime(2020, 6, 9, 18, 19, 12, tzinfo=UTC)

    [capitalised] = cases["reserved_keys_capitalized_event_string_timestamp"].events
    assert capitalised.kind == "processed" and capitalised.effect == REPORT
    assert capitalised.occurred_at == datetime.fromtimestamp(123456789, UTC)

    only_args = cases["custom_args_only_no_standard_fields"]
    assert only_args.events == () and [s.reason for s in only_args.skipped] == [
        "no event name (custom arguments only?)"
    ]

    for bare in (
        "marketing_campaign_object_not_array_empty_smtp_id",
        "ab_test_version",
        "ab_test_winning_phase",
    ):
        assert len(cases[bare].events) == 1, bare

    [legacy] = cases["legacy_marketing_unsubscribe_no_sg_event_id"].events
    assert (legacy.sg_event_id, legacy.sg_message_id) == (None, None)
    assert legacy.effect == UNSUBSCRIBE and legacy.dedup_key.startswith("h:")
    assert legacy.workflow_id is None  # not mail of ours: nothing to stop

    [click] = cases["click_with_url_offset_newsletter"].events
    assert click.dedup_key.startswith("h:")  # a placeholder id
    assert json.loads(click.payload)["url_offset"] == {"index": 0, "type": "html"}


def test_our_custom_args_come_back_flattened_and_are_read() -> None:
    event = one(**bounce())
    assert event.ledger_key == "winback-ACC-1/run-1/touch-1"
    assert event.workflow_id == "winback-ACC-1"
    assert (event.preference, event.stop_outcome) == ("bounced", BOUNCED)


def test_the_address_is_normalised_and_left_out_of_the_stored_copy_and_the_summary() -> None:
    event = one(**bounce(ip="203.0.113.9"))
    assert event.email == "aino@revontuli.example"
    kept = json.loads(event.payload)
    assert "email" not in kept and "ip" not in kept
    assert kept["reason"] == bounce()["reason"]  # SendGrid's own words are kept
    assert "@" not in event.summary
    assert event.summary == "SendGrid bounce: 550 5.1.1 [email] Recipient address rejected"


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ("a string", "not a JSON object"),
        ({"email": "a@b.example", "timestamp": 1}, "no event name (custom arguments only?)"),
        ({"event": "open", "timestamp": 1}, "no email address"),
        ({"event": "open", "email": ["a@b.example"]}, "no email address"),
        ({"event": 7, "email": "a@b.example"}, "no event name (custom arguments only?)"),
    ],
)
def test_items_that_are_not_events_are_skipped_with_a_reason(item: Any, reason: str) -> None:
    parsed = parse_events(json.dumps([item, bounce()]).encode())
    assert [s.reason for s in parsed.skipped] == [reason]
    assert [s.position for s in parsed.skipped] == [0]
    assert len(parsed.events) == 1


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (1788340000, datetime(2026, 9, 2, 9, 6, 40, tzinfo=UTC)),
        ("1788340000", datetime(2026, 9, 2, 9, 6, 40, tzinfo=UTC)),
        (1788340000123, datetime(2026, 9, 2, 9, 6, 40, tzinfo=UTC)),
        (1788340000.7, datetime(2026, 9, 2, 9, 6, 40, tzinfo=UTC)),
        ("yesterday", None),
        (True, None),
        (-5, None),
        (None, None),
        (10**40, None),
    ],
)
def test_timestamps_in_every_shape(timestamp: Any, expected: datetime | None) -> None:
    assert one(event="open", email="a@b.example", timestamp=timestamp).occurred_at == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe", b"42", b'"text"', b"null", b"[" * 100_000],
)
def test_a_body_that_is_not_events_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedBatch):
        parse_events(body)


def test_an_empty_array_is_an_empty_batch() -> None:
    parsed = parse_events(b"[]\r\n")
    assert parsed.events == () and parsed.skipped == ()


def test_text_no_database_can_hold_is_made_storable() -> None:
    event = one(event="open\u0000", email="a\ud800@b.example", sg_message_id="m\u0000", timestamp=1)
    assert event.kind == "open" and event.sg_message_id == "m"
    assert "\x00" not in event.email and event.email.encode()  # encodable as UTF-8
    event.payload.encode("ascii")


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
        max_leaves=20,
    )
)
def test_any_json_gives_events_and_reasons_never_an_exception(document: Any) -> None:
    body = json.dumps(document).encode()
    try:
        parsed = parse_events(body)
    except MalformedBatch:
        assert not isinstance(document, dict | list)
        return
    for event in parsed.events:
        event.payload.encode("ascii")


# --- the keys that recognise a retry ------------------------------------------------------------


def test_the_same_batch_parsed_twice_has_the_same_keys() -> None:
    body = fixture_bytes("sendgrid_docs_all_event_types.json")
    first, second = parse_events(body), parse_events(body)
    assert [e.dedup_key for e in first.events] == [e.dedup_key for e in second.events]
    assert [e.business_key for e in first.events] == [e.business_key for e in second.events]


def test_a_real_id_identifies_the_event() -> None:
    assert one(**bounce()).dedup_key == one(**bounce(timestamp=1788340099)).dedup_key
    assert one(**bounce()).dedup_key != one(**bounce(sg_event_id="another-real-id==")).dedup_key


def test_new_ids_for_the_same_fact_share_its_business_key() -> None:
    first = one(**bounce())
    retried = one(**bounce(sg_event_id="a-new-id==", sg_message_id="another-message.0", timestamp=1788349999))
    dropped_next = one(**bounce(event="dropped", reason="Bounced Address", sg_event_id="drop-id=="))
    assert first.dedup_key != retried.dedup_key
    assert first.business_key == retried.business_key == dropped_next.business_key
    assert first.business_key.startswith("bounced:")
    assert "aino" not in first.business_key  # the address is hashed


def test_another_sequence_or_another_fact_is_another_business_key() -> None:
    first = one(**bounce())
    assert one(**bounce(winback_workflow_id="winback-ACC-2")).business_key != first.business_key
    assert one(**bounce(event="spamreport")).business_key != first.business_key


def test_the_same_event_twice_in_a_batch_counts_once() -> None:
    parsed = parse_events(batch(bounce(), bounce()))
    assert len(parsed.events) == 1
    assert [s.reason for s in parsed.skipped] == ["the same event twice in this batch"]


def test_a_shared_id_falls_back_to_the_content() -> None:
    parsed = parse_events(batch(bounce(), bounce(event="dropped", reason="Bounced Address")))
    assert len(parsed.events) == 2
    assert all(e.dedup_key.startswith("h:") for e in parsed.events)


def test_keys_fit_their_columns_whatever_the_provider_sends() -> None:
    long = one(event="x" * 500, email="a@b.example", sg_event_id="i" * 500, timestamp=1)
    assert len(long.dedup_key) <= 120 and len(long.business_key) <= 120
