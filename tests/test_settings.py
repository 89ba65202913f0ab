"""The unsubscribe secret and the data folder: what keeps links unforgeable and contacts private."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from activities.email import OutboxTransport
from activities.tasks import FolderTaskBoard
from contracts.sequence import TaskAssignment
from tests.cli import REPO, env_for
from winback import encryption, stack
from winback.settings import MIN_SECRET_BYTES, Settings, SettingsError

SECRET_VAR = "WINBACK_UNSUBSCRIBE_SECRET"
GOOD_SECRET = "0123456789abcdef" * 4


def settings_in(folder: Path) -> Settings:
    return Settings(data_dir=folder, task_queue="winback", public_url="https://winback.example")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def no_secret_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_VAR, raising=False)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual 022, so a private mode proves Winback asked for it rather than inherited it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# --- the unsubscribe secret ----------------------------------------------------------------


def test_a_secret_is_made_once_for_a_new_data_folder_and_kept(tmp_path: Path, loose_umask: None) -> None:
    settings = settings_in(tmp_path / "data")
    first = settings.unsubscribe_secret()
    assert len(first) >= MIN_SECRET_BYTES == 32
    assert settings.unsubscribe_secret() == first
    assert settings_in(tmp_path / "data").unsubscribe_secret() == first
    secret_file = tmp_path / "data" / "unsubscribe.secret"
    assert mode(secret_file) == 0o600
    assert mode(tmp_path / "data") == 0o700
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["unsubscribe.secret"], "a temp file was left"


@pytest.mark.parametrize("content", ["", "\n", "   \n", "abc123\n", "0123456789abcdef0123456789abcde"])
def test_an_empty_or_short_secret_file_is_an_error_never_a_key(tmp_path: Path, content: str) -> None:
    secret_file = tmp_path / "unsubscribe.secret"
    secret_file.write_text(content)
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path).unsubscribe_secret()
    line = str(refused.value)
    assert "\n" not in line
    assert str(secret_file) in line and "openssl rand -hex 32" in line
    if content.strip():
        assert content.strip() not in line, "the error printed the secret"
    assert secret_file.read_text() == content, "the file was changed behind the user's back"


def test_a_secret_file_of_32_bytes_or_more_is_the_key(tmp_path: Path) -> None:
    (tmp_path / "unsubscribe.secret").write_text(GOOD_SECRET + "\n")
    assert settings_in(tmp_path).unsubscribe_secret() == GOOD_SECRET.encode()


@pytest.mark.parametrize("value", ["", " ", "Z!q9", "too-short-a-key", "0123456789abcdef0123456789abcde"])
def test_a_short_or_blank_secret_variable_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(SECRET_VAR, value)
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path / "data").unsubscribe_secret()
    line = str(refused.value)
    assert "\n" not in line
    assert SECRET_VAR in line and "openssl rand -hex 32" in line
    if value.strip():
        assert value.strip() not in line, "the error printed the secret"
    assert not (tmp_path / "data").exists(), "a refused variable still made a secret file"


def test_a_long_enough_secret_variable_is_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_VAR, GOOD_SECRET)
    assert settings_in(tmp_path / "data").unsubscribe_secret() == GOOD_SECRET.encode()
    assert not (tmp_path / "data").exists()


def test_a_secret_path_that_cannot_be_read_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "unsubscribe.secret").mkdir()
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path).unsubscribe_secret()
    assert "\n" not in str(refused.value)
    assert str(tmp_path / "unsubscribe.secret") in str(refused.value)


def _ask_for_the_secret(folder: str, barrier: Any, results: Any) -> None:
    try:
        barrier.wait(timeout=60)
        results.put(("ok", settings_in(Path(folder)).unsubscribe_secret().hex()))
    except Exception as err:  # reported to the test, which names it
        results.put(("error", f"{type(err).__name__}: {err}"))


def test_processes_asking_at_once_for_a_new_folder_s_secret_all_get_the_same_good_key(tmp_path: Path) -> None:
    # Fork: a spawned interpreter takes a second to import; the race needs them all at once.
    ctx = multiprocessing.get_context("fork")
    processes, rounds = 16, 8
    for n in range(rounds):
        folder = tmp_path / f"round-{n}" / "data"
        barrier = ctx.Barrier(processes)
        results = ctx.Queue()
        workers = [
            ctx.Process(target=_ask_for_the_secret, args=(str(folder), barrier, results))
            for _ in range(processes)
        ]
        for worker in workers:
            worker.start()
        answers = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        errors = [text for kind, text in answers if kind == "error"]
        assert not errors, f"round {n}: {len(errors)} of {processes} processes failed, e.g. {errors[0]}"
        keys = {bytes.fromhex(text) for _, text in answers}
        assert len(keys) == 1, f"round {n}: the processes got {len(keys)} different keys"
        (key,) = keys
        assert len(key) >= MIN_SECRET_BYTES, f"round {n}: a key of {len(key)} bytes"
        assert (folder / "unsubscribe.secret").read_bytes().strip() == key


# --- commands that sign or check links ----------------------------------------------------


def run_winback(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "winback", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        umask=0o022,
    )


@pytest.mark.integration  # runs the real winback command in a subprocess
@pytest.mark.parametrize("command", [["worker"], ["up"], ["up", "--detach"]])
def test_a_short_secret_variable_stops_the_command_with_one_line(tmp_path: Path, command: list[str]) -> None:
    env = env_for(None, tmp_path / "data") | {SECRET_VAR: "too-short-a-key"}
    done = run_winback(*command, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and SECRET_VAR in done.stderr, done.stderr
    assert "too-short-a-key" not in done.stdout + done.stderr
    assert not (tmp_path / "data").exists(), "the command started work before refusing"


@pytest.mark.integration  # runs the real winback command in a subprocess
@pytest.mark.parametrize("command", [["worker"], ["up"], ["up", "--detach"]])
def test_a_bad_reconciler_interval_stops_the_command_with_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    env = env_for(None, tmp_path / "data") | {SECRET_VAR: "s" * 40, "WINBACK_RECONCILE_EVERY": "5 minutes"}
    done = run_winback(*command, env=env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("WINBACK_RECONCILE_EVERY is '5 minutes'")
    assert not (tmp_path / "data").exists(), "the command started work before refusing"


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_an_empty_secret_file_stops_the_worker_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "unsubscribe.secret").write_text("")
    done = run_winback("worker", env=env_for(None, tmp_path))
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and str(tmp_path / "unsubscribe.secret") in done.stderr, done.stderr
    assert not (tmp_path / "winback.db").exists(), "the worker opened the store before refusing"


# --- the data folder is private -----------------------------------------------------------


@pytest.mark.integration  # runs the real winback command in a subprocess
def test_winback_makes_its_data_folder_private_and_tightens_an_existing_one(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh"
    done = run_winback("migrate", env=env_for(None, fresh) | {"DATABASE_URL": ""})
    assert done.returncode == 0, done.stderr
    assert mode(fresh) == 0o700
    files = {p.name: mode(p) for p in fresh.iterdir()}
    assert "winback.db" in files and files == dict.fromkeys(files, 0o600), files

    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    done = run_winback("migrate", env=env_for(None, existing) | {"DATABASE_URL": ""})
    assert done.returncode == 0, done.stderr
    assert mode(existing) == 0o700
    assert mode(existing / "winback.db") == 0o600


def test_outbox_messages_and_task_files_are_private(tmp_path: Path, loose_umask: None) -> None:
    settings = settings_in(tmp_path)
    message = EmailMessage()
    message["Message-ID"] = "<touch-1@winback.example>"
    message["X-Winback-Campaign"] = "spring-2027"
    message["X-Winback-Touch"] = "1"
    message.set_content("Hello")
    sent = Path(OutboxTransport(settings.outbox_dir).deliver("key-1", message).location)
    task = TaskAssignment(
        key="k",
        workflow_id="winback-ACC-1",
        account_id="ACC-1",
        company="Revontuli Analytics Oy",
        campaign_id="spring-2027",
        owner="sanna@winback.example",
        touch=3,
        channel="call",
        template="product_gap/03_call",
        due_utc=datetime(2027, 1, 20, 7, tzinfo=UTC),
        due_local="2027-01-20T09:00:00+02:00",
        subject="",
        text="Call Aino.",
    )
    written = Path(asyncio.run(FolderTaskBoard(settings.tasks_dir).assign(task)))
    assert (mode(settings.outbox_dir), mode(sent)) == (0o700, 0o600)
    assert (mode(settings.tasks_dir), mode(written.parent), mode(written)) == (0o700, 0o700, 0o600)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_winback_up_detach_keeps_its_log_and_pid_file_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    # A stand-in for `python -m winback up` that gets ready at once: the real one needs port 7233.
    fake = tmp_path / "fake-python"
    fake.write_text(
        '#!/bin/sh\necho "stand-in for winback up"\n: > "$WINBACK_DATA_DIR/up.ready"\nexec sleep 60\n'
    )
    fake.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake))
    settings = settings_in(tmp_path / "data")
    assert stack.detach(settings, timeout=30) == 0
    pid = int(stack.pid_file(settings).read_text())
    try:
        assert mode(settings.data_dir) == 0o700
        assert mode(stack.pid_file(settings)) == 0o600
        assert mode(stack.log_file(settings)) == 0o600
    finally:
        # Not `winback down`: the stand-in is this process's child, so it is reaped here.
        os.killpg(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


@pytest.mark.integration
def test_the_dev_server_keeps_its_database_private(tmp_path: Path, loose_umask: None) -> None:
    settings = settings_in(tmp_path / "data")
    port = free_port()
    server = stack.start_dev_server(settings, port=port, ui_port=free_port())
    try:
        converter = encryption.converter_for(settings)
        asyncio.run(stack.wait_for_server(f"{stack.HOST}:{port}", converter, timeout=60))
        files = {p.name: mode(p) for p in settings.temporal_dir.iterdir()}
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "temporal.db" in files
    assert files == dict.fromkeys(files, 0o600), files
    assert mode(settings.temporal_dir) == 0o700
    assert mode(settings.data_dir) == 0o700


# --- the codec endpoint's token and the UI's origin ---------------------------------------


TOKEN_VAR = "WINBACK_CODEC_TOKEN"


def test_a_codec_token_is_made_once_privately_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None
) -> None:
    monkeypatch.delenv(TOKEN_VAR, raising=False)
    settings = settings_in(tmp_path / "data")
    token = settings.codec_token()
    assert len(token) >= MIN_SECRET_BYTES and token.isalnum()
    assert settings_in(tmp_path / "data").codec_token() == token
    assert mode(settings.codec_token_file) == 0o600 and mode(tmp_path / "data") == 0o700
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["codec.token"], "a temp file was left"


@pytest.mark.parametrize(
    ("value", "problem"),
    [("short-token", "too short"), ("a/b" * 20, "not URL-safe"), ("tok en" * 10, "not URL-safe")],
)
def test_a_short_or_unsafe_codec_token_variable_is_refused_without_showing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.setenv(TOKEN_VAR, value)
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path / "data").codec_token()
    line = str(refused.value)
    assert "\n" not in line and TOKEN_VAR in line and problem in line and "openssl rand -hex 32" in line
    assert value not in line
    assert not (tmp_path / "data").exists()


def test_a_codec_token_variable_is_the_token_and_blank_means_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_VAR, f"  {GOOD_SECRET}~._-  ")
    assert settings_in(tmp_path / "data").codec_token() == f"{GOOD_SECRET}~._-".encode()
    assert not (tmp_path / "data").exists()
    # docker-compose.yml passes it through blank unless .env sets it: then the file's.
    monkeypatch.setenv(TOKEN_VAR, "  ")
    made = settings_in(tmp_path / "data").codec_token()
    assert made == (tmp_path / "data" / "codec.token").read_text().strip().encode()


@pytest.mark.parametrize("content", ["", "\n", "abc\n", "a/b" * 20])
def test_a_bad_codec_token_file_is_an_error_and_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    monkeypatch.delenv(TOKEN_VAR, raising=False)
    token_file = tmp_path / "codec.token"
    token_file.write_text(content)
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path).codec_token()
    line = str(refused.value)
    assert "\n" not in line and str(token_file) in line and "openssl rand -hex 32" in line
    if content.strip():
        assert content.strip() not in line
    assert token_file.read_text() == content


def test_a_codec_token_path_that_cannot_be_read_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_VAR, raising=False)
    (tmp_path / "codec.token").mkdir()
    with pytest.raises(SettingsError) as refused:
        settings_in(tmp_path).codec_token()
    assert "\n" not in str(refused.value) and str(tmp_path / "codec.token") in str(refused.value)


def test_the_ui_origin_defaults_to_winback_up_s_ui(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WINBACK_UI_ORIGIN", raising=False)
    assert settings_in(tmp_path).ui_origin() == "http://localhost:8233"
    monkeypatch.setenv("WINBACK_UI_ORIGIN", " https://temporal.example.com/ ")
    assert settings_in(tmp_path).ui_origin() == "https://temporal.example.com"
