"""Shared fixtures: a migrated store on SQLite and (when reachable) PostgreSQL, and paths."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.paths import SHARED_DATA

PG_ADMIN_URL = os.environ.get("NEWSBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_DATABASE = os.environ.get("NEWSBOT_TEST_DATABASE", "sqlite").lower()
_APP_DATABASES: dict[Path, str] = {}


def _pg_reachable() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return "asyncpg is not installed"

    async def probe() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        with ThreadPoolExecutor(1) as pool:  # pytest-asyncio may already run a loop here
            pool.submit(asyncio.run, probe()).result()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    return None


_PG_PROBLEM: str | bool | None = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_reachable()
    return _PG_PROBLEM  # type: ignore[return-value]


async def create_pg_database() -> str:
    import asyncpg

    name = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh empty database URL on each backend (PostgreSQL skipped when unreachable)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    problem = pg_problem()
    if problem:
        pytest.skip(problem)
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "app_db: builds an App on app_db_url (CI runs these again on PostgreSQL)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "app_db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.app_db)


@pytest.fixture
async def app_db_url(tmp_path: Path) -> AsyncIterator[str]:
    """The App's database: SQLite, or fresh PostgreSQL when NEWSBOT_TEST_DATABASE=postgresql."""
    if TEST_DATABASE == "postgresql":
        if problem := pg_problem():
            pytest.skip(f"NEWSBOT_TEST_DATABASE=postgresql but {problem}")
        url = await create_pg_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    _APP_DATABASES[tmp_path] = url
    try:
        yield url
    finally:
        del _APP_DATABASES[tmp_path]
        if url.startswith("postgresql"):
            await drop_pg_database(url)


def app_database(tmp_path: Path) -> str:
    """The `app_db_url` of the test owning `tmp_path`, for helpers that only get the path."""
    return _APP_DATABASES.get(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")


async def query(url: str, sql: str) -> list[tuple[object, ...]]:
    """Rows of one SQL query on a test database, SQLite or PostgreSQL."""
    if url.startswith("postgresql"):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    with sqlite3.connect(url.split(":///", 1)[1]) as db:
        return [tuple(r) for r in db.execute(sql)]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
