"""Concessions: the approval matrix at every boundary, what a request must say, the override."""

from __future__ import annotations

from typing import Any

import pytest

from campaigns.concessions import (
    KIND_ROLES,
    KINDS,
    OVERRIDE_ROOT_CAUSES,
    ROLES,
    ConcessionError,
    at_least,
    check_concession,
    decision_refused,
    parse_percent,
    required_role,
    who_may_decide,
)

ROLE_MAP = {"maria.lind": "csm", "sanna.virtanen": "manager", "erik.holm": "director", "claire.dubois": "vp"}


def request(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "discount",
        "size": "20 %",
        "commitment": "a 2-year renewal signed by 30 April",
        "sunset": "year 1 only",
        "rationale": "keeps 86,000 ARR",
        "alternatives": ["payment terms", "extra training"],
        "override_reason": "",
        "root_cause": "value_perception",
    }
    return {**base, **overrides}


@pytest.mark.parametrize(
    ("percent", "role"),
    [
        (0.5, "csm"),
        (5, "csm"),
        (5.01, "manager"),
        (15, "manager"),
        (15.5, "director"),
        (25, "director"),
        (25.01, "vp"),
        (100, "vp"),
    ],
)
def test_discounts_by_size(percent: float, role: str) -> None:
    assert required_role("discount", percent) == role


def test_every_other_kind_has_one_role_payment_terms_the_csm() -> None:
    assert set(KIND_ROLES) == set(KINDS) - {"discount"}
    assert KIND_ROLES["payment_terms"] == "csm"
    assert KIND_ROLES["performance_guarantee"] == "director"
    assert {KIND_ROLES[k] for k in ("reduced_scope", "shorter_term", "pause", "service")} == {"manager"}


def test_roles_rank_csm_below_manager_below_director_below_vp() -> None:
    assert ROLES == ("csm", "manager", "director", "vp")
    assert at_least("vp", "csm") and at_least("manager", "manager") and not at_least("manager", "director")


@pytest.mark.parametrize(
    ("text", "number"), [("20", 20.0), ("20 %", 20.0), ("12.5%", 12.5), ("net 60", None)]
)
def test_percent(text: str, number: float | None) -> None:
    assert parse_percent(text) == number


@pytest.mark.parametrize("missing", ["size", "commitment", "sunset", "rationale"])
def test_a_request_without_a_field_is_refused_naming_it(missing: str) -> None:
    with pytest.raises(ConcessionError, match=f'^"{missing}" is required: '):
        check_concession(**request(**{missing: "  "}))


def test_alternatives_are_required() -> None:
    with pytest.raises(ConcessionError, match=r'^"alternatives" is required: the alternatives considered'):
        check_concession(**request(alternatives=["", " "]))


def test_an_unknown_kind_lists_the_kinds() -> None:
    with pytest.raises(ConcessionError, match=r'^"kind" must be one of discount, payment_terms, '):
        check_concession(**request(kind="rebate"))


@pytest.mark.parametrize("size", ["0", "101 %", "a lot", "-5"])
def test_a_discount_size_is_a_percentage_above_0_up_to_100(size: str) -> None:
    with pytest.raises(ConcessionError, match=r'^"size" of a discount must be a percentage'):
        check_concession(**request(size=size))


@pytest.mark.parametrize("cause", sorted(OVERRIDE_ROOT_CAUSES))
def test_a_discount_for_product_fit_or_service_needs_an_override_reason(cause: str) -> None:
    with pytest.raises(ConcessionError, match=f'^"override_reason" is required: the root cause is {cause}'):
        check_concession(**request(root_cause=cause))
    granted = check_concession(**request(root_cause=cause, override_reason="strategic logo"))
    assert granted.override_reason == "strategic logo" and granted.percent == 20.0


def test_other_kinds_need_no_override_and_keep_their_size_as_written() -> None:
    terms = check_concession(**request(kind="payment_terms", size="net 60", root_cause="product_fit"))
    assert (
        terms.required_role == "csm" and terms.percent is None and terms.words() == "payment terms (net 60)"
    )


def test_a_decision_below_the_required_role_says_who_must_decide() -> None:
    twenty = check_concession(**request())
    assert twenty.required_role == "director"
    assert decision_refused(twenty, "sanna.virtanen", ROLE_MAP) == (
        "a 20 % discount needs a director or above, and sanna.virtanen is a manager: "
        "ask erik.holm (director), claire.dubois (vp)"
    )
    assert decision_refused(twenty, "someone", ROLE_MAP) == (
        "someone is not in the approvers file; a 20 % discount needs a director or above: "
        "ask erik.holm (director), claire.dubois (vp)"
    )
    assert decision_refused(twenty, "erik.holm", ROLE_MAP) is None
    assert decision_refused(twenty, "claire.dubois", ROLE_MAP) is None


def test_who_may_decide_lowest_role_first() -> None:
    assert who_may_decide("manager", ROLE_MAP) == (
        "sanna.virtanen (manager)",
        "erik.holm (director)",
        "claire.dubois (vp)",
    )
    assert who_may_decide("vp", {"a": "csm"}) == ()
