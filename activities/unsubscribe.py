"""Signed one-click unsubscribe links: the token proves which account asked, without a lookup."""

from __future__ import annotations

import base64
import hashlib
import hmac


def token(secret: bytes, campaign_id: str, account_id: str) -> str:
    payload = f"{campaign_id}:{account_id}".encode()
    mac = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    raw = payload + b"." + mac
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def verify(secret: bytes, value: str) -> tuple[str, str] | None:
    """(campaign_id, account_id) when the token is ours, else None."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, TypeError):
        return None
    # The MAC is binary and may contain b".": split by its fixed length, not the separator.
    payload, sep, mac = raw[:-17], raw[-17:-16], raw[-16:]
    if sep != b".":
        return None
    expected = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    if not payload or not hmac.compare_digest(mac, expected):
        return None
    campaign_id, _, account_id = payload.decode().partition(":")
    # Base64 decoding forgives padding, characters outside its alphabet and the unused bits of the
    # last character, so many strings decode to a signed payload: only the one token() makes is ours.
    if not hmac.compare_digest(token(secret, campaign_id, account_id), value):
        return None
    return campaign_id, account_id


def url(base_url: str, secret: bytes, campaign_id: str, account_id: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token(secret, campaign_id, account_id)}"
