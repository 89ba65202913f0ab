"""The saves report's figures: every rate's boundaries, the 70 % line, medians, cost, breakdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from campaigns.save_costs import SaveCosts
from campaigns.save_report import (
    AtRiskAccount,
    EndedSave,
    above_high_success,
    build_save_report,
    median_days,
    percent,
)
from campaigns.save_report_view import report_json, report_lines

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)
COSTS = SaveCosts(currency="EUR", hourly_cost=85, hours={"full": 40, "standard": 15, "light": 4, "none": 1})


def ended(
    outcome: str = "saved",
    *,
    days: float = 10,
    effort: str = "full",
    mode: str = "compressed",
    root_cause: str = "service",
    arr: float | None = 50_000,
    renewed: bool | None = None,
    started: datetime = T0,
) -> EndedSave:
    return EndedSave(
        account_id="ACC-1",
        campaign_id="saves-2027-03",
        outcome=outcome,
        effort=effort,
        mode=mode,
        root_cause=root_cause,
        started_at=started,
        ended_at=started + timedelta(days=days),
        arr=arr,
        renewed=renewed,
    )


def at_risk(started: bool, *, planned_on: date = date(2027, 3, 1)) -> AtRiskAccount:
    return AtRiskAccount("saves-2027-03", "ACC-1", planned_on, 10_000, started)


def test_no_saves_at_all_has_no_rates_and_no_division_by_zero() -> None:
    report = build_save_report([], [])
    assert report.at_risk == 0 and report.attempt_rate is None
    o = report.overall
    assert (o.ended, o.success_rate, o.median_days_to_save, o.retention_at_next_renewal) == (
        0,
        None,
        None,
        None,
    )
    assert o.saved_arr_per_cost is None and o.cost is None and not o.high_success_warning
    assert report.warnings() == []
    text = "\n".join(report_lines(report))
    assert "attempt rate n/a" in text and "not yet known" in text


def test_attempt_rate_is_started_over_at_risk() -> None:
    report = build_save_report([at_risk(True), at_risk(True), at_risk(False)], [])
    assert (report.at_risk, report.started, report.attempt_rate) == (3, 2, 66.7)


def test_success_rate_leaves_cancelled_and_no_decision_apart() -> None:
    saves = [ended("saved"), ended("lost"), ended("cancelled"), ended("no_decision"), ended("no_decision")]
    o = build_save_report([], saves).overall
    assert (o.ended, o.saved, o.lost, o.cancelled, o.no_decision) == (5, 1, 1, 1, 2)
    assert o.success_rate == 50.0
    # Only cancelled or undecided saves: nothing decided, no rate.
    assert build_save_report([], [ended("cancelled")]).overall.success_rate is None


@pytest.mark.parametrize(
    ("saved", "lost", "warns"),
    [(7, 3, False), (701, 299, True), (700, 300, False), (1, 0, True), (0, 0, False), (0, 5, False)],
)
def test_the_warning_line_is_above_70_percent(saved: int, lost: int, warns: bool) -> None:
    assert above_high_success(saved, lost) is warns
    saves = [ended("saved")] * saved + [ended("lost")] * lost
    report = build_save_report([], saves)
    assert report.overall.high_success_warning is warns
    assert bool(report.warnings()) is warns


def test_the_warning_says_why_and_where() -> None:
    report = build_save_report([], [ended("saved", effort="light")] * 3)
    assert report.warnings()[0] == (
        "all saves: success rate 100 % is above 70 %: effort may be going to accounts that would renew anyway"
    )
    assert any(w.startswith("effort light: ") for w in report.warnings())
    assert not any(w.startswith("effort full: ") for w in report.warnings())


def test_percent() -> None:
    assert percent(0, 0) is None and percent(1, 3) == 33.3 and percent(2, 3) == 66.7 and percent(3, 3) == 100


@pytest.mark.parametrize(
    ("durations", "median"),
    [([], None), ([4.0], 4.0), ([9.0, 1.0, 4.0], 4.0), ([1.0, 4.0, 9.0, 2.0], 3.0), ([1.0, 2.0], 1.5)],
)
def test_median_with_odd_and_even_counts(durations: list[float], median: float | None) -> None:
    assert median_days(durations) == median


def test_median_days_to_save_counts_only_saved_saves() -> None:
    saves = [ended("saved", days=3), ended("saved", days=12), ended("lost", days=1), ended("saved", days=5)]
    assert build_save_report([], saves).overall.median_days_to_save == 5
    half_day = [ended("saved", days=0.5), ended("saved", days=1)]
    assert build_save_report([], half_day).overall.median_days_to_save == 0.8  # 0.75, 1 decimal


def test_cost_is_hours_per_effort_times_the_hourly_cost_for_every_ended_save() -> None:
    saves = [
        ended("saved", effort="full", arr=60_000),
        ended("lost", effort="standard"),
        ended("cancelled", effort="light"),
        ended("no_decision", effort="none"),
    ]
    o = build_save_report([], saves, costs=COSTS).overall
    assert o.hours == 40 + 15 + 4 + 1
    assert o.cost == 60 * 85 == 5100
    assert o.saved_arr == 60_000 and o.saved_arr_per_cost == round(60_000 / 5100, 2) == 11.76
    # Without a settings file: the default hours, no cost.
    plain = build_save_report([], saves).overall
    assert plain.hours == 60 and plain.cost is None and plain.saved_arr_per_cost is None


def test_a_zero_hourly_cost_has_no_arr_per_cost() -> None:
    free = SaveCosts(currency="EUR", hourly_cost=0)
    o = build_save_report([], [ended("saved")], costs=free).overall
    assert o.cost == 0 and o.saved_arr_per_cost is None


def test_saved_arr_counts_saved_saves_and_says_how_many_it_does_not_know() -> None:
    saves = [ended("saved", arr=10_000.5), ended("saved", arr=None), ended("lost", arr=99_000)]
    o = build_save_report([], saves).overall
    assert o.saved_arr == 10_000.5 and o.saved_arr_unknown == 1


def test_retention_is_not_yet_known_until_a_renewal_check_says() -> None:
    assert build_save_report([], [ended("saved")]).overall.retention_at_next_renewal is None
    saves = [ended("saved", renewed=True), ended("saved", renewed=False), ended("saved"), ended("lost")]
    o = build_save_report([], saves).overall
    assert (o.retention_at_next_renewal, o.renewals_checked) == (50.0, 2)


def test_breakdowns_list_every_rules_value_in_order_and_unknown_ones_after() -> None:
    saves = [
        ended("saved", effort="light", mode="emergency", root_cause="product_fit"),
        ended("lost", effort="light", mode="emergency", root_cause="service"),
        ended("saved", effort="heroic", mode="compressed", root_cause="service"),
    ]
    report = build_save_report([], saves)
    assert [name for name, _ in report.by_effort] == ["full", "standard", "light", "none", "heroic"]
    assert [name for name, _ in report.by_mode] == ["comprehensive", "compressed", "emergency"]
    assert [name for name, _ in report.by_root_cause] == [
        "value_perception",
        "situational",
        "service",
        "product_fit",
    ]
    effort = dict(report.by_effort)
    assert (effort["light"].saved, effort["light"].lost, effort["light"].success_rate) == (1, 1, 50.0)
    assert effort["full"].ended == 0 and effort["full"].success_rate is None
    cause = dict(report.by_root_cause)
    assert (cause["service"].ended, cause["product_fit"].saved) == (2, 1)
    assert dict(report.by_mode)["emergency"].ended == 2


def test_since_keeps_saves_started_and_accounts_planned_on_or_after_it() -> None:
    march, april = datetime(2027, 3, 31, 23, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)
    report = build_save_report(
        [at_risk(True, planned_on=date(2027, 3, 31)), at_risk(False, planned_on=date(2027, 4, 1))],
        [ended("saved", started=march), ended("lost", started=april)],
        since=date(2027, 4, 1),
    )
    assert (report.at_risk, report.started, report.overall.ended, report.overall.lost) == (1, 0, 1, 1)
    assert report_json(report)["since"] == "2027-04-01"


def test_json_keys_in_the_documented_order() -> None:
    data = report_json(build_save_report([at_risk(True)], [ended()], costs=COSTS))
    assert list(data) == [
        "since",
        "currency",
        "hourly_cost",
        "at_risk",
        "started",
        "attempt_rate",
        "overall",
        "by_effort",
        "by_root_cause",
        "by_mode",
        "warnings",
    ]
    assert list(data["overall"]) == [
        "ended",
        "saved",
        "lost",
        "cancelled",
        "no_decision",
        "success_rate",
        "high_success_warning",
        "saved_arr",
        "saved_arr_unknown",
        "hours",
        "cost",
        "saved_arr_per_cost",
        "median_days_to_save",
        "retention_at_next_renewal",
        "renewals_checked",
    ]
    assert data["overall"]["saved_arr"] == 50_000 and isinstance(data["overall"]["saved_arr"], int)
