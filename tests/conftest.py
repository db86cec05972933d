"""Shared fixtures: a migrated store on SQLite and (when reachable) PostgreSQL, and paths."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.paths import SHARED_DATA
from tests.pg import create_pg_database, drop_pg_database, pg_problem

TEST_DATABASE = os.environ.get("NEWSBOT_TEST_DATABASE", "sqlite").lower()
_APP_DATABASES: dict[Path, str] = {}


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


PENDING = "select count(*) from deliveries where status = 'pending'"
"""Deliveries not yet sent: 0 once every alert is out."""


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
