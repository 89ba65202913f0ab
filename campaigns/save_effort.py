"""How much a save gets: effort by value and save probability (issue 12).

EFFORT is the whole table (every value x probability cell); EFFORT_SCOPE says what each
effort means for the people who carry it out. A low-value account with a low probability gets
no save at all but a graceful exit: the time is worth more on accounts that can be saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["EFFORT", "EFFORTS", "EFFORT_SCOPE", "effort_for", "effort_reason"]

EFFORTS: Final = ("full", "standard", "light", "none")
# (value, save probability) -> effort.
EFFORT: Final[Mapping[tuple[str, str], str]] = {
    ("high", "high"): "full",
    ("high", "medium"): "full",
    ("high", "low"): "light",
    ("medium", "high"): "standard",
    ("medium", "medium"): "standard",
    ("medium", "low"): "light",
    ("low", "high"): "light",
    ("low", "medium"): "light",
    ("low", "low"): "none",
}
EFFORT_SCOPE: Final[Mapping[str, str]] = {
    "full": "executives, a custom plan, 30-90 days",
    "standard": "the CSM and their manager, 14-30 days",
    "light": "the CSM alone, one conversation, at most 14 days",
    "none": "no save: a graceful exit",
}


def effort_for(value: str, probability: str) -> str:
    return EFFORT[(value, probability)]


def effort_reason(value: str, probability: str) -> str:
    effort = effort_for(value, probability)
    return f"effort {effort} ({EFFORT_SCOPE[effort]}): value {value}, save probability {probability}"
