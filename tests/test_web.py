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
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner
from starlette.exceptions import StarletteDeprecationWarning

from activities import unsubscribe
from activities.store import Store, database_url
from campaigns.model import Account, Contact, Preference
from tests.factories import make_account
from winback.settings import Settings
from winback.web import create_app, record_in_store, store_recorder, web_command

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

    async def __call__(self, campaign_id: str, account_id: str) -> None:
        if self.fail:
            raise RuntimeError("database said no about aino@revontuli.example")
        self.calls.append((campaign_id, account_id))


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", SECRET)
    return Settings(data_dir=tmp_path, task_queue="winback", public_url=PUBLIC_URL)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def client(settings: Settings, recorder: Recorder) -> TestClient:
    return TestClient(create_app(settings, recorder))


def link_path(campaign_id: str = "spring-2027", account_id: str = "ACC-1", secret: str = SECRET) -> str:
    """The path of the very link the email activities put in List-Unsubscribe."""
    return urlsplit(unsubscribe.url(PUBLIC_URL, secret.encode(), campaign_id, account_id)).path


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


def test_one_click_post_records_exactly_the_signed_campaign_and_account(
    client: TestClient, recorder: Recorder
) -> None:
    response = client.post(link_path("spring-2027", "ACC-42"), data=ONE_CLICK)
    assert response.status_code == 200
    assert recorder.calls == [("spring-2027", "ACC-42")]


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


def test_a_failed_recording_answers_500_without_logging_the_exception_text(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(settings, Recorder(fail=True)))
    with caplog.at_level(logging.INFO, logger="winback.web"):
        response = client.post(link_path(), data=ONE_CLICK)
    assert response.status_code == 500
    assert "try again" in response.text
    assert "ACC-1" in caplog.text
    assert "@" not in caplog.text, "the exception text may hold an address: only its type is logged"


# --- the store wiring, against a fake store with the real Store's methods --------------------


def account(account_id: str = "ACC-1", email: str = "Aino@Revontuli.example") -> Account:
    return make_account(
        account_id=account_id,
        churn_detail="",
        contact=Contact(name="Aino Korhonen", email=email),
        executive=Contact(name="Mikko Saari", email="mikko@revontuli.example"),
    )


class FakeStore:
    def __init__(self, *accounts: Account) -> None:
        self.accounts = {a.account_id: a for a in accounts}
        self.preferences: list[Preference] = []

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def record_preference(self, preference: Preference) -> None:
        self.preferences.append(preference)


def test_the_store_recorder_unsubscribes_the_primary_contact_for_good(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = FakeStore(account())
    client = TestClient(create_app(settings, store_recorder(settings, store)))
    with caplog.at_level(logging.INFO, logger="winback.web"):
        assert client.post(link_path("spring-2027", "ACC-1"), data=ONE_CLICK).status_code == 200
    [pref] = store.preferences
    assert (pref.email, pref.account_id, pref.kind) == ("aino@revontuli.example", "ACC-1", "unsubscribed")
    assert pref.until is None, "an unsubscribe is permanent"
    assert pref.campaign_id == "spring-2027"
    assert pref.reason == "one-click unsubscribe"
    assert len(pref.since) == 10 and pref.since[4] == "-"
    assert "ACC-1" in caplog.text
    assert "@" not in caplog.text, "email addresses are never logged"


@pytest.mark.parametrize("store", [FakeStore(), FakeStore(account(email=""))], ids=["unknown", "no-email"])
def test_an_account_without_an_address_records_nothing_and_says_so(
    store: FakeStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="winback.web"):
        record_in_store(store, "spring-2027", "ACC-1")
    assert store.preferences == []
    assert "ACC-1" in caplog.text


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


def test_an_unsubscribe_lands_in_the_real_store_and_suppresses_the_address(settings: Settings) -> None:
    with Store.open(database_url(settings.data_dir)) as store:
        store.import_accounts([account("ACC-9", email="Ville@Example.com")], now=datetime.now(UTC))
        client = TestClient(create_app(settings, store_recorder(settings, store)))
        assert client.get(link_path("spring-2027", "ACC-9")).status_code == 200
        assert store.suppression("ville@example.com", as_of=datetime.now(UTC).date()) is None
        assert client.post(link_path("spring-2027", "ACC-9"), data=ONE_CLICK).status_code == 200
        suppressed = store.suppression("ville@example.com", as_of=datetime.now(UTC).date())
    assert suppressed is not None
    assert (suppressed.kind, suppressed.until, suppressed.account_id) == ("unsubscribed", None, "ACC-9")


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
        response = httpx.post(base + link_path("spring-2027", "ACC-5"), data=ONE_CLICK, timeout=10)
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
