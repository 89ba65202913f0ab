from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activities import unsubscribe
from activities.unsubscribe import SignedUnsubscribe

ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._", min_size=1, max_size=40)
KEY = b"secret"


@given(campaign=ids, account=ids)
def test_a_token_names_its_campaign_account_sequence_and_recipient(campaign: str, account: str) -> None:
    token = unsubscribe.token(KEY, campaign, account, f"winback-{account}", "Aino@Revontuli.example ")
    assert unsubscribe.verify(KEY, token) == SignedUnsubscribe(
        campaign, account, f"winback-{account}", unsubscribe.address_hash(KEY, "aino@revontuli.example")
    )


def test_the_token_carries_a_keyed_hash_never_the_address() -> None:
    token = unsubscribe.token(KEY, "demo", "ACC-1", "winback-ACC-1", "aino@revontuli.example")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"aino" not in raw and b"revontuli" not in raw
    signed = unsubscribe.verify(KEY, token)
    assert signed is not None and signed.binds_address
    # The hash depends on the key: without it, nobody can test a guessed address against it.
    assert signed.address_hash != unsubscribe.address_hash(b"other-secret", "aino@revontuli.example")
    assert signed.address_hash == unsubscribe.address_hash(KEY, " AINO@revontuli.EXAMPLE")
    assert signed.address_hash != unsubscribe.address_hash(KEY, "mikko@revontuli.example")


@given(campaign=ids.filter(lambda s: ":" not in s), account=ids)
def test_an_old_token_from_an_email_already_sent_still_verifies(campaign: str, account: str) -> None:
    token = unsubscribe.legacy_token(KEY, campaign, account)
    signed = unsubscribe.verify(KEY, token)
    assert signed == SignedUnsubscribe(campaign, account)
    assert signed is not None and not signed.binds_address


def test_an_old_token_made_the_old_way_verifies() -> None:
    # Built byte for byte as the code before address binding did, not through this module.
    import hashlib
    import hmac

    payload = b"spring-2027:ACC-9"
    mac = hmac.new(KEY, payload, hashlib.sha256).digest()[:16]
    old = base64.urlsafe_b64encode(payload + b"." + mac).decode().rstrip("=")
    assert unsubscribe.verify(KEY, old) == SignedUnsubscribe("spring-2027", "ACC-9")


def test_a_forged_or_foreign_token_is_refused() -> None:
    for token in (
        unsubscribe.token(KEY, "demo", "ACC-1", "winback-ACC-1", "aino@revontuli.example"),
        unsubscribe.legacy_token(KEY, "demo", "ACC-1"),
    ):
        assert unsubscribe.verify(b"other-secret", token) is None
        assert unsubscribe.verify(KEY, token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert unsubscribe.verify(KEY, "not-a-token") is None


def test_an_edited_payload_is_refused() -> None:
    # Swapping the address hash (or the account) for another's breaks the MAC.
    token = unsubscribe.token(KEY, "demo", "ACC-1", "winback-ACC-1", "aino@revontuli.example")
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    other = unsubscribe.address_hash(KEY, "mikko@revontuli.example").encode()
    start = raw.index(unsubscribe.address_hash(KEY, "aino@revontuli.example").encode())
    raw[start : start + len(other)] = other
    edited = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    assert unsubscribe.verify(KEY, edited) is None


def test_an_empty_key_signs_and_verifies_nothing() -> None:
    # With an empty key anyone could compute the MAC and unsubscribe any address.
    with pytest.raises(ValueError):
        unsubscribe.token(b"", "demo", "ACC-1", "winback-ACC-1", "a@b.example")
    with pytest.raises(ValueError):
        unsubscribe.address_hash(b"", "a@b.example")
    forged = unsubscribe.token(KEY, "demo", "ACC-1", "winback-ACC-1", "a@b.example")
    with pytest.raises(ValueError):
        unsubscribe.verify(b"", forged)


def test_only_the_exact_token_is_accepted_not_another_spelling_of_it() -> None:
    # Each of these decodes to the same signed bytes; none of them is the link we sent.
    token = unsubscribe.token(KEY, "spring-2027", "ACC-1001", "winback-ACC-1001", "aino@revontuli.example")
    assert unsubscribe.verify(KEY, token) is not None
    for other in (token + "=", token + "!", f"{token[:5]}.{token[5:]}", token + "\n"):
        assert unsubscribe.verify(KEY, other) is None, other
