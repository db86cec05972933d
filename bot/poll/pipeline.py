"""One pass of the data: fetch → parse → dedupe → match → enrich → route (via the store).

Every stage is a plain function or port; this module only wires them for one feed at a time
and decides what a poll's outcome means for the feed (next poll, backoff, disable).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.feeds.parse import FeedParseError, ParsedFeed
from bot.feeds.partial import LastReads, read_feed
from bot.models import Alert, Feed, Item, MatchResult
from bot.poll.full_text import fetch_full_texts
from bot.poll.unchanged import UnchangedBatch, body_hash
from bot.poll.workers import DaemonWorkers
from bot.ports import (
    Fetcher,
    FetchOutcome,
    FetchResult,
    Matcher,
    PollRecord,
    PollStore,
    Unchanged,
)
from bot.retry import backoff_seconds
from bot.rules.schema import Actor
from bot.text.enrich import enrich
from bot.text.stories import fingerprint

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Catalog(Protocol):
    """The live rule set: a compiled matcher and the actors it knows."""

    @property
    def matcher(self) -> Matcher: ...

    @property
    def actors(self) -> Sequence[Actor]: ...


@dataclass(frozen=True)
class PipelineOptions:
    owner: str = "local"
    backfill: int = 3
    lease_seconds: float = 300.0
    batch: int = 500
    concurrency: int = 128
    full_text_below: int = 800
    full_text_seconds: float = 15.0  # all article fetches of one poll, together
    full_text_per_poll: int = 10
    full_text_concurrency: int = 4


@dataclass
class PollReport:
    """What one poll tick did, for logs, metrics and the CLI."""

    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    new_items: int = 0
    alerts: list[int] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, other: PollReport) -> None:
        self.polled += other.polled
        self.not_modified += other.not_modified
        self.failed += other.failed
        self.new_items += other.new_items
        self.alerts.extend(other.alerts)
        self.errors.update(other.errors)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Pipeline:
    """Polls due feeds and turns their new, matching items into routed alerts."""

    def __init__(
        self,
        store: PollStore,
        fetcher: Fetcher,
        catalog: Catalog,
        options: PipelineOptions | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.catalog = catalog
        self.options = options or PipelineOptions()
        self.clock = clock
        self.on_alerts: Callable[[], None] | None = None  # told when a commit created alerts
        # Quotes, summaries and article extraction take ~1-100 ms an item: one thread of their
        # own keeps the event loop polling meanwhile, and runs them one at a time.
        self._text_worker = DaemonWorkers(1, "enrich")
        self._parser = DaemonWorkers(2, "parse")  # abandoned at exit: SIGTERM never waits on one
        self._last_reads = LastReads()  # so a changed feed parses only its unseen items

    def close(self) -> None:
        self._text_worker.close()
        self._parser.close()

    async def poll_due(self) -> PollReport:
        """Claim due feeds in batches and poll them concurrently, claiming more as slots free.

        At most `concurrency` claimed feeds wait for a slot; their leases are renewed while they
        wait and while they poll, so no other process takes a feed this one is still working on.
        """
        report = PollReport()
        options = self.options
        unchanged = UnchangedBatch(
            self.store, options.owner, options.batch, max_age=min(1.0, options.lease_seconds / 4)
        )
        slots = asyncio.Semaphore(options.concurrency)
        running: set[asyncio.Task[PollReport]] = set()
        polling: dict[int, asyncio.Task[PollReport]] = {}
        finished: deque[asyncio.Task[PollReport]] = deque()
        wake = asyncio.Event()  # set by a finished poll (asyncio.wait costs O(running) a call)

        def done(task: asyncio.Task[PollReport]) -> None:
            finished.append(task)
            wake.set()

        async def one(feed: Feed) -> PollReport:
            async with slots:
                return await self.poll_feed(feed, unchanged)

        exhausted = False
        started = self.clock()  # a feed polled in this pass is not due again within it
        renewer = asyncio.create_task(self._renew_leases(polling))
        try:
            while running or not exhausted:
                room = 2 * options.concurrency - len(running)
                if not exhausted and len(running) < options.concurrency:
                    limit = min(options.batch, room)
                    feeds = await self.store.claim_due(
                        now=self.clock(),
                        owner=options.owner,
                        lease_seconds=options.lease_seconds,
                        limit=limit,
                        due_by=started,
                    )
                    exhausted = len(feeds) < limit
                    for f in feeds:
                        task = polling[f.id] = asyncio.create_task(one(f))
                        task.add_done_callback(done)
                        running.add(task)
                    continue
                if not finished:
                    await wake.wait()
                wake.clear()
                while finished:
                    task = finished.popleft()
                    running.discard(task)
                    if not task.cancelled():  # a poll stopped because its lease was lost
                        report.add(task.result())
        except asyncio.CancelledError:  # shutdown: polls not committed yet are redone later
            for task in running:
                task.cancel()
            raise
        finally:
            renewer.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)
            await asyncio.gather(renewer, return_exceptions=True)
            await unchanged.flush()
        return report

    async def _renew_leases(self, polling: dict[int, asyncio.Task[PollReport]]) -> None:
        """Every third of a lease, renew the leases of the feeds still waiting or polling.

        A poll that outlives its lease would otherwise be repeated by another worker; one whose
        feed another worker holds now is cancelled (nothing of it is committed).
        """
        owner, lease = self.options.owner, self.options.lease_seconds
        while True:
            await asyncio.sleep(lease / 3)
            for fid in [fid for fid, task in polling.items() if task.done()]:
                del polling[fid]
            if not polling:
                continue
            until = self.clock() + timedelta(seconds=lease)
            try:
                taken = await self.store.renew_leases(list(polling), owner=owner, until=until)
            except Exception as exc:  # the store is away: go on, every commit is fenced
                log.warning("leases not renewed: %s", exc)
                continue
            for fid in taken & set(polling):
                log.warning("feed %d: lease lost to another worker; its poll is stopped", fid)
                polling.pop(fid).cancel()

    async def poll_feed(self, feed: Feed, unchanged: UnchangedBatch | None = None) -> PollReport:
        """Fetch one feed and record what came of it; never raises for a bad feed."""
        report = PollReport(polled=1)
        batch = unchanged or UnchangedBatch(self.store, self.options.owner)
        try:
            await self._poll(feed, report, batch)
        except Exception as exc:  # a bug or store hiccup must not stop the other feeds
            log.exception("poll of feed %s failed", feed.url)
            await self._fail(feed, report, f"internal error while polling: {exc}")
        if unchanged is None:
            await batch.flush()
        return report

    async def _poll(self, feed: Feed, report: PollReport, unchanged: UnchangedBatch) -> None:
        result = await self.fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        now = self.clock()
        if result.outcome is FetchOutcome.not_modified:
            report.not_modified = 1
            unchanged.add(Unchanged(feed.id, now, self._next(feed, now)))
            return
        if result.outcome is FetchOutcome.gone:
            await self._fail(
                feed, report, result.error or "the feed is gone (HTTP 410)", disable=True
            )
            return
        if result.outcome is FetchOutcome.error:
            await self._fail(feed, report, result.error or "fetch failed", result.retry_after)
            return
        digest = body_hash(result.body, result.final_url or feed.url, result.content_type)
        moved = result.moved_to and result.moved_to != feed.url
        if digest == feed.body_hash and not moved:  # the body last stored: no parse, no match
            if (result.etag, result.last_modified) == (feed.etag, feed.last_modified):
                report.not_modified = 1
                unchanged.add(Unchanged(feed.id, now, self._next(feed, now)))
                return
            parsed = ParsedFeed(title=None, link=None, bozo=feed.warning)  # new validators only
        else:
            read = await self._parse(feed, result, report, digest)
            if read is None:
                return
            parsed = read
        unique = list({i.identity: i for i in reversed(parsed.items)}.values())[::-1]
        old = parsed.legacy  # identities stored by versions that glued guids to the fetched URL
        asked = [i.identity for i in unique] + [
            old[i.identity] for i in unique if i.identity in old
        ]
        unseen = await self.store.unseen(feed.id, asked)
        fresh = [  # a feed may repeat a guid
            i for i in unique if i.identity in unseen and old.get(i.identity, i.identity) in unseen
        ]
        report.new_items = len(fresh)
        alerts: list[Alert] = []
        alertable = self._alertable(feed, fresh)
        # Rule regexes run on RE2 (linear time), yet 200 KB articles times many rules add up:
        # matching runs on the text worker, so the event loop (and /healthz) never waits on it.
        results = await self._text_worker.run(self._match_all, alertable)
        matched = [(i, m) for i, m in zip(alertable, results, strict=True) if not m.empty]
        texts = await fetch_full_texts(
            self.fetcher, self._text_worker, self.options, feed, [item for item, _ in matched]
        )
        for (item, matches), full_text in zip(matched, texts, strict=True):
            alerts.append(await self._alert(feed, item, matches, full_text))
            if full_text:  # kept as the item's content: fetched once, reused by rule tests
                fresh[fresh.index(item)] = item.model_copy(update={"content": full_text})
        record = PollRecord(
            feed=feed,
            owner=self.options.owner,
            now=now,
            next_at=self._next(feed, now),
            etag=result.etag,
            last_modified=result.last_modified,
            moved_to=result.moved_to,
            name=parsed.title,
            warning=parsed.bozo,
            items=tuple(fresh),
            alerts=tuple(alerts),
            body_hash=digest,
        )
        report.alerts = await self.store.commit_poll(record)
        if report.alerts and self.on_alerts is not None:
            self.on_alerts()

    async def _parse(
        self, feed: Feed, result: FetchResult, report: PollReport, digest: str
    ) -> ParsedFeed | None:
        """The body parsed off the loop (feedparser's sanitiser is ~1 µs/byte), only its items
        unseen at the last read where that is safe (bot.feeds.partial); None when it is no
        feed (the failure is recorded)."""
        try:
            parsed, last = await self._parser.run(
                read_feed,
                result.body,
                self._last_reads.get(feed),
                body_hash=digest,
                feed_id=feed.id,
                url=result.final_url or feed.url,
                content_type=result.content_type,
                source=feed.name,
            )
        except FeedParseError as exc:
            await self._fail(feed, report, str(exc))
            return None
        self._last_reads.put(feed.id, last)  # used only once the store holds `digest`
        return parsed

    def _alertable(self, feed: Feed, fresh: list[Item]) -> list[Item]:
        """All new items, except on a feed's first poll: only the newest `backfill` of them."""
        if feed.polls > 0:
            return fresh
        oldest = datetime.min.replace(tzinfo=UTC)
        newest_first = sorted(fresh, key=lambda i: i.published or oldest, reverse=True)
        return newest_first[: self.options.backfill]

    def _match_all(self, items: list[Item]) -> list[MatchResult]:
        matcher = self.catalog.matcher
        return [matcher.match(item) for item in items]

    async def _alert(
        self, feed: Feed, item: Item, matches: MatchResult, full_text: str | None
    ) -> Alert:
        """The alert for an item that matched, enriched from the article text when fetched."""
        content = await self._text_worker.run(enrich, item, matches, self.catalog.actors, full_text)
        alert = Alert(
            feed_id=feed.id,
            item_identity=item.identity,
            title=item.title,
            link=item.link,
            source=item.source or feed.name or "",
            published=item.published,
            summary=content.summary,
            quotes=content.quotes,
            matches=matches,
            fingerprint=fingerprint(item.title),  # leads differ by outlet; titles agree
        )
        return alert

    def _next(self, feed: Feed, now: datetime) -> datetime:
        return now + timedelta(seconds=feed.interval_seconds)

    async def _fail(
        self,
        feed: Feed,
        report: PollReport,
        error: str,
        retry_after: float | None = None,
        *,
        disable: bool = False,
    ) -> None:
        report.failed = 1
        report.errors[feed.url] = error
        now = self.clock()
        delay = backoff_seconds(feed.failures + 1, feed.interval_seconds, retry_after=retry_after)
        log.warning("feed %s failed (%d in a row): %s", feed.url, feed.failures + 1, error)
        await self.store.record_failure(
            feed,
            owner=self.options.owner,
            now=now,
            next_at=now + timedelta(seconds=delay),
            error=error,
            disable=disable,
        )
