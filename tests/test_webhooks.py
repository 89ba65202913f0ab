"""POST /webhooks/sendgrid/events through the real app and a real SQLite store: refused unless
signed and fresh, stored before the 2xx, acted on once however often SendGrid posts it."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from activities.store import ProviderEventsReceipt, Store, database_url
from campaigns.model import Enrolment
from inbound.sendgrid_events import SIGNATURE_HEADER, TIMESTAMP_HEADER, Event
from tests.sendgrid import VECTOR, VECTOR_BODY, VECTOR_NOW, Signer, batch, vector_headers
from winback import webhooks
from winback.settings import Settings
from winback.web import create_app, store_recorder
from winback.webhooks import MAX_BODY, PATH, SendGridEvents

with warnings.catch_warnings():
    # Starlette 1.x would rather its TestClient ran on httpx2; httpx, a project dependency, works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

NOW = datetime(2027, 3, 2, 9, 30, tzinfo=UTC)
AS_OF = date(2030, 1, 1)
ADDRESS = "aino@revontuli.example"


class RecordingStopper:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.fail = fail

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        self.calls.append((workflow_id, outcome, reason))
        if self.fail:
            raise RuntimeError(f"Temporal said no about {ADDRESS}")


class BrokenStore:
    def record_provider_events(self, events: Any, *, received_at: datetime) -> ProviderEventsReceipt[Event]:
        raise RuntimeError(f"INSERT failed for {ADDRESS}")


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SENDGRID_WEBHOOK_PUBLIC_KEY", raising=False)
    return Settings(data_dir=tmp_path, task_queue="winback", public_url="https://winback.example")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(database_url(settings.data_dir))
    opened.record_started(
        [Enrolment("ACC-1", "spring-2027", "winback-ACC-1", "run-1", started_on="2027-02-15")]
    )
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


@pytest.fixture
def stopper() -> RecordingStopper:
    return RecordingStopper()


def app_for(settings: Settings, store: Any, stopper: RecordingStopper, public_key: str | None) -> TestClient:
    events = SendGridEvents(public_key=public_key, store=lambda: store, stopper=stopper, clock=lambda: NOW)
    return TestClient(create_app(settings, store_recorder(settings, store), events))


@pytest.fixture
def client(settings: Settings, store: Store, stopper: RecordingStopper, signer: Signer) -> TestClient:
    return app_for(settings, store, stopper, signer.public_key)


def event(**changes: Any) -> dict[str, Any]:
    return {
        "email": ADDRESS,
        "timestamp": int(NOW.timestamp()) - 60,
        "event": "bounce",
        "type": "bounce",
        "reason": f"550 5.1.1 <{ADDRESS}>: user unknown",
        "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
        "sg_message_id": "LRzXl_NHStOGhQ4kofSm_A.filter-1.0",
        "winback_key": "winback-ACC-1/run-1/touch-1",
        "winback_workflow_id": "winback-ACC-1",
    } | changes


def post(client: TestClient, signer: Signer, body: bytes, at: datetime = NOW) -> Any:
    return client.post(
        PATH, content=body, headers=signer.headers(body, at) | {"Content-Type": "application/json"}
    )


def stored(store: Store) -> int:
    return sum(store.provider_event_counts().values())


# --- refused ------------------------------------------------------------------------------------


def test_without_a_public_key_every_post_is_refused_and_nothing_stored(
    settings: Settings, store: Store, stopper: RecordingStopper, signer: Signer
) -> None:
    client = app_for(settings, store, stopper, None)
    response = post(client, signer, batch(event()))
    assert response.status_code == 503
    assert "SENDGRID_WEBHOOK_PUBLIC_KEY is not set" in response.text
    assert stored(store) == 0 and stopper.calls == []


def test_an_unusable_public_key_refuses_every_post_and_says_why(
    settings: Settings,
    store: Store,
    stopper: RecordingStopper,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="winback.web.sendgrid"):
        client = app_for(settings, store, stopper, "not a key!")
    assert "SENDGRID_WEBHOOK_PUBLIC_KEY is not usable (the public key is not base64)" in caplog.text
    response = post(client, signer, batch(event()))
    assert response.status_code == 503
    assert "not usable (the public key is not base64)" in response.text
    assert stored(store) == 0


def resigned(signer: Signer, body: bytes, **headers: str) -> dict[str, str]:
    return signer.headers(body, NOW) | headers


@pytest.mark.parametrize(
    ("case", "make", "reason"),
    [
        (
            "another key",
            lambda s, b: (b, Signer().headers(b, NOW)),
            "the signature does not match the body and timestamp",
        ),
        (
            "altered body",
            lambda s, b: (b.replace(b"bounce", b"open  ", 1), s.headers(b, NOW)),
            "the signature does not match the body and timestamp",
        ),
        (
            "altered timestamp",
            lambda s, b: (b, resigned(s, b, **{TIMESTAMP_HEADER: str(int(NOW.timestamp()) - 1)})),
            "the signature does not match the body and timestamp",
        ),
        (
            "stale timestamp",
            lambda s, b: (b, s.headers(b, NOW - timedelta(minutes=6))),
            "the timestamp is more than 5 minutes away from now",
        ),
        (
            "missing signature",
            lambda s, b: (b, {TIMESTAMP_HEADER: str(int(NOW.timestamp()))}),
            f"missing {SIGNATURE_HEADER} header",
        ),
        (
            "missing timestamp",
            lambda s, b: (b, {SIGNATURE_HEADER: s.signature(b, str(int(NOW.timestamp())))}),
            f"missing {TIMESTAMP_HEADER} header",
        ),
        (
            "malformed signature",
            lambda s, b: (b, resigned(s, b, **{SIGNATURE_HEADER: "%%% not base64 %%%"})),
            "the signature is not base64",
        ),
        (
            "garbage signature",
            lambda s, b: (b, resigned(s, b, **{SIGNATURE_HEADER: "AAAA"})),
            "the signature does not match the body and timestamp",
        ),
    ],
)
def test_unsigned_or_stale_posts_are_refused_with_403(
    client: TestClient,
    store: Store,
    stopper: RecordingStopper,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
    case: str,
    make: Any,
    reason: str,
) -> None:
    body, headers = make(signer, batch(event()))
    with caplog.at_level(logging.INFO):
        response = client.post(PATH, content=body, headers=headers)
    assert response.status_code == 403, case
    assert reason in response.text
    assert stored(store) == 0 and stopper.calls == []
    assert reason in caplog.text and ADDRESS not in caplog.text  # the body is never logged


def test_the_sdks_vector_is_accepted_on_its_own_clock_only(
    settings: Settings, store: Store, stopper: RecordingStopper
) -> None:
    on_its_clock = SendGridEvents(
        VECTOR["public_key_b64_der"], lambda: store, stopper, clock=lambda: VECTOR_NOW
    )
    client = TestClient(create_app(settings, store_recorder(settings, store), on_its_clock))
    response = client.post(PATH, content=VECTOR_BODY, headers=vector_headers())
    assert response.status_code == 200
    assert response.json() == {"received": 1, "stored": 1, "already_stored": 0, "skipped": 0}
    found = store.suppression("hello@world.com", as_of=AS_OF)
    assert found is not None and found.kind == "bounced"
    assert stopper.calls == []  # the SDK's mail carries no winback sequence

    today = SendGridEvents(VECTOR["public_key_b64_der"], lambda: store, stopper)
    response = TestClient(create_app(settings, store_recorder(settings, store), today)).post(
        PATH, content=VECTOR_BODY, headers=vector_headers()
    )
    assert response.status_code == 403 and "5 minutes" in response.text


def test_a_body_over_5_mb_is_refused_with_413(client: TestClient, store: Store, signer: Signer) -> None:
    body = b"[" + b" " * MAX_BODY + b"]"
    assert post(client, signer, body).status_code == 413
    chunks = (b" " * 65536 for _ in range(MAX_BODY // 65536 + 2))  # no Content-Length: read, then cut
    response = client.post(PATH, content=chunks, headers=signer.headers(b"", NOW))
    assert response.status_code == 413
    assert stored(store) == 0


def test_a_signed_body_that_is_not_json_is_refused_with_400(
    client: TestClient, store: Store, signer: Signer
) -> None:
    response = post(client, signer, b"email=aino%40revontuli.example&event=bounce")
    assert response.status_code == 400
    assert response.text == "Refused: the body is not JSON."
    assert stored(store) == 0


# --- accepted -----------------------------------------------------------------------------------


def test_the_same_signed_batch_posted_twice_stores_once_and_stops_once(
    client: TestClient, store: Store, stopper: RecordingStopper, signer: Signer
) -> None:
    body = batch(
        event(), event(event="open", sg_event_id="open-1=="), event(event="delivered", sg_event_id="d-1==")
    )
    first = post(client, signer, body)
    assert first.status_code == 200
    assert first.json() == {"received": 3, "stored": 3, "already_stored": 0, "skipped": 0}
    again = post(client, signer, body, NOW + timedelta(seconds=30))  # SendGrid's retry, signed anew
    assert again.status_code == 200
    assert again.json() == {"received": 3, "stored": 0, "already_stored": 3, "skipped": 0}
    assert store.provider_event_counts() == {"bounce": 1, "open": 1, "delivered": 1}
    assert stopper.calls == [("winback-ACC-1", "bounced", "SendGrid bounce: 550 5.1.1 [email] user unknown")]


def test_a_retry_with_new_ids_for_the_same_bounce_stops_once(
    client: TestClient, store: Store, stopper: RecordingStopper, signer: Signer
) -> None:
    assert post(client, signer, batch(event())).status_code == 200
    retried = batch(event(sg_event_id="brand-new-id=="), event(event="dropped", reason="Bounced Address"))
    assert post(client, signer, retried).json()["stored"] == 2
    assert len(stopper.calls) == 1


def test_a_bounce_records_a_bounced_preference_for_the_address(
    client: TestClient, store: Store, signer: Signer
) -> None:
    assert post(client, signer, batch(event(email="Aino@Revontuli.example"))).status_code == 200
    found = store.suppression(ADDRESS, as_of=AS_OF)
    assert found is not None
    assert (found.kind, found.until, found.account_id, found.campaign_id) == (
        "bounced",
        None,
        "ACC-1",
        "spring-2027",
    )


@pytest.mark.parametrize("kind", ["spamreport", "unsubscribe", "group_unsubscribe"])
def test_an_unsubscribe_records_unsubscribed_and_stops_the_sequence(
    client: TestClient, store: Store, stopper: RecordingStopper, signer: Signer, kind: str
) -> None:
    assert post(client, signer, batch(event(event=kind, reason=""))).status_code == 200
    found = store.suppression(ADDRESS, as_of=AS_OF)
    assert found is not None and found.kind == "unsubscribed"
    assert stopper.calls == [("winback-ACC-1", "unsubscribed", f"SendGrid {kind}")]


@pytest.mark.parametrize(
    "changes",
    [
        {"event": "deferred", "reason": "", "response": "400 try again later", "attempt": "5"},
        {"type": "blocked"},
    ],
)
def test_a_deferral_or_a_block_changes_nothing(
    client: TestClient, store: Store, stopper: RecordingStopper, signer: Signer, changes: dict[str, Any]
) -> None:
    response = post(client, signer, batch(event(**changes)))
    assert response.status_code == 200 and response.json()["stored"] == 1
    assert store.suppression(ADDRESS, as_of=AS_OF) is None
    assert stopper.calls == []


def test_items_that_are_not_events_are_acknowledged_and_skipped(
    client: TestClient, store: Store, signer: Signer
) -> None:
    response = post(client, signer, batch({"userid": "1123"}, event(event="open")))
    assert response.status_code == 200
    assert response.json() == {"received": 2, "stored": 1, "already_stored": 0, "skipped": 1}
    assert post(client, signer, b"[]").json() == {
        "received": 0,
        "stored": 0,
        "already_stored": 0,
        "skipped": 0,
    }


def test_a_failed_stop_still_answers_2xx_with_the_event_stored(
    settings: Settings, store: Store, signer: Signer, caplog: pytest.LogCaptureFixture
) -> None:
    failing = RecordingStopper(fail=True)
    client = app_for(settings, store, failing, signer.public_key)
    with caplog.at_level(logging.INFO):
        response = post(client, signer, batch(event()))
    assert response.status_code == 200
    assert stored(store) == 1 and store.suppression(ADDRESS, as_of=AS_OF) is not None
    assert (
        "could not stop sequence winback-ACC-1 (bounced) after a SendGrid bounce: RuntimeError" in caplog.text
    )
    assert ADDRESS not in caplog.text


def test_a_store_failure_answers_503_so_sendgrid_posts_again(
    settings: Settings,
    store: Store,
    stopper: RecordingStopper,
    signer: Signer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = app_for(settings, BrokenStore(), stopper, signer.public_key)
    with caplog.at_level(logging.INFO):
        response = post(client, signer, batch(event()))
    assert response.status_code == 503
    assert stopper.calls == []  # nothing is acted on before it is stored
    assert "could not store 1 SendGrid events: RuntimeError" in caplog.text
    assert ADDRESS not in caplog.text


def test_the_key_comes_from_the_environment_and_events_go_to_the_settings_store(
    settings: Settings, signer: Signer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(settings))
    assert post(client, signer, batch(event())).status_code == 503

    monkeypatch.setenv("SENDGRID_WEBHOOK_PUBLIC_KEY", signer.public_key)
    client = TestClient(create_app(settings))
    body = batch(event())
    headers = signer.headers(body, datetime.now(UTC))
    with caplog.at_level(logging.INFO):
        response = client.post(PATH, content=body, headers=headers)
    assert response.status_code == 200 and response.json()["stored"] == 1
    # No stopper wired yet: the log names the sequence that should stop, never the address.
    assert "sequence winback-ACC-1 should stop (bounced)" in caplog.text
    assert ADDRESS not in caplog.text
    with Store.open(database_url(settings.data_dir)) as opened:
        assert opened.provider_event_counts() == {"bounce": 1}
        assert opened.suppression(ADDRESS, as_of=AS_OF) is not None


class HangingStopper(RecordingStopper):
    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        self.calls.append((workflow_id, outcome, reason))
        await asyncio.Event().wait()


def test_a_stop_that_hangs_does_not_hold_the_answer(
    settings: Settings,
    store: Store,
    signer: Signer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(webhooks, "STOP_TIMEOUT_S", 0.2)
    hanging = HangingStopper()
    client = app_for(settings, store, hanging, signer.public_key)
    with caplog.at_level(logging.ERROR):
        response = post(client, signer, batch(event()))
    assert response.status_code == 200 and len(hanging.calls) == 1
    assert (
        "could not stop sequence winback-ACC-1 (bounced) after a SendGrid bounce: TimeoutError" in caplog.text
    )


def test_every_sequence_a_batch_names_is_stopped(
    client: TestClient, stopper: RecordingStopper, signer: Signer
) -> None:
    body = batch(
        event(),
        event(
            email="mikko@saari.example",
            event="unsubscribe",
            sg_event_id="u-2==",
            winback_workflow_id="winback-ACC-2",
            reason="",
        ),
    )
    assert post(client, signer, body).status_code == 200
    assert sorted(call[:2] for call in stopper.calls) == [
        ("winback-ACC-1", "bounced"),
        ("winback-ACC-2", "unsubscribed"),
    ]
