"""Typed search attributes: how a CSM finds sequences in the Temporal UI and how the CLI lists them.

No customer emails or names go here: the owner is the CSM's handle, the account its id.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey, SearchAttributePair, TypedSearchAttributes

CAMPAIGN = SearchAttributeKey.for_keyword("WinbackCampaign")
ACCOUNT_ID = SearchAttributeKey.for_keyword("WinbackAccountId")
TIER = SearchAttributeKey.for_keyword("WinbackTier")
OWNER = SearchAttributeKey.for_keyword("WinbackOwner")
CHURN_REASON = SearchAttributeKey.for_keyword("WinbackChurnReason")
STATE = SearchAttributeKey.for_keyword("WinbackState")

ALL = (CAMPAIGN, ACCOUNT_ID, TIER, OWNER, CHURN_REASON, STATE)


def for_sequence(
    *, campaign_id: str, account_id: str, tier: str, owner_handle: str, churn_reason: str, state: str
) -> TypedSearchAttributes:
    return TypedSearchAttributes(
        [
            SearchAttributePair(CAMPAIGN, campaign_id),
            SearchAttributePair(ACCOUNT_ID, account_id),
            SearchAttributePair(TIER, tier),
            SearchAttributePair(OWNER, owner_handle),
            SearchAttributePair(CHURN_REASON, churn_reason),
            SearchAttributePair(STATE, state),
        ]
    )


def cli_flags() -> list[str]:
    """`--search-attribute Name=Keyword` flags that register them on `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}=Keyword"]
    return flags
