from __future__ import annotations

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


def test_only_the_exact_token_is_accepted_not_another_spelling_of_it() -> None:
    # Each of these decodes to the same signed bytes; none of them is the link we sent.
    token = unsubscribe.token(b"secret", "spring-2027", "ACC-1001")
    assert unsubscribe.verify(b"secret", token) == ("spring-2027", "ACC-1001")
    for other in (token + "=", token + "!", f"{token[:5]}.{token[5:]}", token + "\n"):
        assert unsubscribe.verify(b"secret", other) is None, other
