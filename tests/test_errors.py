"""One line per problem, and a short one: a message quotes a user's value, never expands it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaigns.audience import read_audience
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError, Problems, excerpt
from campaigns.playbook import load_playbook
from campaigns.schedule import read_schedule
from tests.test_campaign import BASE

# Every line names the file and field and says how to fix it; none needs more than this.
SHORT = 400
HUGE = "x" * 1_000_000


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("3 dayz", "'3 dayz'"),
        (12, "'12'"),
        (["mon", 2], "['mon', 2]"),
        ({"min": 1}, "{'min': 1}"),
        (None, "'None'"),
    ],
)
def test_a_short_value_is_quoted_as_it_always_was(value: object, shown: str) -> None:
    assert excerpt(value) == (shown if shown.startswith("'") else f"'{shown}'")


def test_a_long_value_is_cut_and_its_size_given() -> None:
    assert excerpt(HUGE) == f"'{'x' * 60}…' (1,000,000 characters)"
    assert excerpt(["mon"] * 100_000) == (
        "'['mon', 'mon', 'mon', 'mon', 'mon', 'mon', 'mon', 'mon', 'mo…' (100,000 items)"
    )
    assert excerpt({"k": HUGE}).endswith("…' (1 entry)")
    assert excerpt(10**5000) == "a number of about 5,000 digits"


def test_a_value_over_several_lines_stays_on_one() -> None:
    assert excerpt("spring\nwin-back\r\n\tq2\u2028") == "'spring\\nwin-back\\r\\n\\tq2\\u2028'"


def test_a_deeply_nested_value_is_not_walked_to_the_bottom() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    assert excerpt(deep) == f"'{'[' * 60}…' (1 item)"


def long_value_lines(field: str, value: object) -> list[str]:
    """The problems of the base campaign with `value` at the dotted `field`."""
    data: dict[str, Any] = copy.deepcopy(BASE)
    *parents, last = field.split(".")
    target = data
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value
    path = Path("camp.yaml")
    path.write_text(yaml.safe_dump(data, sort_keys=False, width=10**9), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_campaign(path)
    return err.value.lines


# Within the file size limit: 200,000 characters, or 5,000 list items.
LONG = "y" * 200_000
MANY = list(range(5_000))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", LONG),
        ("starts_on", LONG),
        ("sender.from", LONG),
        ("sender.daily_cap", MANY),
        ("offer.kind", LONG),
        ("offer.value", LONG),
        ("offer.expires_in_days", MANY),
        ("cool_off.declined_months", MANY),
        ("schedule.window", LONG),
        ("schedule.window", MANY),
        ("schedule.weekdays", ["mon", LONG]),
        ("schedule.quarter_end_blackout_days", MANY),
        ("playbooks.default", LONG),
        ("playbooks." + LONG, "service"),
        (LONG, 1),
    ],
)
def test_a_huge_value_in_a_campaign_gives_short_lines(
    field: str, value: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = long_value_lines(field, value)
    assert lines
    assert all(len(line) < SHORT and "\n" not in line for line in lines), [line[:200] for line in lines]


def test_a_megabyte_in_a_reader_gives_short_lines() -> None:
    # The readers quote what they are handed: a caller that skips the file limits is safe too.
    problems = Problems("camp.yaml")
    read_schedule(problems, {"window": HUGE, "weekdays": ["mon", HUGE], "quarter_end_blackout_days": MANY})
    read_audience(problems, {"tiers": [HUGE], "countries": HUGE, "months_since_churn": {"min": [HUGE]}})
    assert len(problems.lines) == 6
    assert all(len(line) < SHORT for line in problems.lines), [line[:200] for line in problems.lines]


def test_huge_values_in_a_playbook_give_short_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    big = "z" * 50_000
    touch = {"channel": big, "wait": big, "template": "x/y", "tiers": [big]}
    path = Path("pb.yaml")
    path.write_text(
        yaml.safe_dump({"id": big, "name": "N", "touches": [touch]}, width=10**9), encoding="utf-8"
    )
    with pytest.raises(ConfigError) as err:
        load_playbook(path)
    assert len(err.value.lines) == 5  # id, channel, wait, tiers, template
    assert all(len(line) < SHORT for line in err.value.lines), [line[:200] for line in err.value.lines]
