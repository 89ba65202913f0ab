"""The saves settings file: defaults, and every problem as one line naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.errors import ConfigError
from campaigns.save_costs import DEFAULT_HOURS, load_save_costs
from tests.cli import EXAMPLES


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "saves.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_save_costs(path)
    return [line.removeprefix(f"{path}: ") for line in err.value.lines]


def test_the_example_file() -> None:
    costs = load_save_costs(EXAMPLES / "saves.yaml")
    assert (costs.currency, costs.hourly_cost) == ("EUR", 85)
    assert dict(costs.hours) == {"full": 40, "standard": 15, "light": 4, "none": 1}
    assert costs.monitor_months == 6


def test_hours_default_per_level(tmp_path: Path) -> None:
    path = tmp_path / "saves.yaml"
    path.write_text("currency: USD\nhourly_cost: 92.5\nhours: {light: 6}\n")
    costs = load_save_costs(path)
    assert (
        costs.hourly_cost == 92.5
        and costs.hours["light"] == 6
        and costs.hours["full"] == DEFAULT_HOURS["full"]
    )
    assert costs.hours_for("heroic") == 0


def test_every_problem_at_once(tmp_path: Path) -> None:
    lines = problems(tmp_path, "currency: euro\nhourly_cost: yes\nhours: {full: -1, hevy: 3}\nextra: 1\n")
    assert lines == [
        "unknown key 'extra'; use only currency, hourly_cost, hours, monitor_months",
        "currency: 'euro' is not a currency code; write three capital letters, e.g. EUR",
        "hourly_cost: 'True' is not a number from 0 to 100,000; write e.g. 85 or 92.5",
        "hours: unknown key 'hevy'; use only full, standard, light, none",
        "hours.full: '-1' is not a number from 0 to 10,000; write e.g. 85 or 92.5",
    ]


@pytest.mark.parametrize(
    ("text", "months"), [("", 6), ("monitor_months: 6\n", 6), ("monitor_months: 12\n", 12)]
)
def test_how_long_a_saved_account_is_watched(tmp_path: Path, text: str, months: int) -> None:
    path = tmp_path / "saves.yaml"
    path.write_text("currency: EUR\nhourly_cost: 85\n" + text)
    assert load_save_costs(path).monitor_months == months


@pytest.mark.parametrize("value", ["5", "13", "6.5", "yes", "six"])
def test_a_watch_outside_6_to_12_whole_months_is_one_line(tmp_path: Path, value: str) -> None:
    [line] = problems(tmp_path, f"currency: EUR\nhourly_cost: 85\nmonitor_months: {value}\n")
    assert line.startswith("monitor_months: ") and line.endswith(
        "is not a whole number of months from 6 to 12; write e.g. monitor_months: 6"
    )


def test_missing_keys_and_a_bad_hours_block(tmp_path: Path) -> None:
    assert problems(tmp_path, "hours: 5\n") == [
        "missing key 'currency'; add it, e.g. currency: EUR",
        "missing key 'hourly_cost'; add it, e.g. hourly_cost: 85",
        "hours: write the hours per effort level as level: hours, e.g. hours: {full: 40, light: 4}",
    ]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError) as err:
        load_save_costs(path)
    assert err.value.lines == [f"{path}: file not found; check the path and the file name"]
