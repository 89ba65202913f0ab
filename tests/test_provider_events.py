"""The email provider's events in the store, on SQLite and on PostgreSQL: each stored once, each
fact (this address bounced, or unsubscribed, during this sequence) acted on once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from activities.store import Store, schema
from campaigns.model import Enrolment
from inbound.sendgrid_events import Event, parse_events
from tests.factories import make_account
from tests.sendgrid import batch, fixture_bytes

RECEIVED = datetime(2027, 3, 2, 9, 30, tzinfo=UTC)
AS_OF = date(2030, 1, 1)




@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    try:
        opened.record_started(
            [Enrolment("ACC-1", "spring-2027", "winback-ACC-1", "run-1", started_on="2027-02-15")]
        )
        yield opened
    finally:
        opened.close()


def event(**changes: Any) -> dict[str, Any]:
    return {
        "email": "aino@revontuli.example",
        "timestamp": 1788340000,
        "event": "bounce",
        "type": "bounce",
        "reason": "550 5.1.1 <aino@revontuli.example>: user unknown",
        "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
        "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filter-1.0",
        "winback_key": "winback-ACC-1/run-1/touch-1",
        "winback_workflow_id": "winback-ACC-1",
    } | changes


def events(*items: dict[str, Any]) -> tuple[Event, ...]:
    return parse_events(batch(*items)).events


def test_a_batch_is_stored_and_posting_it_again_stores_nothing(store: Store) -> None:
    parsed = parse_events(fixture_bytes("sendgrid_docs_per_event_examples.json")).events
    first = store.record_provider_events(parsed, received_at=RECEIVED)
    assert first.stored == parsed
    counts = store.provider_event_counts()
    assert sum(counts.values()) == 12 and counts["bounce"] == 2

    again = store.record_provider_events(parsed, received_at=RECEIVED + timedelta(hours=3))
    assert again.stored == () and again.acted == ()
    assert store.provider_event_counts() == counts


def test_a_bounce_records_a_permanent_bounced_preference_for_the_sequences_account(store: Store) -> None:
    [bounce] = events(event())
    receipt = store.record_provider_events([bounce], received_at=RECEIVED)
    assert receipt.acted == (bounce,)
    found = store.suppression("Aino@Revontuli.example", as_of=AS_OF)
    assert found is not None
    assert (found.kind, found.until, found.since) == ("bounced", None, "2027-03-02")
    assert (found.account_id, found.campaign_id) == ("ACC-1", "spring-2027")
    assert found.reason == "SendGrid bounce: 550 5.1.1 [email] user unknown"


@pytest.mark.parametrize("kind", ["spamreport", "unsubscribe", "group_unsubscribe"])
def test_an_unsubscribe_or_a_spam_report_records_unsubscribed(store: Store, kind: str) -> None:
    store.record_provider_events(events(event(event=kind)), received_at=RECEIVED)
    found = store.suppression("aino@revontuli.example", as_of=AS_OF)
    assert found is not None and (found.kind, found.until) == ("unsubscribed", None)


@pytest.mark.parametrize(
    "changes",
    [
        {"event": "deferred", "reason": "", "response": "400 try again later"},
        {"event": "delivered"},
        {"event": "open"},
        {"event": "click", "url": "https://winback.example/"},
        {"event": "group_resubscribe"},
        {"type": "blocked"},  # the receiving server refused for now: the address may be fine
        {"event": "dropped", "reason": "Recipient List over Package Quota"},
    ],
)
def test_events_that_change_nothing_are_stored_and_record_no_preference(
    store: Store, changes: dict[str, Any]
) -> None:
    receipt = store.record_provider_events(events(event(**changes)), received_at=RECEIVED)
    assert len(receipt.stored) == 1 and receipt.acted == ()
    assert store.preferences(as_of=AS_OF.replace(year=2027)) == []


def test_a_retry_with_new_ids_for_the_same_fact_changes_state_once(store: Store) -> None:
    store.record_provider_events(events(event()), received_at=RECEIVED)
    before = store.suppression("aino@revontuli.example", as_of=AS_OF)

    retried = events(event(sg_event_id="a-brand-new-id==", timestamp=1788343600))
    receipt = store.record_provider_events(retried, received_at=RECEIVED + timedelta(days=1))
    assert receipt.stored == retried  # nothing lost: the event itself is kept
    assert receipt.acted == ()  # but its fact was acted on already
    assert store.suppression("aino@revontuli.example", as_of=AS_OF) == before  # since stays 2027-03-02


def test_a_bounce_and_the_drop_that_follows_in_one_batch_act_once(store: Store) -> None:
    both = events(event(), event(event="dropped", reason="Bounced Address", sg_event_id="drop-1=="))
    receipt = store.record_provider_events(both, received_at=RECEIVED)
    assert receipt.stored == both
    assert [e.kind for e in receipt.acted] == ["bounce"]


def test_a_bounce_and_an_unsubscribe_are_two_facts(store: Store) -> None:
    both = events(event(), event(event="spamreport", sg_event_id="spam-1=="))
    receipt = store.record_provider_events(both, received_at=RECEIVED)
    assert [e.kind for e in receipt.acted] == ["bounce", "spamreport"]
    kinds = {p.kind for p in store.preferences(as_of=AS_OF)}
    assert kinds == {"bounced", "unsubscribed"}


def test_mail_without_our_custom_args_still_suppresses_a_known_address(store: Store) -> None:
    store.import_accounts([make_account(account_id="ACC-7")], now=RECEIVED)  # contact aino@revontuli.example
    legacy = events(
        {"email": "AINO@revontuli.example", "timestamp": 1380822437, "event": "unsubscribe", "category": []}
    )
    receipt = store.record_provider_events(legacy, received_at=RECEIVED)
    assert receipt.acted == legacy
    found = store.suppression("aino@revontuli.example", as_of=AS_OF)
    assert found is not None and (found.kind, found.account_id, found.campaign_id) == (
        "unsubscribed",
        "ACC-7",
        "",
    )


def test_a_sequence_without_an_enrolment_row_is_known_by_its_id(store: Store) -> None:
    store.record_provider_events(events(event(winback_workflow_id="winback-ACC-9")), received_at=RECEIVED)
    found = store.suppression("aino@revontuli.example", as_of=AS_OF)
    assert found is not None and found.account_id == "ACC-9"


def test_a_bounce_of_something_that_is_no_address_records_no_preference(store: Store) -> None:
    receipt = store.record_provider_events(
        events(event(email="not an email address", event="dropped", reason="Invalid")), received_at=RECEIVED
    )
    assert len(receipt.acted) == 1  # its sequence should still stop
    assert store.preferences(as_of=AS_OF) == []


def test_the_stored_row_keeps_the_event_without_the_address_in_its_payload(store: Store) -> None:
    [bounce] = events(event(ip="203.0.113.9"))
    store.record_provider_events([bounce], received_at=RECEIVED)
    pe = schema.provider_events
    with store.engine.connect() as conn:
        row = conn.execute(select(pe)).mappings().one()
    assert row["email"] == "aino@revontuli.example"
    payload = json.loads(row["payload"])
    assert "email" not in payload and "ip" not in payload
    assert payload["reason"] == event()["reason"]
    assert row["kind"] == "bounce" and row["provider"] == "sendgrid"
    assert row["workflow_id"] == "winback-ACC-1" and row["ledger_key"] == "winback-ACC-1/run-1/touch-1"
    assert row["occurred_at"] == datetime.fromtimestamp(1788340000, UTC)
    assert row["received_at"] == RECEIVED
    assert row["effect_key"] == bounce.business_key


def test_odd_values_are_stored_rather_than_failing_the_batch(store: Store) -> None:
    odd = events(
        event(
            event="x" * 300,
            sg_message_id="m" * 1000,
            winback_key="k" * 2000,
            winback_workflow_id="w\u0000" * 400,
            reason="\ud800 \u0000",
        ),
        event(event="open", timestamp="not a time", sg_event_id="open-1=="),
    )
    receipt = store.record_provider_events(odd, received_at=RECEIVED)
    assert len(receipt.stored) == 2
    assert sum(store.provider_event_counts().values()) == 2


def test_counts_for_one_sequence(store: Store) -> None:
    store.record_provider_events(
        events(
            event(event="delivered", sg_event_id="d-1=="),
            event(event="open", sg_event_id="o-1=="),
            event(event="open", sg_event_id="o-2==", winback_workflow_id="winback-ACC-2"),
        ),
        received_at=RECEIVED,
    )
    assert store.provider_event_counts(workflow_id="winback-ACC-1") == {"delivered": 1, "open": 1}


def test_an_event_handed_over_twice_in_one_call_is_stored_once(store: Store) -> None:
    [bounce] = events(event())
    receipt = store.record_provider_events([bounce, bounce], received_at=RECEIVED)
    assert receipt.stored == (bounce,) and receipt.acted == (bounce,)
    assert store.provider_event_counts() == {"bounce": 1}
