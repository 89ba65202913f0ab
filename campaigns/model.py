"""The domain records every layer shares.

They cross into workflows as payloads, so they hold only what Temporal's JSON converter
round-trips: str, int, bool, datetime, tuples, None and other dataclasses. Dates are ISO
strings ("2027-03-26") and times of day "HH:MM", validated when the files are loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

# Re-exported: every layer reads these from the model; each has its home in the module
# of the rule it belongs to.
from campaigns.contactability import PREFERENCE_KINDS as PREFERENCE_KINDS
from campaigns.contactability import CoolOff as CoolOff
from campaigns.contactability import Preference as Preference
from campaigns.errors import excerpt
from campaigns.outcomes import CANCELLED as CANCELLED
from campaigns.outcomes import COMPLETED_NO_REPLY as COMPLETED_NO_REPLY
from campaigns.outcomes import DECLINED as DECLINED
from campaigns.outcomes import OUTCOMES as OUTCOMES
from campaigns.outcomes import REPLIED as REPLIED
from campaigns.tiers import TIERS as TIERS
from campaigns.tiers import tier_for_arr as tier_for_arr

CHANNELS: Final = ("email", "linkedin", "call", "content", "executive")
# Channels a person carries out; the sequence waits for them to report back.
MANUAL_CHANNELS: Final = frozenset({"linkedin", "call", "executive"})
CHURN_REASONS: Final = (
    "product_gap",
    "competitive",
    "service",
    "budget",
    "adoption",
    "bad_fit",
    "structural",
    "other",
)
DEPARTURES: Final = ("graceful", "neutral", "angry")
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

WAIT_UNITS: Final = ("days", "weeks", "business_days")
_WAIT_RE = re.compile(r"^\s*(\d+)\s+(business\s+days?|days?|weeks?)\s*$", re.IGNORECASE)


def owner_handle(email: str) -> str:
    """The CSM's handle: what ids, search attributes, task folders and logs may carry
    instead of an email address ("maria.lind@winback.example" -> "maria.lind")."""
    return email.split("@", 1)[0]


@dataclass(frozen=True)
class Wait:
    """A gap between touches: calendar days, weeks, or business days."""

    amount: int
    unit: str  # one of WAIT_UNITS

    @classmethod
    def parse(cls, text: str) -> Wait:
        """Parse "3 business days", "1 week", "10 days"; ValueError says what is accepted."""
        m = _WAIT_RE.match(str(text))
        # Python will not even read a number of 4,300 digits; no wait needs more than a few.
        if not m or len(m.group(1)) > 6:
            raise ValueError(
                f'{excerpt(text)} is not a duration; write e.g. "3 business days", "10 days" or "1 week"'
            )
        amount = int(m.group(1))
        word = m.group(2).lower()
        if word.startswith("business"):
            unit = "business_days"
        elif word.startswith("week"):
            unit = "weeks"
        else:
            unit = "days"
        return cls(amount, unit)

    def approx_days(self) -> float:
        """Calendar length, counting a business day as 7/5 of a day (for span checks only)."""
        if self.unit == "weeks":
            return self.amount * 7.0
        if self.unit == "business_days":
            return self.amount * 7.0 / 5.0
        return float(self.amount)

    def __str__(self) -> str:
        word = {"days": "day", "weeks": "week", "business_days": "business day"}[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class Touch:
    """One step of a playbook as written in its YAML file."""

    channel: str
    wait: Wait
    template: str
    tiers: tuple[str, ...]
    deadline: Wait | None = None  # manual channels only


@dataclass(frozen=True)
class PlannedTouch:
    """A touch as one account's sequence runs it.

    `waits` is everything to wait since the previous touch this account gets: when a playbook
    touch does not apply to the tier, its wait carries over so every tier keeps the same
    timeline.
    """

    number: int  # 1-based within the account's sequence
    channel: str
    waits: tuple[Wait, ...]
    template: str
    deadline: Wait | None = None


@dataclass(frozen=True)
class Playbook:
    id: str
    name: str
    touches: tuple[Touch, ...]
    description: str = ""

    def for_tier(self, tier: str) -> tuple[PlannedTouch, ...]:
        planned: list[PlannedTouch] = []
        pending: list[Wait] = []
        for touch in self.touches:
            pending.append(touch.wait)
            if tier not in touch.tiers:
                continue
            planned.append(
                PlannedTouch(
                    number=len(planned) + 1,
                    channel=touch.channel,
                    waits=tuple(w for w in pending if w.amount),
                    template=touch.template,
                    deadline=touch.deadline,
                )
            )
            pending = []
        return tuple(planned)


@dataclass(frozen=True)
class Blackout:
    start: str  # ISO date, inclusive
    end: str  # ISO date, inclusive
    reason: str


@dataclass(frozen=True)
class Schedule:
    window_start: str = "09:00"  # local time of the recipient
    window_end: str = "17:00"  # exclusive; "24:00" means end of day
    weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")
    quarter_end_blackout_days: int = 5
    blackouts: tuple[Blackout, ...] = ()


@dataclass(frozen=True)
class Sender:
    from_email: str
    from_name: str
    postal_address: str


@dataclass(frozen=True)
class Offer:
    kind: str  # discount | pilot | migration | dedicated_csm | ...
    value: str
    expires_in_days: int


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for, on top of the rules every campaign follows. Empty = everyone."""

    churn_reasons: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2, upper case
    # A pattern the churn detail must match: "/salesforce/i" (a regular expression with flags)
    # or plain text (matched case-insensitively anywhere in the detail).
    churn_detail: str = ""
    # The window of months since churn; a release campaign may reach further back.
    min_months: int = 6
    max_months: int = 36
    # Competitors with a live signal (price rise, acquisition, outage): accounts lost to them
    # rank high instead of medium.
    competitor_signals: tuple[str, ...] = ()


# First emails one sender starts per day (campaigns.stagger spreads a launch under it); a
# campaign may set 1 to MAX_DAILY_CAP.
DEFAULT_DAILY_CAP: Final = 200
MAX_DAILY_CAP: Final = 10_000


@dataclass(frozen=True)
class Trigger:
    """One `triggers:` rule of a campaign: a signal of these kinds about an account the filter
    admits starts this playbook (campaigns/triggers.py reads and applies them)."""

    on: tuple[str, ...]  # signal kinds (campaigns.triggers.SIGNAL_KINDS)
    playbook: str  # the id of one of the campaign's playbooks
    when: Audience = Audience()  # churn reasons, tiers, countries, churn detail; empty = any account
    milestones: tuple[str, ...] = ()  # for `time`: which milestones (empty = every one)


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    playbooks: tuple[tuple[str, Playbook], ...]  # churn reason (or "default") -> playbook
    schedule: Schedule
    sender: Sender
    offer: Offer | None = None
    source: str = ""  # the file it was loaded from, for messages
    audience: Audience = Audience()
    cool_off: CoolOff = CoolOff()
    # First emails a launch lets this campaign's sender start per day (staggering).
    daily_cap: int = DEFAULT_DAILY_CAP
    starts_on: str | None = None  # ISO date; no sequence starts before it
    triggers: tuple[Trigger, ...] = ()  # signals that start a sequence (signal watchers)

    def playbook_for(self, churn_reason: str) -> Playbook | None:
        by_reason = dict(self.playbooks)
        return by_reason.get(churn_reason) or by_reason.get("default")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    title: str = ""
    linkedin_url: str = ""


@dataclass(frozen=True)
class Account:
    """One row of the CRM export, validated."""

    account_id: str
    company: str
    domain: str
    country: str  # ISO 3166 alpha-2, upper case
    timezone: str  # IANA, resolved from the country when the file left it empty
    arr: float
    churned_on: str | None  # ISO date; None for at-risk accounts
    churn_reason: str
    churn_detail: str
    competitor: str
    departure: str
    owner: str  # CSM email
    contact: Contact
    locale: str = "en"  # the contact's BCP 47 tag as written; "" means the country's language
    executive: Contact | None = None
    aliases: tuple[str, ...] = ()
    currency: str = ""  # ISO 4217; "" means the country's (campaigns/locales.py)
    owner_locale: str = ""  # the owner's language for task notes; "" means en

    @property
    def tier(self) -> str | None:
        return tier_for_arr(self.arr)

    @property
    def owner_handle(self) -> str:
        return owner_handle(self.owner)


@dataclass(frozen=True)
class TriggerEvidence:
    """Why a watcher started a sequence: the story a CSM reads in status and current details."""

    kind: str  # a signal kind (campaigns.triggers.SIGNAL_KINDS): funding, release, time ...
    title: str  # the headline; never a person's name or address
    url: str = ""  # the real article URL
    published: str | None = None  # ISO 8601 date or moment of the story, if known
    company: str = ""  # the story's subject as written (a competitor's story: the competitor)


@dataclass(frozen=True)
class Contacts:
    primary: Contact
    executive: Contact | None = None


@dataclass(frozen=True)
class AccountRef:
    """What a running sequence needs to know about its account (no CRM-only fields)."""

    account_id: str
    company: str
    domain: str
    country: str
    timezone: str
    tier: str
    churn_reason: str
    churn_detail: str
    competitor: str
    owner: str
    locale: str = "en"  # the contact's tag as the accounts file wrote it; "" means the country's
    churned_on: str | None = None
    # Added with the translations; histories from before them carry the defaults.
    currency: str = ""  # ISO 4217; "" means the country's
    owner_locale: str = ""  # the owner's language for task notes; "" means en

    @property
    def owner_handle(self) -> str:
        return owner_handle(self.owner)


@dataclass(frozen=True)
class SequencePlan:
    """The playbook as this account runs it."""

    playbook_id: str
    playbook_name: str
    touches: tuple[PlannedTouch, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Enrolment:
    """One sequence an account had in a campaign, as the store remembers it."""

    account_id: str
    campaign_id: str
    workflow_id: str
    run_id: str
    started_on: str  # ISO date
    ended_on: str | None = None  # None while it runs
    outcome: str | None = None  # one of OUTCOMES
