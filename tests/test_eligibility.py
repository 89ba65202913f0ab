"""Eligibility: every rule of docs/ARCHITECTURE.md, "Rules and where they live", at its boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from campaigns.accounts import load_accounts
from campaigns.campaign import load_campaign
from campaigns.eligibility import (
    EXCLUSION_CODES,
    PlanEntry,
    evaluate,
)
from campaigns.model import (
    Account,
    Audience,
    Campaign,
    Contact,
    Enrolment,
    Preference,
)
from tests.factories import make_account, make_campaign

EXAMPLES = Path(__file__).resolve().parent.parent / "campaigns" / "examples"
# make_account churned on 2026-02-15: this is 9 months later, in the sweet spot.
AS_OF = date(2026, 11, 15)
PRIMARY = "aino@revontuli.example"
EXECUTIVE = "mikko@revontuli.example"


def judge(
    account: Account | None = None,
    campaign: Campaign | None = None,
    *,
    as_of: date = AS_OF,
    preferences: tuple[Preference, ...] = (),
    enrolments: tuple[Enrolment, ...] = (),
) -> PlanEntry:
    return evaluate(
        account or make_account(),
        campaign or make_campaign(),
        as_of=as_of,
        preferences=preferences,
        enrolments=enrolments,
    )


def with_audience(**fields: Any) -> Campaign:
    return replace(make_campaign(), audience=replace(Audience(), **fields))


def pref(
    kind: str, until: str | None, *, email: str = PRIMARY, account_id: str = "ACC-1", **kw: str
) -> Preference:
    return Preference(email=email, account_id=account_id, kind=kind, since="2026-05-03", until=until, **kw)


def assert_included(entry: PlanEntry) -> None:
    assert entry.included, entry.reasons
    assert entry.exclusions == ()


# ------------------------------------------------------------------ the included case


def test_a_good_account_is_included_with_its_playbook_and_why() -> None:
    entry = judge()
    assert entry == PlanEntry(
        account_id="ACC-1",
        included=True,
        tier="T1",
        priority="high",
        playbook="product_gap",
        earliest_start="2026-11-15",
        reasons=(
            "product gap: what they left over is addressed (high)",
            "churned 9 months ago: in the 6-24 month sweet spot",
        ),
        exclusions=(),
        churn_reason="product_gap",
        sort_key=(0, 0, 0, -120_000.0, "ACC-1"),
    )


@pytest.mark.parametrize(
    ("reason", "priority", "line"),
    [
        ("product_gap", "high", "product gap: what they left over is addressed (high)"),
        ("service", "high", "service issue: fixed since they left (high)"),
        ("budget", "medium", "price: now addressable (medium)"),
        ("adoption", "medium", "adoption: they never got the value, onboarding help can fix it (medium)"),
        ("bad_fit", "low", "bad fit (low)"),
        ("other", "low", "other churn reason (low)"),
    ],
)
def test_churn_reason_sets_the_priority(reason: str, priority: str, line: str) -> None:
    entry = judge(make_account(churn_reason=reason))
    assert_included(entry)
    assert entry.priority == priority
    assert entry.reasons[0] == line


def test_at_risk_account_without_churn_date_skips_the_months_rule() -> None:
    entry = judge(make_account(churned_on=None))
    assert_included(entry)
    assert "no churn date (at-risk renewal): the months-since-churn rule does not apply" in entry.reasons
    assert entry.priority == "high"


# ------------------------------------------------------------------ tier by ARR


@pytest.mark.parametrize(
    ("arr", "tier"),
    [(1_000.0, "T3"), (9_999.99, "T3"), (10_000.0, "T2"), (49_999.99, "T2"), (50_000.0, "T1")],
)
def test_tier_boundaries(arr: float, tier: str) -> None:
    entry = judge(make_account(arr=arr))
    assert_included(entry)
    assert entry.tier == tier


def test_below_1000_arr_is_not_contacted() -> None:
    entry = judge(make_account(arr=999.99))
    assert not entry.included
    assert entry.tier is None and entry.priority is None and entry.playbook is None
    assert entry.exclusions == ("below_min_arr",)
    assert entry.reasons == ("ARR 999.99 is below 1,000: no proactive outreach",)
    assert entry.earliest_start is None
    assert judge(make_account(arr=999.0)).reasons == ("ARR 999 is below 1,000: no proactive outreach",)


# ------------------------------------------------------------------ churn reason and departure


def test_structural_churn_is_never_contacted() -> None:
    entry = judge(make_account(churn_reason="structural"))
    assert not entry.included
    assert entry.exclusions == ("structural",)
    assert entry.reasons == (
        "structural churn (company closed, acquired onto another tool, team gone, built in-house): "
        "never contacted",
    )
    assert entry.tier == "T1" and entry.priority is None and entry.playbook is None


def test_angry_departure_ranks_lower_than_graceful() -> None:
    graceful = judge(make_account(departure="graceful"))
    neutral = judge(make_account(departure="neutral"))
    angry = judge(make_account(departure="angry"))
    assert (graceful.priority, neutral.priority, angry.priority) == ("high", "high", "medium")
    assert angry.sort_key > graceful.sort_key
    assert "angry departure: ranked lower" in angry.reasons
    assert "angry departure: ranked lower" not in graceful.reasons


def test_angry_low_stays_low() -> None:
    assert judge(make_account(churn_reason="bad_fit", departure="angry")).priority == "low"


def test_competitor_with_a_live_signal_ranks_high() -> None:
    account = make_account(churn_reason="competitive", competitor="brightloop")
    signalled = judge(account, with_audience(competitor_signals=("Brightloop",)))
    assert signalled.priority == "high"
    assert signalled.reasons[0] == "lost to brightloop, which has a live competitor signal (high)"

    quiet = judge(account, with_audience(competitor_signals=("Tallyhawk",)))
    assert quiet.priority == "medium"
    assert quiet.reasons[0] == "lost to brightloop, no live competitor signal (medium)"

    unnamed = judge(make_account(churn_reason="competitive", competitor=""))
    assert unnamed.reasons[0] == "lost to a competitor (not named), no live competitor signal (medium)"


# ------------------------------------------------------------------ months since churn


def test_exactly_six_months_after_churn_is_eligible() -> None:
    assert_included(judge(as_of=date(2026, 8, 15)))


def test_one_day_before_six_months_is_too_early() -> None:
    entry = judge(as_of=date(2026, 8, 14))
    assert entry.exclusions == ("too_early",)
    assert entry.earliest_start == "2026-08-15"
    assert entry.reasons == (
        "churned 5 months ago: too early, eligible from 2026-08-15 (6 months after churn)",
    )


def test_month_end_churn_clamps_the_day() -> None:
    account = make_account(churned_on="2025-08-31")
    assert judge(account, as_of=date(2026, 2, 27)).earliest_start == "2026-02-28"
    assert_included(judge(account, as_of=date(2026, 2, 28)))
    leap = make_account(churned_on="2027-08-31")
    assert judge(leap, as_of=date(2028, 2, 28)).earliest_start == "2028-02-29"
    assert_included(judge(leap, as_of=date(2028, 2, 29)))


def test_exactly_24_months_is_still_the_sweet_spot() -> None:
    entry = judge(as_of=date(2028, 2, 15))
    assert entry.priority == "high"
    assert "churned 24 months ago: in the 6-24 month sweet spot" in entry.reasons
    assert entry.sort_key[1] == 0


def test_after_24_months_ranks_one_level_lower() -> None:
    entry = judge(as_of=date(2028, 2, 16))
    assert_included(entry)
    assert entry.priority == "medium"
    assert "churned 24 months ago: outside the 6-24 month sweet spot (one level lower)" in entry.reasons
    assert entry.sort_key[1] == 1


def test_exactly_36_months_is_allowed() -> None:
    entry = judge(as_of=date(2029, 2, 15))
    assert_included(entry)
    assert entry.priority == "medium"


def test_36_months_and_a_day_is_too_late() -> None:
    entry = judge(as_of=date(2029, 2, 16))
    assert entry.exclusions == ("too_late",)
    assert entry.earliest_start is None
    assert entry.reasons == ("churned 36 months ago: more than 36 months, treat as a new prospect",)


def test_a_campaign_can_widen_the_window_but_not_the_sweet_spot() -> None:
    campaign = with_audience(min_months=3, max_months=60)
    early = judge(campaign=campaign, as_of=date(2026, 6, 15))
    assert_included(early)
    assert early.priority == "medium"
    assert "churned 4 months ago: outside the 6-24 month sweet spot (one level lower)" in early.reasons
    assert judge(campaign=campaign, as_of=date(2026, 5, 14)).earliest_start == "2026-05-15"
    assert_included(judge(campaign=campaign, as_of=date(2031, 2, 15)))
    late = judge(campaign=campaign, as_of=date(2031, 2, 16))
    assert late.exclusions == ("too_late",)
    assert late.reasons == ("churned 60 months ago: more than 60 months, treat as a new prospect",)


def test_a_campaign_can_narrow_the_window() -> None:
    campaign = with_audience(min_months=12, max_months=18)
    assert judge(campaign=campaign).earliest_start == "2027-02-15"
    assert_included(judge(campaign=campaign, as_of=date(2027, 8, 15)))
    assert judge(campaign=campaign, as_of=date(2027, 8, 16)).exclusions == ("too_late",)


# ------------------------------------------------------------------ the campaign's start day


def test_a_later_starts_on_is_the_earliest_start() -> None:
    campaign = replace(make_campaign(), starts_on="2027-03-01")
    entry = judge(campaign=campaign)
    assert_included(entry)
    assert entry.earliest_start == "2027-03-01"
    assert "starts 2027-03-01, when the campaign starts" in entry.reasons
    assert entry.reasons[1] == "churned 12 months before the campaign starts: in the 6-24 month sweet spot"


def test_an_earlier_starts_on_changes_nothing() -> None:
    entry = judge(campaign=replace(make_campaign(), starts_on="2026-01-01"))
    assert entry.earliest_start == AS_OF.isoformat()
    assert not any(line.startswith("starts ") for line in entry.reasons)


def test_day_rules_are_judged_on_the_start_day() -> None:
    # Too early today, but six months have passed by the time the campaign starts.
    campaign = replace(make_campaign(), starts_on="2026-09-01")
    assert_included(judge(campaign=campaign, as_of=date(2026, 7, 1)))
    # A cool-off ending before the campaign starts does not exclude either.
    declined = (pref("declined", "2026-08-01"),)
    assert_included(judge(campaign=campaign, as_of=date(2026, 7, 1), preferences=declined))


def test_excluded_for_a_reason_that_ends_waits_for_the_campaign_too() -> None:
    campaign = replace(make_campaign(), starts_on="2027-03-01")
    entry = judge(campaign=campaign, preferences=(pref("declined", "2027-01-10"),), as_of=date(2026, 12, 1))
    assert_included(entry)
    entry = judge(campaign=campaign, preferences=(pref("declined", "2027-05-03"),), as_of=date(2026, 12, 1))
    assert entry.exclusions == ("declined",)
    assert entry.earliest_start == "2027-05-03"


# ------------------------------------------------------------------ preferences


def test_a_cool_off_ending_today_no_longer_holds() -> None:
    assert_included(judge(preferences=(pref("declined", AS_OF.isoformat()),)))


def test_a_cool_off_ending_tomorrow_excludes_with_the_date() -> None:
    entry = judge(preferences=(pref("declined", "2026-11-16", reason="not this year"),))
    assert entry.exclusions == ("declined",)
    assert entry.reasons == ("declined on 2026-05-03 (not this year): no contact until 2026-11-16",)
    assert entry.earliest_start == "2026-11-16"


def test_decline_reason_never_shows_an_address() -> None:
    entry = judge(preferences=(pref("declined", "2027-05-03", reason="ask maria@x.example instead"),))
    assert entry.reasons == ("declined on 2026-05-03 (ask [email] instead): no contact until 2027-05-03",)


def test_ghosted_rests_until_its_date() -> None:
    entry = judge(preferences=(pref("ghosted", "2026-12-01"),))
    assert entry.exclusions == ("ghosted",)
    assert entry.reasons == ("no reply to the last sequence (recorded 2026-05-03): resting until 2026-12-01",)
    assert entry.earliest_start == "2026-12-01"


def test_unsubscribe_is_permanent() -> None:
    entry = judge(preferences=(pref("unsubscribed", None),))
    assert entry.exclusions == ("unsubscribed",)
    assert entry.reasons == ("unsubscribed on 2026-05-03: permanent, never email again",)
    assert entry.earliest_start is None


def test_bounced_address_needs_fixing() -> None:
    entry = judge(preferences=(pref("bounced", None),))
    assert entry.exclusions == ("bounced",)
    assert entry.reasons == (
        "email bounced on 2026-05-03: address invalid; fix the contact email in the CRM",
    )
    assert entry.earliest_start is None


def test_preference_email_matches_case_insensitively() -> None:
    assert judge(preferences=(pref("unsubscribed", None, email="Aino@Revontuli.EXAMPLE"),)).exclusions == (
        "unsubscribed",
    )


def test_decline_and_ghosting_apply_to_the_account_whatever_the_address() -> None:
    for kind in ("declined", "ghosted"):
        entry = judge(preferences=(pref(kind, "2027-01-01", email="former.contact@revontuli.example"),))
        assert entry.exclusions == (kind,)


def test_unsubscribe_and_bounce_belong_to_the_address() -> None:
    for kind in ("unsubscribed", "bounced"):
        assert_included(judge(preferences=(pref(kind, None, email="former.contact@revontuli.example"),)))


def test_another_accounts_preferences_do_not_apply() -> None:
    other = pref("declined", "2027-01-01", email="someone@else.example", account_id="ACC-2")
    assert_included(judge(preferences=(other,)))


def test_executive_unsubscribed_keeps_the_account_with_a_note() -> None:
    entry = judge(preferences=(pref("unsubscribed", None, email=EXECUTIVE, account_id="ACC-9"),))
    assert_included(entry)
    assert "executive contact unsubscribed: executive touches will not email them" in entry.reasons
    bounced = judge(preferences=(pref("bounced", None, email=EXECUTIVE, account_id="ACC-9"),))
    assert "executive contact's email bounced: executive touches will not email them" in bounced.reasons


def test_the_longest_cool_off_of_a_kind_decides() -> None:
    entry = judge(
        preferences=(
            pref("declined", "2027-01-01", email="x@revontuli.example"),
            pref("declined", "2027-06-01"),
            pref("declined", "2026-12-01"),
        )
    )
    assert entry.reasons == ("declined on 2026-05-03: no contact until 2027-06-01",)


def test_reasons_never_carry_emails_or_names() -> None:
    account = make_account(churn_reason="structural", arr=10.0)
    prefs = (
        pref("unsubscribed", None),
        pref("bounced", None),
        pref("declined", "2027-01-01", reason="write to aino@revontuli.example next year"),
    )
    for entry in (
        judge(account, preferences=prefs),
        judge(preferences=(pref("unsubscribed", None, email=EXECUTIVE),)),
        judge(preferences=(pref("bounced", None, email=EXECUTIVE),)),
    ):
        text = " ".join(entry.reasons)
        assert "@" not in text
        for name in ("Aino", "Korhonen", "Mikko", "Saari", "maria"):
            assert name not in text


# ------------------------------------------------------------------ enrolments


def test_a_running_sequence_excludes() -> None:
    running = Enrolment("ACC-1", "autumn-2026", "winback-ACC-1", "run-1", started_on="2026-11-01")
    entry = judge(enrolments=(running,))
    assert entry.exclusions == ("running",)
    assert entry.reasons == ("already in a running sequence (campaign autumn-2026, since 2026-11-01)",)
    assert entry.earliest_start is None


def test_nobody_is_contacted_twice_in_one_campaign() -> None:
    ended = Enrolment(
        "ACC-1",
        "test-campaign",
        "winback-ACC-1",
        "run-1",
        started_on="2026-09-01",
        ended_on="2026-10-20",
        outcome="completed_no_reply",
    )
    entry = judge(enrolments=(ended,))
    assert entry.exclusions == ("already_in_campaign",)
    assert entry.reasons == ("already contacted in this campaign: completed with no reply on 2026-10-20",)


def test_an_ended_sequence_of_another_campaign_does_not_exclude() -> None:
    ended = Enrolment("ACC-1", "autumn-2026", "w", "r", started_on="2026-09-01", ended_on="2026-10-01")
    assert_included(judge(enrolments=(ended,)))


# ------------------------------------------------------------------ audience filters


def test_audience_churn_reason() -> None:
    campaign = with_audience(churn_reasons=("service", "competitive"))
    entry = judge(campaign=campaign)
    assert entry.exclusions == ("audience_churn_reason",)
    assert entry.reasons == (
        "churn reason product_gap is not in this campaign's audience (competitive, service)",
    )
    assert_included(judge(make_account(churn_reason="service"), campaign))


def test_audience_tier() -> None:
    campaign = with_audience(tiers=("T2", "T3"))
    entry = judge(campaign=campaign)
    assert entry.exclusions == ("audience_tier",)
    assert entry.reasons == ("tier T1 is not in this campaign's audience (T2, T3)",)
    assert_included(judge(make_account(arr=10_000.0), campaign))


def test_audience_country() -> None:
    campaign = with_audience(countries=("SE", "US"))
    entry = judge(campaign=campaign)
    assert entry.exclusions == ("audience_country",)
    assert entry.reasons == ("country FI is not in this campaign's audience (SE, US)",)
    assert_included(judge(make_account(country="SE", timezone="Europe/Stockholm"), campaign))


@pytest.mark.parametrize(
    ("pattern", "matches"),
    [
        ("/salesforce/i", True),
        ("/salesforce/", False),  # the detail says "Salesforce"
        ("/Sales(force|loft)/", True),
        ("salesforce", True),  # plain text: case-insensitive substring
        ("hubspot", False),
        ("/^needed/i", True),
    ],
)
def test_audience_churn_detail(pattern: str, matches: bool) -> None:
    entry = judge(campaign=with_audience(churn_detail=pattern))
    if matches:
        assert_included(entry)
    else:
        assert entry.exclusions == ("audience_churn_detail",)
        assert entry.reasons == (f"churn detail does not match {pattern}",)


def test_empty_audience_is_everyone() -> None:
    assert_included(judge(campaign=with_audience()))


# ------------------------------------------------------------------ playbook


def test_no_playbook_for_the_reason_and_no_default() -> None:
    base = make_campaign()
    campaign = replace(base, playbooks=tuple(p for p in base.playbooks if p[0] != "default"))
    entry = judge(make_account(churn_reason="bad_fit"), campaign)
    assert entry.exclusions == ("no_playbook",)
    assert entry.reasons == ("campaign test-campaign has no playbook for bad_fit and no default",)
    assert judge(make_account(churn_reason="bad_fit")).playbook == "time_based"


# ------------------------------------------------------------------ several reasons at once


def test_every_reason_is_reported_in_a_stable_order() -> None:
    account = make_account(arr=500.0, churn_reason="structural", churned_on="2026-10-01", country="SE")
    campaign = with_audience(countries=("FI",), churn_reasons=("product_gap",))
    running = Enrolment("ACC-1", "other", "w", "r", started_on="2026-11-01")
    entry = judge(
        account,
        campaign,
        preferences=(pref("declined", "2027-01-01"), pref("unsubscribed", None)),
        enrolments=(running,),
    )
    assert entry.exclusions == (
        "below_min_arr",
        "structural",
        "too_early",
        "audience_churn_reason",
        "audience_country",
        "unsubscribed",
        "declined",
        "running",
    )
    assert len(entry.reasons) == len(entry.exclusions)
    assert list(entry.exclusions) == sorted(entry.exclusions, key=EXCLUSION_CODES.index)
    assert entry.earliest_start is None  # some of them never end


def test_reasons_that_end_give_the_latest_day() -> None:
    account = make_account(churned_on="2026-10-01")  # eligible from 2027-04-01
    late_cool_off = judge(account, preferences=(pref("declined", "2027-05-03"),))
    assert late_cool_off.exclusions == ("too_early", "declined")
    assert late_cool_off.earliest_start == "2027-05-03"
    early_cool_off = judge(account, preferences=(pref("ghosted", "2026-12-24"),))
    assert early_cool_off.earliest_start == "2027-04-01"


def test_a_cool_off_past_the_window_never_reopens() -> None:
    account = make_account(churned_on="2024-01-15")  # too late after 2027-01-15
    entry = judge(account, preferences=(pref("declined", "2027-06-01"),))
    assert entry.exclusions == ("declined",)
    assert entry.earliest_start is None
    assert entry.reasons[-1] == (
        "by 2027-06-01 churn is more than 36 months ago: not eligible again in this campaign"
    )


# ------------------------------------------------------------------ the demo keeps working


def test_demo_campaign_includes_every_contactable_account_for_years() -> None:
    # `make demo` must start the same sequences whatever the day it is run.
    campaign = load_campaign(EXAMPLES / "demo-campaign.yaml")
    accounts = load_accounts(EXAMPLES / "accounts.csv").accounts
    contactable = {a.account_id for a in accounts if a.tier is not None and a.churn_reason != "structural"}
    assert len(contactable) == 12
    for as_of in (date(2026, 11, 23), date(2028, 7, 1), date(2034, 12, 31)):
        included = {a.account_id for a in accounts if judge(a, campaign, as_of=as_of).included}
        assert included == contactable, as_of


def test_contact_helpers_are_realistic() -> None:
    # The test data relies on these; guard against a factory change.
    account = make_account()
    assert account.contact.email == PRIMARY
    assert account.executive == Contact(name="Mikko Saari", email=EXECUTIVE, title="COO")
