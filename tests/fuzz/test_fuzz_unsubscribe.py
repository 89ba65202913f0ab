"""Unsubscribe tokens and the `/u/{token}` endpoint with anything a link checker, a mail
scanner or an attacker might send: arbitrary strings and bytes, and genuine tokens cut, padded,
re-cased or with a character changed.

`verify` never raises and accepts only the exact token it signed; the endpoint answers 4xx for
all of them (never a 500) and records nothing.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from urllib.parse import quote, quote_from_bytes

from hypothesis import given
from hypothesis import strategies as st

from activities import unsubscribe
from tests.cli import CODEC_KEYS
from tests.fuzz.support import fuzz
from winback.settings import Settings
from winback.web import Recorded, create_app

with warnings.catch_warnings():
    # Starlette 1.x would rather its TestClient ran on httpx2; httpx, a project dependency, works.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = b"fuzz-unsubscribe-secret-of-32-bytes-or-more"
SIGNED = [
    unsubscribe.token(SECRET, "spring-2027", "ACC-1001", "winback-ACC-1001", "aino@revontuli.example"),
    unsubscribe.token(SECRET, "demo", "a", "winback-a", "a@b.example"),
    unsubscribe.legacy_token(SECRET, "x", "ACC-" + "9" * 60),
]


def _mutate(token: str, kind: int, at: int, text: str) -> str:
    at %= len(token) + 1
    return [
        token[:at],  # cut off, as a mail client wraps a long line
        token + text,  # something trailing
        text + token,
        token[:at] + text + token[at + 1 :],  # one character changed
        token.swapcase(),
        token + "=" * (1 + at % 3),  # base64 padding
        token.replace("-", "+").replace("_", "/"),  # the other base64 alphabet
        token[:at] + " " + token[at:],
        token + "\n",
    ][kind % 9]


GARBAGE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=.", max_size=120),
    st.builds(_mutate, st.sampled_from(SIGNED), st.integers(0, 8), st.integers(0, 200), st.text(max_size=4)),
).filter(lambda value: value not in SIGNED)


@fuzz(ci=500, long=20_000)
@given(value=GARBAGE)
def test_verify_never_raises_and_accepts_only_what_it_signed(value: str) -> None:
    # Every value here differs from the tokens it made (GARBAGE leaves those out): none is ours.
    verified = unsubscribe.verify(SECRET, value)
    assert verified is None, f"accepted {value!r} as {verified}"


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, signed: unsubscribe.SignedUnsubscribe, secret: bytes) -> Recorded:
        self.calls.append((signed.campaign_id, signed.account_id))
        return "address"


class _NoSequences:
    async def stop(self, workflow_id: str, outcome: str, reason: str) -> None:
        pass


@contextmanager
def _client() -> Iterator[tuple[TestClient, _Recorder]]:
    recorder = _Recorder()
    # Every secret from the environment: nothing may be made in the (missing) data folder.
    env = {
        "WINBACK_UNSUBSCRIBE_SECRET": SECRET.decode(),
        "WINBACK_CODEC_KEYS": CODEC_KEYS,
        "WINBACK_CODEC_TOKEN": "fuzz-codec-token-0123456789abcdef0123456789",
    }
    with mock.patch.dict(os.environ, env), TestClient(
        create_app(
            Settings(data_dir=Path("/nonexistent"), task_queue="t", public_url="https://x"),
            recorder,
            sequences=_NoSequences(),
        ),
        raise_server_exceptions=False,
    ) as client:
        yield client, recorder


PATHS = st.one_of(
    GARBAGE.map(lambda value: quote(value, safe="")),
    st.binary(max_size=60).map(lambda raw: quote_from_bytes(raw, safe="")),
    st.binary(max_size=60).map(lambda raw: quote_from_bytes(raw, safe="/%+=")),
)


@fuzz(ci=100, long=3000)
@given(path=PATHS, method=st.sampled_from(["GET", "POST"]))
def test_the_endpoint_answers_4xx_for_garbage_and_records_nothing(path: str, method: str) -> None:
    with _client() as (client, recorder):
        response = client.request(method, f"/u/{path}", data={"List-Unsubscribe": "One-Click"})
    assert 400 <= response.status_code < 500, f"{method} /u/{path}: {response.status_code}"
    assert recorder.calls == []


def test_the_endpoint_still_takes_a_genuine_token() -> None:
    # Without this, an endpoint that refused everything would pass the property above.
    with _client() as (client, recorder):
        assert client.get(f"/u/{SIGNED[0]}").status_code == 200
        assert client.post(f"/u/{SIGNED[0]}", data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert recorder.calls == [("spring-2027", "ACC-1001")]
