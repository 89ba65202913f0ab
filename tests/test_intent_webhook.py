"""POST /webhooks/intent: signed cancel intents from the product, a real SQLite store, a
recording save signaller and a real task board (the workflow side is tests/test_save_intent.py)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from starlette.exceptions import StarletteDeprecationWarning

from activities.store import Store, database_url, schema
from activities.tasks import FolderTaskBoard
from campaigns.intent import CHURNED, FOLLOWING, SAVED
from campaigns.save_watch import WatchedRenewal
from contracts.intent import IntentNotice
from contracts.saves import Approver, SaveInput, SaveOutcomeRecord
from inbound import intent_events as wire
from tests.factories import make_account, make_watched
from winback.cli import cli
from winback.intent_webhook import PATH, CancelIntents
from winback.settings import Settings, SettingsError
from winback.web import create_app, store_recorder

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = b"intent-secret-for-tests-0123456789abcdef"
# Friday 4 December 2026, 16:30 UTC: 18:30 in Helsinki.
NOW = datetime(2026, 12, 4, 16, 30, tzinfo=UTC)


class RecordingSaves:
    """Temporal's side, recorded (the real one is tests/test_intent_webhook_e2e.py)."""

    def __init__(self, running: set[str] | None = None, fail: bool = False) -> None:
        self.running = running or set()
        self.heard: list[tuple[str, IntentNotice]] = []
        self.started: list[tuple[str, SaveInput, IntentNotice]] = []
        self.fail = fail

    async def save_intent(self, account_id: str, notice: IntentNotice) -> bool:
        if self.fail:
            raise RuntimeError("Temporal is down")
        if account_id not in self.running:
            return False
        self.heard.append((account_id, notice))
        return True

    async def start_save(self, task_queue: str, inp: SaveInput, notice: IntentNotice) -> None:
        if self.fail:
            raise RuntimeError("Temporal is down")
        self.started.append((task_queue, inp, notice))
        self.running.add(inp.account.account_id)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WINBACK_UNSUBSCRIBE_SECRET", "test-unsubscribe-secret-of-32-bytes-or-more")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("WINBACK_INTENT_SECRET", raising=False)
    return Settings(data_dir=tmp_path, task_queue="winback", public_url="https://winback.example")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = Store.open(database_url(settings.data_dir))
    opened.import_accounts([make_account(account_id="ACC-1", churned_on=None)], now=NOW)
    yield opened
    opened.close()


def client_for(
    settings: Settings, store: Store, saves: RecordingSaves, *, secret: bytes | None = SECRET, **kw: Any
) -> TestClient:
    config = CancelIntents(
        secret=secret,
        store=lambda: store,
        saves=saves,
        tasks=FolderTaskBoard(settings.tasks_dir),
        clock=lambda: NOW,
        **kw,
    )
    app = create_app(settings, store_recorder(settings, store), sequences=saves, cancel_intents=config)  # type: ignore[arg-type]
    return TestClient(app)


def event(**over: Any) -> dict[str, Any]:
    base = {
        "account_id": "ACC-1",
        "event": "cancel_flow_abandoned",
        "occurred_at": "2026-12-04T16:29:00Z",
        "id": "evt-1",
        "detail": "left at the reason step",
    }
    base.update(over)
    return base


def post(
    client: TestClient,
    body: object,
    *,
    secret: bytes = SECRET,
    at: datetime = NOW,
    headers: dict[str, str] | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(int(at.timestamp()))
    sent = {wire.TIMESTAMP_HEADER: ts, wire.SIGNATURE_HEADER: wire.signature(secret, ts, raw)}
    if headers is not None:
        sent = headers
    return client.post(PATH, content=raw, headers={"content-type": "application/json", **sent})


def stored(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.intent_events)).scalar_one())


def tasks(settings: Settings) -> list[Path]:
    return sorted(settings.tasks_dir.rglob("*.md")) if settings.tasks_dir.exists() else []


# --- refusals: nothing stored -----------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "bad signature",
        "other secret",
        "stale",
        "future",
        "no signature",
        "no timestamp",
        "edited body",
        "not hex",
    ],
)
def test_a_post_not_signed_now_with_the_secret_is_refused_403_and_stores_nothing(
    settings: Settings, store: Store, case: str
) -> None:
    client = client_for(settings, store, RecordingSaves())
    raw = json.dumps(event()).encode()
    ts = str(int(NOW.timestamp()))
    good = wire.signature(SECRET, ts, raw)
    headers = {
        "bad signature": {wire.TIMESTAMP_HEADER: ts, wire.SIGNATURE_HEADER: "v1=" + "0" * 64},
        "other secret": {
            wire.TIMESTAMP_HEADER: ts,
            wire.SIGNATURE_HEADER: wire.signature(b"x" * 40, ts, raw),
        },
        "stale": {wire.TIMESTAMP_HEADER: str(int(NOW.timestamp()) - 301)},
        "future": {wire.TIMESTAMP_HEADER: str(int(NOW.timestamp()) + 301)},
        "no signature": {wire.TIMESTAMP_HEADER: ts},
        "no timestamp": {wire.SIGNATURE_HEADER: good},
        "edited body": {wire.TIMESTAMP_HEADER: ts, wire.SIGNATURE_HEADER: good},
        "not hex": {wire.TIMESTAMP_HEADER: ts, wire.SIGNATURE_HEADER: "v1=zz"},
    }[case]
    if case in ("stale", "future"):
        headers[wire.SIGNATURE_HEADER] = wire.signature(SECRET, headers[wire.TIMESTAMP_HEADER], raw)
    body = raw.replace(b"evt-1", b"evt-2") if case == "edited body" else raw
    answer = post(client, body, headers=headers)
    assert answer.status_code == 403, answer.text
    assert answer.text.startswith("Refused: ")
    assert stored(store) == 0 and not tasks(settings)


def test_within_five_minutes_either_way_is_fresh(settings: Settings, store: Store) -> None:
    client = client_for(settings, store, RecordingSaves())
    assert post(client, event(id="a"), at=NOW - timedelta(seconds=299)).status_code == 200
    assert post(client, event(id="b"), at=NOW + timedelta(seconds=299)).status_code == 200
    assert stored(store) == 2


def test_without_a_secret_every_post_is_503_and_nothing_is_read(settings: Settings, store: Store) -> None:
    client = client_for(settings, store, RecordingSaves(), secret=None)
    answer = post(client, event())
    assert answer.status_code == 503 and "WINBACK_INTENT_SECRET" in answer.text
    assert stored(store) == 0


def test_the_secret_comes_from_the_environment_and_a_short_one_is_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.intent_secret() is None
    monkeypatch.setenv("WINBACK_INTENT_SECRET", "  ")
    assert settings.intent_secret() is None
    monkeypatch.setenv("WINBACK_INTENT_SECRET", "short-secret")
    with pytest.raises(SettingsError) as err:
        settings.intent_secret()
    assert "short-secret" not in str(err.value) and "\n" not in str(err.value)
    monkeypatch.setenv("WINBACK_INTENT_SECRET", SECRET.decode())
    assert settings.intent_secret() == SECRET


def test_a_body_over_the_cap_is_413(settings: Settings, store: Store) -> None:
    client = client_for(settings, store, RecordingSaves(), max_body=100)
    assert post(client, [event(id=str(n)) for n in range(5)]).status_code == 413
    assert stored(store) == 0


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not JSON"),
        ([], "no event"),
        (event(event="cancelled_for_real"), '"event" must be one of cancel_flow_started'),
        (event(occurred_at="2026-12-04T16:29:00"), '"occurred_at"'),
        (event(account_id=""), '"account_id"'),
        ([event(), 3], "event 2 is not a JSON object"),
    ],
)
def test_a_signed_body_that_is_not_the_wire_format_is_400_in_one_line(
    settings: Settings, store: Store, body: object, words: str
) -> None:
    answer = post(client_for(settings, store, RecordingSaves()), body)
    assert answer.status_code == 400 and words in answer.text and "\n" not in answer.text
    assert stored(store) == 0


# --- storing once, then acting ----------------------------------------------------------------


def test_a_running_save_hears_each_event_once_and_a_repost_stores_nothing_new(
    settings: Settings, store: Store
) -> None:
    saves = RecordingSaves(running={"ACC-1"})
    client = client_for(settings, store, saves)
    batch = [event(), event(id="evt-2", event="data_export"), event(id=None, event="widget_removed")]
    first = post(client, batch)
    assert first.status_code == 200 and first.json() == {
        "received": 3,
        "acted": {"save": 3},
        "already_acted": 0,
    }
    again = post(client, batch)
    assert again.json() == {"received": 3, "acted": {}, "already_acted": 3}
    assert stored(store) == 3
    assert [(a, n.kind) for a, n in saves.heard] == [
        ("ACC-1", "cancel_flow_abandoned"),
        ("ACC-1", "data_export"),
        ("ACC-1", "widget_removed"),
    ]
    assert saves.heard[0][1].event_id == "id:evt-1" and saves.heard[2][1].event_id.startswith("sha256:")
    assert not tasks(settings), "the save opens the intervention task itself"


def test_with_no_save_an_abandoned_flow_puts_the_owner_task_on_the_board_due_within_a_business_day(
    settings: Settings, store: Store
) -> None:
    client = client_for(settings, store, RecordingSaves())
    answer = post(client, [event(), event(id="evt-2", event="cancel_page_viewed")])
    assert answer.json()["acted"] == {"flag": 1, "task": 1}
    [task] = tasks(settings)
    text = task.read_text()
    assert task.parent.name == "maria.lind" and "save-intervention" in task.name
    # Friday 18:30 in Helsinki: due Monday 18:30 there.
    assert "- due: 2026-12-07T18:30:00+02:00" in text
    assert "left it unfinished" in text and "No save is running" in text
    # No step waits for it: `winback task done` would find nothing to close.
    assert "- report back: nothing to report back" in text and "winback task done" not in text


def test_an_unknown_account_is_stored_and_acted_on_by_nobody(settings: Settings, store: Store) -> None:
    answer = post(client_for(settings, store, RecordingSaves()), event(account_id="ACC-404"))
    assert answer.status_code == 200 and answer.json()["acted"] == {"nobody": 1}
    assert stored(store) == 1 and not tasks(settings)


# --- no save running: the newest saves launch's row decides ---------------------------------------


def test_an_intent_that_puts_a_watched_renewal_at_risk_starts_its_save_from_the_launch_s_row(
    settings: Settings, store: Store
) -> None:
    store.watch_renewals([make_watched("ACC-W", signals=("engagement_drop",))], at=NOW)
    saves = RecordingSaves()
    client = client_for(settings, store, saves, task_queue="saves-queue")
    answer = post(client, event(account_id="ACC-W"))
    assert answer.status_code == 200 and answer.json()["acted"] == {"started": 1}
    [(queue, inp, notice)] = saves.started
    assert queue == "saves-queue" and notice.event_id == "id:evt-1"
    # Judged on the day of the intent, with the intent counted: one more red flag.
    assert inp.decision.flags == ("engagement_drop", "cancel_intent") and inp.decision.risk == "at_risk"
    assert (inp.decision.effort, inp.decision.mode, inp.decision.days_to_renewal) == (
        "full",
        "comprehensive",
        120,
    )
    assert inp.campaign_id == "saves-2026-11" and inp.renewal_on == "2027-04-03"
    assert (inp.winback_campaign, inp.monitor_months) == ("/srv/winback/spring-winback.yaml", 9)
    assert Approver("erik.holm", "director") in inp.approvers and inp.tasks
    [attempt] = store.at_risk_accounts()
    assert (attempt.campaign_id, attempt.account_id, attempt.planned_on, attempt.started) == (
        "saves-2026-11",
        "ACC-W",
        date(2026, 12, 4),
        True,
    )
    assert not tasks(settings), "the save opens the intervention task itself"
    # The next intent finds the save running and is heard by it.
    answer = post(client, event(account_id="ACC-W", id="evt-2", event="data_export"))
    assert answer.json()["acted"] == {"save": 1} and len(saves.started) == 1


@pytest.mark.parametrize(
    ("row", "why"),
    [
        (make_watched("ACC-W"), "its saves plan leaves it out today (one red flag is watched, not saved)"),
        (
            make_watched("ACC-W", signals=("engagement_drop",), factors=False),
            "its saves plan leaves it out today (at risk, but the file gives no save factors for it; fill in "
            "root_cause",
        ),
        (
            make_watched("ACC-W", signals=("engagement_drop",), days=-1),
            "leaves it out today (the renewal was 1 day ago: too late for a save (renewal on 2026-12-03))",
        ),
    ],
    ids=["one flag is watched", "no save factors", "renewal past"],
)
def test_a_watched_renewal_the_plan_still_leaves_out_starts_nothing_and_the_owner_s_task_says_why(
    settings: Settings, store: Store, row: WatchedRenewal, why: str
) -> None:
    store.watch_renewals([row], at=NOW)
    saves = RecordingSaves()
    answer = post(client_for(settings, store, saves), event(account_id="ACC-W"))
    assert answer.json()["acted"] == {"task": 1} and not saves.started
    [task] = tasks(settings)
    # The owner comes from the launch's row: a saves file's account is not in the accounts import.
    assert task.parent.name == "maria.lind" and "ACC-W" in task.name
    assert why in task.read_text() and "- campaign: saves-2026-11\n" in task.read_text()
    assert not store.at_risk_accounts()


def test_a_row_whose_save_has_ended_since_starts_no_second_save(settings: Settings, store: Store) -> None:
    store.watch_renewals([make_watched("ACC-W", signals=("engagement_drop",))], at=NOW)  # planned 2026-11-30
    ended = datetime(2026, 12, 2, 15, tzinfo=UTC)
    store.record_save_outcome(
        SaveOutcomeRecord(
            workflow_id="save-ACC-W",
            run_id="run-1",
            account_id="ACC-W",
            campaign_id="saves-2026-11",
            outcome="lost",
            reason="signed with a competitor",
            effort="full",
            mode="comprehensive",
            root_cause="value_perception",
            renewal_on="2027-04-03",
            started_at=ended - timedelta(days=2),
            ended_at=ended,
            tasks_done=3,
            tasks_total=9,
        )
    )
    saves = RecordingSaves()
    answer = post(client_for(settings, store, saves), event(account_id="ACC-W"))
    assert answer.json()["acted"] == {"task": 1} and not saves.started
    [task] = tasks(settings)
    assert (
        "its save ended lost on 2026-12-02, after the saves launch of 2026-11-30 planned it; a new saves "
        "launch plans the next one"
    ) in task.read_text()


def test_a_later_launch_replaces_the_account_s_row(settings: Settings, store: Store) -> None:
    first = make_watched("ACC-W", signals=("engagement_drop",))
    later = replace(make_watched("ACC-W"), campaign_id="saves-2026-12")
    store.watch_renewals([first], at=NOW)
    store.watch_renewals([later], at=NOW + timedelta(days=1))
    assert store.watched_renewal("ACC-W") == later and store.watched_renewal("ACC-X") is None
    answer = post(client_for(settings, store, RecordingSaves()), event(account_id="ACC-W"))
    assert answer.json()["acted"] == {"task": 1}, "the newest row has one flag with the intent: watched"


def test_a_save_that_cannot_be_told_is_503_and_a_repost_acts_then(settings: Settings, store: Store) -> None:
    down = RecordingSaves(running={"ACC-1"}, fail=True)
    assert post(client_for(settings, store, down), event()).status_code == 503
    assert stored(store) == 1
    up = RecordingSaves(running={"ACC-1"})
    answer = post(client_for(settings, store, up), event())
    assert answer.json()["acted"] == {"save": 1} and len(up.heard) == 1


def test_a_store_that_is_down_is_503(settings: Settings, store: Store) -> None:
    def broken() -> Store:
        raise RuntimeError("database is down")

    config = CancelIntents(secret=SECRET, store=broken, saves=RecordingSaves(), clock=lambda: NOW)
    app = create_app(
        settings, store_recorder(settings, store), sequences=RecordingSaves(), cancel_intents=config
    )  # type: ignore[arg-type]
    assert post(TestClient(app), event()).status_code == 503


# --- red flags and the six-month follow-up ------------------------------------------------------


def test_intents_count_as_red_flags_and_the_follow_up_tells_a_save_from_a_delayed_churn(
    settings: Settings, store: Store
) -> None:
    store.import_accounts(
        [
            make_account(account_id="ACC-2", churned_on="2027-03-01"),
            make_account(account_id="ACC-3", churned_on=None),
        ],
        now=NOW,
    )
    client = client_for(settings, store, RecordingSaves())
    post(
        client,
        [
            event(),
            event(id="e2", account_id="ACC-2"),
            event(id="e3", account_id="ACC-3", occurred_at="2026-01-05T10:00:00Z"),
        ],
    )
    assert store.intent_counts(since=NOW - timedelta(days=30)) == {"ACC-1": 1, "ACC-2": 1}
    ups = {u.account_id: u for u in store.intent_follow_ups(as_of=date(2027, 1, 1))}
    assert ups["ACC-1"].followed_until == date(2027, 6, 4) and ups["ACC-1"].verdict == FOLLOWING
    assert ups["ACC-2"].verdict == CHURNED  # churned three months after the intent: a delayed churn
    assert ups["ACC-3"].followed_until == date(2026, 7, 5) and ups["ACC-3"].verdict == SAVED


def test_saves_intent_prints_each_account_s_follow_up(settings: Settings, store: Store) -> None:
    post(client_for(settings, store, RecordingSaves()), event())
    runner = CliRunner(env={"WINBACK_DATA_DIR": str(settings.data_dir), "DATABASE_URL": ""})
    result = runner.invoke(cli, ["saves", "intent", "--as-of", "2027-01-01"])
    assert result.exit_code == 0, result.output
    assert "following  ACC-1: 1 cancel intent(s) (cancel_flow_abandoned), last 2026-12-04" in result.output
    assert "followed until 2027-06-04" in result.output
    assert "1 accounts, 1 following, 0 saved, 0 churned" in result.output
    assert "reason step" not in result.output
