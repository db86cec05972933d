"""The `newsbot` command as a user runs it: config check, feeds, poll --once, run + /healthz.

One-shot commands run in this process (`tests.cli_runner`); a real process where the process
is the point: one clear line from a fresh interpreter, `run` with its signals."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.builders import (
    PEACE,
    START_SECONDS,
    STOP_SECONDS,
    bot_env,
    rss,
    start_bot,
    until,
    write_config,
)
from tests.cli_runner import newsbot, newsbot_process
from tests.conftest import app_database, query
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")  # SQLite, or PostgreSQL in CI's second pass


def _env(tmp_path: Path, config: Path, **extra: str) -> dict[str, str]:
    return bot_env(app_database(tmp_path), config, **extra)


def test_config_check_names_file_key_path_and_fix(tmp_path: Path):
    config = write_config(tmp_path / "config", ["https://example.com/rss"])
    env = _env(tmp_path, config)
    ok = newsbot(env, "config", "check")
    assert ok.returncode == 0, ok.stderr
    assert "ok" in ok.stdout and "rules" in ok.stdout
    (config / "rules.yaml").write_text(
        "rules:\n  - id: peace\n    name: Peace\n    priority: critical\n    any: [talks]\n"
        "  - id: bad\n    name: Bad\n    any: [{regex: '(?=a)b'}]\n",
        encoding="utf-8",
    )
    bad = newsbot(env, "config", "check")
    assert bad.returncode == 1
    assert "rules.yaml" in bad.stderr
    assert "rules[0] (id 'peace').priority" in bad.stderr and "'urgent'" in bad.stderr
    assert "rules[1] (id 'bad').any[0].regex" in bad.stderr and "RE2" in bad.stderr
    (config / "feeds.yaml").write_text("feeds: [url: {nested: x]\n", encoding="utf-8")
    broken = newsbot(env, "config", "check")
    assert broken.returncode == 1 and "feeds.yaml: not valid YAML" in broken.stderr


def test_config_check_catches_twice_listed_feeds_and_bare_targets(tmp_path: Path):
    config = write_config(
        tmp_path / "config", ["https://example.com/rss", "https://example.com/rss"]
    )
    (config / "subscriptions.yaml").write_text(
        "subscriptions:\n  - destination: console\n    targets: [peace-talks]\n", encoding="utf-8"
    )
    bad = newsbot(_env(tmp_path, config), "config", "check")
    assert bad.returncode == 1, bad.stdout
    assert "https://example.com/rss is listed twice" in bad.stderr
    assert "subscriptions.yaml" in bad.stderr and "targets" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_feeds_add_list_remove_and_refusals(tmp_path: Path):
    config = write_config(tmp_path / "config", [])
    env = _env(tmp_path, config)
    added = newsbot(
        env, "feeds", "add", "https://news.example.org/rss.xml", "--name", "Example", "--no-check"
    )
    assert added.returncode == 0, added.stderr
    assert "added feed 1" in added.stdout
    again = newsbot(env, "feeds", "add", "https://news.example.org/rss.xml", "--no-check")
    assert again.returncode == 1 and "already added" in again.stderr
    hostile = newsbot(env, "feeds", "add", "file:///etc/passwd")
    assert hostile.returncode == 1 and "http" in hostile.stderr
    listed = newsbot(env, "feeds", "list")
    assert "https://news.example.org/rss.xml" in listed.stdout and "[Example]" in listed.stdout
    removed = newsbot(env, "feeds", "remove", "1")
    assert removed.returncode == 0 and "removed feed 1" in removed.stdout
    missing = newsbot(env, "feeds", "remove", "1")
    assert missing.returncode == 1 and "no feed" in missing.stderr
    # the operator's changes are audited like an admin's in chat
    rows = asyncio.run(
        query(
            app_database(tmp_path),
            "select platform, action, target, allowed from audit_log order by id",
        )
    )
    url = "https://news.example.org/rss.xml"
    assert [tuple(r) for r in rows] == [
        ("console", "feeds.add", url, True),
        ("console", "feeds.remove", url, True),
    ]


async def test_poll_once_then_rules_test_dry_run(tmp_path: Path):
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("p1", PEACE), ("x", "Jujutsu Kaisen Anime Gets 2nd Season")]))
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        env = _env(tmp_path, config, BACKFILL="5")
        polled = await asyncio.to_thread(newsbot, env, "poll", "--once")
        assert polled.returncode == 0, polled.stderr
        assert "2 new items, 1 alerts, 1 delivered" in polled.stdout
        dry = await asyncio.to_thread(newsbot, env, "rules", "test", "peace-talks")
        assert dry.returncode == 0, dry.stderr
        assert "matched 1 of 2 stored items" in dry.stdout
        assert "title:" in dry.stdout
        unknown = await asyncio.to_thread(newsbot, env, "rules", "test", "nope")
        assert unknown.returncode == 1 and "no rule 'nope'" in unknown.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_run_serves_health_and_metrics_and_stops_cleanly_on_sigterm(tmp_path: Path):
    port = _free_port()
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("p1", PEACE)]))
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        env = _env(
            tmp_path,
            config,
            METRICS_PORT=str(port),
            POLL_TICK_SECONDS="0.2",
            DISPATCH_TICK_SECONDS="0.2",
            LOG_LEVEL="INFO",
        )
        log = tmp_path / "bot.log"  # a file, not a pipe: a pipe nobody reads can fill and block
        proc = await start_bot(env, log)
        try:
            health, metrics = await _scrape(port, proc, log)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), STOP_SECONDS)
    err = log.read_text(errors="replace")
    assert proc.returncode == 0, err[-2000:]
    assert health["status"] == "ok" and health["role"] == "all"
    assert "newsbot_polls_total" in metrics and "newsbot_alerts_total 1.0" in metrics
    assert "stopped cleanly" in err
    [shared] = [line for line in err.splitlines() if "set NEWSBOT_OWNERS" in line]
    assert "warning" in shared and "shared by every server and workspace" in shared


async def _scrape(port: int, proc: asyncio.subprocess.Process, log: Path) -> tuple[dict, str]:
    """/healthz and /metrics once the alert is counted (a start under load takes tens of
    seconds); fails with the run's log if it exits or never counts it."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS
    async with aiohttp.ClientSession() as http:
        while loop.time() < deadline and proc.returncode is None:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    health = await resp.json()
                async with http.get(f"http://127.0.0.1:{port}/metrics") as resp:
                    metrics = await resp.text()
                if "newsbot_alerts_total 1.0" in metrics:
                    return health, metrics
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(
        f"the bot (exit {proc.returncode}) never served /metrics with the alert counted:\n"
        + _tail(log)
    )


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


def test_operator_mistakes_get_one_clear_line(tmp_path: Path):
    config = write_config(tmp_path / "config", [])
    env = _env(tmp_path, config)
    cases = [
        ({"NEWSBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db"}, "directory"),
        ({"NEWSBOT_DATABASE_URL": "postgresql+asyncpg://127.0.0.1:1/x"}, "is it running"),
        ({"NEWSBOT_SLACK_ADMINS": "U123"}, "NEWSBOT_SLACK_ADMINS is not valid JSON"),
        ({"NEWSBOT_OWNERS": "discord:1"}, "NEWSBOT_OWNERS is not valid JSON; list settings are"),
        ({"NEWSBOT_OWNERS": '["ada"]'}, "NEWSBOT_OWNERS: 'ada' is not discord:<user id>"),
    ]
    for n, (extra, words) in enumerate(cases):
        run = newsbot_process if n == 0 else newsbot  # a fresh interpreter says it in one line too
        result = run({**env, **extra}, "feeds", "list")
        assert result.returncode == 1 and words in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    too_often = newsbot(env, "feeds", "add", "https://example.com/rss", "--interval", "-100")
    assert too_often.returncode == 2 and "use 10 or more" in too_often.stderr


async def test_sigterm_does_not_wait_on_a_hung_article_fetch_past_the_grace(tmp_path: Path):
    """An alert's article fetch that never answers is cancelled after the grace period; the
    feed's poll was not committed, so the next start polls it again and nothing is lost."""
    async with FeedServer() as server:
        server.hang("/p1")  # the article behind the teaser never answers
        body = rss([("p1", PEACE)], descriptions={"p1": "Short."}).replace(
            "https://news.example/p1", server.url("/p1")
        )
        server.add("/feed.xml", body)
        config = write_config(tmp_path / "config", [server.url("/feed.xml")], full_text=True)
        env = _env(tmp_path, config, SHUTDOWN_GRACE_SECONDS="1", LOG_LEVEL="INFO", BACKFILL="5")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, stderr=asyncio.subprocess.PIPE
        )
        try:
            # until the article fetch hangs (a loaded start is slow)
            await until(lambda: server.hits["/p1"] or proc.returncode is not None, START_SECONDS)
            assert server.hits["/p1"]
            proc.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(proc.communicate(), STOP_SECONDS)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    log = err.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "cancelling 1 job(s) still running" in log and "stopped cleanly" in log
    [(pending,)] = await query(app_database(tmp_path), "select count(*) from items")
    assert pending == 0  # nothing half-committed: the next start polls the feed afresh
