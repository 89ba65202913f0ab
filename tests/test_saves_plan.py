"""The saves plan: its JSON contract's shape, its totals and its table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from campaigns.renewals import load_renewals
from campaigns.saves_plan import SavesPlan, build_saves_plan, saves_json, saves_lines, saves_totals

EXAMPLE = Path(__file__).resolve().parent.parent / "campaigns" / "examples" / "renewals.csv"
KEYS = [
    "account_id",
    "included",
    "risk",
    "flags",
    "save_probability",
    "value",
    "effort",
    "mode",
    "days_to_renewal",
    "executive_escalation",
    "reasons",
]


def example_plan() -> SavesPlan:
    return build_saves_plan(load_renewals(EXAMPLE).renewals, as_of=date(2027, 3, 1))


def test_the_json_has_exactly_the_contract_keys_in_order() -> None:
    doc = saves_json(example_plan())
    assert list(doc) == ["accounts", "totals"]
    assert all(list(row) == KEYS for row in doc["accounts"])
    assert list(doc["totals"]) == [
        "accounts",
        "included",
        "excluded",
        "past_renewals",
        "by_risk",
        "by_save_probability",
        "by_value",
        "by_effort",
        "by_mode",
        "executive_escalations",
        "arr_at_risk",
    ]


def test_the_totals_of_the_example() -> None:
    assert saves_totals(example_plan()) == {
        "accounts": 9,
        "included": 5,
        "excluded": 4,
        "past_renewals": 1,
        "by_risk": {"none": 1, "watch": 2, "at_risk": 6},
        "by_save_probability": {"high": 1, "medium": 2, "low": 2},
        "by_value": {"high": 3, "medium": 1, "low": 1},
        "by_effort": {"full": 2, "standard": 1, "light": 1, "none": 1},
        "by_mode": {"comprehensive": 1, "compressed": 3, "emergency": 1},
        "executive_escalations": 1,
        "arr_at_risk": 86_000 + 32_000 + 58_000 + 18_500 + 7_400,
    }


def test_an_empty_plan_has_every_key_at_zero() -> None:
    totals = saves_totals(SavesPlan(as_of="2027-03-01", entries=()))
    assert totals["by_risk"] == {"none": 0, "watch": 0, "at_risk": 0}
    assert totals["by_effort"] == {"full": 0, "standard": 0, "light": 0, "none": 0}
    assert totals["arr_at_risk"] == 0


def test_the_table_has_a_row_per_account_its_reasons_and_the_totals() -> None:
    lines = saves_lines(example_plan())
    assert lines[0] == "saves plan as of 2027-03-01: 5 of 9 accounts included, ARR at risk 201,900"
    assert lines[2].split() == [
        "account",
        "in/out",
        "risk",
        "probability",
        "value",
        "effort",
        "mode",
        "days",
        "exec",
        "reason",
    ]
    assert lines[3].split()[:10] == [
        "ACC-2001",
        "in",
        "at_risk",
        "medium",
        "high",
        "full",
        "compressed",
        "45",
        "yes",
        "red",
    ]
    assert any(line.startswith("ACC-2008  out") for line in lines)
    assert lines[-6] == "included 5, excluded 4 (1 past renewal), executive escalations 1"
    assert lines[-1] == "by mode (included): comprehensive 1, compressed 3, emergency 1"
