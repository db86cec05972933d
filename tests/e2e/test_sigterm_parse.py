"""SIGTERM while a real `newsbot run` parses a hostile feed that is slow but within every bound.

The feed is just under the fetch size cap and each item just under the element cap: feedparser
takes tens of seconds on it, and no guard trims it. The run must stop at once with "stopped
cleanly", not after the parse: it exits while a reference parse of the feed's first half,
started when the feed was served, is still running (an order, not a wall-clock figure, so it
holds on a loaded machine; a run that waited for its parse exits after the reference ends).
Nothing is lost: the other feed's alert arrived once, and the hostile feed's poll left no
trace, so the next start polls it afresh.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

from bot.feeds.bounds import MAX_ITEM_ELEMENTS
from tests.builders import PEACE, bot_env, rss, start_bot, write_config
from tests.conftest import app_database, query
from tests.fakes.feed_server import FeedServer
from tests.fakes.webhook_receiver import WebhookReceiver

MAX_BYTES = 10 * 1024 * 1024  # the default NEWSBOT_FETCH_MAX_BYTES
REFERENCE = """
import sys
from bot.feeds.parse import parse_feed
parse_feed(open(sys.argv[1], "rb").read(), feed_id=1, url="https://x/", content_type=None)
"""


def slow_feed(share: float = 1.0) -> str:
    """Items of MAX_ITEM_ELEMENTS - 100 distinct elements each, up to 95 % of the size cap
    (`share` of those items)."""
    inner = "".join(f"<x{j}>v</x{j}>" for j in range(MAX_ITEM_ELEMENTS - 100))

    def item(n: int) -> str:
        title = f"{PEACE} (slow {n})" if n == 0 else f"Unrelated note {n}"
        return f"<item><guid>s{n}</guid><title>{title}</title>{inner}</item>"

    count = int(share * 0.95 * MAX_BYTES) // len(item(0))
    items = "".join(item(n) for n in range(count))
    return f"<rss version='2.0'><channel><title>Slow</title>{items}</channel></rss>"


async def test_sigterm_during_a_slow_parse_exits_before_it_ends_and_loses_nothing(
    tmp_path: Path, app_db_url: str
):
    receiver = WebhookReceiver()
    await receiver.start()
    body = slow_feed()
    half = tmp_path / "half.xml"  # the reference: the first half of the feed, half the time
    half.write_text(slow_feed(0.5), encoding="utf-8")
    async with FeedServer() as server:
        server.add("/news.xml", rss([("n1", PEACE)], title="News"))
        server.add("/slow.xml", body)
        config = write_config(
            tmp_path / "config",
            [server.url("/news.xml"), server.url("/slow.xml")],
            subscriptions=[
                {"destination": f"slack-webhook:{receiver.url(0)}", "targets": ["rule:peace-talks"]}
            ],
        )
        env = bot_env(
            app_db_url, config, BACKFILL="5", LOG_LEVEL="INFO", SHUTDOWN_GRACE_SECONDS="1"
        )
        log = tmp_path / "bot.log"
        proc = await start_bot(env, log)
        reference = None
        try:
            for _ in range(3000):  # a start under load imports the whole stack: up to minutes
                if server.hits["/slow.xml"] or proc.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            assert server.hits["/slow.xml"], log.read_text()[-2000:]
            reference = await asyncio.create_subprocess_exec(
                sys.executable, "-c", REFERENCE, str(half)
            )
            served = time.perf_counter()
            for _ in range(1200):  # the other feed's alert: its parse is short
                if (
                    receiver.posts
                    or proc.returncode is not None
                    or reference.returncode is not None
                ):
                    break
                await asyncio.sleep(0.05)
            assert reference.returncode is None, "the parse ended before the signal: no test"
            proc.send_signal(signal.SIGTERM)  # the poll job runs: the scheduler is up
            exit_ = asyncio.ensure_future(proc.wait())
            parse = asyncio.ensure_future(reference.wait())
            await asyncio.wait({exit_, parse}, return_when=asyncio.FIRST_COMPLETED)
            exited = time.perf_counter() - served
            reference_running = not parse.done()
            code = await asyncio.wait_for(exit_, 120)
        finally:  # the reference is not waited for: its order against the exit is the point
            for child in (proc, reference):
                if child is not None and child.returncode is None:
                    child.kill()
                    await child.wait()
        await receiver.stop()
    text = log.read_text(errors="replace")
    print(
        f"exited {exited:.1f} s after the feed was served; "
        f"half-feed parse still running: {reference_running}"
    )
    assert reference_running, f"the run exited only after a parse of half the feed ({exited:.1f} s)"
    assert code == 0, text[-3000:]
    assert "stopped cleanly" in text and "Traceback" not in text
    assert "trimmed before parsing" not in text  # within every bound: no guard cut it
    assert list(receiver.posts.values()) == [1]  # the other feed's alert, once
    url = app_database(tmp_path)
    slow = "(select id from feeds where url like '%/slow.xml')"
    assert await query(url, f"select count(*) from items where feed_id = {slow}") == [(0,)]
    assert await query(url, f"select polls from feeds where id = {slow}") == [(0,)]
