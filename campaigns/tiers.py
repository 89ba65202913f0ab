"""Tiers: what an account's ARR makes it worth, and the order a launch ranks them in.

The tier picks the touches a playbook runs for an account (the executive and the calls are
for the larger ones) and below the lowest threshold nobody reaches out proactively: a
sequence costs more owner time than such an account returns.
"""

from __future__ import annotations

from typing import Final

__all__ = ["MIN_ARR", "THRESHOLDS", "TIERS", "rank", "thresholds_text", "tier_for_arr"]

# The lowest ARR of each tier, best tier first.
THRESHOLDS: Final = (("T1", 50_000), ("T2", 10_000), ("T3", 1_000))
TIERS: Final = tuple(tier for tier, _ in THRESHOLDS)
MIN_ARR: Final = THRESHOLDS[-1][1]


def tier_for_arr(arr: float) -> str | None:
    """The best tier whose threshold the ARR reaches; None below MIN_ARR."""
    for tier, floor in THRESHOLDS:
        if arr >= floor:
            return tier
    return None


def rank(tier: str | None) -> int:
    """0 for T1, 1 for T2, ...; no tier (or one not in TIERS) ranks after every tier."""
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def thresholds_text() -> str:
    """ "T1: ARR >= 50,000, T2: >= 10,000, T3: >= 1,000", for messages that name a tier."""
    parts = [f"{tier}: {'ARR ' if i == 0 else ''}>= {floor:,}" for i, (tier, floor) in enumerate(THRESHOLDS)]
    return ", ".join(parts)
