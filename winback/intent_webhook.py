"""`POST /webhooks/intent`: cancel intents a product reports (issue 12, part 4).

In this order, as the SendGrid event webhook (winback/webhooks.py): no WINBACK_INTENT_SECRET
configured answers 503 (nothing is read); a body over MAX_BODY 413; a missing, wrong or stale
signature 403 (inbound/intent_events.py: HMAC-SHA256 over timestamp + "." + body, 5 minutes
either way) and nothing is stored; a body that is not the wire format 400 (one line). Then every
event is stored once (activities/store/intent.py) before anything acts on it, and only then,
for each event:

- the account's running SaveWorkflow (`save-{account_id}`) hears it as the `intent` signal,
  where it is a red flag and an abandoned cancel flow opens the owner's intervention task
  (workflows/save_intent.py);
- with no save running, the account's row of its newest `saves launch` (the store's
  `save_watch`, campaigns/save_watch.py) is judged again today with the stored intents counted.
  When the plan now includes it, and no save of the account has ended since that launch, its
  save starts from that row with the intent as its first signal (one signal-with-start), exactly
  as `saves launch` would have started it today;
- otherwise an abandoned cancel flow still gives the owner the same intervention task on their
  board, due within one business day (campaigns/intent.py), saying why no save started; any
  other kind is a red flag the next plan counts (`winback saves intent` lists them).

An event is marked acted once told; a failure to tell answers 503 and the product posts again:
stored once, the events not acted on yet are acted on then. The 2xx comes only after both.
No secret, MAC, detail or body is ever logged: account ids, kinds and counts only.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Protocol

from activities.saves import watched_input
from activities.tasks import FolderTaskBoard, TaskBoard
from campaigns import calendar
from campaigns import intent as rules
from campaigns.model import Account
from campaigns.risk import intents_since
from campaigns.save_report import AtRiskAccount
from campaigns.save_watch import WatchedRenewal, judge, spent
from campaigns.triage import SaveEntry
from contracts import ids
from contracts.intent import IntentNotice
from contracts.saves import SaveInput, SaveOutcomeRecord
from contracts.sequence import TaskAssignment
from inbound import intent_events as wire
from winback.settings import Settings

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

log = logging.getLogger("winback.web.intent")

PATH: Final = "/webhooks/intent"
MAX_BODY: Final = 1024 * 1024  # a thousand events with their details stay far below this
ACT_TIMEOUT_S: Final = 10.0
# How an event was acted on (intent_events.acted_how).
BY_SAVE: Final = "save"  # the running save heard it
BY_START: Final = "started"  # no save ran: the intent put the account at risk and started its save
BY_TASK: Final = "task"  # no save: the owner's intervention task was written here
AS_FLAG: Final = "flag"  # no save, and a red flag only
BY_NOBODY: Final = "nobody"  # no save, and an account this store does not know: stored only

NO_SECRET: Final = (
    "Cancel intents are not accepted: WINBACK_INTENT_SECRET is not set. Set it to a shared secret "
    "(`openssl rand -hex 32`) and sign each post with it."
)
TOO_LARGE: Final = f"The body is larger than {MAX_BODY // 1024} KB; post fewer events at a time."
NOT_STORED: Final = "The events could not be stored just now; post them again."
NOT_ACTED: Final = "The events are stored but could not all be acted on just now; post them again."


class SaveIntents(Protocol):
    async def save_intent(self, account_id: str, notice: IntentNotice) -> bool:
        """Signal the account's running save; False when none runs."""
        ...

    async def start_save(self, task_queue: str, inp: SaveInput, notice: IntentNotice) -> None:
        """Start the account's save with the intent as its first signal (or, should one have
        started meanwhile, signal that one)."""
        ...


class IntentStore(Protocol):
    """The part of activities.store.Store the endpoint uses."""

    def record_intent_events(
        self, events: Sequence[wire.IntentEvent], *, received_at: datetime
    ) -> set[str]: ...

    def mark_intent_acted(self, dedup_key: str, *, at: datetime, how: str) -> None: ...

    def account(self, account_id: str) -> Account | None: ...

    def watched_renewal(self, account_id: str) -> WatchedRenewal | None: ...

    def intent_counts(self, *, since: datetime, account_id: str | None = None) -> dict[str, int]: ...

    def record_at_risk(self, rows: Sequence[AtRiskAccount]) -> None: ...

    def save_outcomes(self, *, account_id: str) -> list[SaveOutcomeRecord]: ...


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CancelIntents:
    """What the endpoint needs; winback/web.py's create_app receives it, or builds it from the
    settings with `from_settings`."""

    secret: bytes | None  # WINBACK_INTENT_SECRET
    store: Callable[[], IntentStore]  # called in a worker thread: it may open the store then
    saves: SaveIntents
    tasks: TaskBoard | None = None
    task_queue: str = ids.TASK_QUEUE  # where a save the endpoint starts runs
    clock: Callable[[], datetime] = _now
    max_body: int = MAX_BODY


def from_settings(settings: Settings, saves: SaveIntents) -> CancelIntents:
    return CancelIntents(
        secret=settings.intent_secret(),
        store=settings.store_opener(),
        saves=saves,
        tasks=FolderTaskBoard(settings.tasks_dir),
        task_queue=settings.task_queue,
    )


def intervention(
    account: Account, event: wire.IntentEvent, now: datetime, why_no_save: str, campaign_id: str = ""
) -> TaskAssignment:
    """The owner's intervention task when no save runs: the same due rule and words as a save's."""
    due = rules.intervention_due(now.replace(microsecond=0), account.country, account.timezone)
    occurred = calendar.to_local(event.occurred_at, account.timezone)
    wid = ids.save_workflow_id(account.account_id)
    return TaskAssignment(
        key=f"{wid}/intent-{event.dedup_key}"[:512],
        workflow_id=wid,
        account_id=account.account_id,
        company=account.company,
        campaign_id=campaign_id,
        owner=account.owner,
        touch=0,
        channel=rules.INTERVENTION_CHANNEL,
        template=event.kind,
        due_utc=due,
        due_local=calendar.to_local(due, account.timezone).isoformat(),
        subject=f"Intervene: {account.company} {rules.words(event.kind)}",
        text=rules.intervention_text(
            account.company, event.kind, occurred.strftime("%a %d %b %H:%M %Z"), event.detail
        )
        + f"\nNo save is running for this account: {why_no_save}\n",
        report_back=rules.INTERVENTION_REPORT,
    )


async def act(config: CancelIntents, event: wire.IntentEvent, now: datetime) -> str:
    """Tell the account's save, start it, or write its owner's task; how it was acted on. Raises
    when Temporal, the store or the board could not be reached."""
    notice = IntentNotice(
        event_id=event.event_id, kind=event.kind, occurred_at=event.occurred_at, detail=event.detail
    )
    if await config.saves.save_intent(event.account_id, notice):
        return BY_SAVE
    watched, entry, spent_why = await asyncio.to_thread(_judged, config, event.account_id, now)
    if watched is not None and entry is not None and entry.included and spent_why is None:
        await config.saves.start_save(config.task_queue, watched_input(watched, entry), notice)
        await asyncio.to_thread(_record_started, config, watched, entry, now)
        log.info("cancel intent %s for account %s started its save", event.kind, event.account_id)
        return BY_START
    if event.kind not in rules.INTERVENTION_KINDS:
        return AS_FLAG
    account = await asyncio.to_thread(lambda: config.store().account(event.account_id))
    if account is None and watched is not None:
        account = watched.renewal.account  # a saves file's account: not in the accounts import
    if account is None or config.tasks is None:
        log.warning(
            "cancel intent %s for account %s: no save runs and no owner is known",
            event.kind,
            event.account_id,
        )
        return BY_NOBODY
    campaign = watched.campaign_id if watched is not None else ""
    why = spent_why or _why_no_save(entry)
    await config.tasks.assign(intervention(account, event, now, why, campaign))
    return BY_TASK


def _judged(
    config: CancelIntents, account_id: str, now: datetime
) -> tuple[WatchedRenewal | None, SaveEntry | None, str | None]:
    """The account's row of its newest saves launch, judged today with its stored intents
    (this one included: it is stored before anything acts on it), and why the row may start
    no save even so (campaigns/save_watch.py `spent`)."""
    store = config.store()
    watched = store.watched_renewal(account_id)
    if watched is None:
        return None, None, None
    since = intents_since(now.date())
    intents = store.intent_counts(since=since, account_id=account_id).get(account_id, 0)
    ended = [(o.outcome, o.ended_at.date()) for o in store.save_outcomes(account_id=account_id)]
    return watched, judge(watched, intents=intents, as_of=now.date()), spent(watched, ended)


def _record_started(config: CancelIntents, watched: WatchedRenewal, entry: SaveEntry, now: datetime) -> None:
    """Counted by the saves report as an attempt of the launch's campaign, as a launched save is."""
    config.store().record_at_risk(
        [
            AtRiskAccount(
                campaign_id=watched.campaign_id,
                account_id=watched.account_id,
                planned_on=now.date(),
                arr=entry.arr,
                started=True,
            )
        ]
    )


def _why_no_save(entry: SaveEntry | None) -> str:
    """For the owner's task: why the intent started no save (the plan's own reason)."""
    if entry is None:
        return (
            "no saves launch has read its renewal, so there is no save plan to start; consider "
            "one (`winback saves launch`)."
        )
    reason = next((r for r in entry.reasons if r.startswith("not included: ")), "not included")
    return f"its saves plan leaves it out today ({reason.removeprefix('not included: ')})."


def _mark(config: CancelIntents, dedup_key: str, at: datetime, how: str) -> None:
    config.store().mark_intent_acted(dedup_key, at=at, how=how)


def routes(config: CancelIntents) -> list[Route]:
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    from winback.webhooks import _body

    if config.secret is None:
        log.info("WINBACK_INTENT_SECRET is not set: cancel intents are refused (503)")

    async def receive(request: Request) -> Response:
        if config.secret is None:
            return PlainTextResponse(NO_SECRET, status_code=503)
        body = await _body(request, config.max_body)
        if body is None:
            log.warning("refused a cancel intent post: body over %d bytes", config.max_body)
            return PlainTextResponse(TOO_LARGE, status_code=413)
        now = config.clock()
        problem = wire.verify(
            config.secret,
            request.headers.get(wire.SIGNATURE_HEADER),
            request.headers.get(wire.TIMESTAMP_HEADER),
            body,
            now,
        )
        if problem is not None:
            log.warning("refused a cancel intent post: %s", problem)
            return PlainTextResponse(f"Refused: {problem}.", status_code=403)
        try:
            events = wire.parse_events(body)
        except wire.MalformedIntent as err:
            log.warning("refused a signed cancel intent post: %s", err)
            return PlainTextResponse(f"Refused: {err}.", status_code=400)
        try:
            todo = await asyncio.to_thread(
                lambda: config.store().record_intent_events(events, received_at=now)
            )
        except Exception as err:
            log.error("could not store %d cancel intents: %s", len(events), type(err).__name__)
            return PlainTextResponse(NOT_STORED, status_code=503)
        done: Counter[str] = Counter()
        failed = 0
        for event in {e.dedup_key: e for e in events if e.dedup_key in todo}.values():
            try:
                how = await asyncio.wait_for(act(config, event, now), ACT_TIMEOUT_S)
                await asyncio.to_thread(_mark, config, event.dedup_key, now, how)
            except Exception as err:
                failed += 1
                log.error(
                    "cancel intent %s for account %s stored, not acted on: %s",
                    event.kind,
                    event.account_id,
                    type(err).__name__,
                )
                continue
            done[how] += 1
            log.info("cancel intent %s for account %s: %s", event.kind, event.account_id, how)
        if failed:
            return PlainTextResponse(NOT_ACTED, status_code=503)
        return JSONResponse(
            {
                "received": len(events),
                "acted": dict(sorted(done.items())),
                "already_acted": len(events) - sum(done.values()),
            }
        )

    return [Route(PATH, receive, methods=["POST"])]
