"""The codec endpoint of `winback web`: what the Temporal UI and CLI decrypt workflow data with."""

from __future__ import annotations

import base64
import json
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from temporalio.client import Client

from tests.cli import CODEC_KEYS
from winback import codec_server, encryption
from winback.codec_server import CodecEndpoint, from_settings, routes, ui_endpoint
from winback.settings import Settings
from winback.web import create_app

with warnings.catch_warnings():
    # Starlette 1.x would rather its TestClient ran on httpx2; httpx, a project dependency, works.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

TOKEN = "codec-token-0123456789abcdef0123456789abcdef"
UI = "http://localhost:8233"
EMAIL = "aino@revontuli.example"
PLAIN = Payload(metadata={"encoding": b"json/plain"}, data=json.dumps({"to_email": EMAIL}).encode())
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def codec() -> encryption.EncryptionCodec:
    return encryption.EncryptionCodec(encryption.parse_keys_variable(CODEC_KEYS, fallback="-"))


@pytest.fixture
def web() -> TestClient:
    config = CodecEndpoint(codec=codec(), token=TOKEN.encode(), ui_origin=UI)
    return TestClient(Starlette(routes=routes(config)))


def body(*payloads: Payload) -> dict[str, Any]:
    """The proto JSON the UI and the CLI send: base64 metadata values and data."""
    return {
        "payloads": [
            {
                "metadata": {k: base64.b64encode(v).decode() for k, v in p.metadata.items()},
                "data": base64.b64encode(p.data).decode(),
            }
            for p in payloads
        ]
    }


def parsed(answer: Any) -> list[Payload]:
    payloads = Payloads()
    json_format.Parse(answer.content, payloads)
    return list(payloads.payloads)


async def encrypted(*payloads: Payload) -> list[Payload]:
    return await codec().encode(list(payloads))


CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-headers", "access-control-allow-methods")


def no_cors(answer: Any) -> bool:
    return not any(h in answer.headers for h in CORS_HEADERS)


# --- decode and encode --------------------------------------------------------------------------


async def test_decode_gives_back_the_plain_payloads_as_the_cli_asks(web: TestClient) -> None:
    sealed = await encrypted(PLAIN, PLAIN)
    # `temporal ... --codec-endpoint http://HOST/codec --codec-auth "Bearer TOKEN"`: no Origin.
    answer = web.post("/codec/decode", json=body(*sealed), headers=BEARER | {"X-Namespace": "default"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert no_cors(answer)
    assert parsed(answer) == [PLAIN, PLAIN]


async def test_encode_encrypts_with_the_current_key_and_decode_reverses_it(web: TestClient) -> None:
    answer = web.post("/codec/encode", json=body(PLAIN), headers=BEARER)
    assert answer.status_code == 200, answer.text
    [sealed] = parsed(answer)
    assert sealed.metadata["encoding"] == b"binary/encrypted"
    assert sealed.metadata["encryption-key-id"] == b"test-1"
    assert await codec().decode([sealed]) == [PLAIN]


def test_plain_payloads_decode_to_themselves(web: TestClient) -> None:
    answer = web.post("/codec/decode", json=body(PLAIN), headers=BEARER)
    assert answer.status_code == 200 and parsed(answer) == [PLAIN]


def test_an_empty_list_is_an_empty_list(web: TestClient) -> None:
    answer = web.post("/codec/decode", json={"payloads": []}, headers=BEARER)
    assert answer.status_code == 200 and parsed(answer) == []


async def test_the_token_may_be_a_path_segment_as_the_ui_s_capability_url(web: TestClient) -> None:
    sealed = await encrypted(PLAIN)
    # Exactly the UI's request: `${endpoint}/decode?preserveStorageRefs=true`, no Authorization.
    answer = web.post(
        f"/codec/{TOKEN}/decode?preserveStorageRefs=true",
        json=body(*sealed),
        headers={"Origin": UI, "X-Namespace": "default"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == UI
    assert parsed(answer) == [PLAIN]
    assert web.post(f"/codec/{TOKEN}/encode", json=body(PLAIN)).status_code == 200


def test_ui_endpoint_is_the_capability_url() -> None:
    assert ui_endpoint("http://127.0.0.1:8000/", TOKEN.encode()) == f"http://127.0.0.1:8000/codec/{TOKEN}"


# --- who may ask --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {base64.b64encode(f'x:{TOKEN}'.encode()).decode()}"},
        {"Authorization": TOKEN},
    ],
)
async def test_a_missing_or_wrong_token_is_401(
    web: TestClient, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    sealed = await encrypted(PLAIN)
    with caplog.at_level(logging.INFO, logger="winback.web"):
        for path in ("/codec/decode", "/codec/encode"):
            answer = web.post(path, json=body(*sealed), headers=headers)
            assert answer.status_code == 401, answer.text
            assert answer.headers["www-authenticate"] == "Bearer"
            assert EMAIL not in answer.text and TOKEN not in answer.text
    assert TOKEN not in caplog.text and EMAIL not in caplog.text


async def test_a_wrong_token_in_the_path_is_401(web: TestClient) -> None:
    sealed = await encrypted(PLAIN)
    answer = web.post("/codec/not-the-token/decode", json=body(*sealed), headers={"Origin": UI})
    assert answer.status_code == 401
    # The UI's origin still gets its CORS header, so the browser can show why.
    assert answer.headers["access-control-allow-origin"] == UI


def test_the_ui_s_preflight_is_answered_for_its_origin_exactly(web: TestClient) -> None:
    for path in ("/codec/decode", "/codec/encode", f"/codec/{TOKEN}/decode", f"/codec/{TOKEN}/encode"):
        answer = web.options(
            path,
            headers={
                "Origin": UI,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-namespace",
            },
        )
        assert answer.status_code == 204, path
        assert answer.headers["access-control-allow-origin"] == UI
        assert answer.headers["access-control-allow-headers"] == "content-type, x-namespace, authorization"
        assert "POST" in answer.headers["access-control-allow-methods"]
        assert answer.headers["vary"] == "Origin"
        assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize(
    "origin", ["http://localhost:8080", "http://127.0.0.1:8233", "https://localhost:8233", "null", UI + "/"]
)
async def test_any_other_origin_gets_403_and_no_cors_headers(web: TestClient, origin: str) -> None:
    preflight = web.options(
        "/codec/decode", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 403 and no_cors(preflight)
    sealed = await encrypted(PLAIN)
    for path in ("/codec/decode", f"/codec/{TOKEN}/decode", "/codec/encode"):
        # Even with the right token: another site's page must not read decrypted data.
        answer = web.post(path, json=body(*sealed), headers=BEARER | {"Origin": origin})
        assert answer.status_code == 403 and no_cors(answer), path
        assert EMAIL not in answer.text


def test_the_ui_origin_comes_from_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WINBACK_CODEC_KEYS", CODEC_KEYS)
    monkeypatch.setenv("WINBACK_CODEC_TOKEN", TOKEN)
    monkeypatch.setenv("WINBACK_UI_ORIGIN", "http://localhost:8080/")
    settings = Settings(data_dir=tmp_path, task_queue="winback", public_url="https://winback.example")
    config = from_settings(settings)
    assert (config.ui_origin, config.token) == ("http://localhost:8080", TOKEN.encode())
    monkeypatch.delenv("WINBACK_UI_ORIGIN")
    assert from_settings(settings).ui_origin == "http://localhost:8233"


# --- bad requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"", b"not json", b"[1, 2]", b'{"payloads": "x"}', b'{"payloads": [{"dat": "AA=="}]}', b"\xff\xfe"],
)
def test_a_body_that_is_not_payloads_is_400(web: TestClient, content: bytes) -> None:
    answer = web.post("/codec/decode", content=content, headers=BEARER | {"content-type": "application/json"})
    assert answer.status_code == 400
    assert "Payloads" in answer.text


def test_a_body_over_the_limit_is_413() -> None:
    config = CodecEndpoint(codec=codec(), token=TOKEN.encode(), ui_origin=UI, max_body=100)
    small = TestClient(Starlette(routes=routes(config)))
    answer = small.post("/codec/encode", json=body(PLAIN, PLAIN, PLAIN), headers=BEARER)
    assert answer.status_code == 413


async def test_a_payload_under_an_unknown_key_is_422_naming_the_key_id(tmp_path: Path) -> None:
    other = encryption.EncryptionCodec(
        encryption.parse_keys_variable(f"elsewhere:{base64.b64encode(bytes(32)).decode()}", fallback="-")
    )
    [sealed] = await other.encode([PLAIN])
    config = CodecEndpoint(codec=codec(), token=TOKEN.encode(), ui_origin=UI)
    answer = TestClient(Starlette(routes=routes(config))).post(
        "/codec/decode", json=body(sealed), headers=BEARER
    )
    assert answer.status_code == 422
    assert "'elsewhere'" in answer.text and EMAIL not in answer.text


# --- in the web service -------------------------------------------------------------------------


async def test_winback_web_serves_it_with_the_settings_keys_and_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    monkeypatch.delenv("WINBACK_CODEC_KEYS", raising=False)
    monkeypatch.delenv("WINBACK_CODEC_TOKEN", raising=False)
    monkeypatch.delenv("WINBACK_UI_ORIGIN", raising=False)
    settings = Settings(data_dir=tmp_path, task_queue="winback", public_url="https://winback.example")

    async def no_temporal() -> Client:
        raise AssertionError("the codec endpoint needs no Temporal")

    from winback.sequence_actions import TemporalSequences

    web = TestClient(create_app(settings, sequences=TemporalSequences(no_temporal)))
    token = (tmp_path / "codec.token").read_text().strip()
    # The same keys every client of this data folder encrypts with.
    converter = encryption.converter_for(settings)
    [sealed] = await converter.encode([{"to_email": EMAIL}])
    answer = web.post(f"/codec/{token}/decode", json=body(sealed), headers={"Origin": UI})
    assert answer.status_code == 200, answer.text
    [plain] = parsed(answer)
    assert json.loads(plain.data) == {"to_email": EMAIL}
    assert web.post("/codec/decode", json=body(sealed)).status_code == 401
    assert codec_server.PREFIX == "/codec"
