"""The web service: health check and RFC 8058 one-click unsubscribe, with a fake recorder."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sysconfig
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from activities import unsubscribe
from activities.store import MessageLogEntry, Store, database_url
from activities.unsubscribe import SignedUnsubscribe
from campaigns.model import Account, Contact
from tests.factories import make_account
from winback.settings import Settings
from winback.web import Recorded, create_app, store_recorder, web_command

with warnings.catch_warnings():
    # Starlette 1.x would rather its TestClient ran on httpx2; httpx, a project dependency, works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = "test-unsubscribe-secret-of-32-bytes-or-more"
PUBLIC_URL = "https://winback.example"
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    async def __call__(self, signed: SignedUnsubscribe, secret: bytes) -> Recorded:
        if self.fail:
            raise RuntimeError("database said no about aino@revontuli.example")
        self.calls.append((signed.campaign_id, signed.account_id))
        return "address"


class Sequences:
    """Records the stops asked for; the end-to-end test uses the real TemporalSequences."""

    def __init__(self, fail: bool = False) -> None:
        self.stops: list[tuple[str, str, str]] = []
        self.fail = fail

    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        if self.fail:
            raise RuntimeError("temporal is down")
        self.stops.append((workflow_id, outcome, reason))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", SECRET)
    return Settings(data_dir=tmp_path, task_queue="winback", public_url=PUBLIC_URL)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sequences() -> Sequences:
    return Sequences()


@pytest.fixture
def client(settings: Settings, recorder: Recorder, sequences: Sequences) -> TestClient:
    return TestClient(create_app(settings, recorder, sequences=sequences))


def link_path(
    campaign_id: str = "spring-2027",
    account_id: str = "ACC-1",
    secret: str = SECRET,
    email: str = "aino@revontuli.example",
    workflow_id: str = "",
) -> str:
    """The path of the very link the email activities put in List-Unsubscribe."""
    wid = workflow_id or f"winback-{account_id}"
    return urlsplit(unsubscribe.url(PUBLIC_URL, secret.encode(), campaign_id, account_id, wid, email)).path


def old_link_path(campaign_id: str = "spring-2027", account_id: str = "ACC-1") -> str:
    """A link as emails carried it before tokens named their recipient."""
    return f"/u/{unsubscribe.legacy_token(SECRET.encode(), campaign_id, account_id)}"


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_opening_the_link_shows_a_button_and_records_nothing(client: TestClient, recorder: Recorder) -> None:
    response = client.get(link_path())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<form method="post"' in response.text
    assert 'name="List-Unsubscribe" value="One-Click"' in response.text
    assert "<button" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert recorder.calls == [], "a GET must never unsubscribe: mail scanners prefetch links"
    assert client.head(link_path()).status_code == 200
    assert recorder.calls == []


def test_one_click_post_records_exactly_the_signed_campaign_and_account_then_stops_the_sequence(
    client: TestClient, recorder: Recorder, sequences: Sequences
) -> None:
    response = client.post(link_path("spring-2027", "ACC-42", workflow_id="winback-ACC-42"), data=ONE_CLICK)
    assert response.status_code == 200
    assert recorder.calls == [("spring-2027", "ACC-42")]
    assert sequences.stops == [("winback-ACC-42", "unsubscribed", "one-click unsubscribe")]


def test_opening_the_link_stops_nothing(client: TestClient, sequences: Sequences) -> None:
    assert client.get(link_path()).status_code == 200
    assert client.head(link_path()).status_code == 200
    assert sequences.stops == []


def test_an_old_link_stops_the_accounts_sequence(client: TestClient, sequences: Sequences) -> None:
    assert client.post(old_link_path(account_id="ACC-3"), data=ONE_CLICK).status_code == 200
    assert sequences.stops == [("winback-ACC-3", "unsubscribed", "one-click unsubscribe")]


def test_a_signal_that_fails_is_logged_and_the_unsubscribe_still_succeeds(
    settings: Settings, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(settings, recorder, sequences=Sequences(fail=True)))
    with caplog.at_level(logging.INFO, logger="winback.web"):
        response = client.post(link_path(account_id="ACC-8"), data=ONE_CLICK)
    assert response.status_code == 200, "stored: the send path asks the store, so this is a success"
    assert recorder.calls == [("spring-2027", "ACC-8")]
    assert "could not stop sequence winback-ACC-8" in caplog.text


def test_the_confirmation_button_posts_the_same_request(client: TestClient, recorder: Recorder) -> None:
    # The page's form posts List-Unsubscribe=One-Click back to its own URL.
    path = link_path(account_id="ACC-7")
    assert client.get(path).status_code == 200
    assert client.post(path, data=ONE_CLICK).status_code == 200
    assert recorder.calls == [("spring-2027", "ACC-7")]


def test_a_post_without_the_rfc_8058_body_still_counts(client: TestClient, recorder: Recorder) -> None:
    # The signed token authorises the request; an unsubscribe is never lost over a body's format.
    assert client.post(link_path()).status_code == 200
    assert recorder.calls == [("spring-2027", "ACC-1")]


@pytest.mark.parametrize(
    "path",
    [
        link_path(secret="someone-elses-secret"),  # forged: signed with another key
        link_path()[:-2] + ("AA" if not link_path().endswith("AA") else "BB"),  # tampered MAC
        "/u/not-a-token",
        "/u/" + "A" * 40,
        "/u/%C3%A9t%C3%A9",  # not even ASCII
    ],
    ids=["forged", "tampered", "garbage", "short-payload", "non-ascii"],
)
def test_a_bad_token_is_refused_and_nothing_is_recorded(
    client: TestClient, recorder: Recorder, path: str
) -> None:
    for response in (client.post(path, data=ONE_CLICK), client.get(path)):
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/plain")
        assert "not valid" in response.text
    assert recorder.calls == []


def test_a_failed_recording_answers_503_stops_nothing_and_logs_no_exception_text(
    settings: Settings, sequences: Sequences, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(settings, Recorder(fail=True), sequences=sequences))
    with caplog.at_level(logging.INFO, logger="winback.web"):
        response = client.post(link_path(), data=ONE_CLICK)
    assert response.status_code == 503
    assert "try again" in response.text
    assert "unsubscribed" not in response.text.lower()
    assert sequences.stops == [], "nothing is acted on before it is stored"
    assert "ACC-1" in caplog.text
    assert "@" not in caplog.text, "the exception text may hold an address: only its type is logged"


# --- the store wiring, against the real store on SQLite ------------------------------------


def account(account_id: str = "ACC-1", email: str = "Aino@Revontuli.example") -> Account:
    return make_account(
        account_id=account_id,
        churn_detail="",
        contact=Contact(name="Aino Korhonen", email=email),
        executive=Contact(name="Mikko Saari", email="mikko@revontuli.example"),
    )


TODAY = datetime.now(UTC).date()


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store.open(database_url(settings.data_dir)) as opened:
        yield opened


@pytest.fixture
def real(settings: Settings, store: Store, sequences: Sequences) -> TestClient:
    return TestClient(create_app(settings, store_recorder(settings, store), sequences=sequences))


def log_sent(store: Store, account_id: str, to_email: str, workflow_id: str = "") -> None:
    store.log_message(
        MessageLogEntry(
            message_id=f"<{account_id}-{to_email}@winback.example>",
            workflow_id=workflow_id or f"winback-{account_id}",
            account_id=account_id,
            campaign_id="spring-2027",
            touch=1,
            channel="email",
            to_email=to_email,
            subject="Hello",
            sent_at=datetime.now(UTC),
            transport="outbox",
        )
    )


def test_a_click_unsubscribes_the_address_the_email_went_to_for_good(
    real: TestClient, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    store.import_accounts([account("ACC-1")], now=datetime.now(UTC))
    with caplog.at_level(logging.INFO, logger="winback.web"):
        response = real.post(
            link_path("spring-2027", "ACC-1", email="aino@revontuli.example"), data=ONE_CLICK
        )
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    pref = store.suppression("aino@revontuli.example", as_of=TODAY)
    assert pref is not None
    assert (pref.account_id, pref.kind, pref.until) == ("ACC-1", "unsubscribed", None)
    assert (pref.campaign_id, pref.reason) == ("spring-2027", "one-click unsubscribe")
    assert store.suppression("mikko@revontuli.example", as_of=TODAY) is None, "only the person who clicked"
    assert "ACC-1" in caplog.text
    assert "@" not in caplog.text, "email addresses are never logged"


def test_after_a_contact_change_the_old_contacts_link_unsubscribes_only_the_old_contact(
    real: TestClient, store: Store
) -> None:
    store.import_accounts([account("ACC-2", email="old@revontuli.example")], now=datetime.now(UTC))
    log_sent(store, "ACC-2", "old@revontuli.example")
    # The CRM replaced the primary contact; the old one clicks the link in an email they had.
    store.import_accounts([account("ACC-2", email="new@revontuli.example")], now=datetime.now(UTC))
    response = real.post(link_path(account_id="ACC-2", email="old@revontuli.example"), data=ONE_CLICK)
    assert response.status_code == 200
    assert store.suppression("old@revontuli.example", as_of=TODAY) is not None
    assert store.suppression("new@revontuli.example", as_of=TODAY) is None


def test_an_old_link_still_unsubscribes_the_accounts_current_primary_contact(
    real: TestClient, store: Store
) -> None:
    store.import_accounts([account("ACC-3", email="Ville@Example.com")], now=datetime.now(UTC))
    response = real.post(old_link_path(account_id="ACC-3"), data=ONE_CLICK)
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    found = store.suppression("ville@example.com", as_of=TODAY)
    assert found is not None and found.kind == "unsubscribed" and found.until is None


def test_an_address_this_store_does_not_know_is_kept_out_by_its_hash_and_the_page_says_so(
    real: TestClient, store: Store, sequences: Sequences
) -> None:
    # A web instance whose store lacks the account: no address to record, but the hash is.
    path = link_path(account_id="ACC-404", email="pia@example.com", workflow_id="winback-ACC-404")
    response = real.post(path, data=ONE_CLICK)
    assert response.status_code == 202
    assert "You are unsubscribed" not in response.text
    assert "reply to it and ask us to stop" in response.text
    assert sequences.stops == [("winback-ACC-404", "unsubscribed", "one-click unsubscribe")]
    assert store.suppression("pia@example.com", as_of=TODAY) is None, "a plain lookup cannot know"
    # The sender holds the key: it hashes the address it is about to email, and is refused.
    key = unsubscribe.address_hash(SECRET.encode(), "Pia@Example.com")
    found = store.suppression("pia@example.com", as_of=TODAY, address_hash=key)
    assert found is not None and (found.kind, found.until, found.account_id) == (
        "unsubscribed",
        None,
        "ACC-404",
    )
    other = unsubscribe.address_hash(SECRET.encode(), "someone@example.com")
    assert store.suppression("someone@example.com", as_of=TODAY, address_hash=other) is None


def test_an_address_found_only_in_the_message_log_is_recorded_by_address(
    real: TestClient, store: Store
) -> None:
    # The account is gone from this store's CRM import, but the message we sent is logged.
    log_sent(store, "ACC-5", "ex@example.com", workflow_id="winback-ACC-5")
    response = real.post(link_path(account_id="ACC-5", email="ex@example.com"), data=ONE_CLICK)
    assert response.status_code == 200
    assert store.suppression("ex@example.com", as_of=TODAY) is not None


@pytest.mark.parametrize("email", [None, ""], ids=["unknown-account", "no-email"])
def test_an_old_link_for_an_account_without_an_address_records_nothing_and_says_so(
    real: TestClient, store: Store, email: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    if email is not None:
        store.import_accounts([account("ACC-6", email=email)], now=datetime.now(UTC))
    with caplog.at_level(logging.WARNING, logger="winback.web"):
        response = real.post(old_link_path(account_id="ACC-6"), data=ONE_CLICK)
    assert response.status_code == 404
    assert "You are unsubscribed" not in response.text
    assert "nothing has been recorded" in response.text
    assert store.preferences(as_of=TODAY) == []
    assert "ACC-6" in caplog.text


def test_the_web_command_takes_host_and_port_from_the_environment() -> None:
    result = CliRunner().invoke(web_command, ["--help"])
    assert result.exit_code == 0, result.output
    assert "--host" in result.output and "--port" in result.output
    assert "WINBACK_WEB_HOST" in result.output and "WINBACK_WEB_PORT" in result.output
    bad = CliRunner().invoke(web_command, [], env={"WINBACK_WEB_PORT": "eighty"})
    assert bad.exit_code == 2


@pytest.mark.parametrize("value", ["", "too-short-a-key"])
def test_a_short_secret_stops_winback_web_with_one_line_before_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    import uvicorn

    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(args))
    env = {
        "WINBACK_DATA_DIR": str(tmp_path / "data"),
        "WINBACK_UNSUBSCRIBE_SECRET": value,
        "DATABASE_URL": None,
    }
    result = CliRunner().invoke(web_command, [], env=env)
    assert result.exit_code == 2, result.output
    assert served == [], "the service started with a forgeable key"
    assert result.stderr.count("\n") == 1 and "WINBACK_UNSUBSCRIBE_SECRET" in result.stderr, result.stderr
    assert result.stdout == ""
    assert not (tmp_path / "data").exists(), "the store was opened before the secret was checked"


def test_winback_web_serves_the_real_store_as_a_process(tmp_path: Path) -> None:
    """`winback web` as compose runs it (but on SQLite): healthz, one click, a clean stop."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WINBACK_", "DATABASE_URL"))}
    env |= {"WINBACK_DATA_DIR": str(tmp_path), "WINBACK_UNSUBSCRIBE_SECRET": SECRET}
    settings = Settings(data_dir=tmp_path, task_queue="winback", public_url=PUBLIC_URL)
    with Store.open(database_url(tmp_path)) as store:
        store.import_accounts([account("ACC-5", email="pia@example.com")], now=datetime.now(UTC))
    script = Path(sysconfig.get_path("scripts")) / "winback"
    proc = subprocess.Popen(
        [str(script), "web", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).json() == {"status": "ok"}:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None, f"winback web exited {proc.returncode}"
            assert time.monotonic() < deadline, "winback web did not answer /healthz within 30 s"
            time.sleep(0.2)
        response = httpx.post(
            base + link_path("spring-2027", "ACC-5", email="pia@example.com"), data=ONE_CLICK, timeout=20
        )
        assert response.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, f"winback web exited {proc.returncode} on Ctrl-C:\n{output}"
    assert "pia@example.com" not in output, "the web service logged an email address"
    assert "ACC-5" in output
    with Store.open(database_url(settings.data_dir)) as store:
        suppressed = store.suppression("pia@example.com", as_of=datetime.now(UTC).date())
    assert suppressed is not None and suppressed.kind == "unsubscribed"


# --- the page in the recipient's language ------------------------------------------------------


class _Accounts:
    """The one store method the page's locale needs."""

    def __init__(self, accounts: dict[str, Account]) -> None:
        self.accounts = accounts

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)


def test_the_page_speaks_the_language_of_the_email(
    settings: Settings, recorder: Recorder, sequences: Sequences
) -> None:
    from winback.web import store_locale

    store = _Accounts({"ACC-1": make_account(locale="", country="JP", timezone="Asia/Tokyo")})
    app = create_app(settings, recorder, sequences=sequences, page_locale=store_locale(store))  # type: ignore[arg-type]
    client = TestClient(app)
    shown = client.get(link_path())
    assert '<html lang="ja">' in shown.text
    assert "配信を停止する" in shown.text  # the button
    done = client.post(link_path(), data=ONE_CLICK)
    assert done.status_code == 200 and "配信を停止しました" in done.text
    # An account the store does not have: English, and the unsubscribe still works.
    other = client.post(link_path(account_id="ACC-404"), data=ONE_CLICK)
    assert other.status_code == 200 and "You are unsubscribed" in other.text


def test_every_locale_has_every_unsubscribe_text() -> None:
    from campaigns import locales
    from winback.unsubscribe_text import KEYS, TEXTS

    assert set(TEXTS) == set(locales.SUPPORTED)
    for locale, texts in TEXTS.items():
        assert set(texts) == set(KEYS), locale
