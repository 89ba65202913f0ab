"""The SQL store, on SQLite and on PostgreSQL: what a CSM or a launch would notice."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select
from sqlalchemy.exc import StatementError

from activities.store import (
    MessageLogEntry,
    Store,
    StoreError,
    alembic_config,
    database_url,
    masked,
    metadata,
    schema,
)
from campaigns.model import Account, Contact, CoolOff, Enrolment, Preference
from campaigns.months import add_months
from contracts.sequence import CANCELLED, COMPLETED_NO_REPLY, DECLINED, REPLIED, OutcomeRecord
from tests.factories import make_account

REPO = Path(__file__).resolve().parents[1]
BACKENDS = ["sqlite", "postgresql"]






def account(n: int = 1, **overrides: Any) -> Account:
    """The factories' account, numbered so many can live in one store."""
    base = make_account(
        account_id=f"ACC-{n}",
        company=f"Revontuli Analytics {n} Oy",
        domain=f"revontuli{n}.example",
        contact=Contact(name="Aino Korhonen", email=f"aino@revontuli{n}.example", title="Head of RevOps"),
        locale="fi",
        executive=Contact(name="Mikko Saari", email=f"mikko@revontuli{n}.example", title="COO"),
        aliases=("Revontuli", "RA"),
    )
    return replace(base, **overrides)


def started(account_id: str, campaign_id: str, on: str = "2026-03-02", run: str = "run-1") -> Enrolment:
    return Enrolment(
        account_id=account_id,
        campaign_id=campaign_id,
        workflow_id=f"winback-{account_id}",
        run_id=run,
        started_on=on,
    )


def outcome(
    outcome: str,
    *,
    ended: datetime = datetime(2026, 4, 20, 14, 30, tzinfo=UTC),
    account_id: str = "ACC-1",
    campaign_id: str = "spring-2026",
    cool_off: CoolOff = CoolOff(),
    reason: str = "",
) -> OutcomeRecord:
    return OutcomeRecord(
        workflow_id=f"winback-{account_id}",
        run_id="run-1",
        account_id=account_id,
        campaign_id=campaign_id,
        playbook_id="product_gap",
        outcome=outcome,
        reason=reason,
        contact_email=f"Aino@Revontuli{account_id[-1]}.example",
        started_at=datetime(2026, 3, 2, 7, 0, tzinfo=UTC),
        ended_at=ended,
        touches_done=3,
        cool_off=cool_off,
    )


def in_force(store: Store, as_of: str) -> dict[tuple[str, str], Preference]:
    return {(p.email, p.kind): p for p in store.preferences(as_of=date.fromisoformat(as_of))}


# --- cool-offs from outcomes -----------------------------------------------------------------


def test_a_decline_keeps_the_account_out_for_exactly_twelve_months(store: Store) -> None:
    store.record_started([started("ACC-1", "spring-2026")])

    receipt = store.record_outcome(outcome(DECLINED, reason="went with a competitor"))

    assert receipt.preference_until == "2027-04-20"
    pref = in_force(store, "2027-04-19")[("aino@revontuli1.example", "declined")]
    assert pref == Preference(
        email="aino@revontuli1.example",
        account_id="ACC-1",
        kind="declined",
        since="2026-04-20",
        until="2027-04-20",
        reason="went with a competitor",
        campaign_id="spring-2026",
    )
    # `until` is the first day contact is allowed again: on it the cool-off is over.
    assert in_force(store, "2027-04-20") == {}
    [enrolment] = store.enrolments_for_plan("spring-2026")
    assert (enrolment.ended_on, enrolment.outcome) == ("2026-04-20", DECLINED)


def test_a_campaign_that_sets_six_months_gets_six(store: Store) -> None:
    receipt = store.record_outcome(outcome(DECLINED, cool_off=CoolOff(declined_months=6)))
    assert receipt.preference_until == "2026-10-20"
    assert ("aino@revontuli1.example", "declined") in in_force(store, "2026-10-19")
    assert in_force(store, "2026-10-20") == {}


def test_a_sequence_nobody_answered_rests_six_months(store: Store) -> None:
    receipt = store.record_outcome(outcome(COMPLETED_NO_REPLY))
    assert receipt.preference_until == "2026-10-20"
    [pref] = store.preferences(as_of=date(2026, 10, 19))
    assert (pref.kind, pref.since, pref.until) == ("ghosted", "2026-04-20", "2026-10-20")
    assert store.preferences(as_of=date(2026, 10, 20)) == []


@pytest.mark.parametrize("result", [REPLIED, CANCELLED])
def test_a_reply_or_a_cancel_sets_no_cool_off(store: Store, result: str) -> None:
    assert store.record_outcome(outcome(result)).preference_until is None
    assert store.preferences(as_of=date(2026, 4, 21)) == []
    assert store.outcome_counts("spring-2026")[result] == 1


@pytest.mark.parametrize(
    ("ended", "months", "until"),
    [
        ("2026-08-31", 6, "2027-02-28"),
        ("2027-08-31", 6, "2028-02-29"),  # leap year
        ("2026-03-31", 12, "2027-03-31"),
        ("2026-10-31", 12, "2027-10-31"),
        ("2026-05-31", 6, "2026-11-30"),
    ],
)
def test_cool_offs_ending_past_a_short_month_end_on_its_last_day(
    store: Store, ended: str, months: int, until: str
) -> None:
    day = date.fromisoformat(ended)
    assert add_months(day, months).isoformat() == until
    end = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
    receipt = store.record_outcome(outcome(DECLINED, ended=end, cool_off=CoolOff(declined_months=months)))
    assert receipt.preference_until == until
    assert [p.until for p in store.preferences(as_of=day)] == [until]


def test_the_cool_off_starts_on_the_utc_day_the_sequence_ended(store: Store) -> None:
    helsinki = timezone(timedelta(hours=3))
    # 01:30 on 1 May in Helsinki is still 30 April in UTC.
    receipt = store.record_outcome(outcome(DECLINED, ended=datetime(2026, 5, 1, 1, 30, tzinfo=helsinki)))
    assert receipt.preference_until == "2027-04-30"


# --- preferences ---------------------------------------------------------------------------


def test_unsubscribe_is_for_ever_and_a_later_decline_does_not_shorten_it(store: Store) -> None:
    store.record_preference(
        Preference(
            email="Aino@Revontuli1.Example",
            account_id="ACC-1",
            kind="unsubscribed",
            since="2026-04-01",
            until=None,
            reason="one-click unsubscribe",
        )
    )
    store.record_outcome(outcome(DECLINED))

    for as_of in (date(2026, 4, 2), date(2027, 4, 20), date(2100, 1, 1)):
        blocked = store.suppression("AINO@revontuli1.example", as_of=as_of)
        assert blocked is not None
        assert (blocked.kind, blocked.until, blocked.email) == (
            "unsubscribed",
            None,
            "aino@revontuli1.example",
        )
    assert {p.kind for p in store.preferences(as_of=date(2030, 1, 1))} == {"unsubscribed"}
    assert store.suppression("someone.else@revontuli1.example", as_of=date(2026, 4, 2)) is None


def test_a_decline_alone_is_not_a_suppression(store: Store) -> None:
    store.record_outcome(outcome(DECLINED))
    assert store.suppression("aino@revontuli1.example", as_of=date(2026, 5, 1)) is None


def test_a_repeat_keeps_the_later_until_and_the_newer_reason(store: Store) -> None:
    first = Preference(
        email="aino@revontuli1.example",
        account_id="ACC-1",
        kind="declined",
        since="2026-01-10",
        until="2027-01-10",
        reason="no budget",
        campaign_id="winter",
    )
    store.record_preference(first)
    # A later, shorter decline (a 6-month campaign) must not let them back in sooner.
    store.record_preference(
        replace(first, since="2026-03-01", until="2026-09-01", reason="still no", campaign_id="spring")
    )
    [pref] = store.preferences(as_of=date(2026, 3, 1))
    assert (pref.since, pref.until, pref.reason, pref.campaign_id) == (
        "2026-03-01",
        "2027-01-10",
        "still no",
        "spring",
    )
    # An older record arriving late changes nothing it does not lengthen.
    store.record_preference(replace(first, since="2025-12-01", until="2026-06-01", reason="old"))
    [pref] = store.preferences(as_of=date(2026, 3, 1))
    assert (pref.since, pref.until, pref.reason) == ("2026-03-01", "2027-01-10", "still no")
    # For ever beats any date, and stays for ever.
    store.record_preference(replace(first, kind="bounced", until=None))
    store.record_preference(replace(first, kind="bounced", since="2026-05-01", until="2026-06-01"))
    bounced = store.suppression("aino@revontuli1.example", as_of=date(2099, 1, 1))
    assert bounced is not None
    assert (bounced.kind, bounced.until, bounced.since) == ("bounced", None, "2026-05-01")


# --- sequences -----------------------------------------------------------------------------


def test_record_outcome_twice_is_once(store: Store) -> None:
    rec = outcome(DECLINED, reason="not now")
    first = store.record_outcome(rec)
    before = (store.preferences(as_of=date(2026, 5, 1)), store.enrolments_for_plan("spring-2026"))

    assert store.record_outcome(rec) == first
    assert (store.preferences(as_of=date(2026, 5, 1)), store.enrolments_for_plan("spring-2026")) == before
    assert store.outcome_counts("spring-2026")["declined"] == 1


def test_the_first_outcome_of_a_sequence_stands(store: Store) -> None:
    store.record_outcome(outcome(DECLINED))
    store.record_outcome(outcome(CANCELLED, ended=datetime(2026, 4, 21, tzinfo=UTC)))
    [enrolment] = store.enrolments_for_plan("spring-2026")
    assert (enrolment.outcome, enrolment.ended_on) == (DECLINED, "2026-04-20")


def test_an_outcome_for_a_sequence_never_recorded_as_started_is_kept(store: Store) -> None:
    store.record_outcome(outcome(COMPLETED_NO_REPLY, account_id="ACC-7"))
    [enrolment] = store.enrolments_for_plan("spring-2026")
    assert enrolment == Enrolment(
        account_id="ACC-7",
        campaign_id="spring-2026",
        workflow_id="winback-ACC-7",
        run_id="run-1",
        started_on="2026-03-02",
        ended_on="2026-04-20",
        outcome=COMPLETED_NO_REPLY,
    )


def test_record_started_twice_is_once(store: Store) -> None:
    rows = [started("ACC-1", "spring-2026"), started("ACC-2", "spring-2026")]
    store.record_started(rows)
    store.record_started(rows)
    store.record_started([replace(rows[0], started_on="2026-03-09")])  # a retry with a later clock
    assert store.enrolments_for_plan("spring-2026") == rows
    assert store.outcome_counts("spring-2026")["running"] == 2


def test_enrolments_for_plan_sees_running_everywhere_and_ended_only_here(store: Store) -> None:
    store.record_started(
        [
            started("ACC-1", "spring-2026", on="2026-03-02"),
            started("ACC-2", "spring-2026", on="2026-03-03"),
            started("ACC-3", "release-2026", on="2026-03-04"),
            started("ACC-4", "release-2026", on="2026-03-05"),
            started("ACC-5", "winter-2025", on="2025-12-01"),
        ]
    )
    store.record_outcome(outcome(REPLIED, account_id="ACC-2"))
    store.record_outcome(outcome(DECLINED, account_id="ACC-4", campaign_id="release-2026"))
    store.record_outcome(outcome(COMPLETED_NO_REPLY, account_id="ACC-5", campaign_id="winter-2025"))

    plan = store.enrolments_for_plan("spring-2026")

    assert [(e.account_id, e.ended_on is None) for e in plan] == [
        ("ACC-1", True),
        ("ACC-2", False),  # ended, but in this campaign
        ("ACC-3", True),  # running in another campaign
    ]


def test_outcome_counts_include_zeros(store: Store) -> None:
    assert store.outcome_counts("spring-2026") == {
        "running": 0,
        "replied": 0,
        "declined": 0,
        "completed_no_reply": 0,
        "cancelled": 0,
        "bounced": 0,
        "unsubscribed": 0,
        "disqualified": 0,
    }
    store.record_started([started(f"ACC-{n}", "spring-2026") for n in range(1, 6)])
    store.record_started([started("ACC-9", "other")])
    store.record_outcome(outcome(REPLIED, account_id="ACC-1"))
    store.record_outcome(outcome(DECLINED, account_id="ACC-2"))
    store.record_outcome(outcome(DECLINED, account_id="ACC-3"))
    assert store.outcome_counts("spring-2026") == {
        "running": 2,
        "replied": 1,
        "declined": 2,
        "completed_no_reply": 0,
        "cancelled": 0,
        "bounced": 0,
        "unsubscribed": 0,
        "disqualified": 0,
    }


def test_with_outcome_names_the_sequences_whose_end_the_store_knows(store: Store) -> None:
    store.record_started([started("ACC-1", "spring-2026"), started("ACC-2", "spring-2026")])
    store.record_outcome(outcome(CANCELLED, account_id="ACC-2"))
    # The same account's sequence in an earlier campaign, ended under another run id.
    store.record_started([started("ACC-1", "winter-2025", run="run-0")])
    store.record_outcome(replace(outcome(DECLINED, campaign_id="winter-2025"), run_id="run-0"))

    asked = [
        ("winback-ACC-1", "run-1"),  # running: no outcome yet
        ("winback-ACC-2", "run-1"),  # ended
        ("winback-ACC-1", "run-0"),  # ended, the earlier run
        ("winback-ACC-1", "run-9"),  # a run the store never heard of
        ("winback-ACC-3", "run-1"),  # an account the store never heard of
    ]
    assert store.with_outcome(asked) == {("winback-ACC-2", "run-1"), ("winback-ACC-1", "run-0")}
    assert store.with_outcome([]) == set()


def test_with_outcome_answers_a_week_of_closed_sequences_in_one_call(store: Store) -> None:
    # More pairs than one IN list holds (500): each chunk is asked, nothing is lost between them.
    ended = [replace(outcome(CANCELLED, account_id=f"ACC-{n}"), run_id=f"run-{n}") for n in range(1, 1201)]
    for rec in ended[::3]:
        store.record_outcome(rec)
    asked = [(rec.workflow_id, rec.run_id) for rec in ended]
    assert store.with_outcome(asked) == {(rec.workflow_id, rec.run_id) for rec in ended[::3]}


# --- accounts ------------------------------------------------------------------------------


def test_importing_the_same_accounts_twice_reports_them_unchanged(store: Store) -> None:
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    accounts = [account(1), account(2, executive=None, aliases=()), account(3)]

    first = store.import_accounts(accounts, now=now)
    again = store.import_accounts(accounts, now=now + timedelta(days=1))

    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert store.account("ACC-1") == accounts[0]
    assert store.account("ACC-2") == accounts[1]
    assert store.account("ACC-404") is None


def test_account_ids_with_quotes_and_backslashes_round_trip(store: Store) -> None:
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    odd = [account(1, account_id="O'Brien & Sons"), account(2, account_id="C:\\crm\\42"), account(3)]
    store.import_accounts(odd, now=now)
    result = store.import_accounts([odd[0], replace(odd[1], arr=2_000.0), odd[2]], now=now)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 2)
    assert store.account("C:\\crm\\42") == replace(odd[1], arr=2_000.0)
    assert store.account("O'Brien & Sons") == odd[0]


def test_a_changed_arr_or_contact_is_an_update_and_replaces_the_old(store: Store) -> None:
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    store.import_accounts([account(1), account(2), account(3)], now=now)
    new_contact = Contact(name="Liisa Virtanen", email="liisa@revontuli2.example", title="CFO")

    result = store.import_accounts(
        [account(1, arr=8_500.0), account(2, contact=new_contact, executive=None), account(3), account(4)],
        now=now,
    )

    assert (result.inserted, result.updated, result.unchanged) == (1, 2, 1)
    stored_1 = store.account("ACC-1")
    stored_2 = store.account("ACC-2")
    assert stored_1 is not None and stored_1.arr == 8_500.0 and stored_1.tier == "T3"
    assert stored_2 is not None and (stored_2.contact, stored_2.executive) == (new_contact, None)


def test_ten_thousand_accounts_import_and_reimport(store: Store) -> None:
    # How long this takes is bench/store_import.py's business (`make bench-store`), not a test's.
    accounts = [account(n) for n in range(10_000)]
    now = datetime(2026, 3, 1, tzinfo=UTC)

    result = store.import_accounts(accounts, now=now)
    again = store.import_accounts([*accounts[:-1], replace(accounts[-1], arr=1_000.0)], now=now)

    assert (result.inserted, result.updated, result.unchanged) == (10_000, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 9_999)
    with store.engine.connect() as conn:
        rows = {
            table.name: conn.scalar(select(func.count()).select_from(table))
            for table in (schema.accounts, schema.contacts)
        }
    assert rows == {"accounts": 10_000, "contacts": 20_000}  # a contact and an executive each
    assert store.account("ACC-0") == accounts[0]
    assert store.account("ACC-9999") == replace(accounts[-1], arr=1_000.0)


# --- message log ---------------------------------------------------------------------------


def test_the_message_log_keeps_each_message_once_in_utc(store: Store) -> None:
    helsinki = timezone(timedelta(hours=2))
    entry = MessageLogEntry(
        message_id="<abc@winback.example>",
        workflow_id="winback-ACC-1",
        account_id="ACC-1",
        campaign_id="spring-2026",
        touch=1,
        channel="email",
        to_email="aino@revontuli1.example",
        subject="We built the Salesforce integration",
        sent_at=datetime(2026, 3, 2, 9, 15, tzinfo=helsinki),
        transport="outbox",
    )
    second = replace(
        entry, message_id="<def@winback.example>", touch=2, sent_at=entry.sent_at + timedelta(days=7)
    )
    store.log_message(second)
    store.log_message(entry)
    store.log_message(entry)  # the activity retried

    logged = store.messages(account_id="ACC-1")

    assert logged == [entry, second]  # the same instants, oldest first
    assert logged[0].sent_at.tzinfo == UTC
    assert logged[0].sent_at == datetime(2026, 3, 2, 7, 15, tzinfo=UTC)
    assert store.messages(account_id="ACC-2") == []


def test_a_naive_datetime_is_refused_rather_than_guessed(store: Store) -> None:
    entry = MessageLogEntry(
        "<x@y>", "w", "ACC-1", "c", 1, "email", "a@b", "s", datetime(2026, 3, 2, 9), "outbox"
    )
    with pytest.raises(StatementError, match="naive datetime"):
        store.log_message(entry)


# --- opening, connecting, migrating ----------------------------------------------------------


def test_reopening_keeps_everything(db_url: str) -> None:
    with Store.open(db_url) as first:
        first.record_outcome(outcome(DECLINED))
    with Store.open(db_url) as second:
        assert [p.kind for p in second.preferences(as_of=date(2026, 5, 1))] == ["declined"]


def test_a_new_sqlite_store_and_its_folder_are_for_the_owner_only(tmp_path: Path) -> None:
    # The store holds contact emails. Under the usual umask 022 SQLite would make it 0644.
    folder = tmp_path / "data"
    old_umask = os.umask(0o022)
    try:
        with Store.open(f"sqlite:///{folder}/winback.db") as opened:
            opened.import_accounts([account()], now=datetime(2026, 3, 2, tzinfo=UTC))
            files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    finally:
        os.umask(old_umask)
    assert {"winback.db", "winback.db-wal", "winback.db-shm"} <= set(files), files
    assert files == dict.fromkeys(files, 0o600), files
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreachable_database_is_one_clear_line_without_the_password(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql":
        url = "postgresql://nobody:s3cr3t-pw@127.0.0.1:1/winback"
        expected = "cannot connect to the database at postgresql+psycopg://nobody:***@127.0.0.1:1/winback"
    else:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("a file where the data folder should be")
        url = f"sqlite:///{blocker}/winback.db"
        expected = f"cannot create the folder {blocker}"

    began = time.perf_counter()
    with pytest.raises(StoreError) as raised:
        Store.open(url)

    message = str(raised.value)
    assert message.startswith(expected), message
    assert "\n" not in message
    assert "s3cr3t" not in message
    assert time.perf_counter() - began < 15


def test_opening_at_once_from_several_processes_migrates_once(db_url: str) -> None:
    # Each process imports everything first, then all open together when told to: the
    # migration itself is what overlaps, not Python's start-up.
    script = (
        "import sys\n"
        "from activities.store import Store\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
        "Store.open(sys.argv[1]).close()\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    errors = [proc.communicate(timeout=120)[1] for proc in procs]

    assert [proc.returncode for proc in procs] == [0, 0, 0, 0], errors
    with Store.open(db_url) as opened:
        assert opened.outcome_counts("any")["running"] == 0


def test_migrations_go_up_down_up_and_match_the_models(db_url: str) -> None:
    config = alembic_config(db_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        command.upgrade(config, "head")  # at head already: nothing to do
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {*metadata.tables, "alembic_version"}
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


# --- URLs ----------------------------------------------------------------------------------


def test_database_url_defaults_to_sqlite_in_the_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(Path("/srv/winback/data")) == "sqlite:////srv/winback/data/winback.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://app:pw@db.internal:5432/winback")
    assert database_url(Path("data")) == "postgresql+psycopg://app:pw@db.internal:5432/winback"
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.internal/winback?sslmode=require")
    assert database_url(Path("data")) == "postgresql+psycopg://app@db.internal/winback?sslmode=require"
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db/winback")
    assert database_url(Path("data")) == "postgresql+psycopg://app@db/winback"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://app:s3cret@db:5432/winback", "postgresql+psycopg://app:***@db:5432/winback"),
        ("postgresql://app:p%40ss:w0rd@db/winback", "postgresql://app:***@db/winback"),
        ("postgresql://app:p@ss/w0rd@db:5432/winback", "postgresql://app:***@db:5432/winback"),
        ("postgresql://app@db:5432/winback", "postgresql://app@db:5432/winback"),
        ("postgresql://db:5432/winback", "postgresql://db:5432/winback"),
        (
            "postgresql://app@db/winback?password=s3cret&sslmode=require",
            "postgresql://app@db/winback?password=***&sslmode=require",
        ),
        ("postgresql://app@db/winback", "postgresql://app@db/winback"),
        ("sqlite:///data/winback.db", "sqlite:///data/winback.db"),
    ],
)
def test_masked_hides_any_password(url: str, shown: str) -> None:
    assert masked(url) == shown
