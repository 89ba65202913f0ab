"""`winback saves launch`: one save per included account, a running one reported, bad files exit 2."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.store import Store, database_url
from contracts import search_attributes as sa
from contracts.saves import SaveInput
from tests.cli import EXAMPLES, codec_converter, env_for, winback

RENEWALS = str(EXAMPLES / "renewals.csv")
APPROVERS = str(EXAMPLES / "approvers.yaml")


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_a_bad_approvers_file_starts_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "approvers.yaml"
    bad.write_text("approvers: {maria.lind: boss}\nmanager: maria.lind\nexecutive: maria.lind\n")
    done = await winback(
        "saves", "launch", "--accounts", RENEWALS, "--approvers", str(bad), env=env_for(None, tmp_path)
    )
    assert done.code == 2 and done.out == ""
    assert (
        f"{bad}: approvers.maria.lind: unknown role 'boss'; use one of csm, manager, director, vp" in done.err
    )


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_a_bad_win_back_campaign_or_monitoring_length_starts_nothing(tmp_path: Path) -> None:
    args = ("saves", "launch", "--accounts", RENEWALS, "--approvers", APPROVERS)
    missing = await winback(
        *args, "--winback-campaign", str(tmp_path / "nope.yaml"), env=env_for(None, tmp_path)
    )
    assert missing.code == 2 and missing.out == ""
    assert missing.err.startswith("--winback-campaign: ") and "nope.yaml" in missing.err
    long = await winback(*args, "--monitor-months", "13", env=env_for(None, tmp_path))
    assert long.code == 2 and "13 is not in the range 6<=x<=12" in long.err
    config = tmp_path / "saves.yaml"
    config.write_text("currency: EUR\nhourly_cost: 85\nmonitor_months: 24\n")
    bad = await winback(*args, "--config", str(config), env=env_for(None, tmp_path))
    assert bad.code == 2 and bad.out == ""
    assert bad.err.strip() == (
        f"{config}: monitor_months: '24' is not a whole number of months from 6 to 12; write e.g. "
        "monitor_months: 6"
    )


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_the_settings_file_says_how_long_a_saved_account_is_watched_and_the_flag_wins(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    config = tmp_path / "saves.yaml"
    config.write_text("currency: EUR\nhourly_cost: 85\nmonitor_months: 12\n")
    args = ("saves", "launch", "--accounts", RENEWALS, "--approvers", APPROVERS, "--config", str(config))
    client = Client(
        ts_env.client.service_client, namespace=ts_env.client.namespace, data_converter=codec_converter()
    )
    months = []
    for n, more in enumerate([(), ("--monitor-months", "7")]):
        env = env_for(ts_env, tmp_path / str(n), task_queue=f"saves-config-{n}")
        done = await winback(*args, *more, "--renewals-relative-to", "2027-03-01", env=env)
        assert done.code == 0, done.err
        handle = client.get_workflow_handle("save-ACC-2002")
        first = (await handle.fetch_history()).events[0]
        payload = first.workflow_execution_started_event_attributes.input.payloads[0]
        months.append((await client.data_converter.decode([payload], [SaveInput]))[0].monitor_months)
        await handle.terminate("next launch")
    assert months == [12, 7]


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_a_launch_that_cannot_reach_temporal_starts_and_watches_nothing(tmp_path: Path) -> None:
    done = await winback(
        "saves", "launch", "--accounts", RENEWALS, "--approvers", APPROVERS, env=env_for(None, tmp_path)
    )
    assert done.code != 0 and "cannot reach Temporal" in done.err
    with Store.open(database_url(tmp_path)) as store:
        # A later cancel intent must not start a save from a launch that never ran.
        assert store.watched_renewal("ACC-2009") is None and not store.at_risk_accounts()


@pytest.mark.integration  # runs the real winback command in a subprocess
async def test_launch_starts_one_save_per_included_account(
    ts_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = env_for(ts_env, tmp_path, task_queue="saves-cli")
    winback_campaign = EXAMPLES / "spring-winback.yaml"
    args = ("saves", "launch", "--accounts", RENEWALS, "--approvers", APPROVERS)
    # The example as of the day its golden plan was written, moved to today; a lost save's
    # win-back stages start in the spring campaign, a saved one is watched for 9 months.
    more = ("--winback-campaign", str(winback_campaign), "--monitor-months", "9")
    done = await winback(
        *args, *more, "--renewals-relative-to", "2027-03-01", "--campaign-id", "saves-demo", env=env
    )
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    started = [line.split()[1].rstrip(":") for line in lines if line.lstrip().startswith("started")]
    assert started == ["save-ACC-2001", "save-ACC-2002", "save-ACC-2003", "save-ACC-2004", "save-ACC-2005"]
    renewal = (date.today() + timedelta(days=45)).isoformat()
    assert (
        f"  started          save-ACC-2001: full effort, compressed, executive escalation, 9 tasks, "
        f"renewal {renewal}"
    ) in lines
    past = (date.today() - timedelta(days=9)).isoformat()
    assert (
        "  not started      ACC-2008: not included: the renewal was 9 days ago: too late for a save "
        f"(renewal on {past})"
    ) in lines
    assert lines[-1] == "saves saves-demo: 5 of 9 accounts included, 0 failed"
    # Every at-risk account, the past renewal's too, for the saves report's attempt rate.
    with Store.open(database_url(tmp_path)) as store:
        recorded = {a.account_id: a.started for a in store.at_risk_accounts()}
        # Every row, watched ones too: a cancel intent may start their save later.
        watched = {f"ACC-{n}": store.watched_renewal(f"ACC-{n}") for n in range(2001, 2010)}
    assert recorded == {**{s.removeprefix("save-"): True for s in started}, "ACC-2008": False}
    assert all(w is not None for w in watched.values())
    row = watched["ACC-2007"]
    assert row is not None and row.renewal.renewal_on == (date.today() + timedelta(days=213)).isoformat()
    assert (row.campaign_id, row.planned_on, row.monitor_months) == (
        "saves-demo",
        date.today().isoformat(),
        9,
    )
    assert (
        row.winback_campaign == str(winback_campaign.resolve()) and row.approvers.manager == "sanna.virtanen"
    )

    # One save per account at a time: a second launch reports the running ones.
    again = await winback(*args, "--campaign-id", "saves-demo", env=env)
    assert again.code == 0 and again.out.count("already running") == 5

    client = Client(
        ts_env.client.service_client, namespace=ts_env.client.namespace, data_converter=codec_converter()
    )
    described = await client.get_workflow_handle("save-ACC-2001").describe()
    assert await described.static_summary() == (
        f"Save · ACC-2001 · high value · full effort · executive escalation · renewal {renewal}"
    )
    inp = await client.get_workflow_handle("save-ACC-2001").fetch_history()
    first = inp.events[0].workflow_execution_started_event_attributes.input.payloads[0]
    started_with = (await client.data_converter.decode([first], [SaveInput]))[0]
    assert started_with.winback_campaign == str(winback_campaign.resolve())
    assert started_with.monitor_months == 9
    attrs = described.typed_search_attributes
    assert attrs.get(sa.CAMPAIGN) == "saves-demo" and attrs.get(sa.OWNER) == "maria.lind"
    assert attrs.get(sa.ACCOUNT_ID) == "ACC-2001" and attrs.get(sa.STATE) == "working"
