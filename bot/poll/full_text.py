"""Article texts for the matched items whose feed carries only a teaser: fetched concurrently,
bounded in count, concurrency and time, so a slow site never holds a poll."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.models import Feed, Item
from bot.poll.workers import DaemonWorkers
from bot.ports import Fetcher, FetchOutcome
from bot.text.extract import extract_main_text

log = logging.getLogger(__name__)


class FullTextLimits(Protocol):
    """The pipeline options that bound article fetches."""

    @property
    def full_text_below(self) -> int: ...

    @property
    def full_text_seconds(self) -> float: ...  # all article fetches of one poll, together

    @property
    def full_text_per_poll(self) -> int: ...

    @property
    def full_text_concurrency(self) -> int: ...


async def fetch_full_texts(
    fetcher: Fetcher,
    worker: DaemonWorkers,
    options: FullTextLimits,
    feed: Feed,
    items: list[Item],
) -> list[str | None]:
    """Article texts for the items whose feed carries only a teaser, fetched concurrently:
    at most `full_text_per_poll` of them, `full_text_concurrency` at once (and the fetcher's
    per-host limit), all within `full_text_seconds`; late ones are alerted without."""
    wanted = [i for i in items if wants_full_text(feed, i, options.full_text_below)]
    wanted = wanted[: options.full_text_per_poll]
    if not wanted:
        return [None] * len(items)
    texts: dict[str, str | None] = {}
    slots = asyncio.Semaphore(options.full_text_concurrency)

    async def one(item: Item) -> None:
        async with slots:
            texts[item.identity] = await full_text(fetcher, worker, item)

    tasks = [asyncio.create_task(one(i)) for i in wanted]
    try:
        _, late = await asyncio.wait(tasks, timeout=options.full_text_seconds)
    finally:  # late fetches, or all of them when the poll itself is cancelled
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if late:
        log.info(
            "feed %s: %d article(s) not fetched within %g s; alerted from the feed's text",
            feed.url,
            len(late),
            options.full_text_seconds,
        )
    return [texts.get(i.identity) for i in items]


def wants_full_text(feed: Feed, item: Item, below: int) -> bool:
    """Whether the item's own text is a teaser worth replacing by its article's."""
    body = item.content or item.summary
    return bool(feed.full_text and item.link and len(body) < below)


async def full_text(fetcher: Fetcher, worker: DaemonWorkers, item: Item) -> str | None:
    """The article's main text; None on any failure."""
    assert item.link is not None
    result = await fetcher.fetch(item.link)
    if result.outcome is not FetchOutcome.ok:
        log.info("full text of %s not fetched: %s", item.link, result.error)
        return None
    return await worker.run(extract_main_text, result.body, result.final_url or item.link)
