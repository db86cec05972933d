"""A benchmark's throwaway workspace: config dir, database (SQLite or PostgreSQL), bulk seeding.

PostgreSQL databases are created fresh on NEWSBOT_TEST_PG's server (default: the local one,
trust auth) and dropped afterwards, like the tests do.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.store.feeds import new_feed
from bot.store.tables import feeds
from tests.pg import create_pg_database, drop_pg_database

ROOT = Path(__file__).resolve().parents[1]


def write_config(folder: Path, subscriptions: str = "") -> Path:
    """The project's rules and actors, no feeds (they are seeded in bulk), optional subs."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rules.yaml", "actors.yaml"):
        shutil.copy(ROOT / "config" / name, folder / name)
    (folder / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    if subscriptions:
        (folder / "subscriptions.yaml").write_text(subscriptions, encoding="utf-8")
    return folder


@asynccontextmanager
async def database(kind: str, folder: Path) -> AsyncIterator[str]:
    """A fresh database URL of `kind` ('sqlite' or 'postgresql'), removed on exit."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        return
    url = await create_pg_database("newsbot_bench")
    try:
        yield url
    finally:
        await drop_pg_database(url)


@asynccontextmanager
async def workspace() -> AsyncIterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="newsbot-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def seed_feeds(engine: AsyncEngine, urls: Sequence[str], interval: int = 300) -> None:
    """Insert feeds in bulk (no full-text fetches: article links would leave loopback)."""
    now = datetime.now(UTC)
    rows = [new_feed(url, None, interval, False, now, "bench") for url in urls]
    async with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            await conn.execute(insert(feeds), rows[start : start + 5000])


def settings(db_url: str, config: Path, **overrides: object) -> Settings:
    """Settings for a benchmark process: loopback allowed, one host, no metrics port."""
    values: dict[str, object] = {
        "database_url": db_url,
        "config_dir": config,
        "fetch_allow_private": ["127.0.0.1/32"],
        "fetch_per_host": 128,  # every feed is on one loopback host; real feeds spread out
        "fetch_concurrency": 128,
        "metrics_port": None,
        "backfill": 0,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
