"""Signed one-click unsubscribe links: the token proves who asked, without a lookup.

A token names the campaign, the account, the sequence's workflow id and a keyed hash of the
address the email was sent to, so a click unsubscribes exactly that person and stops exactly
that sequence, even after the CRM has changed the account's primary contact. The address itself
is never in the token: links end up in logs, proxies and browser histories.

Tokens from before (campaign and account only) are in emails already sent; they still verify,
with an empty workflow id and address hash, and the web service treats them as it always did
(the account's current primary contact).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Final

from campaigns.contactability import normalise_address

_MAC_BYTES: Final = 16
# The first byte of a token that binds an address. An old payload starts with a campaign id,
# which can hold no control character (campaigns/yamlfile.py), so the two can never be confused;
# the MAC covers the version too, so neither can be edited into the other.
_V2: Final = b"\x02"
_SEP: Final = "\x1f"
_ADDRESS_HASH_BYTES: Final = 16


@dataclass(frozen=True)
class SignedUnsubscribe:
    """What a verified token names. workflow_id and address_hash are empty in an old token."""

    campaign_id: str
    account_id: str
    workflow_id: str = ""
    address_hash: str = ""

    @property
    def binds_address(self) -> bool:
        return bool(self.address_hash)


def _key(secret: bytes) -> bytes:
    if not secret:
        # Anyone can compute a MAC with an empty key. winback/settings.py refuses weak secrets;
        # this guards every other caller.
        raise ValueError("an empty unsubscribe secret signs nothing")
    return secret


def address_hash(secret: bytes, email: str) -> str:
    """A keyed hash of an address: comparable with what a token carries, useless without the key.

    The "addr:" prefix keeps it from ever equalling a token's MAC over some other payload.
    """
    digest = hmac.new(_key(secret), b"addr:" + normalise_address(email).encode(), hashlib.sha256).digest()
    return digest[:_ADDRESS_HASH_BYTES].hex()


def _seal(secret: bytes, payload: bytes) -> str:
    mac = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(payload + b"." + mac).decode().rstrip("=")


def token(secret: bytes, campaign_id: str, account_id: str, workflow_id: str, email: str) -> str:
    """The token for one email: its campaign, account, sequence and recipient."""
    fields = (campaign_id, account_id, workflow_id, address_hash(secret, email))
    if any(_SEP in f for f in fields):
        raise ValueError("an unsubscribe token field holds a control character")
    return _seal(secret, _V2 + _SEP.join(fields).encode())


def legacy_token(secret: bytes, campaign_id: str, account_id: str) -> str:
    """The token emails carried before tokens named their recipient; only tests make new ones."""
    return _seal(secret, f"{campaign_id}:{account_id}".encode())


def verify(secret: bytes, value: str) -> SignedUnsubscribe | None:
    """What the token names when it is ours, else None."""
    key = _key(secret)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return None
    # The MAC is binary and may contain b".": split by its fixed length, not the separator.
    payload, sep, mac = raw[: -_MAC_BYTES - 1], raw[-_MAC_BYTES - 1 : -_MAC_BYTES], raw[-_MAC_BYTES:]
    if sep != b".":
        return None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:_MAC_BYTES]
    if not payload or not hmac.compare_digest(mac, expected):
        return None
    # Base64 decoding forgives padding, characters outside its alphabet and the unused bits of the
    # last character, so many strings decode to a signed payload: only the one _seal makes is ours.
    if not hmac.compare_digest(_seal(key, payload), value):
        return None
    try:
        text = payload.decode()
    except UnicodeDecodeError:
        return None
    if payload.startswith(_V2):
        fields = text[len(_V2) :].split(_SEP)
        if len(fields) != 4:
            return None
        campaign_id, account_id, workflow_id, hashed = fields
        return SignedUnsubscribe(campaign_id, account_id, workflow_id, hashed)
    campaign_id, _, account_id = text.partition(":")
    return SignedUnsubscribe(campaign_id, account_id)


def url(base_url: str, secret: bytes, campaign_id: str, account_id: str, workflow_id: str, email: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token(secret, campaign_id, account_id, workflow_id, email)}"
