"""Who may be contacted: cool-offs at their last day, suppression for ever, what outcomes imply."""

from __future__ import annotations

from datetime import date

import pytest

from campaigns.contactability import (
    DECLINED_MONTHS,
    DECLINED_MONTHS_RANGE,
    GHOSTED_MONTHS,
    SUPPRESSION_KINDS,
    Bar,
    CoolOff,
    Preference,
    Standing,
    implied_preference,
    in_force,
    normalise_address,
    preference_line,
    preference_until,
    standing,
    suppressed,
    suppression,
    suppressions,
)
from campaigns.model import CANCELLED, COMPLETED_NO_REPLY, DECLINED, OUTCOMES, REPLIED

TODAY = date(2027, 3, 1)
PRIMARY = "aino@revontuli.example"
EXECUTIVE = "mikko@revontuli.example"


def pref(
    kind: str, until: str | None, *, email: str = PRIMARY, account_id: str = "ACC-1", **kw: str
) -> Preference:
    return Preference(email=email, account_id=account_id, kind=kind, since="2026-05-03", until=until, **kw)


def judge(*prefs: Preference, day: date = TODAY, executive: str = EXECUTIVE) -> Standing:
    return standing(prefs, primary=PRIMARY, executive=executive, account_id="ACC-1", day=day)


# --- the numbers -----------------------------------------------------------------------------


def test_the_cool_offs() -> None:
    assert (DECLINED_MONTHS, GHOSTED_MONTHS) == (12, 6)
    assert DECLINED_MONTHS_RANGE == (6, 12)
    assert DECLINED_MONTHS_RANGE[0] <= DECLINED_MONTHS <= DECLINED_MONTHS_RANGE[1]
    assert CoolOff() == CoolOff(declined_months=12, ghosted_months=6)


def test_addresses_compare_in_lower_case_without_spaces() -> None:
    assert normalise_address(" Aino@Revontuli.EXAMPLE\t") == PRIMARY


# --- in force --------------------------------------------------------------------------------


def test_a_cool_off_ending_today_no_longer_holds() -> None:
    # `until` is the first day contact is allowed again.
    assert not in_force(pref("declined", "2027-03-01"), TODAY)


def test_a_cool_off_ending_tomorrow_holds() -> None:
    assert in_force(pref("declined", "2027-03-02"), TODAY)


def test_no_end_holds_for_ever() -> None:
    assert in_force(pref("unsubscribed", None), date(9999, 12, 31))


# --- preference_until ------------------------------------------------------------------------


def test_a_decline_rests_twelve_months_unless_the_campaign_says_otherwise() -> None:
    since = date(2027, 5, 3)
    assert preference_until("declined", since, CoolOff()) == date(2028, 5, 3)
    assert preference_until("declined", since, CoolOff(declined_months=6)) == date(2027, 11, 3)


def test_ghosting_rests_six_months() -> None:
    assert preference_until("ghosted", date(2027, 5, 3), CoolOff()) == date(2027, 11, 3)
    # Calendar months: Aug 31 + 6 is the last day of February.
    assert preference_until("ghosted", date(2027, 8, 31), CoolOff()) == date(2028, 2, 29)


@pytest.mark.parametrize("kind", SUPPRESSION_KINDS)
def test_unsubscribe_and_bounce_hold_for_ever(kind: str) -> None:
    assert preference_until(kind, date(2027, 5, 3), CoolOff()) is None


# --- implied_preference ----------------------------------------------------------------------


def implied(outcome: str, cool_off: CoolOff = CoolOff()) -> Preference | None:
    return implied_preference(
        outcome,
        email=" Aino@Revontuli.example ",
        account_id="ACC-1",
        ended_on=date(2026, 4, 20),
        cool_off=cool_off,
        reason="went with a competitor",
        campaign_id="spring-2026",
    )


def test_a_decline_implies_the_campaigns_cool_off() -> None:
    found = implied(DECLINED)
    assert found is not None
    # The address as the store keys it; the reason and campaign as the plan reports them.
    assert (found.email, found.account_id, found.kind) == (PRIMARY, "ACC-1", "declined")
    assert (found.since, found.until) == ("2026-04-20", "2027-04-20")
    assert (found.reason, found.campaign_id) == ("went with a competitor", "spring-2026")
    found = implied(DECLINED, CoolOff(declined_months=6))
    assert found is not None and found.until == "2026-10-20"


def test_no_reply_implies_six_months_of_rest() -> None:
    found = implied(COMPLETED_NO_REPLY, CoolOff(declined_months=6))
    assert found is not None
    assert (found.kind, found.since, found.until) == ("ghosted", "2026-04-20", "2026-10-20")


@pytest.mark.parametrize("outcome", [REPLIED, CANCELLED, "disqualified", "something else"])
def test_other_outcomes_imply_nothing(outcome: str) -> None:
    # Disqualified (a story showed the account is out of reach) is a watcher's reading of the
    # news, not what a person told us: it keeps the account out of that campaign only.
    assert implied(outcome) is None


def test_every_outcome_is_known() -> None:
    assert OUTCOMES == (
        "replied",
        "declined",
        "completed_no_reply",
        "cancelled",
        "bounced",
        "unsubscribed",
        "disqualified",
    )


# --- suppressed ------------------------------------------------------------------------------


def test_an_unsubscribe_suppresses_the_address_for_ever() -> None:
    found = pref("unsubscribed", None, account_id="ACC-OLD")
    assert suppressed(PRIMARY, [found], date(2099, 1, 1)) is found


def test_suppression_matches_the_address_in_any_case_and_spacing() -> None:
    found = pref("bounced", None)
    assert suppressed(" AINO@revontuli.EXAMPLE ", [found], TODAY) is found


def test_suppression_belongs_to_one_address() -> None:
    assert suppressed(PRIMARY, [pref("unsubscribed", None, email=EXECUTIVE)], TODAY) is None
    assert suppressed("", [pref("unsubscribed", None, email="")], TODAY) is None


def test_cool_offs_do_not_suppress_an_address() -> None:
    assert suppressed(PRIMARY, [pref("declined", None), pref("ghosted", "2099-01-01")], TODAY) is None


def test_an_unsubscribe_that_has_ended_no_longer_suppresses() -> None:
    assert suppressed(PRIMARY, [pref("unsubscribed", "2027-03-01")], TODAY) is None


def test_an_unsubscribe_explains_more_than_a_bounce() -> None:
    unsubscribed = pref("unsubscribed", None)
    assert suppressed(PRIMARY, [pref("bounced", None), unsubscribed], TODAY) is unsubscribed


def test_suppressions_lists_each_kind_once_in_order() -> None:
    short, long = pref("bounced", "2027-06-01"), pref("bounced", None)
    unsubscribed = pref("unsubscribed", "2028-01-01")
    assert suppressions(PRIMARY, [short, long, unsubscribed], TODAY) == (unsubscribed, long)
    assert suppressions(EXECUTIVE, [short, long, unsubscribed], TODAY) == ()


# --- standing --------------------------------------------------------------------------------


def test_nothing_recorded_is_no_bar() -> None:
    assert judge() == Standing(bars=(), notes=())


def test_a_decline_bars_until_its_end() -> None:
    found = judge(pref("declined", "2027-05-03", reason="not now"))
    assert found.bars == (
        Bar("declined", "declined on 2026-05-03 (not now): no contact until 2027-05-03", date(2027, 5, 3)),
    )


def test_unsubscribe_on_the_primary_email_bars_for_ever() -> None:
    (bar,) = judge(pref("unsubscribed", None, account_id="ACC-OLD")).bars
    assert bar == Bar("unsubscribed", "unsubscribed on 2026-05-03: permanent, never email again", None)


def test_a_cool_off_of_the_account_bars_whoever_answered() -> None:
    (bar,) = judge(pref("ghosted", "2027-06-01", email="someone.else@revontuli.example")).bars
    assert bar.kind == "ghosted"
    assert bar.until == date(2027, 6, 1)


def test_unsubscribe_of_another_address_of_the_account_does_not_bar() -> None:
    assert judge(pref("unsubscribed", None, email="someone.else@revontuli.example")).bars == ()


def test_the_executive_unsubscribing_only_adds_a_note() -> None:
    found = judge(pref("unsubscribed", None, email=EXECUTIVE), pref("bounced", None, email=EXECUTIVE))
    assert found.bars == ()
    assert found.notes == (
        "executive contact unsubscribed: executive touches will not email them",
        "executive contact's email bounced: executive touches will not email them",
    )


def test_an_executive_who_is_also_the_primary_contact_bars_without_a_note() -> None:
    found = judge(pref("unsubscribed", None), executive=PRIMARY.upper())
    assert [b.kind for b in found.bars] == ["unsubscribed"]
    assert found.notes == ()


def test_an_account_without_addresses_is_barred_only_by_its_cool_offs() -> None:
    prefs = (pref("unsubscribed", None, email=""), pref("declined", "2027-05-01", email=""))
    found = standing(prefs, primary="", executive="", account_id="ACC-1", day=TODAY)
    assert [b.kind for b in found.bars] == ["declined"]
    assert found.notes == ()


def test_bars_come_in_a_fixed_order_and_the_longest_of_a_kind_speaks() -> None:
    found = judge(
        pref("ghosted", "2027-04-01"),
        pref("declined", "2027-05-01"),
        pref("declined", "2027-09-01"),
        pref("declined", "2027-06-01"),
        pref("bounced", None),
        pref("unsubscribed", "2028-01-01"),
    )
    assert [(b.kind, b.until) for b in found.bars] == [
        ("unsubscribed", date(2028, 1, 1)),
        ("bounced", None),
        ("declined", date(2027, 9, 1)),
        ("ghosted", date(2027, 4, 1)),
    ]


def test_preferences_that_have_ended_do_not_bar() -> None:
    assert judge(pref("declined", "2027-03-01"), pref("ghosted", "2027-02-01")).bars == ()
    assert judge(pref("declined", "2027-03-01"), day=date(2027, 2, 28)).bars != ()


# --- the lines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preference", "line"),
    [
        (
            pref("declined", "2027-05-03", reason="ask a@b.example instead"),
            "declined on 2026-05-03 (ask [email] instead): no contact until 2027-05-03",
        ),
        (pref("declined", None), "declined on 2026-05-03: no contact (no end date recorded)"),
        (
            pref("ghosted", "2026-11-03"),
            "no reply to the last sequence (recorded 2026-05-03): resting until 2026-11-03",
        ),
        (
            pref("ghosted", None),
            "no reply to the last sequence (recorded 2026-05-03): resting (no end date recorded)",
        ),
        (pref("unsubscribed", "2027-01-01"), "unsubscribed on 2026-05-03: no email until 2027-01-01"),
        (
            pref("bounced", None),
            "email bounced on 2026-05-03: address invalid; fix the contact email in the CRM",
        ),
        (pref("paused", None), "paused on 2026-05-03: no contact"),
    ],
)
def test_preference_line(preference: Preference, line: str) -> None:
    assert preference_line(preference) == line
    assert "@" not in preference_line(preference)


def test_an_unsubscribe_kept_under_an_address_hash_suppresses_only_a_sender_that_brings_the_hash() -> None:
    from campaigns.contactability import Preference, hashed_address, suppressed

    kept = Preference(
        email=hashed_address("AB12"), account_id="ACC-1", kind="unsubscribed", since="2027-01-04", until=None
    )
    day = date(2030, 1, 1)
    assert suppressed("pia@example.com", [kept], day, address_hash="ab12") == kept
    assert suppressed("pia@example.com", [kept], day, address_hash="cd34") is None
    assert suppressed("pia@example.com", [kept], day) is None


def test_a_new_suppression_holds_for_ever_for_the_normalised_address() -> None:
    pref = suppression(
        "bounced",
        " Aino@Revontuli.example ",
        account_id="ACC-1",
        campaign_id="spring",
        since=date(2027, 3, 1),
        reason="550 user unknown",
    )
    assert (pref.email, pref.kind, pref.since) == ("aino@revontuli.example", "bounced", "2027-03-01")
    assert pref.until is None
    assert suppressed("AINO@revontuli.example", [pref], date(2099, 1, 1)) == pref
    with pytest.raises(ValueError, match="not a suppression"):
        suppression(
            "declined", "a@b.example", account_id="A", campaign_id="c", since=date(2027, 3, 1), reason=""
        )
