"""Migrations apply all or nothing: a start killed mid-migration leaves a database the next
start migrates (on SQLite each DDL statement used to commit on its own)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic.operations import Operations

from bot.store.db import create_engine, migrate


async def test_a_migration_that_stops_half_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    create_table = Operations.create_table
    made: list[str] = []

    def create_then_die(self: Operations, name: str, *args: Any, **kwargs: Any) -> Any:
        if len(made) == 3:  # as a SIGKILL would, after some tables exist
            raise KeyboardInterrupt("killed mid-migration")
        made.append(name)
        return create_table(self, name, *args, **kwargs)

    monkeypatch.setattr(Operations, "create_table", create_then_die)
    engine = create_engine(url)
    with pytest.raises(KeyboardInterrupt):
        await migrate(engine)
    await engine.dispose()
    with sqlite3.connect(tmp_path / "bot.db") as db:
        tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    assert len(made) == 3 and tables == []

    monkeypatch.setattr(Operations, "create_table", create_table)
    engine = create_engine(url)
    await migrate(engine)  # the next start: from scratch, no "table ... already exists"
    await engine.dispose()
    with sqlite3.connect(tmp_path / "bot.db") as db:
        [(version,)] = db.execute("select version_num from alembic_version").fetchall()
    assert version
