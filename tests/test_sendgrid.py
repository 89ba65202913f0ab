"""Sending through SendGrid: respx stands in for SendGrid's HTTP API, everything else is real
(the activity, the message builder, the send ledger in a SQLite store).

Every test counts the requests SendGrid saw: a wrong send is the worst bug this product has.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import respx
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities import sendgrid, unsubscribe
from activities.sendgrid import SEND_URL, SendGridTransport
from activities.sequence import SequenceActivities
from activities.store import SENDING, SENT, Store
from activities.tasks import FolderTaskBoard
from campaigns.contactability import hashed_address
from campaigns.model import Enrolment, Preference
from contracts import ids
from inbound.sendgrid_events import parse_events
from tests.factories import temp_store
from tests.test_activities import SECRET, assert_names_nobody, send_request

API_KEY = "SG.test-key-never-printed"
WORKFLOW_ID = "winback-ACC-1"
KEY = "winback-ACC-1/run-1/touch-1"
NOW = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = temp_store(tmp_path)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        yield router


def acts(tmp_path: Path, store: Store) -> SequenceActivities:
    return SequenceActivities(
        SendGridTransport(API_KEY, store, client=httpx.Client()),
        FolderTaskBoard(tmp_path / "tasks"),
        store,
        public_url="https://winback.example",
        unsubscribe_secret=SECRET,
    )


def env(attempt: int = 1) -> ActivityEnvironment:
    environment = ActivityEnvironment()
    environment.info = replace(
        environment.info,
        workflow_id=WORKFLOW_ID,
        attempt=attempt,
        current_attempt_scheduled_time=NOW,
    )
    return environment


def sent_payload(route: respx.Route, n: int = 0) -> dict[str, object]:
    payload: dict[str, object] = json.loads(route.calls[n].request.content)
    return payload


def no_address_logged(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        assert_names_nobody(record.getMessage())


async def test_a_202_sends_once_and_keeps_sendgrids_message_id(
    tmp_path: Path, store: Store, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202, headers={"X-Message-Id": "sg-abc"}))
    impl = acts(tmp_path, store)
    result = await env().run(impl.send_email, send_request())
    assert route.call_count == 1
    entry = store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.provider_message_id) == (SENT, "sg-abc")
    assert result.message_id == entry.message_id and not result.already_sent
    (logged,) = store.messages(account_id="ACC-1")
    assert logged.transport == "sendgrid" and logged.message_id == result.message_id

    # A retry after the send succeeded (the message log was down, say) sends nothing.
    again = await env(attempt=2).run(impl.send_email, send_request())
    assert route.call_count == 1 and again.already_sent and again.message_id == result.message_id
    no_address_logged(caplog)


async def test_the_payload_carries_the_outbox_headers_and_only_our_two_custom_args(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202, headers={"X-Message-Id": "sg-abc"}))
    req = send_request(thread_root_id="<root@winback.example>")
    result = await env().run(acts(tmp_path, store).send_email, req)
    assert route.call_count == 1
    request = route.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    payload = sent_payload(route)
    assert payload["custom_args"] == {"winback_key": KEY, "winback_workflow_id": WORKFLOW_ID}
    headers = payload["headers"]
    assert isinstance(headers, dict)
    assert headers["Message-ID"] == result.message_id
    assert headers["In-Reply-To"] == headers["References"] == "<root@winback.example>"
    assert headers["List-Unsubscribe"].startswith("<https://winback.example/u/abc>, <mailto:")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not {"From", "To", "Subject", "Reply-To"} & set(headers)  # fields of their own
    assert payload["personalizations"] == [{"to": [{"email": req.to_email, "name": req.to_name}]}]
    assert payload["subject"] == req.subject
    (content,) = payload["content"]  # type: ignore[misc]
    assert req.sender.postal_address in content["value"]


async def test_a_429_waits_what_retry_after_says_then_sends_once(
    tmp_path: Path, store: Store, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = api.post(SEND_URL).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "37"}, json={"errors": [{"message": "too many"}]}),
            httpx.Response(202, headers={"X-Message-Id": "sg-late"}),
        ]
    )
    impl = acts(tmp_path, store)
    with pytest.raises(ApplicationError) as info:
        await env().run(impl.send_email, send_request())
    assert route.call_count == 1
    assert not info.value.non_retryable and info.value.type == sendgrid.SENDGRID_BUSY
    assert info.value.next_retry_delay == timedelta(seconds=37)
    result = await env(attempt=2).run(impl.send_email, send_request())
    assert route.call_count == 2 and not result.already_sent
    entry = store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.provider_message_id, entry.attempts) == (
        SENT,
        "sg-late",
        2,
    )
    assert len(store.messages(account_id="ACC-1")) == 1
    no_address_logged(caplog)


@pytest.mark.parametrize("status", [400, 401, 403, 413])
async def test_a_refusal_fails_the_touch_once_with_sendgrids_words(
    tmp_path: Path, store: Store, api: respx.MockRouter, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.DEBUG)
    body = {
        "errors": [
            {"field": "personalizations.0.to.0.email", "message": "aino@revontuli.example is not valid"},
            {"field": None, "message": "The subject is required."},
        ]
    }
    route = api.post(SEND_URL).mock(return_value=httpx.Response(status, json=body))
    with pytest.raises(ApplicationError) as info:
        await env().run(acts(tmp_path, store).send_email, send_request())
    assert route.call_count == 1
    assert info.value.non_retryable and info.value.type == sendgrid.SENDGRID_REFUSED
    assert f"SendGrid answered {status}" in info.value.message
    assert "The subject is required." in info.value.message
    assert "personalizations.0.to.0.email: [email] is not valid" in info.value.message
    assert_names_nobody(info.value.message)
    assert store.messages(account_id="ACC-1") == []
    no_address_logged(caplog)


async def test_a_server_error_without_retry_after_is_left_to_the_policys_backoff(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(return_value=httpx.Response(503, text="upstream unavailable"))
    with pytest.raises(ApplicationError) as info:
        await env().run(acts(tmp_path, store).send_email, send_request())
    assert route.call_count == 1
    assert not info.value.non_retryable and info.value.next_retry_delay is None
    assert "SendGrid answered 503: upstream unavailable" in info.value.message


async def test_a_timeout_after_the_request_went_out_never_sends_twice(
    tmp_path: Path, store: Store, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    route = api.post(SEND_URL).mock(side_effect=httpx.ReadTimeout("no answer"))
    impl = acts(tmp_path, store)
    with pytest.raises(ApplicationError) as info:
        await env().run(impl.send_email, send_request())
    assert route.call_count == 1
    assert info.value.non_retryable and info.value.type == sendgrid.OUTCOME_UNKNOWN
    assert info.value.message.startswith(f"{KEY}: sent or not: SendGrid did not answer")
    assert f"winback_key={KEY}" in info.value.message
    entry = store.ledger_entry(KEY)
    assert entry is not None and entry.state == SENDING

    # Were the attempt retried anyway (a worker that died mid-request leaves the same row),
    # SendGrid answers nothing more: the mock sees no second request.
    route.mock(return_value=httpx.Response(202, headers={"X-Message-Id": "sg-second"}))
    with pytest.raises(ApplicationError) as again:
        await env(attempt=2).run(impl.send_email, send_request())
    assert route.call_count == 1
    assert again.value.non_retryable and "sent or not" in again.value.message
    assert_names_nobody(again.value.message)
    no_address_logged(caplog)


async def test_an_event_from_sendgrid_settles_an_unknown_outcome_as_sent(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(side_effect=httpx.ReadTimeout("no answer"))
    impl = acts(tmp_path, store)
    with pytest.raises(ApplicationError):
        await env().run(impl.send_email, send_request())
    event = {
        "email": "aino@revontuli.example",
        "timestamp": int(NOW.timestamp()),
        "event": "processed",
        "sg_event_id": "ev-1",
        "sg_message_id": "sg-proof.filter0001.1.0",
        "winback_key": KEY,
        "winback_workflow_id": WORKFLOW_ID,
    }
    store.record_provider_events(parse_events(json.dumps([event]).encode()).events, received_at=NOW)
    result = await env(attempt=2).run(impl.send_email, send_request())
    assert route.call_count == 1 and result.already_sent
    entry = store.ledger_entry(KEY)
    assert entry is not None and (entry.state, entry.provider_message_id) == (SENT, "sg-proof")


async def test_sendgrid_unreachable_is_retried_and_then_sends_once(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(202, headers={"X-Message-Id": "sg-1"})]
    )
    impl = acts(tmp_path, store)
    with pytest.raises(ApplicationError) as info:
        await env().run(impl.send_email, send_request())
    assert not info.value.non_retryable and info.value.type == sendgrid.SENDGRID_UNREACHABLE
    await env(attempt=2).run(impl.send_email, send_request())
    assert route.call_count == 2


@pytest.mark.parametrize("kind", ["unsubscribed", "bounced"])
async def test_an_unsubscribe_or_bounce_blocks_the_send(
    tmp_path: Path, store: Store, api: respx.MockRouter, kind: str
) -> None:
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202))
    store.record_preference(
        Preference(
            email="AINO@revontuli.example", account_id="ACC-1", kind=kind, since="2027-01-08", until=None
        )
    )
    with pytest.raises(ApplicationError) as info:
        await env().run(acts(tmp_path, store).send_email, send_request())
    assert route.call_count == 0
    assert info.value.type == ids.SUPPRESSED_ERROR and info.value.non_retryable
    assert info.value.details == (kind,)
    assert_names_nobody(info.value.message)
    assert store.ledger_entry(KEY) is None


async def test_an_unsubscribe_known_only_by_the_addresss_hash_blocks_the_send(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    # A one-click link this store could not match is recorded under the keyed hash alone
    # (winback/web.py); the sender, who knows the address, must still refuse it.
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202))
    req = send_request()
    store.record_preference(
        Preference(
            email=hashed_address(unsubscribe.address_hash(SECRET, req.to_email)),
            account_id="ACC-OTHER",
            kind="unsubscribed",
            since="2027-01-08",
            until=None,
        )
    )
    with pytest.raises(ApplicationError) as info:
        await env().run(acts(tmp_path, store).send_email, req)
    assert route.call_count == 0
    assert info.value.type == ids.SUPPRESSED_ERROR and info.value.details == ("unsubscribed",)


async def test_a_decline_recorded_since_the_sequence_started_blocks_the_send(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202, headers={"X-Message-Id": "sg-1"}))
    store.record_started(
        [
            Enrolment(
                workflow_id=WORKFLOW_ID,
                run_id="run-1",
                account_id="ACC-1",
                campaign_id="c",
                started_on="2027-01-04",
            )
        ]
    )
    # Someone else at the account declined, after this sequence began.
    store.record_preference(
        Preference(
            email="mikko@revontuli.example",
            account_id="ACC-1",
            kind="declined",
            since="2027-01-08",
            until="2028-01-08",
            reason="no budget",
        )
    )
    with pytest.raises(ApplicationError) as info:
        await env().run(acts(tmp_path, store).send_email, send_request())
    assert route.call_count == 0
    assert info.value.type == ids.SUPPRESSED_ERROR and info.value.details == ("declined",)
    assert "declined on 2027-01-08" in info.value.message


async def test_a_cool_off_from_before_the_sequence_started_does_not_block_it(
    tmp_path: Path, store: Store, api: respx.MockRouter
) -> None:
    route = api.post(SEND_URL).mock(return_value=httpx.Response(202, headers={"X-Message-Id": "sg-1"}))
    store.record_started(
        [
            Enrolment(
                workflow_id=WORKFLOW_ID,
                run_id="run-1",
                account_id="ACC-1",
                campaign_id="c",
                started_on="2027-01-04",
            )
        ]
    )
    store.record_preference(
        Preference(
            email="old@revontuli.example",
            account_id="ACC-1",
            kind="ghosted",
            since="2026-12-01",
            until="2027-06-01",
        )
    )
    await env().run(acts(tmp_path, store).send_email, send_request())
    assert route.call_count == 1


def test_the_api_key_is_never_shown(store: Store) -> None:
    transport = SendGridTransport(API_KEY, store, client=httpx.Client())
    assert API_KEY not in repr(transport) and API_KEY not in str(vars(transport).get("_url"))


def test_retry_after_as_an_http_date_and_bounded() -> None:
    now = datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    assert sendgrid.retry_delay({"Retry-After": "Mon, 11 Jan 2027 09:01:30 GMT"}, now) == timedelta(
        seconds=90
    )
    assert sendgrid.retry_delay({"Retry-After": "86400"}, now) == sendgrid.MAX_RETRY_DELAY
    reset = str(int((now + timedelta(seconds=20)).timestamp()))
    assert sendgrid.retry_delay({"X-RateLimit-Reset": reset}, now) == timedelta(seconds=20)
    assert sendgrid.retry_delay({}, now) is None
