"""Search attributes: what a CSM filters sequences by in the Temporal UI, with no personal data."""

from __future__ import annotations

from dataclasses import astuple

from temporalio.common import SearchAttributeIndexedValueType

from contracts import search_attributes as sa
from tests.factories import make_account, sequence_input


def test_a_sequence_carries_the_owners_handle_never_an_email() -> None:
    inp = sequence_input()
    attrs = sa.for_sequence(inp.account, campaign_id=inp.campaign_id, state="scheduled")

    assert attrs[sa.OWNER] == "maria.lind"
    values = [pair.value for pair in attrs]
    assert not [v for v in values if "@" in str(v)]


def test_a_sequence_carries_nothing_personal_about_the_customer() -> None:
    account = make_account()
    inp = sequence_input(account)
    attrs = sa.for_sequence(inp.account, campaign_id=inp.campaign_id, state="scheduled")
    personal = {
        account.owner,
        account.company,
        account.domain,
        *astuple(account.contact),
        *(astuple(account.executive) if account.executive else ()),
    } - {""}
    values = {str(pair.value) for pair in attrs}
    assert [v for v in values if any(p.lower() in v.lower() for p in personal)] == []


def test_a_sequence_sets_every_attribute_a_csm_filters_by() -> None:
    inp = sequence_input()
    attrs = sa.for_sequence(inp.account, campaign_id="spring-2026", state="waiting")
    assert {pair.key.name: pair.value for pair in attrs} == {
        "WinbackCampaign": "spring-2026",
        "WinbackAccountId": "ACC-1",
        "WinbackTier": "T1",
        "WinbackOwner": "maria.lind",
        "WinbackChurnReason": "product_gap",
        "WinbackState": "waiting",
    }
    assert {pair.key for pair in attrs} == set(sa.ALL)


def test_a_launch_carries_only_its_campaign() -> None:
    attrs = sa.for_launch("spring-2026")
    assert [(pair.key, pair.value) for pair in attrs] == [(sa.CAMPAIGN, "spring-2026")]


def test_every_key_is_a_keyword_with_a_distinct_winback_name() -> None:
    for key in sa.ALL:
        assert key.indexed_value_type == SearchAttributeIndexedValueType.KEYWORD, key.name
        assert key.value_type is str
        assert key.name.startswith("Winback")
    assert len({key.name for key in sa.ALL}) == len(sa.ALL)


def test_the_dev_server_flags_register_exactly_all_keys_as_keywords() -> None:
    flags = sa.cli_flags()
    assert flags[0::2] == ["--search-attribute"] * len(sa.ALL)
    registered = dict(value.split("=", 1) for value in flags[1::2])
    assert registered == {key.name: "Keyword" for key in sa.ALL}
    assert len(flags) == 2 * len(sa.ALL)
