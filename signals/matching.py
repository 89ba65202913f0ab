"""Which account (or which competitor) an event is about, decided without guessing.

A match starts outreach to a real person, so a wrong match is worse than a missed one:

- The event's subject must BE the account's name or alias (after `names.normalise`), or end
  with it as whole words ("Finnish startup Revontuli Analytics"); a name merely mentioned
  elsewhere in the headline never matches.
- A name that is an ordinary word ("Box", "Notion") needs corroboration: the account's domain
  in the article URL or text, or the headline's subject being exactly that name, written with
  its capital.
- Two accounts with the same name match neither, unless the domain says which one.

The index is built once per poll: one Aho-Corasick automaton over every name, alias and
competitor, and dicts by domain. Matching an event then costs a pass over its subject and a
few dict lookups, whatever the number of accounts (bench/match.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlsplit

import ahocorasick

from campaigns.model import Account
from signals.names import fold, is_common_word, normalise, script_of
from signals.records import COMPETITOR_KINDS, Event, Matched

__all__ = ["ACCOUNT_FIRST_KINDS", "AccountIndex"]

# A name that is both a customer's and a competitor's: these kinds are news about a company
# as a prospect (the account), the others about a rival's product (the competitor).
ACCOUNT_FIRST_KINDS: Final = frozenset(
    {"funding", "executive_change", "expansion", "layoffs", "hiring", "leadership_hire", "acquisition"}
)
_DOMAIN: Final = re.compile(r"(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w-])")


def _domain_key(domain: str) -> str:
    domain = domain.strip().lower().rstrip(".")
    if "://" in domain:
        domain = urlsplit(domain).hostname or ""
    domain = domain.split("/", 1)[0]
    return domain[4:] if domain.startswith("www.") else domain


def _parents(host: str) -> Iterable[str]:
    """news.acme.io, acme.io (never the bare top-level domain)."""
    labels = host.split(".")
    for i in range(len(labels) - 1):
        yield ".".join(labels[i:])


@dataclass(frozen=True)
class _Entry:
    account_ids: tuple[str, ...]  # the accounts with this name or alias
    by: tuple[tuple[str, str], ...]  # (account id, "name" | "alias")
    competitor_of: tuple[str, ...]  # the accounts lost to a competitor of this name
    written: tuple[str, ...]  # how the CRM writes it ("Box", "Notion"), for the capital check


class AccountIndex:
    """Every account's names, aliases, competitors and domains, indexed once per poll."""

    def __init__(self, keys: dict[str, _Entry], domains: dict[str, tuple[str, ...]], automaton: Any) -> None:
        self._keys = MappingProxyType(keys)
        self._domains = MappingProxyType(domains)
        self._automaton = automaton

    @classmethod
    def build(cls, accounts: Sequence[Account]) -> AccountIndex:
        ids: dict[str, dict[str, str]] = defaultdict(dict)
        competitors: dict[str, set[str]] = defaultdict(set)
        written: dict[str, set[str]] = defaultdict(set)
        domains: dict[str, set[str]] = defaultdict(set)
        for account in accounts:
            for text, by in [(account.company, "name"), *((a, "alias") for a in account.aliases)]:
                key = normalise(text)
                if not key:
                    continue
                # The name wins over an alias that says the same.
                if ids[key].get(account.account_id) != "name":
                    ids[key][account.account_id] = by
                written[key].add(_written(text))
            if account.competitor.strip():
                key = normalise(account.competitor)
                if key:
                    competitors[key].add(account.account_id)
                    written[key].add(_written(account.competitor))
            domain = _domain_key(account.domain)
            if "." in domain:
                domains[domain].add(account.account_id)
        keys: dict[str, _Entry] = {}
        automaton = ahocorasick.Automaton()
        for key in set(ids) | set(competitors):
            named = tuple(sorted(ids.get(key, {}).items()))
            keys[key] = _Entry(
                account_ids=tuple(a for a, _ in named),
                by=named,
                competitor_of=tuple(sorted(competitors.get(key, ()))),
                written=tuple(sorted(written[key])),
            )
            # Latin names are searched with a space either side: only whole words match.
            automaton.add_word(key if script_of(key) == "cjk" else f" {key} ", key)
        if keys:
            automaton.make_automaton()
        return cls(keys, {d: tuple(sorted(a)) for d, a in domains.items()}, automaton if keys else None)

    # -- look-ups --------------------------------------------------------------------------------

    def accounts_for_domain(self, domain: str) -> tuple[str, ...]:
        """The accounts whose domain is this one or a parent of it (news.acme.io -> acme.io)."""
        found: set[str] = set()
        for parent in _parents(_domain_key(domain)):
            found.update(self._domains.get(parent, ()))
        return tuple(sorted(found))

    def competitor_accounts(self, name: str) -> tuple[str, ...]:
        """The accounts lost to the competitor of this name."""
        entry = self._keys.get(normalise(name))
        return entry.competitor_of if entry else ()

    def _subject_key(self, subject: str) -> str:
        """The longest name the subject ends with, as whole words (or, in CJK, characters)."""
        if self._automaton is None or not subject:
            return ""
        cjk = script_of(subject) == "cjk"
        text = subject if cjk else f" {subject} "
        best = ""
        for end, key in self._automaton.iter(text):
            # The head of an English noun phrase is its last word: "Finnish startup Revontuli
            # Analytics" is about Revontuli Analytics; "Acme-backed Globex" is not about Acme.
            if end == len(text) - 1 and len(key) > len(best):
                best = key
        return best

    def _domain_accounts(self, event: Event) -> set[str]:
        hosts = [_domain_key(event.url)] if event.url else []
        hosts.extend(_DOMAIN.findall(event.context.lower()))
        found: set[str] = set()
        for host in hosts:
            for parent in _parents(host):
                found.update(self._domains.get(parent, ()))
        return found

    # -- matching --------------------------------------------------------------------------------

    def match(self, event: Event) -> Matched:
        """The account the event is about, or the accounts a competitor's event concerns, or
        nothing (ambiguous, weak without corroboration, or no known name)."""
        none = Matched(event=event, account_id=None, matched_by=None)
        if not event.company.strip():
            return none
        subject = normalise(event.company)
        key = self._subject_key(subject)
        if not key:
            return self._by_domain_in_subject(event) or none
        entry = self._keys[key]
        exact = key == subject
        weak = is_common_word(key)
        written_as_is = exact and any(_written_in(w, event.company) for w in entry.written)
        account_first = event.kind in ACCOUNT_FIRST_KINDS or event.kind not in COMPETITOR_KINDS
        if entry.account_ids and (account_first or not entry.competitor_of):
            return self._account(event, entry, weak=weak, written_as_is=written_as_is) or none
        if entry.competitor_of and event.kind in COMPETITOR_KINDS:
            if weak and not written_as_is:
                return none
            return Matched(event=event, account_id=None, matched_by=None, concerns=entry.competitor_of)
        return none

    def _account(self, event: Event, entry: _Entry, *, weak: bool, written_as_is: bool) -> Matched | None:
        corroborated = self._domain_accounts(event) & set(entry.account_ids)
        if len(entry.account_ids) > 1:
            # Two accounts of one name: only the domain can say which (precision first).
            if len(corroborated) == 1:
                return Matched(event=event, account_id=corroborated.pop(), matched_by="domain")
            return None
        account_id, by = entry.by[0]
        if weak:
            if corroborated:
                return Matched(event=event, account_id=account_id, matched_by="domain")
            if not written_as_is:
                return None
        return Matched(event=event, account_id=account_id, matched_by=by)

    def _by_domain_in_subject(self, event: Event) -> Matched | None:
        """A subject written as a domain ("Box.com raises $100M") names that account."""
        for host in _DOMAIN.findall(event.company.lower()):
            ids = self._domains.get(_domain_key(host), ())
            if len(ids) == 1:
                return Matched(event=event, account_id=ids[0], matched_by="domain")
        return None


def _written(text: str) -> str:
    """A name as the CRM writes it, legal form dropped: what a headline would capitalise."""
    key_words = len(normalise(text).split())
    words = re.split(r"[\s,]+", text.strip())
    return " ".join(words[:key_words]) if script_of(text) != "cjk" else text


def _written_in(written: str, subject: str) -> bool:
    if script_of(written) == "cjk":
        return True
    # Case-sensitive on purpose: "Box raises $100M" is the company, "box" the word.
    return re.search(rf"(?<![\w.]){re.escape(written)}(?![\w])", subject) is not None and (
        fold(written) == fold(subject) or subject.endswith(written)
    )
