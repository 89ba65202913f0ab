"""Where the database is, how to connect to it, and bringing its schema up to date."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError

from activities.store.records import StoreError

MIGRATIONS_DIR: Final = Path(__file__).resolve().parent.parent / "migrations"

# Execution option that makes a SQLite transaction BEGIN IMMEDIATE: a deferred transaction that
# reads and then writes fails at once with "database is locked" when another process wrote in
# between, instead of waiting for busy_timeout.
WRITE_OPTION: Final = "winback_write"

# Any constant works; it only has to be the same for every Winback process on one database.
_MIGRATION_LOCK_KEY: Final = 0x57696E6261636B  # "Winback"

# Alembic keeps the running migration context in module globals: one upgrade per process at a time.
_UPGRADE_IN_PROCESS: Final = threading.Lock()

_SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
_PG_CONNECT_TIMEOUT_S: Final = 10

_QUERY_PASSWORD = re.compile(r"([?&](?:password|pass|pwd|sslpassword)=)[^&#]*", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """Driverless PostgreSQL URLs (what Heroku, Render, RDS consoles hand out) use psycopg 3."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def database_url(data_dir: Path) -> str:
    """DATABASE_URL if set, else a SQLite file in the data folder."""
    configured = os.environ.get("DATABASE_URL", "").strip()
    if configured:
        return normalise_url(configured)
    return f"sqlite:///{data_dir}/winback.db"


def masked(url: str) -> str:
    """The URL with any password replaced by "***", safe for messages and logs."""
    scheme, sep, rest = url.partition("://")
    user, colon, _ = rest.partition(":")
    if sep and colon and "@" in rest and not any(c in user for c in "@/?#"):
        # Up to the last "@": an unencoded "@" in a password must not leave its tail showing.
        # (An "@" further on, in the query, hides more than needed, never less.)
        rest = f"{user}:***@{rest.rpartition('@')[2]}"
        url = f"{scheme}://{rest}"
    return _QUERY_PASSWORD.sub(r"\1***", url)


def _password(url: str) -> str:
    try:
        return make_url(url).password or ""
    except (ArgumentError, ValueError):
        return ""


def _one_line(text_: str, url: str) -> str:
    line = " ".join(text_.split())
    secret = _password(url)
    if secret:
        line = line.replace(secret, "***")
    return line[:300]


def _reason(exc: BaseException, url: str) -> str:
    # The driver's own message says what went wrong; SQLAlchemy's wrapper adds the statement
    # and a documentation link, which only make the line longer.
    orig = getattr(exc, "orig", None)
    return _one_line(str(orig if orig is not None else exc), url)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_on_begin): the sqlite3 module's own
    # transaction handling skips BEGIN before SELECT and DDL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
        # WAL lets readers (status, reports) run while a launch or a worker writes.
        _use_wal(cursor)
        # With WAL, NORMAL loses at most the last commits on power failure, never consistency.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch a database file to WAL, once. The switch needs the file to itself, and SQLite
    answers "database is locked" at once instead of waiting (the busy timeout does not cover
    it): seen when a worker and a command open a new store together. So wait here."""
    deadline = time.monotonic() + _SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_store_engine(url: str) -> Engine:
    """An engine configured for the store; raises StoreError for URLs it cannot use."""
    shown = masked(url)
    try:
        sa_url = make_url(url)
        backend = sa_url.get_backend_name()
    except (ArgumentError, ValueError):
        # The parser's message may quote the URL, password and all: say it in our words.
        raise StoreError(
            f"{shown!r} is not a database URL; "
            "set DATABASE_URL to postgresql://user:password@host:5432/dbname or sqlite:///path/winback.db"
        ) from None
    try:
        if backend == "sqlite":
            database = sa_url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                file = Path(database).expanduser()
                folder = file.parent
                try:
                    # The store holds contact emails: its owner's only (docs/ARCHITECTURE.md).
                    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(
                        f"cannot create the folder {folder} for the database {shown} ({exc.strerror}); "
                        "choose a writable data folder or set DATABASE_URL"
                    ) from None
                try:
                    # SQLite would make it 0644; it gives the -wal and -shm files the mode of
                    # the database file, so making that one 0600 here covers all three.
                    os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                except FileExistsError:
                    pass  # an existing store keeps the mode its owner gave it
                except OSError as exc:
                    raise StoreError(
                        f"cannot create the database {shown} ({exc.strerror}); "
                        "choose a writable data folder or set DATABASE_URL"
                    ) from None
            engine = create_engine(sa_url)
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
            return engine
        if backend == "postgresql":
            # An unreachable host would otherwise hang for the OS's TCP timeout (minutes).
            connect_args: dict[str, Any] = (
                {} if "connect_timeout" in sa_url.query else {"connect_timeout": _PG_CONNECT_TIMEOUT_S}
            )
            return create_engine(sa_url, pool_pre_ping=True, connect_args=connect_args)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"no database driver for {shown} ({_one_line(str(exc), url)}); "
            "use postgresql://... (psycopg 3) or sqlite:///path/winback.db"
        ) from None
    raise StoreError(
        f"unsupported database {shown}: Winback stores its data in SQLite or PostgreSQL; "
        "set DATABASE_URL to postgresql://user:password@host:5432/dbname or sqlite:///path/winback.db"
    )


def alembic_config(url: str | None = None, *, connection: Connection | None = None) -> Config:
    """Alembic configured in code (no alembic.ini): for Store.open, tests and `alembic` by hand."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        # ConfigParser would read "%" in a password as interpolation.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that intends to write: on SQLite it takes the write lock up front."""
    with engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        yield conn


def lock_migrations(conn: Connection) -> None:
    """Hold off other processes' schema changes until this transaction ends."""
    if conn.dialect.name == "postgresql":
        # A second process opening at the same time waits here, then finds the schema at head.
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    # On SQLite the BEGIN IMMEDIATE of write_transaction already holds the database's write lock.


def upgrade(engine: Engine) -> None:
    """`alembic upgrade head`, safe when several processes open the same database at once."""
    with _UPGRADE_IN_PROCESS, write_transaction(engine) as conn:
        lock_migrations(conn)
        command.upgrade(alembic_config(connection=conn), "head")


def open_engine(url: str) -> Engine:
    """Connect, migrate, and return the engine; every failure is one StoreError line."""
    url = normalise_url(url)
    shown = masked(url)
    engine = create_store_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    verb = "open" if sqlite else "connect to"
    try:
        upgrade(engine)
    except CommandError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot bring the database at {shown} up to date ({_one_line(str(exc), url)}); "
            "it may have been migrated by a newer Winback: upgrade Winback or point DATABASE_URL elsewhere"
        ) from None
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot {verb} the database at {shown} ({_reason(exc, url)}); "
            "check DATABASE_URL and that the database server is running and reachable"
        ) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(
            f"cannot {'open' if sqlite else 'prepare'} the database at {shown} ({_reason(exc, url)}); "
            "check that DATABASE_URL names a database Winback may create its tables in"
        ) from exc
    return engine
