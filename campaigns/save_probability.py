"""How likely a save is: five factors, each good, mixed or bad (issue 12).

The table FACTORS is the rule: for each factor (a column of the saves file) every value it may
take and its grade. `low` (10-25 %) with two or more bad factors, or whenever the customer has
committed to an alternative (nothing we offer now outweighs a signed contract elsewhere);
`high` (60-80 %) with no bad factor and at most one mixed; `medium` (30-50 %) otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final

__all__ = [
    "BAD",
    "DEAL_BREAKERS",
    "FACTORS",
    "GOOD",
    "HIGH_MAX_MIXED",
    "LOW_AT_BAD",
    "MIXED",
    "PROBABILITIES",
    "Factors",
    "Odds",
    "save_probability",
]

GOOD: Final = "good"
MIXED: Final = "mixed"
BAD: Final = "bad"

# factor -> value -> grade; each factor's values in the order good, mixed, bad.
FACTORS: Final[Mapping[str, Mapping[str, str]]] = {
    "root_cause": {
        "value_perception": GOOD,  # we can show the value they missed
        "situational": GOOD,  # a moment that passes (a reorganisation, a quiet quarter)
        "service": MIXED,  # fixable, but trust has to be earned back
        "product_fit": BAD,  # the product does not do what they need
    },
    "relationship": {"strong": GOOD, "strained": MIXED, "broken": BAD},
    "alternative": {"none": GOOD, "evaluating": MIXED, "committed": BAD},
    "budget": {"confirmed": GOOD, "uncertain": MIXED, "none": BAD},
    "stakeholders": {"engaged": GOOD, "mixed": MIXED, "checked_out": BAD},
}
# Any of these alone makes the probability low, whatever the other factors say.
DEAL_BREAKERS: Final = frozenset({("alternative", "committed")})
LOW_AT_BAD: Final = 2  # this many bad factors make it low
HIGH_MAX_MIXED: Final = 1  # high allows no bad factor and at most this many mixed
# level -> (lowest, highest) per cent, as the plan states them.
PROBABILITIES: Final[Mapping[str, tuple[int, int]]] = {"low": (10, 25), "medium": (30, 50), "high": (60, 80)}


@dataclass(frozen=True)
class Factors:
    """The five factors of one account, each a value of FACTORS[field name]."""

    root_cause: str
    relationship: str
    alternative: str
    budget: str
    stakeholders: str

    def items(self) -> tuple[tuple[str, str], ...]:
        """(factor, value) in FACTORS order."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self))


@dataclass(frozen=True)
class Odds:
    """A save probability and what decided it."""

    level: str  # a key of PROBABILITIES
    bad: tuple[str, ...]  # "factor value" of each bad factor, FACTORS order
    mixed: tuple[str, ...]  # likewise for the mixed ones
    deal_breaker: str | None  # "alternative committed" when one decided

    @property
    def percent(self) -> str:
        low, high = PROBABILITIES[self.level]
        return f"{low}-{high} %"

    def reason(self) -> str:
        """One sentence: the level and the factors behind it."""
        head = f"save probability {self.level} ({self.percent})"
        graded = []
        if self.bad:
            graded.append(f"bad: {', '.join(self.bad)}")
        if self.mixed:
            graded.append(f"mixed: {', '.join(self.mixed)}")
        detail = "; ".join(graded) if graded else "every factor good"
        if self.deal_breaker is not None:
            return f"{head}: {self.deal_breaker} makes any save unlikely ({detail})"
        if self.level == "low":
            return f"{head}: {len(self.bad)} bad factors ({detail})"
        if self.level == "high":
            return f"{head}: no bad factor and at most {HIGH_MAX_MIXED} mixed ({detail})"
        return f"{head}: {detail}"


def save_probability(factors: Factors) -> Odds:
    bad: list[str] = []
    mixed: list[str] = []
    breaker: str | None = None
    for factor, value in factors.items():
        grade = FACTORS[factor][value]
        if grade == BAD:
            bad.append(f"{factor} {value}")
        elif grade == MIXED:
            mixed.append(f"{factor} {value}")
        if breaker is None and (factor, value) in DEAL_BREAKERS:
            breaker = f"{factor} {value}"
    if breaker is not None or len(bad) >= LOW_AT_BAD:
        level = "low"
    elif not bad and len(mixed) <= HIGH_MAX_MIXED:
        level = "high"
    else:
        level = "medium"
    return Odds(level=level, bad=tuple(bad), mixed=tuple(mixed), deal_breaker=breaker)
