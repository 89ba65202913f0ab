"""The codec endpoint of `winback web`: the Temporal Web UI and CLI decrypt (and encrypt) payloads
here, since Temporal itself only ever holds ciphertext (winback/encryption.py).

`POST /codec/decode` and `POST /codec/encode` take and give the proto JSON of
temporal.api.common.v1.Payloads, `{"payloads": [{"metadata": {"encoding": "<base64>"}, "data":
"<base64>"}]}`, the remote codec protocol Temporal's UI and CLI speak.

Every request carries the token (WINBACK_CODEC_TOKEN, or the data folder's codec.token):
`Authorization: Bearer <token>` as `temporal ... --codec-auth "Bearer <token>"` sends it, or as a
path segment, `/codec/<token>/decode`. The path form exists because the Web UI cannot send our
token: its codec client (ui 2.54.1, bundled with the temporal CLI 1.9.1; src/lib/services/
data-encoder.ts in temporalio/ui) sets `Authorization` only when "pass access token" is on and
the endpoint is https, and then it sends the UI's own login access token, which a local dev
server without login does not have. It fetches `${endpoint}/decode`, so `winback up` gives the
UI the capability URL `http://127.0.0.1:8000/codec/<token>` as its codec endpoint. Whoever can
open that UI sees decrypted data, as they could before the codec: the codec protects Temporal's
database and its backups, not the UI.

Browsers: only pages from WINBACK_UI_ORIGIN (default http://localhost:8233, the UI of `winback up`)
may call it. Their preflight gets `Access-Control-Allow-Origin` with exactly that origin; a request
from any other origin gets no CORS headers and a 403 before the token is even looked at. A request
without an Origin header (the CLI, curl) is not a browser's and needs only the token.

No payload, token or key is ever logged.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads
from temporalio.converter import PayloadCodec

from winback import encryption
from winback.settings import Settings

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

log = logging.getLogger("winback.web.codec")

PREFIX: Final = "/codec"
# The UI decodes one event's fields at a time; Temporal refuses payloads over 2 MB by default.
MAX_BODY: Final = 16 * 1024 * 1024
ALLOW_HEADERS: Final = "content-type, x-namespace, authorization"
ALLOW_METHODS: Final = "POST, OPTIONS"
PREFLIGHT_MAX_AGE: Final = "600"

UNAUTHORIZED: Final = (
    "The codec endpoint needs its token: send `Authorization: Bearer <token>` or use "
    f"{PREFIX}/<token>/decode; the token is WINBACK_CODEC_TOKEN or the data folder's codec.token."
)
FORBIDDEN_ORIGIN: Final = (
    "This origin may not use the codec endpoint; set WINBACK_UI_ORIGIN to the Temporal UI's address."
)
TOO_LARGE: Final = f"The body is larger than {MAX_BODY // (1024 * 1024)} MB."
NOT_PAYLOADS: Final = (
    'The body is not the JSON of Temporal Payloads: {"payloads": [{"metadata": ..., "data": ...}]}.'
)


@dataclass(frozen=True)
class CodecEndpoint:
    """What the endpoint needs; create_app builds it from the settings with `from_settings`."""

    codec: PayloadCodec
    token: bytes
    ui_origin: str
    max_body: int = MAX_BODY


def from_settings(settings: Settings) -> CodecEndpoint:
    """The settings' keys, token and UI origin; bad ones raise SettingsError (one line)."""
    return CodecEndpoint(
        codec=encryption.EncryptionCodec(encryption.load_keyring(settings)),
        token=settings.codec_token(),
        ui_origin=settings.ui_origin(),
    )


def ui_endpoint(base_url: str, token: bytes) -> str:
    """The codec endpoint to give the Web UI: the capability URL with the token in its path,
    since the UI cannot send it in a header (see the module's docstring)."""
    return f"{base_url.rstrip('/')}{PREFIX}/{token.decode()}"


def authorised(request: Request, token: bytes) -> bool:
    """The token from the path or the bearer header, compared in constant time."""
    offered: list[str] = []
    if "token" in request.path_params:
        offered.append(str(request.path_params["token"]))
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        offered.append(value.strip())
    ok = False
    for candidate in offered:
        ok |= hmac.compare_digest(candidate.encode("utf-8", "surrogateescape"), token)
    return ok


def routes(config: CodecEndpoint) -> list[Route]:
    from starlette.responses import PlainTextResponse
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route

    def cors(request: Request) -> dict[str, str] | None:
        """The CORS headers for this request's origin: {} without an Origin (not a browser),
        None for an origin that is not the UI's."""
        origin = request.headers.get("origin")
        if origin is None:
            return {}
        if origin != config.ui_origin:
            return None
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}

    async def preflight(request: Request) -> Response:
        headers = cors(request)
        if headers is None:
            log.warning("refused a codec preflight from another origin")
            return PlainTextResponse(FORBIDDEN_ORIGIN, status_code=403)
        if headers:
            headers |= {
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            }
        return StarletteResponse(status_code=204, headers=headers | {"Allow": ALLOW_METHODS})

    def handler(decode: bool) -> Callable[[Request], Awaitable[Response]]:
        async def convert(request: Request) -> Response:
            headers = cors(request)
            if headers is None:
                log.warning("refused a codec request from another origin")
                return PlainTextResponse(FORBIDDEN_ORIGIN, status_code=403)
            headers["Cache-Control"] = "no-store"  # an answer may be plain customer data
            if not authorised(request, config.token):
                log.warning("refused a codec request: the token is missing or wrong")
                return PlainTextResponse(
                    UNAUTHORIZED, status_code=401, headers=headers | {"WWW-Authenticate": "Bearer"}
                )
            body = await _body(request, config.max_body)
            if body is None:
                return PlainTextResponse(TOO_LARGE, status_code=413, headers=headers)
            payloads = Payloads()
            try:
                json_format.Parse(body, payloads)
            except (json_format.ParseError, UnicodeDecodeError, ValueError):
                return PlainTextResponse(NOT_PAYLOADS, status_code=400, headers=headers)
            try:
                if decode:
                    await config.codec.decode_wrapper(payloads)
                else:
                    await config.codec.encode_wrapper(payloads)
            except encryption.CodecError as err:
                # Names a key id at most, never a key or a payload.
                log.warning("could not decode payloads: %s", err)
                return PlainTextResponse(str(err), status_code=422, headers=headers)
            return StarletteResponse(
                json_format.MessageToJson(payloads, indent=None),
                media_type="application/json",
                headers=headers,
            )

        return convert

    found: list[Route] = []
    for name, decode in (("decode", True), ("encode", False)):
        convert = handler(decode)
        for path in (f"{PREFIX}/{name}", f"{PREFIX}/{{token}}/{name}"):
            found.append(Route(path, convert, methods=["POST"]))
            found.append(Route(path, preflight, methods=["OPTIONS"]))
    return found


async def _body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than `limit` (read no further than that)."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
