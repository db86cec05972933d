"""Open the database: an async engine for SQLite (WAL) or PostgreSQL, migrated to head on start."""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATE_LOCK = 0x6E657773_0001  # PostgreSQL advisory lock keys ("news" + n)
STARTUP_LOCK = 0x6E657773_0002
ALERT_LOCK = 0x6E657773_0003


def normalise_url(url: str) -> str:
    """Pick the async driver when the URL names only the database kind."""
    parsed = make_url(url)
    if parsed.drivername in {"sqlite", "sqlite+pysqlite"}:
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in {"postgresql", "postgres", "postgresql+psycopg2"}:
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str) -> AsyncEngine:
    """An engine with SQLite set up for one writer at a time without 'database is locked'."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping (a round trip per checkout): a dropped connection fails one statement, and
    # SQLAlchemy then invalidates the pool; the tick that hit it runs again.
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


async def migrate(engine: AsyncEngine) -> None:
    """Apply every Alembic migration up to head (idempotent; one process at a time), all in
    one transaction: a process killed mid-way leaves the schema as it was."""
    async with sqlite_file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        else:
            # Python's sqlite3 opens no transaction before DDL, so each CREATE TABLE committed
            # on its own: a SIGKILL during the first start left tables without their version
            # row, and every later start failed on "table ... already exists".
            await conn.exec_driver_sql("BEGIN")
        await conn.run_sync(_upgrade)


@asynccontextmanager
async def sqlite_file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """An exclusive OS lock on `<database>.lock` beside a SQLite file; a no-op otherwise."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    held = await asyncio.to_thread(_locked, f"{database}.lock")
    try:
        yield
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        held.close()


def _locked(path: str) -> BinaryIO:
    held = open(path, "a+b")  # noqa: SIM115 - closed by sqlite_file_lock
    fcntl.flock(held, fcntl.LOCK_EX)
    return held


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Make processes starting together import config in turn: a PostgreSQL advisory lock, or
    for a SQLite file an OS lock on a file beside it (e.g. `--role poller` + `--role dispatcher`).
    """
    if engine.dialect.name != "postgresql":
        async with sqlite_file_lock(engine):
            yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK})
            await conn.commit()


def _upgrade(connection: Connection) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, "head")
