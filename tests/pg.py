"""Throwaway PostgreSQL databases on the local server, for tests and benchmarks.

Each caller gets a freshly created database and drops it afterwards; NEWSBOT_TEST_PG names the
admin connection (default: the local server, trust auth).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import asyncpg

PG_ADMIN_URL = os.environ.get("NEWSBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
_PROBLEM: str | bool | None = False


def pg_problem() -> str | None:
    """None if PostgreSQL answers, else why not (asked once per process)."""
    global _PROBLEM
    if _PROBLEM is False:
        _PROBLEM = _probe()
    return _PROBLEM  # type: ignore[return-value]


def _probe() -> str | None:
    async def connect() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=3)
        await conn.close()

    try:
        with ThreadPoolExecutor(1) as pool:  # pytest-asyncio may already run a loop here
            pool.submit(asyncio.run, connect()).result()
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
    return None


async def create_pg_database(prefix: str = "newsbot_test") -> str:
    """Create an empty database and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
