"""At-risk renewal saves: `saves plan`, `saves launch` and `saves report`.

`saves plan --json` is a contract other tools read; its shape is documented in
campaigns/saves_plan.py. Planning reads only the file: no store, no Temporal. `saves launch`
starts one SaveWorkflow per included account (workflows/save.py) and records every at-risk
account in the store (`save_at_risk`). `saves intent` lists the accounts a product reported a
cancel intent for and where their six-month follow-up stands. `saves report` reads only the
store; its `--json` shape is documented in campaigns/save_report_view.py.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.saves import start_save, watched_input
from activities.store import Store
from campaigns.approvers import Approvers, load_approvers
from campaigns.campaign import CAMPAIGN_ID_RE, load_campaign
from campaigns.errors import ConfigError
from campaigns.intent import CHURNED, FOLLOWING, SAVED
from campaigns.renewals import Renewal, RenewalsFile, load_renewals, rebased, with_intents
from campaigns.risk import RISK_LEVELS, intents_since
from campaigns.save_costs import SaveCosts, load_save_costs
from campaigns.save_followup import MONITOR_MONTHS
from campaigns.save_report import AtRiskAccount, EndedSave, build_save_report
from campaigns.save_report_view import report_json, report_lines
from campaigns.save_watch import WatchedRenewal
from campaigns.saves_plan import build_saves_plan, saves_json, saves_lines
from contracts import ids
from contracts import save_followup as followup
from contracts import saves as save_contract
from contracts.saves import SaveOutcomeRecord
from winback import settings as settings_mod
from winback.commands.campaigns import parse_as_of
from winback.commands.common import EXIT_BAD_INPUT, client_or_fail, fail, open_store, run

AS_OF_HELP = "The day the rules are evaluated for (default today)."


@click.group()
def saves() -> None:
    """Save at-risk renewals: which accounts, how hard, how fast; start their saves."""


@saves.command("plan")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD", help=AS_OF_HELP)
@click.option("--json", "as_json", is_flag=True, help='Print {"accounts": [...], "totals": {...}}.')
def saves_plan(accounts_path: Path, as_of_text: str | None, as_json: bool) -> None:
    """Each renewal's risk, save probability, value, effort, mode and escalation, and why; starts nothing."""
    as_of = parse_as_of(as_of_text)
    renewals = renewals_or_fail(accounts_path).renewals
    plan = build_saves_plan(with_stored_intents(renewals, as_of), as_of=as_of)
    if as_json:
        click.echo(json.dumps(saves_json(plan), indent=2))
        return
    click.echo("\n".join(saves_lines(plan)))


@saves.command("launch")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(path_type=Path))
@click.option("--approvers", "approvers_path", required=True, type=click.Path(path_type=Path))
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD", help=AS_OF_HELP)
@click.option(
    "--campaign-id",
    default=None,
    metavar="ID",
    help="The saves campaign (WinbackCampaign in the UI); default saves-YYYY-MM of the as-of day.",
)
@click.option(
    "--renewals-relative-to",
    "relative_text",
    default=None,
    metavar="YYYY-MM-DD",
    help="Read the file as written on that day: every renewal moves so its days to today stay the same "
    "(rehearsals and `make demo` on any day).",
)
@click.option(
    "--winback-campaign",
    "winback_path",
    default=None,
    type=click.Path(path_type=Path),
    help="The win-back campaign file a lost save's 3/6/12-month stages start in (its rules judge "
    "each stage on its day); without it each stage is refused and recorded.",
)
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(path_type=Path),
    help="The saves settings file (campaigns/examples/saves.yaml): its monitor_months.",
)
@click.option(
    "--monitor-months",
    default=None,
    type=click.IntRange(6, 12),
    help="How long a saved account gets its weekly health check  [default: the --config file's "
    "monitor_months, else 6]",
)
def saves_launch(
    accounts_path: Path,
    approvers_path: Path,
    as_of_text: str | None,
    campaign_id: str | None,
    relative_text: str | None,
    winback_path: Path | None,
    config_path: Path | None,
    monitor_months: int | None,
) -> None:
    """Start one save (SaveWorkflow, id save-ACCOUNT) per included account; a running one is reported."""
    if relative_text is not None and as_of_text is not None:
        fail(
            "--renewals-relative-to and --as-of: give one; the first makes the as-of day today",
            EXIT_BAD_INPUT,
        )
    as_of = parse_as_of(as_of_text)
    renewals = renewals_or_fail(accounts_path).renewals
    if relative_text is not None:
        renewals = rebased(renewals, was=parse_as_of(relative_text), now=date.today())
    approvers = approvers_or_fail(approvers_path)
    if monitor_months is None:
        monitor_months = costs_or_fail(config_path).monitor_months if config_path else MONITOR_MONTHS
    winback_campaign = ""
    if winback_path is not None:
        try:
            load_campaign(winback_path)
        except ConfigError as err:
            fail(f"--winback-campaign: {err.lines[0]}", EXIT_BAD_INPUT)
        # The worker reads it when a stage comes round, from wherever it runs.
        winback_campaign = str(winback_path.resolve())
    campaign = campaign_id or f"saves-{as_of:%Y-%m}"
    if not CAMPAIGN_ID_RE.fullmatch(campaign):
        fail(
            f"--campaign-id: {campaign!r} is not an id; use lower-case letters, digits and '-' (at most 63)",
            EXIT_BAD_INPUT,
        )
    # Every row, kept: a cancel intent may later put a row this launch only watches at risk,
    # and its save then starts from here (campaigns/save_watch.py).
    watched = {
        r.account.account_id: WatchedRenewal(
            renewal=r,
            approvers=approvers,
            campaign_id=campaign,
            planned_on=as_of.isoformat(),
            winback_campaign=winback_campaign,
            monitor_months=monitor_months,
        )
        for r in renewals
    }
    plan = build_saves_plan(with_stored_intents(renewals, as_of), as_of=as_of)
    settings = settings_mod.load()
    store = open_store(settings)  # before starting anything: a broken store starts no save
    started_ids: set[str] = set()

    async def main() -> int:
        client = await client_or_fail()
        # Once Temporal answers: a launch that could start nothing watches nothing either.
        store.watch_renewals(list(watched.values()), at=datetime.now(UTC))
        failed = 0
        for entry in plan.entries:
            if not entry.included:
                why = next((r for r in entry.reasons if r.startswith("not included")), entry.reasons[1])
                click.echo(f"  not started      {entry.account_id}: {why}")
                continue
            inp = watched_input(watched[entry.account_id], entry)
            workflow_id = ids.save_workflow_id(entry.account_id)
            try:
                await start_save(client, settings.task_queue, inp)
            except WorkflowAlreadyStartedError:
                started_ids.add(entry.account_id)
                click.echo(f"  already running  {workflow_id}: one save per account at a time")
                continue
            except Exception as err:  # reported per account; the others still start
                failed += 1
                click.echo(f"  failed           {workflow_id}: {type(err).__name__}: {err}", err=True)
                continue
            started_ids.add(entry.account_id)
            escalation = ", executive escalation" if entry.executive_escalation else ""
            click.echo(
                f"  started          {workflow_id}: {entry.effort} effort, {entry.mode}{escalation}, "
                f"{len(inp.tasks)} tasks, renewal {inp.renewal_on}"
            )
        included = sum(e.included for e in plan.entries)
        click.echo(f"saves {campaign}: {included} of {len(plan.entries)} accounts included, {failed} failed")
        return 1 if failed else 0

    try:
        code = run(main)
        # Every at-risk account, started or not (a past renewal, a failed start): the saves
        # report's attempt rate counts them, and its saved ARR reads their ARR.
        store.record_at_risk(
            [
                AtRiskAccount(
                    campaign_id=campaign,
                    account_id=e.account_id,
                    planned_on=as_of,
                    arr=e.arr,
                    started=e.account_id in started_ids,
                )
                for e in plan.entries
                if e.risk == RISK_LEVELS[-1]  # at_risk
            ]
        )
    finally:
        store.close()
    sys.exit(code)


@saves.command("report")
@click.option(
    "--config",
    "config_path",
    default=None,
    type=click.Path(path_type=Path),
    help="The saves settings file: hourly cost, currency, hours per effort (campaigns/examples/saves.yaml).",
)
@click.option(
    "--since", "since_text", default=None, metavar="YYYY-MM-DD", help="Only saves started on or after it."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the report as JSON (campaigns/save_report_view.py)."
)
def saves_report(config_path: Path | None, since_text: str | None, as_json: bool) -> None:
    """Attempt and success rates, saved ARR against effort cost, retention and time to save; by effort,
    root cause and mode. Reads only the store."""
    since = parse_since(since_text)
    costs = costs_or_fail(config_path) if config_path is not None else None
    store = open_store(settings_mod.load())
    try:
        report = build_save_report(store.at_risk_accounts(), ended_saves(store), costs=costs, since=since)
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2))
        return
    click.echo("\n".join(report_lines(report)))


def with_stored_intents(renewals: tuple[Renewal, ...], as_of: date) -> tuple[Renewal, ...]:
    """Each renewal with the cancel intents the store holds for it from the last INTENT_DAYS
    days (POST /webhooks/intent): a red flag of its own in the plan."""
    since = intents_since(as_of)
    store = open_store(settings_mod.load())
    try:
        counts = store.intent_counts(since=since)
    finally:
        store.close()
    return with_intents(renewals, counts)


def ended_saves(store: Store) -> list[EndedSave]:
    """The store's save outcomes with the ARR their launch recorded (None without one) and, for a
    saved account, whether it renewed: its follow-up's renewal check (None until answered)."""
    arr = {(a.campaign_id, a.account_id): a.arr for a in store.at_risk_accounts()}
    return [
        EndedSave(
            account_id=o.account_id,
            campaign_id=o.campaign_id,
            outcome=o.outcome,
            effort=o.effort,
            mode=o.mode,
            root_cause=o.root_cause,
            started_at=o.started_at,
            ended_at=o.ended_at,
            arr=arr.get((o.campaign_id, o.account_id)),
            renewed=renewed(store, o) if o.outcome == save_contract.SAVED else None,
        )
        for o in store.all_save_outcomes()
    ]


def renewed(store: Store, outcome: SaveOutcomeRecord) -> bool | None:
    """The answer of the renewal check that followed this save (the first after it ended)."""
    for step in store.follow_ups(account_id=outcome.account_id):
        if step.step == followup.RENEWAL_CHECK and step.at >= outcome.ended_at:
            return {followup.HELD: True, followup.CHURNED: False}.get(step.result)
    return None


@saves.command("intent")
@click.option("--as-of", "as_of_text", default=None, metavar="YYYY-MM-DD", help=AS_OF_HELP)
def saves_intent(as_of_text: str | None) -> None:
    """Accounts with a cancel intent (POST /webhooks/intent): their red flags and the six-month
    follow-up that tells a save from a delayed churn (following, saved or churned)."""
    as_of = parse_as_of(as_of_text)
    ups = open_store(settings_mod.load()).intent_follow_ups(as_of=as_of)
    for up in ups:
        # Ids, kinds and dates only: the events' details stay in the store.
        click.echo(
            f"  {up.verdict:<10} {up.account_id}: {up.events} cancel intent(s) ({', '.join(up.kinds)}), "
            f"last {up.last_at:%Y-%m-%d}, followed until {up.followed_until.isoformat()}"
        )
    counts = {v: sum(u.verdict == v for u in ups) for v in (FOLLOWING, SAVED, CHURNED)}
    click.echo(
        f"cancel intents as of {as_of.isoformat()}: {len(ups)} accounts, "
        + ", ".join(f"{n} {v}" for v, n in counts.items())
    )


def renewals_or_fail(path: Path) -> RenewalsFile:
    """The saves file, fully valid; any problem prints one line each and exits 2."""
    try:
        renewals = load_renewals(path)
    except ConfigError as err:
        lines = err.lines
    else:
        if not renewals.errors:
            return renewals
        lines = list(renewals.errors)
    # One write: a CRM export can have a problem in each of 100,000s of rows, and echo flushes.
    click.echo("\n".join(lines), err=True)
    sys.exit(EXIT_BAD_INPUT)


def approvers_or_fail(path: Path) -> Approvers:
    try:
        return load_approvers(path)
    except ConfigError as err:
        click.echo("\n".join(err.lines), err=True)
        sys.exit(EXIT_BAD_INPUT)


def parse_since(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
    except ValueError:
        pass
    fail(f"--since: {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-01-01", EXIT_BAD_INPUT)


def costs_or_fail(path: Path) -> SaveCosts:
    try:
        return load_save_costs(path)
    except ConfigError as err:
        click.echo("\n".join(err.lines), err=True)
        sys.exit(EXIT_BAD_INPUT)


COMMANDS = (saves,)
