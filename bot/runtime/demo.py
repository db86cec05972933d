"""`newsbot demo`: the whole pipeline, offline, on bundled sample feeds served from loopback.

Poll 1 records the feeds' existing items as seen (no flood). The feeds then publish new items
— the seed article, a Donbas headline, an unrelated one — and poll 2 alerts on what matters,
printing the alerts to the terminal; the unchanged feed answers 304.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib import resources
from pathlib import Path

import yaml
from aiohttp import web
from rich.console import Console

from bot.config import Settings, packaged_config_dir
from bot.models import Alert
from bot.runtime.app import App

FEEDS = {
    "antiwar.xml": "Antiwar.com",
    "world.atom": "World headlines",
    "tech.json": "Screen and tech",
}
TYPES = {
    ".xml": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
}


class StaticFeeds:
    """Serves one stage of the sample feeds with ETags, so unchanged feeds answer 304."""

    def __init__(self) -> None:
        self.stage = "before"
        self.requests = 0
        self.full_bodies = 0

    def handler(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{name}", self._serve)
        return app

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in FEEDS:
            raise web.HTTPNotFound()
        self.requests += 1
        body = resources.files("bot.runtime").joinpath("demo_data", self.stage, name).read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        self.full_bodies += 1
        return web.Response(
            body=body, headers={"ETag": etag, "Content-Type": TYPES[Path(name).suffix]}
        )


@asynccontextmanager
async def serve(feeds: StaticFeeds) -> AsyncIterator[str]:
    runner = web.AppRunner(feeds.handler(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@contextmanager
def demo_config(base_url: str, rules_from: Path) -> Iterator[Path]:
    """A temporary config dir: the seed rules and actors, the sample feeds, the console."""
    with tempfile.TemporaryDirectory(prefix="newsbot-demo-") as tmp:
        folder = Path(tmp)
        for name in ("rules.yaml", "actors.yaml"):
            shutil.copy(rules_from / name, folder / name)
        feeds = [
            {"url": f"{base_url}/{n}", "name": title, "full_text": False}
            for n, title in FEEDS.items()
        ]
        (folder / "feeds.yaml").write_text(yaml.safe_dump({"feeds": feeds}), encoding="utf-8")
        subs = {"subscriptions": [{"destination": "console", "targets": ["*"]}]}
        (folder / "subscriptions.yaml").write_text(yaml.safe_dump(subs), encoding="utf-8")
        yield folder


async def run_demo(console: Console | None = None) -> int:
    """Run the two polls and print what happened; return 0 when the expected alerts appeared."""
    out = console or Console(highlight=False)
    rules_from = packaged_config_dir()  # the seed rules the check below expects
    feeds = StaticFeeds()
    async with serve(feeds) as base_url:
        with demo_config(base_url, rules_from) as config_dir:
            settings = Settings(
                database_url=f"sqlite+aiosqlite:///{config_dir / 'demo.db'}",
                fetch_allow_private=["127.0.0.1/32"],
                backfill=0,
                metrics_port=None,
            )
            app = await App(settings, config_dir=config_dir).open()
            try:
                return await _two_polls(app, feeds, out)
            finally:
                await app.close()


async def _two_polls(app: App, feeds: StaticFeeds, out: Console) -> int:
    rules = len(await app.store.catalog.rules())
    actors = len(app.catalog.actors)
    out.rule("[bold]newsbot demo[/bold]")
    out.print(f"{rules} watch rules and {actors} actors from the seed config; 3 feeds on loopback")
    first = await app.poll_once()
    out.print(
        f"poll 1: {first.polled} feeds fetched, {first.new_items} existing items recorded "
        f"as seen, {len(first.alerts)} alerted (no flood on a first poll)"
    )
    feeds.stage = "after"
    await app.store.feeds.make_due(app.clock())
    second = await app.poll_once()
    out.print(
        f"poll 2: {second.new_items} new items, {second.not_modified} feed unchanged "
        f"(HTTP 304), {len(second.alerts)} alerts:"
    )
    dispatched = await app.drain()
    alerts = await app.store.alerts.get_many(second.alerts)
    out.rule()
    out.print(
        f"{dispatched.sent} alerts delivered to the console; {feeds.requests} HTTP requests, "
        f"{feeds.full_bodies} full downloads"
    )
    return _check(list(alerts.values()), out)


def _check(found: Iterable[Alert], out: Console) -> int:
    """The demo's own acceptance check, so a broken pipeline cannot print a happy demo."""
    seed = next((a for a in found if "Will Not Pause" in a.title), None)
    problems = []
    if seed is None:
        problems.append("the seed article did not alert")
    else:
        rules = {m.rule_id for m in seed.matches.rules}
        people = {a.actor_id for a in seed.matches.actors}
        problems += [
            f"seed article missed rule {r}"
            for r in ("peace-talks", "donbas-offensive")
            if r not in rules
        ]
        problems += [
            f"seed article did not name {p}"
            for p in ("sergey-lavrov", "denis-pushilin")
            if p not in people
        ]
    unrelated = [a.title for a in found if "Build the Wall" in a.title]
    problems += [f"unrelated item alerted: {t}" for t in unrelated]
    for problem in problems:
        out.print(f"[red]demo check failed:[/red] {problem}")
    return 1 if problems else 0
