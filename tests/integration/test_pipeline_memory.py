"""The pass without a database: loopback feeds → the real fetcher, parser, matcher and enrichment
→ the memory poll store → the dispatcher → the console sink. The same pipeline and dispatcher
as `newsbot run`, only the store kept in memory (held to the SQL store by test_poll_port)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from bot.delivery.dispatcher import Dispatcher
from bot.delivery.sinks.console import ConsoleSink
from bot.feeds.fetch import HttpFetcher
from bot.models import Destination, Platform, Subscription
from bot.poll.pipeline import Pipeline, PipelineOptions
from bot.ports import Matcher
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, Rule
from bot.store.memory import MemorySubscriptions
from bot.store.memory_poll import MemoryPollStore
from bot.text.story_match import same_story
from tests.builders import DONBAS, PEACE, UNRELATED, Clock, rss
from tests.fakes.feed_server import FeedServer

CONSOLE = Destination(platform=Platform.console, address="-")
RULES = [
    Rule(id="peace-talks", name="Peace talks", any=["peace talks"]),
    Rule(id="donbas", name="Donbas offensive", any=["Donbas"]),
]

START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@dataclass
class Catalog:
    """The compiled rules, as the live catalog holds them."""

    rules: Sequence[Rule]
    actors: Sequence[Actor] = ()
    matcher: Matcher = field(init=False)

    def __post_init__(self) -> None:
        self.matcher = compile_rules(self.rules, self.actors)


@dataclass
class Pass:
    server: FeedServer
    store: MemoryPollStore
    pipeline: Pipeline
    dispatcher: Dispatcher
    clock: Clock
    out: io.StringIO


@pytest.fixture
async def run() -> AsyncIterator[Pass]:
    clock, out = Clock(START), io.StringIO()
    subs = MemorySubscriptions([Subscription(destination=CONSOLE, target="rule:peace-talks")])
    store = MemoryPollStore(same_story, subscriptions=subs)
    sink = ConsoleSink(Console(file=out, width=120, highlight=False))
    async with FeedServer() as server, HttpFetcher(allow_private=["127.0.0.1/32"]) as fetcher:
        pipeline = Pipeline(
            store, fetcher, Catalog(RULES), PipelineOptions(backfill=2), clock=clock
        )
        dispatcher = Dispatcher(
            store.outbox, store.alerts, subs, {Platform.console: sink}, owner="d", clock=clock
        )
        try:
            yield Pass(server, store, pipeline, dispatcher, clock, out)
        finally:
            pipeline.close()


async def test_a_poll_alerts_the_new_matching_items_and_the_dispatcher_posts_them(run: Pass):
    items = [(f"old-{i}", f"{PEACE} (update {i})") for i in range(4)]
    run.server.add("/feed.xml", rss([("u", UNRELATED[0]), *items]))  # newest last
    url = run.server.url("/feed.xml")  # full_text off: no article pages on news.example
    run.store.add_feed(url, now=run.clock.now, interval_seconds=60, full_text=False)
    first = await run.pipeline.poll_due()
    assert (first.polled, first.new_items, len(first.alerts)) == (1, 5, 2)  # backfill 2
    assert (await run.dispatcher.drain()).sent == 2
    assert "(update 3)" in run.out.getvalue() and "(update 0)" not in run.out.getvalue()

    run.clock.now += timedelta(seconds=61)
    unchanged = await run.pipeline.poll_due()
    assert (unchanged.polled, unchanged.not_modified) == (1, 1)  # a 304, recorded

    run.server.add(
        "/feed.xml", rss([("u", UNRELATED[0]), *items, ("d", DONBAS), ("p", f"{PEACE} again")])
    )
    run.clock.now += timedelta(seconds=61)
    later = await run.pipeline.poll_due()
    assert (later.new_items, len(later.alerts)) == (2, 2)  # both match a rule
    assert (await run.dispatcher.drain()).sent == 1  # only peace-talks has a subscriber
    assert "again" in run.out.getvalue() and "Donbas" not in run.out.getvalue()
    assert await run.store.outbox.counts() == {"sent": 3}


async def test_the_body_last_stored_again_is_not_parsed(run: Pass, monkeypatch):
    """A server without validators answers 200 with the same bytes: treated like a 304 (no
    parse, no match); new bytes are parsed again, and new validators alone are stored."""
    import bot.feeds.partial as partial_module

    body = rss([("a", PEACE), ("u", UNRELATED[0])])
    run.server.add("/feed.xml", body, etag=None, last_modified=None)
    url = run.server.url("/feed.xml")
    feed = run.store.add_feed(url, now=run.clock.now, interval_seconds=60, full_text=False)
    first = await run.pipeline.poll_due()
    assert (first.new_items, first.not_modified) == (2, 0)
    stored = run.store.feed(feed.id).body_hash
    assert stored

    parses: list[bytes] = []
    real = partial_module.parse_feed
    monkeypatch.setattr(
        partial_module, "parse_feed", lambda body, **kw: parses.append(body) or real(body, **kw)
    )
    run.clock.now += timedelta(seconds=61)
    same = await run.pipeline.poll_due()
    assert (same.polled, same.not_modified, same.new_items, parses) == (1, 1, 0, [])

    run.server.add(
        "/feed.xml", body, etag='"v2"', last_modified=None
    )  # same bytes, a validator now: stored
    run.clock.now += timedelta(seconds=61)
    validators = await run.pipeline.poll_due()
    assert (validators.not_modified, validators.new_items, parses) == (0, 0, [])
    assert run.store.feed(feed.id).etag == '"v2"'
    assert run.store.feed(feed.id).body_hash == stored

    newer = rss([("d", DONBAS), ("a", PEACE), ("u", UNRELATED[0])])
    run.server.add("/feed.xml", newer, etag=None, last_modified=None)
    run.clock.now += timedelta(seconds=61)
    changed = await run.pipeline.poll_due()
    assert (changed.not_modified, changed.new_items, len(parses)) == (0, 1, 1)
    assert run.store.feed(feed.id).body_hash not in (None, stored)
