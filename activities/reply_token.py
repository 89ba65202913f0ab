"""Signed Reply-To addresses: `reply+{account id}.{mac}@{inbound domain}` leads a reply to its
sequence exactly, even from a mail client that drops In-Reply-To, and nobody can make one up.

The account id is the locator (the sequence is `winback-{account id}`, contracts/ids.py); the
MAC, keyed with the unsubscribe secret, proves we wrote it. The local part keeps to RFC 5321's
64 characters: a sequence whose account id is too long for that sends no Reply-To, and its
replies are matched by thread or sender instead (winback/inbound_webhook.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Final

from contracts import ids

LOCAL_PART: Final = "reply"
MAX_LOCAL_PART: Final = 64
_MAC_CHARS: Final = 12  # 60 bits: a forger has to guess, and every guess is a post we refuse


def _mac(secret: bytes, workflow_id: str) -> str:
    if not secret:
        raise ValueError("an empty secret signs nothing")
    digest = hmac.new(secret, f"reply:{workflow_id}".encode(), hashlib.sha256).digest()
    # Lower-case base32: mail systems may fold the case of a local part, and this part survives.
    return base64.b32encode(digest).decode().lower()[:_MAC_CHARS]


def reply_address(secret: bytes, account_id: str, workflow_id: str, domain: str) -> str:
    """The Reply-To for a sequence's messages, or "" when no inbound domain is set or the
    address would be too long."""
    if not domain:
        return ""
    local = f"{LOCAL_PART}+{account_id}.{_mac(secret, workflow_id)}"
    if len(local) > MAX_LOCAL_PART:
        return ""
    return f"{local}@{domain}"


def account_for(secret: bytes, address: str) -> str | None:
    """The account id a `reply+...` address names, when its MAC is ours; else None."""
    local = address.strip().rpartition("@")[0]
    base, plus, token = local.partition("+")
    if base.lower() != LOCAL_PART or not plus:
        return None
    account_id, dot, mac = token.rpartition(".")
    if not dot or not account_id:
        return None
    expected = _mac(secret, ids.workflow_id_for(account_id))
    return account_id if hmac.compare_digest(mac.lower(), expected) else None
