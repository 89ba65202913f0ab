"""POST /webhooks/sendgrid/inbound with SendGrid's own payloads and real replies, a real SQLite
store and a recording SequenceActions (the Temporal side is tests/test_inbound_sequence.py)."""

from __future__ import annotations

import base64
import logging
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from activities.store import MessageLogEntry, Store, database_url
from activities.tasks import FolderTaskBoard
from campaigns.model import Contact
from tests.factories import make_account
from tests.replies import REPLY_SECRET, signed
from winback.inbound_webhook import PATH, InboundReplies, workflow_for_recipients
from winback.settings import Settings
from winback.web import create_app, store_recorder

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO.parent / "shared" / "fixtures" / "inbound_replies"
SECRET = "inbound-secret-for-tests-0123456789"
NOW = datetime(2019, 12, 20, 10, 0, tzinfo=UTC)
PARSE_TYPE = "multipart/form-data; boundary=xYzZY"
ICLOUD_REPLIED_TO = "<25203A4E-F90F-4A14-BF51-3E7B9D39BE8E@libsisimai.org>"
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


class RecordingActions:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail = fail

    def _record(self, *call: Any) -> None:
        self.calls.append(call)
        if self.fail:
            raise RuntimeError("Temporal is down")

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        self._record("stop", workflow_id, outcome)

    async def replied(self, workflow_id: str, note: str) -> None:
        self._record("replied", workflow_id)

    async def declined(self, workflow_id: str, reason: str) -> None:
        self._record("declined", workflow_id)

    async def pause_until(self, workflow_id: str, until: datetime, reason: str) -> None:
        self._record("pause_until", workflow_id, until)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SENDGRID_WEBHOOK_PUBLIC_KEY", raising=False)
    return Settings(data_dir=tmp_path, task_queue="winback", public_url="https://winback.example")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(database_url(settings.data_dir))
    exec_ = Contact(name="Exec", email="exec@sendgrid-sample.example", title="COO")
    opened.import_accounts(
        [
            # SendGrid's samples come from test@example.com: that contact's account.
            make_account(account_id="ACC-1", contact=Contact(name="T", email="Test@Example.com", title="")),
            make_account(account_id="ACC-2", timezone="Europe/Helsinki"),
            make_account(
                account_id="ACC-3", contact=Contact(name="N", email="nekochan@ef.example.org", title="")
            ),
            make_account(account_id="ACC-4", contact=Contact(name="X", email="xxxx@yyyyyy.net", title="")),
            make_account(account_id="ACC-5", executive=exec_),
        ],
        now=NOW,
    )
    opened.log_message(
        MessageLogEntry(
            message_id=ICLOUD_REPLIED_TO,
            workflow_id="winback-ACC-2",
            account_id="ACC-2",
            campaign_id="spring",
            touch=1,
            channel="email",
            to_email="neko@libsisimai.org",
            subject="Hello",
            sent_at=datetime(2019, 12, 16, 9, 0, tzinfo=UTC),
            transport="outbox",
        )
    )
    try:
        yield opened
    finally:
        opened.close()


def client_for(
    settings: Settings, store: Any, actions: RecordingActions, secret: str | None = SECRET, **kw: Any
) -> TestClient:
    config = InboundReplies(
        secret=secret.encode() if secret is not None else None,
        store=lambda: store,
        actions=actions,
        tasks=FolderTaskBoard(settings.tasks_dir),
        clock=lambda: NOW,
        reply_secret=REPLY_SECRET,
        **kw,
    )
    return TestClient(create_app(settings, store_recorder(settings, store), inbound_replies=config))


@pytest.fixture
def actions() -> RecordingActions:
    return RecordingActions()


@pytest.fixture
def client(settings: Settings, store: Store, actions: RecordingActions) -> TestClient:
    return client_for(settings, store, actions)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def form(**fields: bytes) -> bytes:
    parts = [
        b'--xYzZY\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + b"--xYzZY--\r\n"


def raw(eml: str, to: str | None = None) -> bytes:
    """An .eml posted the way raw mode posts it, with the envelope's recipient when given."""
    extra = {"envelope": f'{{"to":["{to}"],"from":"x@y.example"}}'.encode()} if to else {}
    return form(email=fixture(eml), **extra)


def post(client: TestClient, body: bytes, path: str = f"{PATH}/{SECRET}", **kw: Any) -> Any:
    return client.post(path, content=body, headers={"Content-Type": PARSE_TYPE}, **kw)


# --- the gate -------------------------------------------------------------------------------------


def test_without_a_configured_secret_nothing_is_read(settings: Settings, store: Store) -> None:
    actions = RecordingActions()
    client = client_for(settings, store, actions, secret=None)
    response = post(client, fixture("sendgrid_python_inbound_default_data.txt"))
    assert response.status_code == 503 and "WINBACK_INBOUND_SECRET" in response.text
    assert store.inbound_replies() == [] and actions.calls == []


def test_a_wrong_or_missing_secret_is_refused(client: TestClient, store: Store) -> None:
    body = fixture("sendgrid_python_inbound_default_data.txt")
    wrong = base64.b64encode(b"sendgrid:nope").decode()
    assert post(client, body, f"{PATH}/nope").status_code == 403
    assert post(client, body, PATH).status_code == 403
    assert post(client, body, f"{PATH}?secret=nope").status_code == 403
    assert post(client, body, PATH, auth=None, cookies=None, params=None).status_code == 403
    assert client.post(PATH, content=body, headers={"Authorization": f"Basic {wrong}"}).status_code == 403
    assert store.inbound_replies() == []


def test_the_secret_works_in_the_path_the_query_and_basic_auth(client: TestClient, store: Store) -> None:
    body = fixture("sendgrid_python_inbound_default_data.txt")
    basic = base64.b64encode(f"sendgrid:{SECRET}".encode()).decode()
    assert post(client, body).status_code == 200
    assert post(client, body, f"{PATH}?secret={SECRET}").status_code == 200
    headers = {"Content-Type": PARSE_TYPE, "Authorization": f"Basic {basic}"}
    assert client.post(PATH, content=body, headers=headers).status_code == 200
    assert len(store.inbound_replies()) == 1  # the same message, kept once


def test_a_body_over_the_cap_is_refused_unread(client: TestClient, store: Store) -> None:
    response = post(client, b"x" * (40 * 1024 * 1024))
    assert response.status_code == 413
    assert store.inbound_replies() == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"hello", "text/plain"), (b"--xYzZY\r\n\r\n--xYzZY--", PARSE_TYPE), (form(spam=b"1"), PARSE_TYPE)],
)
def test_what_is_no_inbound_parse_form_is_a_400_not_a_500(
    client: TestClient, body: bytes, content_type: str
) -> None:
    response = client.post(f"{PATH}/{SECRET}", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400


# --- SendGrid's payloads --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["sendgrid_python_inbound_default_data.txt", "sendgrid_python_inbound_raw_data.txt"]
)
def test_sendgrids_parsed_and_raw_samples_from_a_contact_end_the_accounts_sequence_as_replied(
    client: TestClient, store: Store, actions: RecordingActions, name: str
) -> None:
    response = post(client, fixture(name))
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "reply" and response.json()["matched_by"] == "sender"
    assert actions.calls == [("replied", "winback-ACC-1")]
    [stored] = store.inbound_replies()
    assert (stored.workflow_id, stored.kind, stored.email) == ("winback-ACC-1", "reply", "test@example.com")


def test_a_reply_from_an_unknown_sender_is_stored_and_acts_on_nothing(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    response = post(client, fixture("sendgrid_docs_inbound_default_gmail_2attachments.multipart.txt"))
    assert response.status_code == 200
    assert response.json()["matched_by"] == "none"
    assert actions.calls == [] and len(store.inbound_replies()) == 1


def test_the_executive_counts_for_the_account(client: TestClient, actions: RecordingActions) -> None:
    headers = b"From: Exec <exec@sendgrid-sample.example>\nSubject: Re: hello\nMessage-ID: <e1@x>\n"
    response = post(client, form(headers=headers, text=b"Sounds good, call me Tuesday."))
    assert response.json()["matched_by"] == "sender"
    assert actions.calls == [("replied", "winback-ACC-5")]


def test_the_charsets_field_decodes_the_text(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    headers = b"From: test@example.com\nSubject: Re: offre\nMessage-ID: <c1@x>\n"
    text = "Non merci, ça ne nous intéresse pas.".encode("iso-8859-1")
    body = form(headers=headers, text=text, charsets=b'{"text":"iso-8859-1"}')
    response = post(client, body)
    assert response.json()["kind"] == "decline", response.text
    assert actions.calls == [("declined", "winback-ACC-1")]


# --- real replies, each kind ----------------------------------------------------------------------


def test_an_away_note_in_our_thread_pauses_until_the_day_after_its_return_in_the_contacts_zone(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    response = post(client, raw("sisimai_ooo_icloud_vacation_x_apple_action.eml"))
    assert response.json() | {"already_acted": None} == {
        "kind": "out_of_office",
        "workflow_id": "winback-ACC-2",
        "matched_by": "thread",
        "resume_on": "2020-01-11",
        "already_acted": None,
    }
    # Midnight in Helsinki (UTC+2 in winter).
    assert actions.calls == [("pause_until", "winback-ACC-2", datetime(2020, 1, 10, 22, 0, tzinfo=UTC))]
    assert store.suppression("neko@libsisimai.org", as_of=date(2020, 1, 1)) is None


def test_a_contact_who_left_is_never_emailed_again_and_the_owner_gets_a_task(
    client: TestClient, store: Store, actions: RecordingActions, settings: Settings
) -> None:
    body = raw(
        "sisimai_autoreply_mimecast_mailbox_no_longer_in_use.eml", to=signed("ACC-3", "reply.example")
    )
    response = post(client, body)
    assert response.json()["kind"] == "left_company" and response.json()["matched_by"] == "reply_token"
    assert actions.calls == [("stop", "winback-ACC-3", "bounced")]
    kept = store.suppression("nekochan@ef.example.org", as_of=date(2030, 1, 1))
    assert kept is not None and kept.kind == "bounced" and "left the company" in kept.reason
    [task] = (settings.tasks_dir / "maria.lind").glob("ACC-3-new_contact-*.md")
    assert "Find a new contact" in task.read_text()


def test_a_bounce_dressed_as_an_auto_reply_suppresses_the_address_we_wrote_to(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    body = raw(
        "sisimai_auto_replied_but_actually_bounce_mailbox_full.eml", to=signed("ACC-4", "r.example")
    )
    assert post(client, body).json()["kind"] == "bounce"
    assert actions.calls == [("stop", "winback-ACC-4", "bounced")]
    kept = store.suppression("xxxx@yyyyyy.net", as_of=date(2030, 1, 1))
    assert kept is not None and kept.kind == "bounced"


def test_an_unsubscribe_by_reply_records_it_for_ever_and_stops(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    headers = b"From: test@example.com\nSubject: Re: hello\nMessage-ID: <u1@x>\n"
    response = post(client, form(headers=headers, text=b"Please unsubscribe me from this list."))
    assert response.json()["kind"] == "unsubscribe", response.text
    assert actions.calls == [("stop", "winback-ACC-1", "unsubscribed")]
    kept = store.suppression("test@example.com", as_of=date(2030, 1, 1))
    assert kept is not None and kept.kind == "unsubscribed"


def test_our_quoted_unsubscribe_link_in_a_reply_is_a_reply(
    client: TestClient, actions: RecordingActions
) -> None:
    body = raw("talon_reply_outlook_quoted_unsubscribe_link.eml", to=signed("ACC-1", "r.example"))
    assert post(client, body).json()["kind"] == "reply"
    assert actions.calls == [("replied", "winback-ACC-1")]


# --- once, and only after it is stored ------------------------------------------------------------


def test_a_repost_is_stored_and_acted_on_once(
    client: TestClient, store: Store, actions: RecordingActions
) -> None:
    body = raw("talon_reply_gmail.eml", to=signed("ACC-1", "r.example"))
    assert post(client, body).json()["already_acted"] is False
    assert post(client, body).json()["already_acted"] is True
    assert actions.calls == [("replied", "winback-ACC-1")] and len(store.inbound_replies()) == 1


def test_a_sequence_that_cannot_be_told_makes_sendgrid_post_again_and_the_repost_acts(
    settings: Settings, store: Store
) -> None:
    down = RecordingActions(fail=True)
    body = raw("talon_reply_gmail.eml", to=signed("ACC-1", "r.example"))
    assert post(client_for(settings, store, down), body).status_code == 503
    assert len(store.inbound_replies()) == 1  # stored before the answer
    up = RecordingActions()
    assert post(client_for(settings, store, up), body).status_code == 200
    assert up.calls == [("replied", "winback-ACC-1")]


def test_a_store_that_is_down_is_a_503(settings: Settings, actions: RecordingActions) -> None:
    class Down:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("database is gone for test@example.com")

    response = post(client_for(settings, Down(), actions), raw("talon_reply_gmail.eml"))
    assert response.status_code == 503 and actions.calls == []


def test_no_address_reaches_the_log(
    client: TestClient, caplog: pytest.LogCaptureFixture, settings: Settings, store: Store
) -> None:
    caplog.set_level(logging.DEBUG, logger="winback")
    for name in ("sendgrid_python_inbound_default_data.txt", "sendgrid_python_inbound_raw_data.txt"):
        post(client, fixture(name))
    post(
        client,
        raw("sisimai_autoreply_mimecast_mailbox_no_longer_in_use.eml", to=signed("ACC-3", "r.example")),
    )
    post(client_for(settings, store, RecordingActions(fail=True)), raw("talon_reply_gmail.eml"))
    assert caplog.records
    assert not [r.getMessage() for r in caplog.records if ADDRESS.search(r.getMessage())]


def test_the_reply_token_names_the_sequence_and_nothing_else_does() -> None:
    assert workflow_for_recipients([signed("ACC-7", "reply.example")], REPLY_SECRET) == "winback-ACC-7"
    local, _, domain = signed("A.b", "r.example").partition("@")
    base, _, mac = local.rpartition(".")
    mixed = ["someone@x.example", f"{base}.{mac.upper()}@{domain}"]  # a folded MAC still reads
    assert workflow_for_recipients(mixed, REPLY_SECRET) == "winback-A.b"
    forged = ["reply+winback-ACC-7@r.example", "reply+ACC-7.aaaaaaaaaaaa@r.example", "reply@r.example"]
    assert workflow_for_recipients(forged, REPLY_SECRET) is None
    assert workflow_for_recipients([signed("ACC-7", "reply.example")], None) is None
    other = b"another-secret-of-32-bytes-or-more"
    assert workflow_for_recipients([signed("ACC-7", "reply.example")], other) is None
