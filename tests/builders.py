"""Builders for test inputs: RSS documents and a config directory for an App."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

import aiohttp
import yaml

from bot.models import Destination, Subscription
from bot.store.store import Store
from bot.text.story_match import same_story
from tests.fakes.slack_server import FakeSlack
from tests.paths import ROOT

T0 = datetime(2022, 4, 11, 12, 0, tzinfo=UTC)


def rss(
    items: Iterable[tuple[str, str]],
    *,
    title: str = "Test feed",
    start: datetime = T0,
    descriptions: dict[str, str] | None = None,
) -> str:
    """An RSS 2.0 document; items are (guid, title) pairs, newest last, one minute apart."""
    described = descriptions or {}
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>https://news.example/{escape(g)}</link>"
        f'<guid isPermaLink="false">{escape(g)}</guid>'
        f"<pubDate>{format_datetime(start + timedelta(minutes=i))}</pubDate>"
        f"<description>{escape(described.get(g, t + '. More details inside.'))}</description>"
        "</item>"
        for i, (g, t) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example/</link>"
        f"<description>test</description>{entries}</channel></rss>"
    )


def teaser_feed(links: Iterable[str]) -> str:
    """An RSS document of matching items that carry only a teaser and a link: each alert fetches
    its page for the full text."""
    items = "".join(
        f"<item><title>{PEACE} ({n})</title><link>{link}</link>"
        f"<guid>h{n}</guid><description>teaser</description></item>"
        for n, link in enumerate(links)
    )
    return f"<rss version='2.0'><channel><title>H</title>{items}</channel></rss>"


def write_config(
    folder: Path,
    feeds: Sequence[str],
    *,
    subscriptions: Sequence[dict] = (),
    interval: int = 60,
    full_text: bool = False,
) -> Path:
    """The project's rules and actors plus the given feeds and static subscriptions."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rules.yaml", "actors.yaml"):
        shutil.copy(ROOT / "config" / name, folder / name)
    feed_list = [
        {"url": url, "interval_seconds": interval, "full_text": full_text} for url in feeds
    ]
    (folder / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feed_list}), encoding="utf-8")
    subs = list(subscriptions) or [{"destination": "console", "targets": ["*"]}]
    (folder / "subscriptions.yaml").write_text(
        yaml.safe_dump({"subscriptions": subs}), encoding="utf-8"
    )
    return folder


class Clock:
    """The App's clock, moved by the test (`clock.now += …`) so intervals, backoff and
    Retry-After pass without waiting; it starts at `start`, or now."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


PEACE = "Lavrov says Russia will not pause military operations during peace talks with Ukraine"
DONBAS = "Russia masses troops for Donbas offensive as shelling of Donetsk and Luhansk intensifies"
UNRELATED = [
    "Amazon to pay California $500,000 for concealing COVID cases among workers",
    "Jujutsu Kaisen Anime Gets 2nd Season in 2023",
    "Finland set to sign deal with U.S. for 64 F-35 jets",
]


def bot_env(db_url: str, config: Path, **overrides: str) -> dict[str, str]:
    """The environment of a `newsbot run` subprocess under test: loopback feeds allowed, quick
    ticks, no metrics port; `overrides` are NEWSBOT_* names without the prefix."""
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        NEWSBOT_DATABASE_URL=db_url,
        NEWSBOT_CONFIG_DIR=str(config),
        NEWSBOT_FETCH_ALLOW_PRIVATE='["127.0.0.1/32"]',
        NEWSBOT_POLL_TICK_SECONDS="0.2",
        NEWSBOT_DISPATCH_TICK_SECONDS="0.2",
        NEWSBOT_METRICS_PORT="0",
    )
    env.update({f"NEWSBOT_{name}": value for name, value in overrides.items()})
    return env


def slack_env(fake: FakeSlack) -> dict[str, str]:
    """`bot_env` overrides pointing `newsbot run` at a fake Slack in HTTP mode (any port)."""
    return {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": fake.signing_secret,
        "SLACK_API_URL": fake.base_url,
        "SLACK_PORT": "0",
    }


async def start_bot(
    env: dict[str, str], log: Path, *args: str, cwd: Path | None = None
) -> asyncio.subprocess.Process:
    """`newsbot run [args]` as a subprocess, its log appended to `log`."""
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            *args,
            env=env,
            cwd=cwd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )


def starts_logged(log: Path) -> int:
    """How many runs logged into `log` got as far as starting their scheduler."""
    return log.read_text(errors="replace").count("scheduler started") if log.exists() else 0


async def stop_bot(proc: asyncio.subprocess.Process, log: Path, starts: int) -> int:
    """SIGTERM a run once it is up (`log` holds `starts` scheduler starts); its exit code.

    A signal that lands while Python is still importing ends the process with -15 before any
    handler exists, which says nothing about how the bot shuts down. The bounds are reached
    only by a run that hangs: a start under load takes tens of seconds, a stop its grace."""
    await until(lambda: proc.returncode is not None or starts_logged(log) >= starts, START_SECONDS)
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(proc.wait(), STOP_SECONDS)


START_SECONDS = 180.0
"""How long a `newsbot run` may take to start: imports, migrations and the rule compile cost
20–40 s on a loaded 2-core machine; a bound is only reached when a test fails."""
STOP_SECONDS = 120.0
"""How long a run may take to exit after SIGTERM (its grace is 8 s by default)."""


async def until(condition: Callable[[], object], seconds: float, step: float = 0.05) -> bool:
    """Poll `condition` until it holds or `seconds` pass; whether it held. For conditions with
    no event to wait on (a subprocess's log, a loopback server's counters)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        if loop.time() >= deadline:
            return bool(condition())
        await asyncio.sleep(step)
    return True


async def seed_subscription(database_url: str, dest: Destination) -> None:
    """Subscribe `dest` to rule peace-talks in the store, as a chat command in an earlier run
    would have."""
    store = await Store.open(database_url, same_story)
    try:
        sub = Subscription(destination=dest, target="rule:peace-talks", created_by="test")
        await store.subscriptions.upsert(sub, datetime.now(UTC))
    finally:
        await store.close()


async def http_post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body` to a loopback server; its status and text."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as resp,
    ):
        return resp.status, await resp.text()
