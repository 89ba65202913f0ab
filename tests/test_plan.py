"""Plans: the JSON contract, totals, launch order and the human table."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from campaigns.accounts import load_accounts
from campaigns.campaign import load_campaign
from campaigns.model import Account, Audience, Enrolment, Preference
from campaigns.plan import Plan, build_plan, launch_order, plan_json, plan_lines
from tests.factories import make_account, make_campaign

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns" / "examples"
AS_OF = date(2026, 11, 23)
ACCOUNT_KEYS = ["account_id", "included", "tier", "priority", "playbook", "earliest_start", "reasons"]


def example_plan(**kw: object) -> Plan:
    campaign = load_campaign(EXAMPLES / "spring-winback.yaml")
    accounts = load_accounts(EXAMPLES / "accounts.csv").accounts
    args: dict[str, object] = {"preferences": (), "enrolments": (), **kw}
    return build_plan(accounts, campaign, as_of=AS_OF, **args)  # type: ignore[arg-type]


def accounts_by_id() -> dict[str, Account]:
    return {a.account_id: a for a in load_accounts(EXAMPLES / "accounts.csv").accounts}


# ------------------------------------------------------------------ the JSON contract


def test_json_shape_is_exactly_the_contract() -> None:
    data = plan_json(example_plan(skipped=(("ACC-2000", "row 16, column arr: 'x' is not a number"),)))
    assert list(data) == ["accounts", "totals"]
    for item in data["accounts"]:
        assert list(item) == ACCOUNT_KEYS
        assert isinstance(item["included"], bool)
        assert item["tier"] in ("T1", "T2", "T3", None)
        assert item["priority"] in ("high", "medium", "low", None)
        assert item["playbook"] is None or isinstance(item["playbook"], str)
        assert item["earliest_start"] is None or date.fromisoformat(item["earliest_start"])
        assert isinstance(item["reasons"], list) and all(isinstance(r, str) for r in item["reasons"])
        if not item["included"]:
            assert item["priority"] is None and item["playbook"] is None
    totals = data["totals"]
    assert list(totals) == [
        "accounts",
        "included",
        "excluded",
        "skipped_rows",
        "by_tier",
        "by_churn_reason",
        "by_exclusion_reason",
    ]
    assert list(totals["by_tier"]) == ["T1", "T2", "T3", "none"]
    for counts in [*totals["by_tier"].values(), *totals["by_churn_reason"].values()]:
        assert list(counts) == ["included", "excluded"]
    json.dumps(data)  # plain JSON types only


def test_example_totals() -> None:
    ended = Enrolment(
        "ACC-1001",
        "spring-winback-2027",
        "w",
        "r",
        started_on="2026-06-01",
        ended_on="2026-07-01",
        outcome="replied",
    )
    declined = Preference(
        email="haruto.sato@sakura-logistics.example",
        account_id="ACC-1002",
        kind="declined",
        since="2026-10-01",
        until="2027-10-01",
    )
    plan = example_plan(
        preferences=(declined,),
        enrolments=(ended,),
        skipped=(("row 16", "row 16, column arr: 'x' is not a number"),),
    )
    assert plan_json(plan)["totals"] == {
        "accounts": 14,
        "included": 10,
        "excluded": 4,
        "skipped_rows": 1,
        "by_tier": {
            "T1": {"included": 2, "excluded": 2},
            "T2": {"included": 5, "excluded": 1},
            "T3": {"included": 3, "excluded": 0},
            "none": {"included": 0, "excluded": 1},
        },
        "by_churn_reason": {
            "product_gap": {"included": 1, "excluded": 1},
            "competitive": {"included": 1, "excluded": 1},
            "service": {"included": 2, "excluded": 0},
            "budget": {"included": 2, "excluded": 1},
            "adoption": {"included": 2, "excluded": 0},
            "bad_fit": {"included": 1, "excluded": 0},
            "structural": {"included": 0, "excluded": 1},
            "other": {"included": 1, "excluded": 0},
        },
        "by_exclusion_reason": {
            "below_min_arr": 1,
            "structural": 1,
            "declined": 1,
            "already_in_campaign": 1,
        },
    }


def test_an_account_excluded_twice_counts_under_both_codes() -> None:
    campaign = replace(make_campaign(), audience=Audience(countries=("SE",)))
    plan = build_plan(
        [make_account(arr=10.0)], campaign, as_of=date(2026, 11, 15), preferences=(), enrolments=()
    )
    totals = plan_json(plan)["totals"]
    assert totals["by_exclusion_reason"] == {"below_min_arr": 1, "audience_country": 1}
    assert totals["excluded"] == 1


def test_entries_keep_file_order() -> None:
    plan = example_plan()
    assert [e.account_id for e in plan.entries] == list(accounts_by_id())
    assert [a["account_id"] for a in plan_json(plan)["accounts"]] == list(accounts_by_id())
    assert plan.campaign_id == "spring-winback-2027" and plan.as_of == "2026-11-23"


# ------------------------------------------------------------------ indexes


def test_preferences_are_found_by_email_and_by_account_id() -> None:
    accounts = [
        make_account(account_id="A", contact=make_account().contact),
        make_account(
            account_id="B",
            contact=replace(make_account().contact, email="b@b.example"),
            executive=replace(make_account().contact, email="boss@b.example"),
        ),
        make_account(
            account_id="C", contact=replace(make_account().contact, email="c@c.example"), executive=None
        ),
    ]
    prefs = (
        Preference("AINO@revontuli.example", "old-id", "unsubscribed", "2026-01-01", None),
        Preference("boss@b.example", "", "bounced", "2026-01-01", None),
        Preference("someone@c.example", "C", "ghosted", "2026-10-01", "2027-04-01"),
        Preference("expired@c.example", "C", "declined", "2025-01-01", "2026-01-01"),
    )
    plan = build_plan(accounts, make_campaign(), as_of=date(2026, 11, 15), preferences=prefs, enrolments=())
    a, b, c = plan.entries
    assert a.exclusions == ("unsubscribed",)
    assert (
        b.included and "executive contact's email bounced: executive touches will not email them" in b.reasons
    )
    assert c.exclusions == ("ghosted",)


def test_enrolments_are_found_by_account_id() -> None:
    accounts = [make_account(account_id="A"), make_account(account_id="B")]
    running = Enrolment("B", "other", "winback-B", "r", started_on="2026-11-01")
    plan = build_plan(
        accounts, make_campaign(), as_of=date(2026, 11, 15), preferences=(), enrolments=(running,)
    )
    assert [e.exclusions for e in plan.entries] == [(), ("running",)]


def test_rerunning_a_campaign_touches_nobody_twice() -> None:
    campaign = load_campaign(EXAMPLES / "spring-winback.yaml")
    accounts = load_accounts(EXAMPLES / "accounts.csv").accounts
    first = build_plan(accounts, campaign, as_of=AS_OF, preferences=(), enrolments=())
    ended = tuple(
        Enrolment(
            e.account_id,
            campaign.id,
            "w",
            "r",
            started_on="2026-11-23",
            ended_on="2026-12-20",
            outcome="replied",
        )
        for e in launch_order(first)
    )
    again = build_plan(accounts, campaign, as_of=date(2027, 1, 5), preferences=(), enrolments=ended)
    assert launch_order(again) == []


# ------------------------------------------------------------------ launch order


def test_launch_order() -> None:
    accounts = [
        make_account(account_id="T3-high", arr=5_000.0),
        make_account(account_id="excluded", churn_reason="structural"),
        make_account(account_id="T1-high-small", arr=60_000.0),
        make_account(account_id="T1-high-big", arr=90_000.0),
        # product_gap but 30 months ago: high lowered to medium, outside the sweet spot.
        make_account(account_id="T1-medium-late", arr=200_000.0, churned_on="2024-05-15"),
        make_account(account_id="T1-medium-sweet", arr=55_000.0, churn_reason="budget"),
        make_account(account_id="low", arr=500_000.0, churn_reason="bad_fit"),
        make_account(account_id="B-tie", arr=60_000.0),
        make_account(account_id="angry", arr=900_000.0, departure="angry"),
    ]
    plan = build_plan(accounts, make_campaign(), as_of=date(2026, 11, 15), preferences=(), enrolments=())
    assert [e.account_id for e in launch_order(plan)] == [
        "T1-high-big",
        "B-tie",
        "T1-high-small",
        "T3-high",
        "angry",
        "T1-medium-sweet",
        "T1-medium-late",
        "low",
    ]


# ------------------------------------------------------------------ the human table


def test_plan_lines_are_a_readable_table() -> None:
    running = Enrolment("ACC-1013", "other", "w", "r", started_on="2026-11-01")
    plan = example_plan(
        enrolments=(running,),
        skipped=(
            ("ACC-2000", "row 16, column arr: 'x' is not a number | row 16, column country: 'XX' is unknown"),
            ("row 17", "row 17: has 23 values but the header has 21 columns"),
        ),
    )
    lines = plan_lines(plan)
    assert lines[0] == "campaign spring-winback-2027, as of 2026-11-23: 12 of 14 accounts included"
    header = lines[2]
    assert header.split() == ["account", "in/out", "tier", "priority", "playbook", "earliest", "reason"]
    reason_col = header.index("reason")
    first = lines[3]
    assert first.startswith("ACC-1001  in ")
    assert first[reason_col:] == "product gap: what they left over is addressed (high)"
    assert lines[4] == " " * reason_col + "churned 8 months ago: in the 6-24 month sweet spot"
    excluded = next(i for i, line in enumerate(lines) if line.startswith("ACC-1013"))
    assert lines[excluded].split()[:6] == ["ACC-1013", "out", "-", "-", "-", "-"]
    assert lines[excluded][reason_col:] == "ARR 650 is below 1,000: no proactive outreach"
    assert (
        lines[excluded + 1]
        == " " * reason_col + "already in a running sequence (campaign other, since 2026-11-01)"
    )
    # Every row of the table lines up.
    for line in lines[3 : lines.index("", 3)]:
        assert len(line) > reason_col and line[reason_col - 2 : reason_col] == "  "

    totals = lines[lines.index("", 3) + 1 :]
    assert totals[0] == "included 12, excluded 2"
    assert totals[1].split() == ["by", "tier", "included", "excluded"]
    assert totals[2].split() == ["T1", "4", "0"]
    assert totals[5].split() == ["none", "0", "1"]
    assert "by churn reason" in totals
    assert "by exclusion reason" in totals
    assert any(line.split() == ["running", "1"] for line in totals)
    assert totals[-3:] == [
        "skipped rows: 2",
        "skipped  row 16 (ACC-2000): column arr: 'x' is not a number | column country: 'XX' is unknown",
        "skipped  row 17: has 23 values but the header has 21 columns",
    ]


def test_plan_lines_without_exclusions_or_skips() -> None:
    plan = build_plan(
        [make_account()], make_campaign(), as_of=date(2026, 11, 15), preferences=(), enrolments=()
    )
    lines = plan_lines(plan)
    assert "by exclusion reason" not in lines
    assert not any(line.startswith("skipped") for line in lines)


def test_a_big_plan_builds() -> None:
    # Timing is reported, not asserted; this guards the indexes against a quadratic slip.
    template = list(accounts_by_id().values())
    accounts = [replace(template[i % len(template)], account_id=f"ACC-{i:06d}") for i in range(5_000)]
    prefs = [
        Preference(f"x{i}@example.com", f"ACC-{i:06d}", "declined", "2026-10-01", "2027-10-01")
        for i in range(0, 5_000, 7)
    ]
    campaign = load_campaign(EXAMPLES / "spring-winback.yaml")
    plan = build_plan(accounts, campaign, as_of=AS_OF, preferences=prefs, enrolments=())
    assert len(plan.entries) == 5_000
    assert plan_json(plan)["totals"]["by_exclusion_reason"]["declined"] == len(prefs)
