"""Save outcomes in the store: one row per save, the first outcome stands, granted concessions kept."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from activities.store import Store
from contracts.saves import GrantedConcession, SaveOutcomeRecord

AT = datetime(2027, 3, 1, 9, tzinfo=UTC)


def record(**kw: object) -> SaveOutcomeRecord:
    base = SaveOutcomeRecord(
        workflow_id="save-ACC-1",
        run_id="run-1",
        account_id="ACC-1",
        campaign_id="saves-2027-03",
        outcome="saved",
        reason="renewed for 2 years",
        effort="full",
        mode="compressed",
        root_cause="value_perception",
        renewal_on="2027-04-15",
        started_at=AT,
        ended_at=AT,
        tasks_done=7,
        tasks_total=9,
        concessions=(GrantedConcession("discount", "20 %", "2-year renewal", "year 1 only", "erik.holm"),),
    )
    return SaveOutcomeRecord(**{**base.__dict__, **kw})  # type: ignore[arg-type]


def test_the_first_outcome_stands(store: Store) -> None:
    assert store.record_save_outcome(record()) is True
    assert store.record_save_outcome(record(outcome="lost", reason="later")) is False
    [row] = store.save_outcomes(account_id="ACC-1")
    assert row == record()


def test_which_saves_have_their_outcome(store: Store) -> None:
    assert store.with_save_outcome([]) == set()
    store.record_save_outcome(record())
    store.record_save_outcome(record(workflow_id="save-ACC-2", account_id="ACC-2", run_id="run-a"))
    asked = [("save-ACC-1", "run-1"), ("save-ACC-1", "run-2"), ("save-ACC-2", "run-b"), ("save-ACC-3", "r")]
    assert store.with_save_outcome(asked) == {("save-ACC-1", "run-1")}
    assert store.with_save_outcome([("save-ACC-2", "run-a")]) == {("save-ACC-2", "run-a")}


def test_an_unknown_outcome_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown save outcome 'won'"):
        store.record_save_outcome(record(outcome="won"))


def test_at_risk_accounts_update_and_a_started_save_stays_started(store: Store) -> None:
    from datetime import date

    from campaigns.save_report import AtRiskAccount

    first = [AtRiskAccount("saves-2027-03", "ACC-1", date(2027, 3, 1), 50_000, True)]
    first.append(AtRiskAccount("saves-2027-03", "ACC-2", date(2027, 3, 1), 9_000, False))
    store.record_at_risk(first)
    store.record_at_risk([AtRiskAccount("saves-2027-03", "ACC-1", date(2027, 3, 8), 52_000, False)])
    store.record_at_risk([])
    assert store.at_risk_accounts() == [
        AtRiskAccount("saves-2027-03", "ACC-1", date(2027, 3, 8), 52_000, True),
        AtRiskAccount("saves-2027-03", "ACC-2", date(2027, 3, 1), 9_000, False),
    ]
    assert [r.account_id for r in store.all_save_outcomes()] == []
