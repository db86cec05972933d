"""Every document of feedparser's own corpus through the whole bot: fetch → parse → match →
enrich → store → render for Discord, Slack and the console, with no unhandled error.

The corpus (2,107 well- and ill-formed feeds) is served from loopback; a catch-all rule makes
every item alert so that every item is also rendered. A document that is not a feed must end
as a readable error on its feed, never as an exception.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from rich.console import Console

from bot.config import Settings
from bot.delivery.render.discord import embed_length, render_embed
from bot.delivery.render.slack import render_blocks
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from tests.builders import write_config
from tests.fakes.feed_server import FeedServer

CATCH_ALL = {
    "id": "catch-all",
    "name": "Everything",
    "any": ["the", "a", "feed", "entry", "item", "title", "test", "example", "é*", "foo"],
}


def _corpus(shared: Path) -> list[Path]:
    return sorted(
        p
        for p in (shared / "feedparser-corpus").rglob("*")
        if p.is_file() and p.suffix in {".xml", ".rdf", ".atom", ".rss", ".json"}
    )


@pytest.mark.slow
async def test_whole_corpus_goes_through_the_bot_without_an_unhandled_error(
    tmp_path: Path, shared_data: Path
):
    files = _corpus(shared_data)
    assert len(files) > 2000
    async with FeedServer() as server:
        for n, path in enumerate(files):
            server.add(f"/{n}", path.read_bytes(), content_type="application/xml")
        config = write_config(tmp_path / "config", [server.url(f"/{n}") for n in range(len(files))])
        rules = yaml.safe_load((config / "rules.yaml").read_text(encoding="utf-8"))
        rules["rules"].append(CATCH_ALL)
        (config / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            fetch_allow_private=["127.0.0.1/32"],
            backfill=1000,
            metrics_port=None,
        )
        out = io.StringIO()
        sink = ConsoleSink(Console(file=out, width=100))
        app = await App(settings, config_dir=config, extra_sinks={Platform.console: sink}).open()
        try:
            report = await app.poll_once()
            sent = await app.drain()
            alerts = await app.store.alerts.get_many(report.alerts)
            feeds = await app.store.feeds.all()
        finally:
            await app.close()

    assert report.polled == len(files)
    assert not [e for e in report.errors.values() if e.startswith("internal error")]
    failed = [f for f in feeds if f.last_error]
    assert all(len(f.last_error or "") > 10 for f in failed)  # a message a person can read
    print(
        f"\ncorpus: {len(files)} feeds, {report.new_items} items, {len(alerts)} alerts, "
        f"{sent.sent} printed, {len(failed)} feeds refused with a reason"
    )
    assert len(alerts) > 100 and sent.sent == len(alerts)
    for alert in alerts.values():
        embed = render_embed(alert)
        assert embed_length(embed) <= 6000 and len(embed.get("title", "")) <= 256
        text, blocks = render_blocks(alert)
        assert text and len(blocks) <= 50
        assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in blocks)
