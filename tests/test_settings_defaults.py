"""Settings from the environment: defaults, overrides, and the store they open (not the unsubscribe
secret, whose handling is tested on its own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from activities.store import Store
from contracts.ids import TASK_QUEUE
from tests.factories import make_account
from winback import settings as settings_module
from winback.settings import Settings, SettingsError

ENV = (
    "WINBACK_DATA_DIR",
    "WINBACK_TASK_QUEUE",
    "WINBACK_PUBLIC_URL",
    "DATABASE_URL",
    "WINBACK_RECONCILE_EVERY",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Winback variables set, and the working directory a folder of the test's own."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_defaults_are_a_data_folder_here_the_winback_queue_and_localhost(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = settings_module.load()
    assert loaded.data_dir == (tmp_path / "data").resolve()
    assert loaded.data_dir.is_absolute()
    assert loaded.task_queue == TASK_QUEUE == "winback"
    assert loaded.public_url == "http://localhost:8000"


def test_the_reconciler_runs_every_five_minutes_unless_told_otherwise(clean_env: pytest.MonkeyPatch) -> None:
    assert settings_module.load().reconcile_every() == timedelta(minutes=5)
    clean_env.setenv("WINBACK_RECONCILE_EVERY", " 900 ")
    assert settings_module.load().reconcile_every() == timedelta(minutes=15)
    clean_env.setenv("WINBACK_RECONCILE_EVERY", "")
    assert settings_module.load().reconcile_every() == timedelta(minutes=5)


@pytest.mark.parametrize("value", ["5m", "-300", "59", "86401", "1e3", "three hundred seconds, please"])
def test_a_reconciler_interval_that_is_not_whole_seconds_in_range_is_one_line(
    clean_env: pytest.MonkeyPatch, value: str
) -> None:
    clean_env.setenv("WINBACK_RECONCILE_EVERY", value)
    with pytest.raises(SettingsError) as caught:
        settings_module.load().reconcile_every()
    message = str(caught.value)
    assert message.startswith(f"WINBACK_RECONCILE_EVERY is {value[:20]!r}: ")
    assert "a whole number from 60 to 86400" in message
    assert "\n" not in message


def test_the_data_folder_is_fixed_when_loaded_not_when_used(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = settings_module.load()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env.chdir(elsewhere)
    assert loaded.outbox_dir == (tmp_path / "data" / "outbox").resolve()


def test_the_environment_overrides_each_default(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("WINBACK_DATA_DIR", "var/winback")
    clean_env.setenv("WINBACK_TASK_QUEUE", "winback-staging")
    clean_env.setenv("WINBACK_PUBLIC_URL", "https://winback.example")
    loaded = settings_module.load()
    assert loaded.data_dir == (tmp_path / "var" / "winback").resolve()
    assert loaded.task_queue == "winback-staging"
    assert loaded.public_url == "https://winback.example"


def test_an_absolute_data_folder_is_kept(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("WINBACK_DATA_DIR", str(tmp_path / "srv" / "data"))
    assert settings_module.load().data_dir == (tmp_path / "srv" / "data").resolve()


def test_outbox_tasks_and_temporal_live_in_the_data_folder(tmp_path: Path) -> None:
    loaded = Settings(data_dir=tmp_path, task_queue="q", public_url="http://localhost:8000")
    assert (loaded.outbox_dir, loaded.tasks_dir, loaded.temporal_dir) == (
        tmp_path / "outbox",
        tmp_path / "tasks",
        tmp_path / "temporal",
    )


def same_database(store: Store, other: Store) -> bool:
    """What one store imports, the other reads."""
    store.import_accounts([make_account()], now=datetime(2026, 3, 1, tzinfo=UTC))
    return other.account("ACC-1") == make_account()


def test_the_store_is_a_sqlite_file_in_the_data_folder_by_default(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loaded = Settings(data_dir=tmp_path / "data", task_queue="q", public_url="http://localhost:8000")
    with loaded.open_store() as store, Store.open(f"sqlite:///{tmp_path}/data/winback.db") as same:
        assert same_database(store, same)
    assert (tmp_path / "data" / "winback.db").is_file()


def test_the_store_is_the_one_database_url_names(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db/custom.db"
    clean_env.setenv("DATABASE_URL", url)
    loaded = Settings(data_dir=tmp_path / "data", task_queue="q", public_url="http://localhost:8000")
    with loaded.open_store() as store, Store.open(url) as same:
        assert same_database(store, same)
    assert (tmp_path / "db" / "custom.db").is_file()
    assert not (tmp_path / "data" / "winback.db").exists()
