from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from activities import unsubscribe

ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._", min_size=1, max_size=40)


@given(campaign=ids.filter(lambda s: ":" not in s), account=ids)
def test_a_token_names_its_campaign_and_account(campaign: str, account: str) -> None:
    token = unsubscribe.token(b"secret", campaign, account)
    assert unsubscribe.verify(b"secret", token) == (campaign, account)


def test_a_forged_or_foreign_token_is_refused() -> None:
    token = unsubscribe.token(b"secret", "demo", "ACC-1")
    assert unsubscribe.verify(b"other-secret", token) is None
    assert unsubscribe.verify(b"secret", token[:-2] + "AA") is None
    assert unsubscribe.verify(b"secret", "not-a-token") is None


def test_an_empty_key_signs_and_verifies_nothing() -> None:
    # With an empty key anyone could compute the MAC and unsubscribe any address.
    with pytest.raises(ValueError):
        unsubscribe.token(b"", "demo", "ACC-1")
    forged = unsubscribe.token(b"secret", "demo", "ACC-1")
    with pytest.raises(ValueError):
        unsubscribe.verify(b"", forged)
