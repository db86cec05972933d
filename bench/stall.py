"""How long one poll is held by a feed whose articles drip 1 byte/s, bounded vs. sequential.

One poll of two feeds: a hostile one whose 10 teaser items link to pages that send one byte a
second, and a normal one. The baseline is the same pipeline with the old behaviour (article
fetches one after another, no deadline); the bounded run uses the defaults.

    .venv/bin/python -m bench.stall            # fetch timeout 5 s: baseline ~50 s
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from pathlib import Path

from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from tests.builders import PEACE, rss, teaser_feed, write_config
from tests.fakes.feed_server import FeedServer


async def one_poll(folder: Path, *, sequential: bool, pages: int, fetch_timeout: float) -> float:
    async with FeedServer() as server:
        server.add("/hostile.xml", teaser_feed(server.url(f"/page{n}") for n in range(pages)))
        server.add("/other.xml", rss([("o1", PEACE)], title="Other"))
        for n in range(pages):
            server.drip(f"/page{n}", b"<html>" + b"x" * 4000 + b"</html>", interval=1.0)
        limits = (
            {"full_text_concurrency": 1, "full_text_per_poll": 10_000, "full_text_seconds": 1e9}
            if sequential
            else {}
        )
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/bot.db",
            fetch_allow_private=["127.0.0.1/32"],
            fetch_timeout_seconds=fetch_timeout,
            backfill=pages,
            metrics_port=None,
            **limits,
        )
        config = write_config(
            folder / "config",
            [server.url("/hostile.xml"), server.url("/other.xml")],
            full_text=True,
        )
        sink = ConsoleSink(Console(file=io.StringIO(), width=120))
        app = await App(settings, config_dir=config, extra_sinks={Platform.console: sink}).open()
        try:
            started = time.perf_counter()
            await app.poll_once()
            return time.perf_counter() - started
        finally:
            await app.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=5.0, help="NEWSBOT_FETCH_TIMEOUT_SECONDS")
    args = parser.parse_args()
    for sequential in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            took = await one_poll(
                Path(tmp), sequential=sequential, pages=args.pages, timeout=args.timeout
            )
        label = "baseline: one after another, no deadline" if sequential else "bounded (defaults)"
        print(f"{label}: one poll held {took:.1f} s", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
