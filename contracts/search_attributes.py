"""Typed search attributes: how a CSM finds sequences in the Temporal UI and how the CLI lists them.

No customer emails or names go here: the owner is the CSM's handle, the account its id.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

from campaigns.model import AccountRef

CAMPAIGN = SearchAttributeKey.for_keyword("WinbackCampaign")
ACCOUNT_ID = SearchAttributeKey.for_keyword("WinbackAccountId")
TIER = SearchAttributeKey.for_keyword("WinbackTier")
OWNER = SearchAttributeKey.for_keyword("WinbackOwner")
CHURN_REASON = SearchAttributeKey.for_keyword("WinbackChurnReason")
STATE = SearchAttributeKey.for_keyword("WinbackState")

ALL = (CAMPAIGN, ACCOUNT_ID, TIER, OWNER, CHURN_REASON, STATE)


def for_sequence(account: AccountRef, *, campaign_id: str, state: str) -> TypedSearchAttributes:
    """Every attribute of one account's sequence: set once at start, then only STATE moves."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(CAMPAIGN, campaign_id),
            SearchAttributePair(ACCOUNT_ID, account.account_id),
            SearchAttributePair(TIER, account.tier),
            SearchAttributePair(OWNER, account.owner_handle),
            SearchAttributePair(CHURN_REASON, account.churn_reason),
            SearchAttributePair(STATE, state),
        ]
    )


def for_save(account: AccountRef, *, campaign_id: str, state: str) -> TypedSearchAttributes:
    """A save's attributes (issue 12): set once at start, then only STATE moves. No churn reason:
    the account has not churned."""
    return TypedSearchAttributes(
        [
            SearchAttributePair(CAMPAIGN, campaign_id),
            SearchAttributePair(ACCOUNT_ID, account.account_id),
            SearchAttributePair(TIER, account.tier),
            SearchAttributePair(OWNER, account.owner_handle),
            SearchAttributePair(STATE, state),
        ]
    )


def for_launch(campaign_id: str) -> TypedSearchAttributes:
    return TypedSearchAttributes([SearchAttributePair(CAMPAIGN, campaign_id)])


def cli_flags() -> list[str]:
    """`--search-attribute Name=Keyword` flags that register them on `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}=Keyword"]
    return flags
