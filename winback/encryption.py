"""Customer data is encrypted before it reaches Temporal: a payload codec and its keys.

Every sequence's input (contact names and addresses), every activity's input and result, memos
(the open task with its prepared text), queries, signals and failure messages pass through
Temporal's history, and from there into its database, its visibility store and its UI. The codec
here encrypts each payload with AES-256-GCM (AES-128/192 for shorter keys) before it leaves the
process, and decrypts it when it comes back; Temporal only ever stores ciphertext.

An encrypted payload carries `encoding: binary/encrypted` and `encryption-key-id: <id>` in its
metadata; its data is a 12-byte random nonce followed by AES-GCM of the original Payload
protobuf (the shape of temporalio/samples-python's encryption sample, so its Go and TypeScript
twins read it too). A payload without that encoding is passed through as it is: histories
written before the codec (and the committed ones in tests/histories) still replay and decode.
None alone stays plain (`is_null`): the server must see it to delete a memo key.

Keys rotate by adding: the first key encrypts, every listed key decrypts. Keep an old key until
no open workflow's history (nor a retained closed one you still want to read) needs it.
Keys come from WINBACK_CODEC_KEYS or the data folder's codec.keys (`load_keyring`); a key is
never printed, logged or put in an error message, only its id.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import temporalio.converter
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.api.failure.v1 import Failure
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
    PayloadConverter,
)
from temporalio.exceptions import ApplicationError

from contracts import ids
from winback.settings import Settings, SettingsError, read_or_create

ENCODING: Final = b"binary/encrypted"
KEY_ID: Final = "encryption-key-id"
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16  # AES-GCM's authentication tag, at the end of the ciphertext
KEY_SIZES: Final = (16, 24, 32)  # AES-128, -192, -256; a new key is 32
KEYS_VAR: Final = "WINBACK_CODEC_KEYS"
NULL: Final = Payload(metadata={"encoding": b"binary/null"})
# Ids travel in every payload's metadata and in messages: short, plain, and unmistakable.
_KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAKE_KEY: Final = "`openssl rand -base64 32`"


class CodecError(ValueError):
    """A payload this process cannot decrypt: an unknown key id, or data that fails AES-GCM's
    authentication (changed, cut off, or encrypted under another key of the same id). The
    message names the key id and where this process's keys come from, never a key."""


@dataclass(frozen=True)
class CodecKey:
    key_id: str
    secret: bytes = field(repr=False)  # repr=False: a traceback or log of a key shows only its id


@dataclass(frozen=True)
class Keyring:
    """The keys in order (the first encrypts) and where they came from, for messages."""

    keys: tuple[CodecKey, ...]
    source: str

    @property
    def current(self) -> CodecKey:
        return self.keys[0]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(k.key_id for k in self.keys)


class EncryptionCodec(PayloadCodec):
    """AES-GCM with several keys: encrypts with the first, decrypts with whichever one the
    payload names."""

    def __init__(self, keyring: Keyring) -> None:
        super().__init__()
        self.keyring = keyring
        self._current = keyring.current.key_id.encode()
        self._aead = {k.key_id: AESGCM(k.secret) for k in keyring.keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [p if is_null(p) else self.encrypt(p) for p in payloads]

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        return [self.decrypt(p) for p in payloads]

    def encrypt(self, payload: Payload) -> Payload:
        nonce = os.urandom(NONCE_BYTES)  # random per payload: 2^-32 collision risk only after 2^32 of them
        sealed = self._aead[self.keyring.current.key_id].encrypt(nonce, payload.SerializeToString(), None)
        return Payload(metadata={"encoding": ENCODING, KEY_ID: self._current}, data=nonce + sealed)

    def decrypt(self, payload: Payload) -> Payload:
        if payload.metadata.get("encoding") != ENCODING:
            return payload  # plain: written before the codec, or by a client without it
        key_id = payload.metadata.get(KEY_ID, b"").decode("utf-8", "replace")
        aead = self._aead.get(key_id)
        if aead is None:
            if not key_id:
                raise CodecError("an encrypted payload names no codec key (metadata encryption-key-id)")
            raise CodecError(
                f"a payload is encrypted with codec key {key_id!r}, which is not among the keys of "
                f"{self.keyring.source} ({', '.join(self.keyring.ids)}); add that key there, after the "
                "one that encrypts, to read it"
            )
        data = payload.data
        try:
            if len(data) < NONCE_BYTES + TAG_BYTES:
                raise InvalidTag
            plain = aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except InvalidTag:
            raise CodecError(
                f"a payload encrypted with codec key {key_id!r} fails authentication: it was changed "
                f"or cut off, or the key {key_id!r} in {self.keyring.source} is not the one it was "
                "encrypted with"
            ) from None
        return Payload.FromString(plain)


def is_null(payload: Payload) -> bool:
    """None, as Temporal's converters write it: `binary/null` and no data. Left plain, because
    the server deletes a memo key upserted with exactly this payload (how the sequence clears
    its open task from the memo); encrypted, the key would stay. It says only "nothing"."""
    return payload == NULL


class FailureConverter(DefaultFailureConverterWithEncodedAttributes):
    """Failure messages and stack traces moved into an encoded (so encrypted) attribute, except
    a sequence's refusal of a CSM's action (`ids.REFUSED_ERROR`): that message is what the CSM
    reads in the UI's update dialog or `temporal workflow update`, with or without the codec
    endpoint, and it is written by contracts/actions.py from the fields' names and at most 40
    characters of what they typed. Without its stack trace: the message is the whole answer."""

    _plain = DefaultFailureConverter()

    def to_failure(
        self, exception: BaseException, payload_converter: PayloadConverter, failure: Failure
    ) -> None:
        if isinstance(exception, ApplicationError) and exception.type == ids.REFUSED_ERROR:
            self._plain.to_failure(exception, payload_converter, failure)
            # The dialog shows a stack trace under the message: the worker's file paths say
            # nothing to a CSM.
            failure.stack_trace = ""
            return
        super().to_failure(exception, payload_converter, failure)


def data_converter(keyring: Keyring) -> DataConverter:
    """Temporal's default converter with the codec, and with failure messages and stack traces
    encrypted (FailureConverter): an activity's error may quote an address. A workflow still
    reads ApplicationError.message as before: the worker decodes a failure before the workflow
    sees it (tests/test_encryption.py)."""
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_codec=EncryptionCodec(keyring),
        failure_converter_class=FailureConverter,
    )


def converter_for(settings: Settings) -> DataConverter:
    """The converter every Winback client uses, with the settings' keys."""
    return data_converter(load_keyring(settings))


# --- keys --------------------------------------------------------------------------------------


def load_keyring(settings: Settings) -> Keyring:
    """WINBACK_CODEC_KEYS when set, else the data folder's codec.keys (made with one new key on
    first use, atomically and private, like the unsubscribe secret). Problems raise SettingsError:
    one line naming the variable or file and the fix, never a key."""
    value = os.environ.get(KEYS_VAR)
    if value is not None:
        return parse_keys_variable(value, fallback=str(settings.codec_key_file))
    path = settings.codec_key_file
    text = read_or_create(
        path,
        new_key_file,
        what="codec key file",
        instead=f"set {KEYS_VAR} to keyid:base64key (a key from {MAKE_KEY})",
    )
    return parse_key_file(text, str(path))


def new_key_file() -> str:
    """A key file with one new 32-byte key; its id says when it was made, for rotation later."""
    key_id = f"k{os.urandom(4).hex()}"
    secret = base64.b64encode(os.urandom(32)).decode()
    return (
        "# Winback's codec keys: `keyid base64key` per line. The first line encrypts; every line\n"
        "# decrypts. To rotate, put a new line on top; keep old lines while any history needs them.\n"
        f"{key_id} {secret}\n"
    )


def parse_keys_variable(value: str, *, fallback: str) -> Keyring:
    """`keyid:base64key,keyid:base64key,...`, the first one encrypting."""
    fix = (
        f"set {KEYS_VAR} to comma-separated keyid:base64key entries, the first one encrypting "
        f"(a key from {MAKE_KEY}), or unset it to use the keys kept in {fallback}"
    )
    entries = [e.strip() for e in value.split(",")]
    if not any(entries):
        raise SettingsError(f"{KEYS_VAR} is empty: {fix}")
    keys: list[CodecKey] = []
    for n, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.partition(":")
        where = f"{KEYS_VAR} entry {n}"
        if not sep:
            raise SettingsError(f"{where} has no ':' between the key id and the key: {fix}")
        keys.append(_key(key_id.strip(), encoded.strip(), where, fix))
    return _keyring(keys, KEYS_VAR, fix)


def parse_key_file(text: str, path: str) -> Keyring:
    """`keyid base64key` per line, the first one encrypting; blank lines and `#` comments are
    left out."""
    fix = (
        f"each line of {path} is `keyid base64key` (a key from {MAKE_KEY}), the first one encrypting; "
        "never delete a key that open histories still need"
    )
    keys: list[CodecKey] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        where = f"{path} line {n}"
        if len(parts) != 2:
            raise SettingsError(f"{where} is not `keyid base64key` ({len(parts)} fields): {fix}")
        keys.append(_key(parts[0], parts[1], where, fix))
    if not keys:
        raise SettingsError(
            f"{path} holds no codec key: write one as `keyid base64key` (a key from {MAKE_KEY}), or, "
            "only if nothing encrypted with an earlier key must still be read, delete the file to "
            "have Winback make a new one"
        )
    return _keyring(keys, path, fix)


def _key(key_id: str, encoded: str, where: str, fix: str) -> CodecKey:
    # Messages name the entry or line, never what it holds: an id written where the key goes
    # (or the other way round) would otherwise print the key.
    if not _KEY_ID_RE.fullmatch(key_id):
        raise SettingsError(
            f"{where}: the key id is not 1-64 letters, digits, '.', '_' or '-' starting with a letter "
            f"or digit: {fix}"
        )
    try:
        # The URL-safe alphabet too: some tools print keys that way.
        secret = base64.b64decode(encoded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise SettingsError(f"{where}: the key is not base64: {fix}") from None
    if len(secret) not in KEY_SIZES:
        raise SettingsError(f"{where}: the key is {len(secret)} bytes, AES-GCM needs 16, 24 or 32: {fix}")
    return CodecKey(key_id=key_id, secret=secret)


def _keyring(keys: list[CodecKey], source: str, fix: str) -> Keyring:
    seen: set[str] = set()
    for key in keys:
        if key.key_id in seen:
            raise SettingsError(
                f"{source} names key id {key.key_id!r} twice: a payload names its key by id, so "
                f"each id must be unique; {fix}"
            )
        seen.add(key.key_id)
    return Keyring(keys=tuple(keys), source=source)
