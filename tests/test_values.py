"""Setting values: text, whole numbers and dates as YAML hands them over."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campaigns.errors import Problems
from campaigns.values import date_value, text_value, whole


@pytest.mark.parametrize(("value", "text"), [("  x  ", "x"), (12, "12"), (1.5, "1.5")])
def test_text_value_takes_text_and_numbers(value: object, text: str) -> None:
    problems = Problems("f.yaml")
    assert text_value(problems, "name", value, "name: X") == text
    assert problems.lines == []


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (None, "f.yaml: name: must be text; write e.g. name: X"),
        (True, "f.yaml: name: must be text; write e.g. name: X"),
        ([1], "f.yaml: name: must be text; write e.g. name: X"),
        ({"a": 1}, "f.yaml: name: must be text; write e.g. name: X"),
        ("   ", "f.yaml: name: is empty; write e.g. name: X"),
    ],
)
def test_text_value_refuses_what_is_not_text(value: object, line: str) -> None:
    problems = Problems("f.yaml")
    assert text_value(problems, "name", value, "name: X") is None
    assert problems.lines == [line]


@pytest.mark.parametrize(
    ("value", "number"), [(0, 0), (12, 12), (-3, -3), (True, None), (False, None), (1.0, None), ("3", None)]
)
def test_whole_is_an_int_but_not_a_bool(value: object, number: int | None) -> None:
    assert whole(value) == number


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (date(2027, 12, 20), date(2027, 12, 20)),
        ("2027-12-20", date(2027, 12, 20)),
        (" 2028-02-29 ", date(2028, 2, 29)),
    ],
)
def test_date_value_takes_yaml_dates_and_iso_text(value: object, day: date) -> None:
    problems = Problems("f.yaml")
    assert date_value(problems, "starts_on", value) == day
    assert problems.lines == []


@pytest.mark.parametrize(
    "value", ["2027-02-29", "2027-13-01", "20.12.2027", "2027-1-5", datetime(2027, 1, 5, 9, 0)]
)
def test_date_value_refuses_other_dates(value: object) -> None:
    problems = Problems("f.yaml")
    assert date_value(problems, "starts_on", value) is None
    assert problems.lines == [
        f"f.yaml: starts_on: '{str(value).strip()}' is not a date; write it as YYYY-MM-DD such as 2027-12-20"
    ]
