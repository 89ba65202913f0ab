"""PostgreSQL for the tests: the server named by WINBACK_TEST_POSTGRES_URL, else a throwaway cluster.

Use it from a test module with `from tests.pg import postgres_url  # noqa: F401`, then
`fresh_schema(postgres_url)` for an empty schema per test (dropped afterwards).

The throwaway cluster comes from the Debian/Ubuntu `postgresql` package (initdb and pg_ctl
under /usr/lib/postgresql/<version>/bin, or on PATH). It listens on a free loopback port with
its socket in its own temporary folder, so it never meets a system cluster, and is removed
when the session ends. When no PostgreSQL can be found or started the tests are skipped, or
fail when WINBACK_REQUIRE_POSTGRES=1 (CI sets it, so a broken setup cannot pass as "skipped").
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from activities.store import masked, normalise_url

URL_ENV = "WINBACK_TEST_POSTGRES_URL"
REQUIRE_ENV = "WINBACK_REQUIRE_POSTGRES"


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(
        f"PostgreSQL tests skipped: {reason}; install PostgreSQL (apt-get install postgresql) "
        f"or set {URL_ENV}=postgresql://user:password@host:5432/dbname"
    )


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name)) or (0,)


def _bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version_key)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _Cluster:
    """A scratch cluster: trust auth on loopback, no fsync; nothing in it outlives the session."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="winback-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root; the package's own `postgres` user owns the cluster.
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                _unavailable("the tests run as root and there is no 'postgres' user to run initdb as")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, *args], capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> None:
        initdb = self._run(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
        )
        if initdb.returncode != 0:
            self.remove()
            _unavailable(f"initdb failed: {_tail(initdb.stderr or initdb.stdout)}")
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.root}",
                "-c listen_addresses=127.0.0.1",
                # Durability is pointless for a cluster deleted at the end of the session.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
            ]
        )
        started = self._run(
            str(self.bin_dir / "pg_ctl"),
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--wait",
            "--timeout",
            "60",
            "-o",
            options,
            "start",
        )
        if started.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            self.stop()
            _unavailable(f"pg_ctl start failed: {_tail(started.stderr or started.stdout)} {_tail(log)}")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin_dir / "pg_ctl"), "--pgdata", str(self.data), "-m", "immediate", "stop")
        self.remove()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _tail(output: str, lines: int = 3) -> str:
    return " | ".join(line.strip() for line in output.strip().splitlines()[-lines:])


def _check(url: str) -> str | None:
    """None when the server answers, else why not (one line, no password)."""
    engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        password = make_url(url).password
        return reason.replace(password, "***") if password else reason
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL whose user may create schemas in its database."""
    configured = os.environ.get(URL_ENV, "").strip()
    if configured:
        url = normalise_url(configured)
        problem = _check(url)
        if problem:
            # Somebody asked for this server explicitly: skipping would hide their broken setup.
            pytest.fail(f"{URL_ENV}={masked(url)} does not answer: {problem}", pytrace=False)
        yield url
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        _unavailable(f"{URL_ENV} is not set and no initdb was found under /usr/lib/postgresql or on PATH")
    cluster = _Cluster(bin_dir)
    try:
        cluster.start()
        problem = _check(cluster.url)
        if problem:
            _unavailable(f"the throwaway cluster in {cluster.root} does not answer: {problem}")
        yield cluster.url
    finally:
        cluster.stop()


@contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A URL whose search_path is a new, empty schema, dropped with everything in it afterwards."""
    name = f"winback_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()
