"""Signal watchers: `watch add|list|pause|resume|run-once`, `signals scan` and `release`.

`signals scan --json` is a contract other tools read: a JSON array, one object per event, with
exactly these keys in this order:

    {"kind": "funding",            # campaigns.triggers.EVENT_KINDS
     "company": "Acme Robotics",   # the subject of the story (a competitor's story: the competitor)
     "account_id": "ACC-1" | null, # the matched account
     "facts": {"round": "Series B", "amount": "20000000", "currency": "USD"},
     "title": "...", "url": "https://...",  # the real article URL
     "published": "2026-11-30T08:00:00+00:00" | null,
     "matched_by": "name" | "alias" | "domain" | null}
"""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import click

from activities.store.records import WatchSource
from activities.watch import Acted, Watcher, stored
from campaigns.accounts import load_accounts
from campaigns.audience import detail_pattern
from campaigns.campaign import load_campaign
from campaigns.errors import ConfigError
from campaigns.model import CHURN_REASONS, Account, Campaign
from contracts import ids
from signals.extract import events_of, job_events, release_event
from signals.fetch import FetchError, guarded_client
from signals.matching import AccountIndex
from signals.records import Matched
from signals.sources import SourceSpec, parse, read_source
from winback import settings as settings_mod
from winback import watchers
from winback.commands.common import EXIT_BAD_INPUT, client_or_fail, fail, open_store, run

SOURCE_KINDS: Final = ("feed", "jobs", "time")
_EVERY_RE: Final = re.compile(r"(\d+)\s*(m|h|d)")
_UNITS: Final = {"m": "minutes", "h": "hours", "d": "days"}
MIN_EVERY: Final = timedelta(minutes=5)
# The source id our releases are stored under (they come from `winback release`, not a poll).
RELEASE_SOURCE: Final = "release"


def parse_every(text: str) -> timedelta:
    m = _EVERY_RE.fullmatch(text.strip().lower())
    if m is None or int(m.group(1)) == 0:
        fail(f"--every: {text!r} is not an interval; write e.g. 30m, 6h or 1d", EXIT_BAD_INPUT)
    every = timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})
    if every < MIN_EVERY:
        fail(f"--every: {text} is too often for a feed or job board; poll at most every 5m", EXIT_BAD_INPUT)
    return every


def default_source_id(location: str, kind: str) -> str:
    """A readable id from the source: host and last path part ("techcrunch-com-feed")."""
    if kind == "time":
        return "time"
    parts = urlsplit(location)
    text = f"{parts.netloc} {parts.path}" if parts.scheme else Path(location).stem
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")
    return slug or "source"


def load_campaign_or_fail(path: Path) -> Campaign:
    try:
        return load_campaign(path)
    except ConfigError as err:
        click.echo("\n".join(err.lines), err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None


def accounts_or_fail(path: Path) -> list[Account]:
    """The whole accounts file, valid, or one line per problem and exit 2."""
    try:
        loaded = load_accounts(path)
    except ConfigError as err:
        click.echo("\n".join(err.lines), err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None
    if loaded.errors:
        click.echo("\n".join(loaded.errors), err=True)
        raise SystemExit(EXIT_BAD_INPUT)
    return list(loaded.accounts)


def import_accounts_or_fail(path: Path | None) -> None:
    """--accounts: validate the whole file, then import it (the watcher matches the store's)."""
    if path is None:
        return
    accounts = accounts_or_fail(path)
    store = open_store()
    try:
        store.import_accounts(accounts, now=datetime.now(UTC))
    finally:
        store.close()


@click.group()
def watch() -> None:
    """Watch feeds, job boards and the calendar for signals that start a campaign's playbooks."""


@watch.command("add")
@click.argument("source")
@click.option("--campaign", "campaign_path", type=click.Path(path_type=Path), required=True)
@click.option("--kind", type=click.Choice(SOURCE_KINDS), default=None, help="Default: feed; jobs for JSON.")
@click.option("--id", "source_id", default=None, help="A short name (a-z, 0-9, -); default from the URL.")
@click.option("--every", "every_text", default="1h", show_default=True, help="Poll interval: 30m, 6h, 1d.")
@click.option("--company", default="", help="A job board's company, when the board does not name it.")
@click.option("--accounts", "accounts_path", type=click.Path(path_type=Path), default=None)
def watch_add(
    source: str,
    campaign_path: Path,
    kind: str | None,
    source_id: str | None,
    every_text: str,
    company: str,
    accounts_path: Path | None,
) -> None:
    """Watch SOURCE (a feed or job-board URL, or `time`) on a Temporal Schedule."""
    kind = kind or ("time" if source == "time" else "jobs" if _looks_like_jobs(source) else "feed")
    every = parse_every(every_text)
    campaign = load_campaign_or_fail(campaign_path)
    if not campaign.triggers:
        fail(
            f"{campaign_path}: triggers: the campaign has no triggers, so a signal would start "
            "nothing; add e.g. triggers: [{on: funding, playbook: budget}]",
            EXIT_BAD_INPUT,
        )
    if kind != "time" and urlsplit(source).scheme not in ("http", "https"):
        fail(
            f"{source}: a watched source is an http or https URL "
            "(scan a local file with winback signals scan)",
            EXIT_BAD_INPUT,
        )
    sid = source_id or default_source_id(source, kind)
    if not ids.SOURCE_ID_RE.fullmatch(sid):
        fail(f"--id: {sid!r} is not a valid id; use a-z, 0-9 and '-', e.g. brightloop-news", EXIT_BAD_INPUT)
    import_accounts_or_fail(accounts_path)
    src = WatchSource(
        source_id=sid,
        kind=kind,
        location="" if kind == "time" else source,
        company=company,
        campaign_path=str(campaign_path.resolve()),
        every_seconds=int(every.total_seconds()),
        created_at=datetime.now(UTC),
    )

    async def main() -> bool:
        client = await client_or_fail()
        store = open_store()
        try:
            await asyncio.to_thread(store.save_watch_source, src)
        finally:
            store.close()
        return await watchers.upsert(client, src, settings_mod.load().task_queue)

    created = run(main)
    click.echo(
        f"{'watching' if created else 'updated'} {sid} ({kind}) every {every_text} for campaign "
        f"{campaign.id}; Temporal Schedule {ids.watch_schedule_id(sid)}"
    )


def _looks_like_jobs(source: str) -> bool:
    host = urlsplit(source).netloc.lower()
    return any(board in host for board in ("greenhouse.io", "lever.co", "ashbyhq.com"))


@watch.command("list")
@click.option("--json", "as_json", is_flag=True)
def watch_list(as_json: bool) -> None:
    """Each watched source: its schedule, last success, last error, entries seen, and a flag
    when it failed or went quiet for longer than expected."""

    async def main() -> list[dict[str, Any]]:
        client = await client_or_fail()
        store = open_store()
        try:
            sources = await asyncio.to_thread(store.watch_sources)
        finally:
            store.close()
        now = datetime.now(UTC)
        rows = []
        for src in sources:
            view = await watchers.state_of(client, src.source_id)
            found = watchers.health(src, now=now)
            rows.append(
                {
                    "id": src.source_id,
                    "kind": src.kind,
                    "location": src.location,
                    "every_seconds": src.every_seconds,
                    "schedule": "missing" if not view.exists else "paused" if view.paused else "active",
                    "next_run": _iso(view.next_run),
                    "last_success": _iso(src.last_success_at),
                    "last_error": src.last_error,
                    "last_error_at": _iso(src.last_error_at),
                    "entries_seen": src.entries_seen,
                    "last_new": _iso(src.last_new_at),
                    "ok": found.ok,
                    "flag": found.flag,
                }
            )
        return rows

    rows = run(main)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("no watched sources; add one with winback watch add URL --campaign FILE")
        return
    for r in rows:
        mark = "ok " if r["ok"] else "!! "
        click.echo(
            f"{mark}{r['id']:<28} {r['kind']:<5} {r['schedule']:<7} every {_every(r['every_seconds']):<4} "
            f"last success {r['last_success'] or 'never':<25} entries seen {r['entries_seen']}"
        )
        if r["flag"]:
            click.echo(f"    {r['flag']}")


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _every(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@watch.command("pause")
@click.argument("source_id")
@click.option("--note", default="paused with winback watch pause")
def watch_pause(source_id: str, note: str) -> None:
    """Stop polling a source until `winback watch resume`."""
    _set_paused(source_id, paused=True, note=note)
    click.echo(f"paused {source_id}")


@watch.command("resume")
@click.argument("source_id")
def watch_resume(source_id: str) -> None:
    """Poll a paused source again."""
    _set_paused(source_id, paused=False, note="resumed with winback watch resume")
    click.echo(f"resumed {source_id}")


def _set_paused(source_id: str, *, paused: bool, note: str) -> None:
    async def main() -> None:
        client = await client_or_fail()
        if not (await watchers.state_of(client, source_id)).exists:
            fail(f"no watched source {source_id!r}; see winback watch list", EXIT_BAD_INPUT)
        await watchers.pause(client, source_id, paused=paused, note=note)

    run(main)


@watch.command("run-once")
@click.argument("source_id")
def watch_run_once(source_id: str) -> None:
    """Poll a source now, in this process, and say what it did."""

    async def main() -> None:
        client = await client_or_fail()
        store = open_store()
        try:
            if await asyncio.to_thread(store.watch_source, source_id) is None:
                fail(f"no watched source {source_id!r}; see winback watch list", EXIT_BAD_INPUT)
            watcher = Watcher(client, store, task_queue=settings_mod.load().task_queue)
            result = await watcher.poll(source_id, now=datetime.now(UTC))
        finally:
            store.close()
        if result.error:
            fail(f"{source_id}: {result.error}")
        if result.not_modified:
            click.echo(f"{source_id}: not modified since the last poll; nothing to do")
            return
        click.echo(
            f"{source_id}: {result.entries} entries, {result.new_events} new events; "
            f"{result.started} sequences started, {result.disqualified} stopped as disqualified, "
            f"{result.excluded} accounts excluded by the launch rules"
        )
        for line in result.failures:
            click.echo(f"  failed {line}", err=True)

    run(main)


@click.group()
def signals() -> None:
    """Look at what a source would signal, without starting anything."""


@signals.command("scan")
@click.argument("source")
@click.option("--accounts", "accounts_path", type=click.Path(path_type=Path), required=True)
@click.option("--kind", type=click.Choice(("feed", "jobs")), default=None, help="Default: from the content.")
@click.option("--company", default="", help="A job board's company, when the board does not name it.")
@click.option("--json", "as_json", is_flag=True)
def signals_scan(source: str, accounts_path: Path, kind: str | None, company: str, as_json: bool) -> None:
    """One pass over SOURCE (a URL or a local file): the events it holds and the accounts they
    match. Starts nothing and stores nothing."""
    accounts = accounts_or_fail(accounts_path)

    async def read() -> tuple[bytes, str]:
        spec = SourceSpec(kind=kind or "", location=source, company=company)
        async with guarded_client() as http:
            got = await read_source(spec, client=http, allow_files=True)
        return got.body or b"", got.final_url

    try:
        body, final_url = run(read)
    except (FetchError, OSError, ValueError) as err:
        fail(f"{source}: {' '.join(str(err).split())}", EXIT_BAD_INPUT)
    spec = SourceSpec(kind=kind or "", location=source, company=company)
    parsed = parse(spec, body, final_url)
    if parsed.problem is not None:
        fail(f"{source}: {parsed.problem}", EXIT_BAD_INPUT)
    if parsed.kind == "jobs":
        events = job_events(
            parsed.postings,
            company=company or next((p.company for p in parsed.postings if p.company), ""),
            previous_open=None,
            url=final_url,
            competitors=sorted({a.competitor for a in accounts if a.competitor.strip()}),
        )
    else:
        events = [e for entry in parsed.entries for e in events_of(entry)]
    index = AccountIndex.build(accounts)
    found = [index.match(e) for e in events]
    if as_json:
        click.echo(json.dumps([scan_json(m) for m in found], indent=2, ensure_ascii=False))
        return
    entries = len(parsed.postings) if parsed.kind == "jobs" else len(parsed.entries)
    click.echo(f"{source}: {entries} entries, {len(found)} events")
    for m in found:
        e = m.event
        who = m.account_id or (f"concerns {', '.join(m.concerns)}" if m.concerns else "no account")
        facts = ", ".join(f"{k}={v}" for k, v in e.facts)
        click.echo(f"  {e.kind:<16} {e.company[:40]:<40} {who}  {facts}")
        click.echo(f"      {e.title[:100]}  {e.url}")


def scan_json(m: Matched) -> dict[str, Any]:
    e = m.event
    return {
        "kind": e.kind,
        "company": e.company,
        "account_id": m.account_id,
        "facts": dict(e.facts),
        "title": e.title,
        "url": e.url,
        "published": e.published,
        "matched_by": m.matched_by,
    }


@click.command()
@click.argument("title")
@click.option("--addresses", required=True, help="The churn reason it answers, e.g. product_gap.")
@click.option("--detail", default="", help='What churn details it answers: "salesforce" or "/sso|saml/i".')
@click.option("--campaign", "campaign_path", type=click.Path(path_type=Path), required=True)
@click.option("--url", default="", help="The release notes or announcement.")
@click.option("--accounts", "accounts_path", type=click.Path(path_type=Path), default=None)
def release(
    title: str, addresses: str, detail: str, campaign_path: Path, url: str, accounts_path: Path | None
) -> None:
    """We shipped something: start the campaign's `on: release` playbook for every account whose
    churn reason and detail it answers (through the launch rules), once."""
    reasons = [r.strip() for r in addresses.split(",") if r.strip()]
    for reason in reasons:
        if reason not in CHURN_REASONS:
            fail(
                f"--addresses: unknown churn reason {reason!r}; use one of {', '.join(CHURN_REASONS)}",
                EXIT_BAD_INPUT,
            )
    if detail:
        try:
            detail_pattern(detail)
        except ValueError as err:
            fail(f"--detail: {err}", EXIT_BAD_INPUT)
    if url and urlsplit(url).scheme not in ("http", "https"):
        fail(f"--url: {url!r} is not an http or https URL", EXIT_BAD_INPUT)
    campaign = load_campaign_or_fail(campaign_path)
    if not any("release" in t.on for t in campaign.triggers):
        fail(
            f"{campaign_path}: triggers: no rule `on: release`; add e.g. "
            "triggers: [{on: release, playbook: product_gap}]",
            EXIT_BAD_INPUT,
        )
    import_accounts_or_fail(accounts_path)
    now = datetime.now(UTC)
    event = release_event(
        title, addresses=",".join(reasons), detail=detail, url=url, published=now.date().isoformat()
    )

    async def main() -> Acted:
        client = await client_or_fail()
        store = open_store()
        try:
            accounts = await asyncio.to_thread(store.accounts)
            index = AccountIndex.build(accounts)
            signal = stored(Matched(event, None, None), RELEASE_SOURCE)
            new = await asyncio.to_thread(store.record_signals, [signal], at=now)
            if not new:
                click.echo(f"release “{title}” was announced before; nothing new to start")
            watcher = Watcher(client, store, task_queue=settings_mod.load().task_queue)
            return await watcher.act(RELEASE_SOURCE, campaign, accounts, index, now=now)
        finally:
            store.close()

    acted = run(main)
    click.echo(
        f"release “{title}”: {len(acted.started)} sequences started ({', '.join(acted.started) or 'none'})"
    )
    for account_id, why in acted.excluded:
        click.echo(f"  not started {account_id}: {why}")
    for line in acted.failures:
        click.echo(f"  failed {line}", err=True)


COMMANDS = (watch, signals, release)
