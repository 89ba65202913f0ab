"""The shared records: durations, a playbook per tier, the owner's handle."""

from __future__ import annotations

import pytest

from campaigns.model import PlannedTouch, Playbook, Touch, Wait, owner_handle
from tests.factories import make_account, sequence_input

# --- Wait.parse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "wait"),
    [
        ("3 business days", Wait(3, "business_days")),
        ("1 business day", Wait(1, "business_days")),
        ("1 week", Wait(1, "weeks")),
        ("2 weeks", Wait(2, "weeks")),
        ("10 days", Wait(10, "days")),
        ("1 day", Wait(1, "days")),
        ("0 days", Wait(0, "days")),
        ("  5 Business  Days ", Wait(5, "business_days")),
        ("2 WEEKS", Wait(2, "weeks")),
    ],
)
def test_wait_parse_reads_what_playbooks_write(text: str, wait: Wait) -> None:
    assert Wait.parse(text) == wait


@pytest.mark.parametrize(
    "text", ["", "3", "days", "three days", "-1 days", "1.5 weeks", "2 months", "1 fortnight"]
)
def test_wait_parse_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as err:
        Wait.parse(text)
    assert str(err.value) == (
        f'{text!r} is not a duration; write e.g. "3 business days", "10 days" or "1 week"'
    )


def test_a_wait_of_thousands_of_digits_is_not_a_duration_not_a_crash() -> None:
    # int() refuses 4,300+ digits with its own ValueError, which became the message.
    with pytest.raises(ValueError) as err:
        Wait.parse("9" * 5000 + " days")
    assert str(err.value) == (
        f"'{'9' * 60}…' (5,005 characters) is not a duration; write e.g. \"3 business days\", "
        '"10 days" or "1 week"'
    )


@pytest.mark.parametrize(
    ("wait", "text", "days"),
    [
        (Wait(1, "days"), "1 day", 1.0),
        (Wait(2, "weeks"), "2 weeks", 14.0),
        (Wait(5, "business_days"), "5 business days", 7.0),
        (Wait(1, "business_days"), "1 business day", 1.4),
    ],
)
def test_wait_reads_back_and_spans(wait: Wait, text: str, days: float) -> None:
    assert str(wait) == text
    assert Wait.parse(text) == wait
    assert wait.approx_days() == pytest.approx(days)


# --- Playbook.for_tier ----------------------------------------------------------------------


def touch(channel: str, wait: str, tiers: tuple[str, ...]) -> Touch:
    return Touch(channel=channel, wait=Wait.parse(wait), template=f"t/{channel}", tiers=tiers)


PLAYBOOK = Playbook(
    id="p",
    name="P",
    touches=(
        touch("email", "0 days", ("T1", "T2", "T3")),
        touch("call", "3 business days", ("T1",)),
        touch("linkedin", "1 week", ("T1", "T2")),
        touch("email", "10 days", ("T1", "T2", "T3")),
    ),
)


def test_for_tier_keeps_every_touch_of_a_tier_that_has_them_all() -> None:
    t1 = PLAYBOOK.for_tier("T1")
    assert [t.channel for t in t1] == ["email", "call", "linkedin", "email"]
    assert [t.number for t in t1] == [1, 2, 3, 4]
    # A zero wait is no wait at all.
    assert t1[0].waits == ()
    assert t1[1].waits == (Wait(3, "business_days"),)


def test_for_tier_carries_the_waits_of_skipped_touches_over() -> None:
    t3 = PLAYBOOK.for_tier("T3")
    assert t3 == (
        PlannedTouch(number=1, channel="email", waits=(), template="t/email"),
        # The call (T1) and the LinkedIn touch (T1, T2) are skipped: their waits still pass.
        PlannedTouch(
            number=2,
            channel="email",
            waits=(Wait(3, "business_days"), Wait(1, "weeks"), Wait(10, "days")),
            template="t/email",
        ),
    )
    t2 = PLAYBOOK.for_tier("T2")
    assert [t.channel for t in t2] == ["email", "linkedin", "email"]
    assert t2[1].waits == (Wait(3, "business_days"), Wait(1, "weeks"))
    assert t2[2].waits == (Wait(10, "days"),)


def test_for_tier_of_a_tier_no_touch_names_is_empty() -> None:
    assert PLAYBOOK.for_tier("T9") == ()


# --- owner_handle ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "handle"),
    [
        ("maria.lind@winback.example", "maria.lind"),
        ("a@b@c", "a"),  # only the first @ splits
        ("no-at-sign", "no-at-sign"),
        ("", ""),
    ],
)
def test_owner_handle(email: str, handle: str) -> None:
    assert owner_handle(email) == handle


def test_account_and_account_ref_agree_on_the_handle() -> None:
    account = make_account(owner="sam.berg@winback.example")
    ref = sequence_input(account).account  # the AccountRef a launch hands the sequence
    assert account.owner_handle == ref.owner_handle == "sam.berg"
