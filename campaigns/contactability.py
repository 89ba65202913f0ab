"""Who may be contacted now, and why not: what people told us and how long it holds.

Someone who declined rests for the campaign's cool-off (DECLINED_MONTHS, or what the
campaign sets within DECLINED_MONTHS_RANGE); a sequence nobody answered rests the account
GHOSTED_MONTHS, whatever the campaign. An unsubscribe or a bounce keeps that address out for
ever: the person, or their mailbox, said so. See docs/ARCHITECTURE.md, "Rules and where they
live".

A preference holds until its `until`, the first day contact is allowed again (None: never).
The plan judges an account with `standing` (which asks `suppressions` about its contacts'
addresses), the store records what an outcome implies with `implied_preference`, and
whoever sends an email asks `suppressed` about the address.

Pure: no clock, no I/O. The lines never carry an email address or a person's name; they end
up in CLI output, JSON for other tools and logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from campaigns.months import add_months
from campaigns.outcomes import COMPLETED_NO_REPLY, DECLINED

__all__ = [
    "COOL_OFF_KINDS",
    "DECLINED_MONTHS",
    "DECLINED_MONTHS_RANGE",
    "GHOSTED_MONTHS",
    "HASHED_ADDRESS_PREFIX",
    "PREFERENCE_KINDS",
    "SUPPRESSION_KINDS",
    "Bar",
    "CoolOff",
    "Preference",
    "Standing",
    "hashed_address",
    "implied_preference",
    "in_force",
    "normalise_address",
    "preference_line",
    "preference_until",
    "standing",
    "suppressed",
    "suppression",
    "suppressions",
]

DECLINED_MONTHS: Final = 12  # unless the campaign says otherwise
DECLINED_MONTHS_RANGE: Final = (6, 12)  # what a campaign may say
GHOSTED_MONTHS: Final = 6  # the same for every campaign

PREFERENCE_KINDS: Final = ("declined", "ghosted", "unsubscribed", "bounced")
# Kinds that keep an address out whatever the campaign. In this order: the person's own
# choice explains more than a bouncing mailbox.
SUPPRESSION_KINDS: Final = ("unsubscribed", "bounced")
# Kinds that rest a whole account for a while: its next contact may be someone else.
COOL_OFF_KINDS: Final = ("declined", "ghosted")

# An unsubscribe whose address this store could not find is kept under the keyed hash of the
# address its link was sent to (activities/unsubscribe.py `address_hash`), in the address's
# place: the sender, which holds the key, hashes the address it is about to email and asks
# `suppressed` with it, so that address stays out for ever although nobody here knows it.
HASHED_ADDRESS_PREFIX: Final = "hmac:"

# Free text from a decline may quote an address; lines must never carry one.
_EMAIL_IN_TEXT: Final = re.compile(r"\S+@\S+")
_EXECUTIVE_NOTES: Final = {
    "unsubscribed": "executive contact unsubscribed: executive touches will not email them",
    "bounced": "executive contact's email bounced: executive touches will not email them",
}


@dataclass(frozen=True)
class CoolOff:
    """How long what a person told us holds, in months (unsubscribe and bounce: for ever)."""

    declined_months: int = DECLINED_MONTHS  # a campaign may set DECLINED_MONTHS_RANGE
    ghosted_months: int = GHOSTED_MONTHS


@dataclass(frozen=True)
class Preference:
    """What a person told us (or their mailbox did), and until when it holds."""

    email: str  # lower case
    account_id: str
    kind: str  # one of PREFERENCE_KINDS
    since: str  # ISO date it was recorded
    until: str | None  # ISO date of the first day contact is allowed again; None = never
    reason: str = ""  # e.g. the reason a decline gave
    campaign_id: str = ""


def normalise_address(email: str) -> str:
    """An email address as preferences are keyed and compared: "Aino@X.fi " is aino@x.fi."""
    return email.strip().lower()


def hashed_address(address_hash: str) -> str:
    """The key a preference is recorded under when only the address's keyed hash is known."""
    return HASHED_ADDRESS_PREFIX + address_hash.strip().lower()


def in_force(preference: Preference, day: date) -> bool:
    """Whether a preference still holds on `day`: `until` is the first day contact is allowed."""
    return preference.until is None or date.fromisoformat(preference.until) > day


def preference_until(kind: str, since: date, cool_off: CoolOff) -> date | None:
    """The `until` to record for a new preference: declines and ghosting rest for the
    campaign's cool-off; unsubscribes and bounces hold for ever (None)."""
    if kind == "declined":
        return add_months(since, cool_off.declined_months)
    if kind == "ghosted":
        return add_months(since, cool_off.ghosted_months)
    return None


def suppression(
    kind: str, email: str, *, account_id: str, campaign_id: str, since: date, reason: str
) -> Preference:
    """A new unsubscribe or bounce for one address (or its `hashed_address` key): it holds for
    ever, whichever campaign or channel told us (a one-click link, a provider event, a reply)."""
    if kind not in SUPPRESSION_KINDS:
        raise ValueError(f"{kind!r} is not a suppression; use one of {', '.join(SUPPRESSION_KINDS)}")
    return Preference(
        email=normalise_address(email),
        account_id=account_id,
        kind=kind,
        since=since.isoformat(),
        until=None,
        reason=reason,
        campaign_id=campaign_id,
    )


def implied_preference(
    outcome: str,
    *,
    email: str,
    account_id: str,
    ended_on: date,
    cool_off: CoolOff,
    reason: str = "",
    campaign_id: str = "",
) -> Preference | None:
    """The cool-off a sequence's outcome leaves behind: a decline rests the account for the
    campaign's cool-off, a sequence nobody answered for GHOSTED_MONTHS; a reply or a
    cancellation leaves nothing. `ended_on` is the day the sequence ended, as recorded."""
    if outcome == DECLINED:
        kind = "declined"
    elif outcome == COMPLETED_NO_REPLY:
        kind = "ghosted"
    else:
        return None
    until = preference_until(kind, ended_on, cool_off)
    return Preference(
        email=email.strip().lower(),
        account_id=account_id,
        kind=kind,
        since=ended_on.isoformat(),
        until=None if until is None else until.isoformat(),
        reason=reason,
        campaign_id=campaign_id,
    )


def suppressed(
    email: str, preferences: Iterable[Preference], day: date, *, address_hash: str = ""
) -> Preference | None:
    """The unsubscribe or bounce that keeps this address out on `day`, if any (for ever,
    whatever the campaign and whichever account the address belongs to now). A sender that
    passes the address's keyed hash also finds what was recorded under the hash alone."""
    return next(iter(suppressions(email, preferences, day, address_hash=address_hash)), None)


def suppressions(
    email: str, preferences: Iterable[Preference], day: date, *, address_hash: str = ""
) -> tuple[Preference, ...]:
    """Every kind of suppression this address has on `day`, in SUPPRESSION_KINDS order; per
    kind, the one that holds longest."""
    address = normalise_address(email)
    if not address:
        return ()
    keys = {address, hashed_address(address_hash)} if address_hash else {address}
    found = _strongest(
        p
        for p in preferences
        if p.kind in SUPPRESSION_KINDS and normalise_address(p.email) in keys and in_force(p, day)
    )
    return tuple(found[kind] for kind in SUPPRESSION_KINDS if kind in found)


@dataclass(frozen=True)
class Bar:
    """One reason an account may not be contacted, and the day it ends (None: never)."""

    kind: str  # one of PREFERENCE_KINDS
    line: str
    until: date | None


@dataclass(frozen=True)
class Standing:
    """What the preferences about one account say: the bars to contacting it, and notes
    that do not bar it (its executive contact cannot be emailed)."""

    bars: tuple[Bar, ...]
    notes: tuple[str, ...]


def standing(
    preferences: Sequence[Preference], *, primary: str, executive: str, account_id: str, day: date
) -> Standing:
    """Judge an account by its primary contact's address, its executive's and its id.

    The primary contact's unsubscribe or bounce bars the account; so does a cool-off,
    whether the primary contact or anyone else at the account answered. The executive's
    unsubscribe or bounce only keeps the executive touches from emailing them. Per kind, the
    preference that holds longest speaks.
    """
    address = normalise_address(primary)
    rested = _strongest(
        p
        for p in preferences
        if p.kind in COOL_OFF_KINDS
        and in_force(p, day)
        and ((address and normalise_address(p.email) == address) or p.account_id == account_id)
    )
    barring = [*suppressions(primary, preferences, day), *(rested[k] for k in COOL_OFF_KINDS if k in rested)]
    bars = tuple(
        Bar(p.kind, preference_line(p), date.fromisoformat(p.until) if p.until else None) for p in barring
    )
    notes: tuple[str, ...] = ()
    if normalise_address(executive) != address:
        notes = tuple(_EXECUTIVE_NOTES[p.kind] for p in suppressions(executive, preferences, day))
    return Standing(bars=bars, notes=notes)


def preference_line(pref: Preference) -> str:
    """Why a preference bars contact, as a plan reports it."""
    until = pref.until
    if pref.kind == "declined":
        why = _EMAIL_IN_TEXT.sub("[email]", pref.reason.strip())
        said = f" ({why})" if why else ""
        rest = f"no contact until {until}" if until else "no contact (no end date recorded)"
        return f"declined on {pref.since}{said}: {rest}"
    if pref.kind == "ghosted":
        rest = f"resting until {until}" if until else "resting (no end date recorded)"
        return f"no reply to the last sequence (recorded {pref.since}): {rest}"
    if pref.kind == "unsubscribed":
        rest = f"no email until {until}" if until else "permanent, never email again"
        return f"unsubscribed on {pref.since}: {rest}"
    if pref.kind == "bounced":
        return f"email bounced on {pref.since}: address invalid; fix the contact email in the CRM"
    return f"{pref.kind} on {pref.since}: no contact"


def _strongest(preferences: Iterable[Preference]) -> dict[str, Preference]:
    """Per kind, the preference that holds longest (None = for ever); the first of equals."""
    strongest: dict[str, Preference] = {}
    for pref in preferences:
        held = strongest.get(pref.kind)
        if held is None or _later(pref.until, held.until):
            strongest[pref.kind] = pref
    return strongest


def _later(a: str | None, b: str | None) -> bool:
    if b is None:
        return False
    return a is None or a > b
