"""A signal watcher's poll: read the source, extract events, match them to accounts, store
them once, then act: start the playbook a campaign trigger names (through the one start path),
or stop a sequence whose account a story shows is out of reach.

Order matters for "once and only once": an event is stored before anything acts on it, and
marked acted only when every account it concerns was decided (activities/store/watch.py); a
poll that dies in between acts on what is left when it is retried, and Temporal's one running
sequence per account refuses a second start. The same story in two feeds is one event.

A source that cannot be read or parsed is recorded with its reason (`winback watch list`) and
the poll succeeds, so the Schedule keeps going and the other sources are not held up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities import pipeline
from activities.failures import classified
from activities.launch import start_sequence
from activities.store import Store
from activities.store.records import PollRecord, SignalDecision, StoredSignal, WatchSource
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import Account, Campaign, Enrolment, Trigger, TriggerEvidence
from campaigns.triggers import COMPETITOR_KINDS, campaign_for, milestones_on
from contracts import ids
from contracts.codec import decode_input
from contracts.sequence import DISQUALIFIED, StopNotice
from contracts.watch import PollRequest, PollResult
from signals.decide import DISQUALIFY, START, Action, decide, event_key, evidence_for
from signals.extract import events_of, job_events
from signals.fetch import FetchError, Resolver, Validators, guarded_client, system_resolver
from signals.matching import AccountIndex
from signals.records import Event, Matched
from signals.sources import Read, SourceSpec, parse, read_source

__all__ = ["Acted", "WatchActivities", "Watcher", "stored", "time_events"]

# How far back the time source looks when it missed days (a worker that was down for a week
# still sends the 6-month touch, a few days late).
TIME_CATCH_UP_DAYS: Final = 7
STARTED: Final = "started"
EXCLUDED: Final = "excluded"
ALREADY_RUNNING: Final = "already_running"
DISQUALIFIED_RESULT: Final = "disqualified"
NOT_RUNNING: Final = "not_running"
FAILED: Final = "failed"


@dataclass
class _Today:
    """What the launch rules need from the store, read once per act() rather than once per
    event: at 100,000 accounts `recall` reads every preference and enrolment."""

    memory: pipeline.Memory
    started: int  # sequences this campaign started today, counting the ones started since


@dataclass
class Acted:
    """What acting on a batch of events did (counts for the poll's result and the CLI)."""

    started: list[str] = field(default_factory=list)  # account ids
    disqualified: list[str] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (account id, why)
    failures: list[str] = field(default_factory=list)


class Watcher:
    """The poll and the acting, apart from Temporal's activity plumbing (the CLI's `release`
    and `watch run-once` call it too)."""

    def __init__(
        self,
        client: Client,
        store: Store,
        *,
        task_queue: str,
        resolver: Resolver = system_resolver,
    ) -> None:
        self.client = client
        self.store = store
        self.task_queue = task_queue
        self.resolver = resolver

    async def poll(self, source_id: str, *, now: datetime) -> PollResult:
        src = await asyncio.to_thread(self.store.watch_source, source_id)
        if src is None:
            raise ApplicationError(
                f"no watched source {source_id!r}; add it with winback watch add",
                type="UnknownSource",
                non_retryable=True,
            )
        try:
            campaign = load_campaign(Path(src.campaign_path))
        except ConfigError as err:
            return await self._failed(src, now, err.lines[0])
        except OSError as err:
            return await self._failed(src, now, f"campaign {src.campaign_path}: {err.strerror or err}")
        accounts = await asyncio.to_thread(self.store.accounts)
        index = AccountIndex.build(accounts)

        entries, not_modified, open_roles = 0, False, None
        validators = Validators(src.etag, src.last_modified)
        if src.kind == "time":
            since = (src.last_success_at or now - timedelta(days=1)).astimezone(UTC).date()
            matched = time_events(accounts, since=since, until=now.date())
            entries = len(matched)
        else:
            spec = SourceSpec(kind=src.kind, location=src.location, company=src.company)
            try:
                read = await self._read(spec, validators)
            except FetchError as err:  # a source that cannot be read is reported, never fatal
                return await self._failed(src, now, _one_line(err))
            not_modified = read.not_modified
            validators = read.validators
            matched = []
            if not read.not_modified and read.body is not None:
                parsed = parse(spec, read.body, read.final_url)
                if parsed.problem is not None:
                    return await self._failed(src, now, parsed.problem)
                if src.kind == "jobs":
                    events = job_events(
                        parsed.postings,
                        company=src.company or next((p.company for p in parsed.postings if p.company), ""),
                        previous_open=src.open_roles,
                        url=read.final_url,
                        competitors=sorted({a.competitor for a in accounts if a.competitor.strip()}),
                    )
                    open_roles = len(parsed.postings)
                    entries = len(parsed.postings)
                else:
                    events = [e for entry in parsed.entries for e in events_of(entry)]
                    entries = len(parsed.entries)
                matched = [index.match(e) for e in events]

        found = [stored(m, source_id) for m in matched]
        new = await asyncio.to_thread(self.store.record_signals, found, at=now)
        await asyncio.to_thread(
            self.store.record_poll,
            source_id,
            PollRecord(
                at=now,
                not_modified=not_modified,
                entries=entries,
                new_events=len(new),
                etag=validators.etag,
                last_modified=validators.last_modified,
                open_roles=open_roles,
            ),
        )
        acted = await self.act(source_id, campaign, accounts, index, now=now)
        return PollResult(
            source_id=source_id,
            entries=entries,
            new_events=len(new),
            not_modified=not_modified,
            started=len(acted.started),
            disqualified=len(acted.disqualified),
            excluded=len(acted.excluded),
            failures=acted.failures[:20],
        )

    async def _read(self, spec: SourceSpec, validators: Validators) -> Read:
        # A client per poll that dials only the addresses the SSRF guard checked.
        async with guarded_client(self.resolver) as http:
            return await read_source(spec, client=http, previous=validators, resolver=self.resolver)

    async def _failed(self, src: WatchSource, now: datetime, reason: str) -> PollResult:
        await asyncio.to_thread(self.store.record_poll, src.source_id, PollRecord(at=now, error=reason))
        return PollResult(source_id=src.source_id, error=reason)

    async def act(
        self,
        source_id: str,
        campaign: Campaign,
        accounts: Sequence[Account],
        index: AccountIndex,
        *,
        now: datetime,
    ) -> Acted:
        """Decide and do what every stored, not yet acted event of this source asks for."""
        by_id = {a.account_id: a for a in accounts}
        acted = Acted()
        today: _Today | None = None
        for signal in await asyncio.to_thread(self.store.unacted_signals, source_id):
            event = Event(
                kind=signal.kind,
                company=signal.company,
                title=signal.title,
                url=signal.url,
                published=signal.published,
                facts=signal.facts,
                story=signal.story,
            )
            concerns = index.competitor_accounts(signal.company) if signal.competitor else ()
            matched = Matched(event, signal.account_id, signal.matched_by, tuple(concerns))
            actions = decide(matched, campaign, by_id, everyone=accounts)
            if today is None and any(a.what == START for a in actions):
                today = await self._today(campaign.id, now.date())
            decisions = await self._do(
                campaign, actions, by_id, evidence_for(event), now=now, acted=acted, today=today
            )
            await asyncio.to_thread(self.store.record_decisions, signal.event_key, decisions, at=now)
        return acted

    async def _do(
        self,
        campaign: Campaign,
        actions: Sequence[Action],
        by_id: dict[str, Account],
        evidence: TriggerEvidence,
        *,
        now: datetime,
        acted: Acted,
        today: _Today | None,
    ) -> list[SignalDecision]:
        decisions: list[SignalDecision] = []
        starts: dict[Trigger, list[Account]] = {}
        for action in actions:
            if action.what == DISQUALIFY:
                result = await self._disqualify(action.account_id, action.note)
                if result == DISQUALIFIED_RESULT:
                    acted.disqualified.append(action.account_id)
                decisions.append(SignalDecision(action.account_id, campaign.id, result, action.note))
            elif action.what == START and action.rule is not None:
                starts.setdefault(action.rule, []).append(by_id[action.account_id])
            else:
                decisions.append(SignalDecision(action.account_id, campaign.id, action.what, action.note))
        for rule, chosen in starts.items():
            assert today is not None  # read by act() before any start
            decisions += await self._start(
                campaign_for(campaign, rule), chosen, evidence, now=now, acted=acted, today=today
            )
        return decisions

    async def _today(self, campaign_id: str, day: date) -> _Today:
        memory = await asyncio.to_thread(pipeline.recall, self.store, campaign_id, as_of=day)
        started = await asyncio.to_thread(self.store.started_that_day, campaign_id, day)
        return _Today(memory=memory, started=started)

    async def _disqualify(self, account_id: str, note: str) -> str:
        handle = self.client.get_workflow_handle(ids.workflow_id_for(account_id))
        try:
            await handle.signal(ids.STOP, StopNotice(outcome=DISQUALIFIED, reason=note[:300]))
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                return NOT_RUNNING
            raise
        return DISQUALIFIED_RESULT

    async def _start(
        self,
        campaign: Campaign,
        chosen: Sequence[Account],
        evidence: TriggerEvidence,
        *,
        now: datetime,
        acted: Acted,
        today: _Today,
    ) -> list[SignalDecision]:
        """The one start path, as `winback launch` runs it, for the accounts one rule took.
        An account started by an earlier event of this act() is not in `today.memory`;
        Temporal's one running sequence per account refuses it (already_running)."""
        as_of = now.date()
        the_plan = pipeline.plan(campaign, chosen, today.memory, as_of=as_of)
        items = pipeline.items(
            the_plan,
            campaign,
            chosen,
            now=now,
            evidence={a.account_id: evidence for a in chosen},
            started={as_of: today.started},
        )
        decisions = [
            SignalDecision(e.account_id, campaign.id, EXCLUDED, "; ".join(e.reasons))
            for e in the_plan.entries
            if not e.included
        ]
        acted.excluded += [(d.account_id, d.note) for d in decisions]
        enrolments: list[Enrolment] = []
        for item in items:
            inp = decode_input(item.payload)
            try:
                handle = await start_sequence(self.client, self.task_queue, inp)
            except WorkflowAlreadyStartedError:
                decisions.append(SignalDecision(item.account_id, campaign.id, ALREADY_RUNNING, ""))
                continue
            except RPCError as err:
                acted.failures.append(f"{item.account_id}: {err.message}")
                decisions.append(SignalDecision(item.account_id, campaign.id, FAILED, err.message))
                continue
            acted.started.append(item.account_id)
            today.started += 1
            enrolments.append(
                Enrolment(
                    account_id=item.account_id,
                    campaign_id=campaign.id,
                    workflow_id=ids.workflow_id_for(item.account_id),
                    run_id=handle.result_run_id or "",
                    started_on=as_of.isoformat(),
                )
            )
            decisions.append(SignalDecision(item.account_id, campaign.id, STARTED, inp.plan.playbook_id))
        await asyncio.to_thread(self.store.record_started, enrolments)
        return decisions


def time_events(accounts: Sequence[Account], *, since: date, until: date) -> list[Matched]:
    """The time source: each milestone (campaigns.triggers.MILESTONES) falling after `since`
    up to `until`, at most TIME_CATCH_UP_DAYS back, as an event about its account."""
    first = max(since + timedelta(days=1), until - timedelta(days=TIME_CATCH_UP_DAYS - 1))
    out: list[Matched] = []
    day = first
    while day <= until:
        for account in accounts:
            for milestone in milestones_on(account, day):
                title = f"{_MILESTONE_WORDS[milestone]} ({account.account_id})"
                event = Event(
                    kind="time",
                    company=account.company,
                    title=title,
                    url="",
                    published=day.isoformat(),
                    facts=(("milestone", milestone),),
                    story=f"time:{account.account_id}:{milestone}:{day.isoformat()}",
                )
                out.append(Matched(event, account.account_id, "name"))
        day += timedelta(days=1)
    return out


_MILESTONE_WORDS: Final = {
    "months_6": "6 months since they left",
    "months_12": "12 months since they left",
    "competitor_renewal": "their first contract with the competitor comes up for renewal",
    "anniversary": "another year since they left",
}


def stored(m: Matched, source_id: str) -> StoredSignal:
    """An event as the store keeps it, under the source that saw it."""
    e = m.event
    # A competitor's story (it concerns the accounts lost to it): kept by the competitor's name,
    # which is what the plan's live-signal rule looks up.
    is_competitor = m.account_id is None and e.kind in COMPETITOR_KINDS and bool(m.concerns)
    competitor = e.company.casefold().strip() if is_competitor else ""
    return StoredSignal(
        event_key=event_key(e),
        story=e.story,
        kind=e.kind,
        company=e.company,
        title=e.title,
        url=e.url,
        published=e.published,
        facts=e.facts,
        source_id=source_id,
        account_id=m.account_id,
        matched_by=m.matched_by,
        competitor=competitor,
    )


def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split())[:500] or type(err).__name__


class WatchActivities:
    """The watch workflow's one activity; holds the clients a poll needs."""

    def __init__(
        self, client: Client, store: Store, *, task_queue: str, resolver: Resolver = system_resolver
    ):
        self.watcher = Watcher(client, store, task_queue=task_queue, resolver=resolver)

    @activity.defn
    async def poll_source(self, req: PollRequest) -> PollResult:
        with classified(f"watched source {req.source_id}"):
            return await self.watcher.poll(req.source_id, now=datetime.now(UTC))
