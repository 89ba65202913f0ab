"""`winback up`'s dev server: its UI decrypts through the web service's codec endpoint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import REPO, env_for
from winback import stack
from winback.settings import Settings

TOKEN = "codec-token-0123456789abcdef0123456789abcdef"


def settings_in(folder: Path) -> Settings:
    return Settings(data_dir=folder, task_queue="winback", public_url="https://winback.example")


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_the_ui_gets_the_web_service_s_codec_url_and_no_news_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WINBACK_CODEC_TOKEN", TOKEN)
    monkeypatch.delenv("WINBACK_WEB_HOST", raising=False)
    monkeypatch.delenv("WINBACK_WEB_PORT", raising=False)
    command = stack.dev_server_command(settings_in(tmp_path))
    assert flag(command, "--ui-codec-endpoint") == f"http://127.0.0.1:8000/codec/{TOKEN}"
    assert "--ui-disable-news-fetch" in command
    assert flag(command, "--db-filename") == str(tmp_path / "temporal" / "temporal.db")

    monkeypatch.setenv("WINBACK_WEB_HOST", "0.0.0.0")  # the Docker image's: a browser uses 127.0.0.1
    monkeypatch.setenv("WINBACK_WEB_PORT", "9001")
    assert flag(stack.dev_server_command(settings_in(tmp_path)), "--ui-codec-endpoint") == (
        f"http://127.0.0.1:9001/codec/{TOKEN}"
    )


def test_the_ui_codec_url_carries_the_data_folder_s_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WINBACK_CODEC_TOKEN", raising=False)
    command = stack.dev_server_command(settings_in(tmp_path))
    token = (tmp_path / "codec.token").read_text().strip()
    assert flag(command, "--ui-codec-endpoint").endswith(f"/codec/{token}")


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000"),
        ("0.0.0.0", "http://127.0.0.1:8000"),
        ("", "http://127.0.0.1:8000"),
        ("::", "http://127.0.0.1:8000"),
        ("::1", "http://[::1]:8000"),
        ("winback.local", "http://winback.local:8000"),
    ],
)
def test_web_url_is_where_a_browser_here_reaches_the_web_service(host: str, url: str) -> None:
    assert stack.web_url(host, 8000) == url


@pytest.mark.integration  # runs the real winback command in a subprocess
@pytest.mark.parametrize("command", [["worker"], ["up"], ["up", "--detach"], ["web"], ["status"]])
def test_bad_codec_keys_stop_the_command_with_one_line(tmp_path: Path, command: list[str]) -> None:
    key = "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE="
    env = env_for(None, tmp_path / "data") | {
        "WINBACK_CODEC_KEYS": f"k1:{key},k1:{key}",
        "WINBACK_UNSUBSCRIBE_SECRET": "0123456789abcdef" * 4,
    }
    done = subprocess.run(
        [sys.executable, "-m", "winback", *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "WINBACK_CODEC_KEYS" in done.stderr, done.stderr
    assert "'k1' twice" in done.stderr and key not in done.stdout + done.stderr
    assert not (tmp_path / "data" / "up.pid").exists() and not (tmp_path / "data" / "winback.db").exists()
