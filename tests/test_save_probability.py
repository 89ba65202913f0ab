"""Save probability: each factor's grades, alternative committed alone, the low/high edges."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from campaigns.save_probability import BAD, FACTORS, GOOD, MIXED, Factors, save_probability

ALL_GOOD = Factors(
    root_cause="value_perception",
    relationship="strong",
    alternative="none",
    budget="confirmed",
    stakeholders="engaged",
)


def test_the_factors_are_the_table_and_each_has_good_mixed_and_bad() -> None:
    assert [f.name for f in fields(Factors)] == list(FACTORS)
    for grades in FACTORS.values():
        assert set(grades.values()) == {GOOD, MIXED, BAD}


def test_the_grades_are_the_issues() -> None:
    assert FACTORS == {
        "root_cause": {"value_perception": GOOD, "situational": GOOD, "service": MIXED, "product_fit": BAD},
        "relationship": {"strong": GOOD, "strained": MIXED, "broken": BAD},
        "alternative": {"none": GOOD, "evaluating": MIXED, "committed": BAD},
        "budget": {"confirmed": GOOD, "uncertain": MIXED, "none": BAD},
        "stakeholders": {"engaged": GOOD, "mixed": MIXED, "checked_out": BAD},
    }


def test_every_factor_good_is_high() -> None:
    odds = save_probability(ALL_GOOD)
    assert (odds.level, odds.bad, odds.mixed, odds.percent) == ("high", (), (), "60-80 %")
    assert save_probability(replace(ALL_GOOD, root_cause="situational")).level == "high"


def values_graded(grade: str) -> list[tuple[str, str]]:
    return [
        (factor, value) for factor, grades in FACTORS.items() for value, g in grades.items() if g == grade
    ]


@pytest.mark.parametrize(("factor", "value"), values_graded(MIXED))
def test_one_mixed_factor_is_still_high_and_two_are_medium(factor: str, value: str) -> None:
    one = replace(ALL_GOOD, **{factor: value})
    assert save_probability(one).level == "high"
    assert save_probability(one).mixed == (f"{factor} {value}",)
    other = next(f for f in FACTORS if f != factor)
    second = next(v for v, g in FACTORS[other].items() if g == MIXED)
    assert save_probability(replace(one, **{other: second})).level == "medium"


@pytest.mark.parametrize(("factor", "value"), values_graded(BAD))
def test_one_bad_factor_is_medium_and_two_are_low(factor: str, value: str) -> None:
    one = replace(ALL_GOOD, **{factor: value})
    expected = "low" if (factor, value) == ("alternative", "committed") else "medium"
    assert save_probability(one).level == expected
    assert save_probability(one).bad == (f"{factor} {value}",)
    other = next(f for f in FACTORS if f != factor)
    second = next(v for v, g in FACTORS[other].items() if g == BAD)
    assert save_probability(replace(one, **{other: second})).level == "low"


def test_alternative_committed_alone_is_low_and_says_so() -> None:
    odds = save_probability(replace(ALL_GOOD, alternative="committed"))
    assert odds.level == "low" and odds.deal_breaker == "alternative committed"
    assert odds.reason() == (
        "save probability low (10-25 %): alternative committed makes any save unlikely "
        "(bad: alternative committed)"
    )


def test_every_mixed_factor_is_medium_not_low() -> None:
    mixed = Factors("service", "strained", "evaluating", "uncertain", "mixed")
    odds = save_probability(mixed)
    assert odds.level == "medium" and odds.bad == () and len(odds.mixed) == 5


def test_the_reason_names_the_bad_and_mixed_factors() -> None:
    odds = save_probability(Factors("product_fit", "strained", "none", "none", "engaged"))
    assert odds.reason() == (
        "save probability low (10-25 %): 2 bad factors (bad: root_cause product_fit, budget none; "
        "mixed: relationship strained)"
    )
    assert save_probability(ALL_GOOD).reason() == (
        "save probability high (60-80 %): no bad factor and at most 1 mixed (every factor good)"
    )
