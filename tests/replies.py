"""Signed reply addresses for tests of the inbound webhook (activities/reply_token.py)."""

from __future__ import annotations

from activities import reply_token
from contracts import ids

# The key the tests' Reply-To addresses are signed with, as the unsubscribe secret signs them.
REPLY_SECRET = b"reply-secret-for-tests-at-least-32-bytes"


def signed(account_id: str, domain: str) -> str:
    address = reply_token.reply_address(REPLY_SECRET, account_id, ids.workflow_id_for(account_id), domain)
    assert address, account_id
    return address
