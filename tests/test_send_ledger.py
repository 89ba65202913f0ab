"""The send ledger on SQLite and PostgreSQL: a send is claimed once, and what blocks a second."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from activities.store import FAILED, SENDING, SENT, Store
from inbound.sendgrid_events import parse_events
from tests.pg import (
    fresh_schema,
    postgres_url,  # noqa: F401  (the session fixture, used via getfixturevalue)
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
KEY = "winback-ACC-1/run-1/touch-1"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened = Store.open(f"sqlite:///{tmp_path}/winback.db")
    else:
        server: str = request.getfixturevalue("postgres_url")
        with fresh_schema(server) as url:
            opened = Store.open(url)
            try:
                yield opened
            finally:
                opened.close()
            return
    try:
        yield opened
    finally:
        opened.close()


def claim(store: Store) -> object:
    return store.claim_send(KEY, workflow_id="winback-ACC-1", message_id="<m@x.example>", at=AT)


def test_the_first_claim_may_send_and_a_second_sees_it_sending(store: Store) -> None:
    assert claim(store) is None
    held = store.claim_send(KEY, workflow_id="winback-ACC-1", message_id="<m@x.example>", at=AT)
    assert held is not None and held.state == SENDING and held.attempts == 1


def test_a_sent_message_is_never_claimed_again(store: Store) -> None:
    assert claim(store) is None
    store.mark_sent(KEY, provider_message_id="sg-123", at=AT)
    held = store.claim_send(KEY, workflow_id="winback-ACC-1", message_id="<m@x.example>", at=AT)
    assert held is not None and (held.state, held.provider_message_id) == (SENT, "sg-123")
    store.mark_failed(KEY, note="late failure report", at=AT)
    entry = store.ledger_entry(KEY)
    assert entry is not None and entry.state == SENT


def test_a_refused_send_may_be_claimed_again_and_counts_its_attempts(store: Store) -> None:
    assert claim(store) is None
    store.mark_failed(KEY, note="SendGrid answered 429", at=AT)
    entry = store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.note) == (FAILED, "SendGrid answered 429")
    assert claim(store) is None
    entry = store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.attempts, entry.note) == (SENDING, 2, "")


def test_racing_claims_let_exactly_one_send(store: Store) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: claim(store), range(8)))
    assert sum(result is None for result in results) == 1


def test_an_event_about_the_send_proves_it_was_accepted(store: Store) -> None:
    assert store.provider_message_for(KEY) is None
    body = (
        b'[{"email":"aino@revontuli.example","timestamp":1772442000,"event":"processed",'
        b'"sg_event_id":"ev-1","sg_message_id":"sg-123.filter0001.1.0",'
        b'"winback_key":"' + KEY.encode() + b'","winback_workflow_id":"winback-ACC-1"}]'
    )
    store.record_provider_events(parse_events(body).events, received_at=AT)
    assert store.provider_message_for(KEY) == "sg-123"
