"""The records every watcher stage passes on: frozen, hashable, and free of personal data.

A source yields `Entry` (a feed item) or `JobPosting` records; extraction turns them into typed
`Event`s; matching pairs an event with the account it is about (`Matched`). The stages are
small and behind Protocols (signals/sources.py), so a new kind of source only has to produce
these records.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from campaigns.triggers import COMPETITOR_KINDS as COMPETITOR_KINDS
from campaigns.triggers import EVENT_KINDS as EVENT_KINDS

__all__ = [
    "COMPETITOR_KINDS",
    "EVENT_KINDS",
    "MATCHED_BY",
    "Entry",
    "Event",
    "JobPosting",
    "Matched",
    "story_key",
]

# The kinds of story (a contract of `winback signals scan --json`) and which are a competitor's:
# their home is the rule that reads them, campaigns/triggers.py.
MATCHED_BY: Final = ("name", "alias", "domain")

_NOT_WORD: Final = re.compile(r"[\W_]+", re.UNICODE)


def story_key(title: str, fallback: str = "") -> str:
    """A stable content hash of a story: its headline with case, accents, punctuation and
    spacing folded away, so the same story carried by two feeds (or polled twice) is one
    story. `fallback` (the URL) is hashed only when there is no headline."""
    folded = unicodedata.normalize("NFKD", title).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = _NOT_WORD.sub(" ", folded).strip()
    basis = words or fallback.strip()
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Entry:
    """One item of a feed (news, funding news, Google Alerts) or one release we announced."""

    source: str  # the source's URL or file path as configured (never personal data)
    title: str  # plain text, tags stripped, whitespace collapsed
    url: str  # the real article URL (feedburner origLink and Google redirects resolved); "" if none
    summary: str = ""  # plain text, tags stripped, at most 2,000 characters
    published: str | None = None  # ISO 8601 in UTC ("2026-11-30T08:00:00+00:00"), None if absent/unreadable

    @property
    def content_hash(self) -> str:
        return story_key(self.title, self.url)


@dataclass(frozen=True)
class JobPosting:
    """One open role on a job board or career page."""

    board: str  # greenhouse | lever | ashby | jsonld | microdata
    company: str  # the hiring company as the board names it; "" when the board does not say
    title: str
    url: str
    department: str = ""  # "" when the board has none (Lever: its team)
    location: str = ""
    posted: str | None = None  # ISO 8601 in UTC, None if absent
    description: str = ""  # plain text, at most 2,000 characters

    @property
    def content_hash(self) -> str:
        return story_key(f"{self.company} {self.title} {self.location}", self.url)


@dataclass(frozen=True)
class Event:
    """A typed fact extracted from an entry or a board: what happened, to whom, with evidence."""

    kind: str  # one of EVENT_KINDS
    company: str  # the subject of the story as written in it (a competitor's event: the competitor)
    title: str  # the headline (a board's hiring event: a one-line description)
    url: str  # the real article URL
    published: str | None  # ISO 8601 or None
    facts: tuple[tuple[str, str], ...] = ()  # sorted (name, value): round, amount, currency, acquirer ...
    story: str = ""  # the story's content hash (Entry.content_hash): de-duplicates across feeds and polls
    # The headline and summary the event came from: matching looks for the account's domain in
    # it (corroboration for names that are common words). Never printed as a fact.
    context: str = ""

    def fact(self, name: str) -> str:
        return dict(self.facts).get(name, "")


@dataclass(frozen=True)
class Matched:
    """An event and the account it is about (or None). A competitor's event names no account:
    `concerns` are the accounts lost to that competitor."""

    event: Event
    account_id: str | None
    matched_by: str | None  # one of MATCHED_BY, or None
    concerns: tuple[str, ...] = ()  # account ids whose `competitor` names the event's company
