"""The composition root: builds the store, fetcher, rules, pipeline and dispatcher from Settings.

Every entry point (`newsbot run`, `demo`, `poll --once`, tests) starts the bot through here,
so they all exercise the same wiring.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

import aiohttp

from bot.chat.commands import CommandService
from bot.chat.discord.mentions import DiscordMentions
from bot.chat.feedback import FeedbackService
from bot.chat.guard import Guard
from bot.chat.slack.mentions import SlackMentions
from bot.config import ConfigBundle, ConfigError, Settings, find_config_dir, load_config
from bot.delivery.digest import DigestSender
from bot.delivery.dispatcher import Dispatcher, DispatchReport
from bot.delivery.notices import PauseNotices
from bot.delivery.sinks.console import ConsoleSink
from bot.delivery.sinks.webhooks import DiscordWebhookSink, SlackWebhookSink
from bot.feeds.fetch import HttpFetcher
from bot.feeds.ssrf import validate_feed_url
from bot.models import Destination, Platform, Subscription
from bot.policy.reach import reach_warnings
from bot.policy.status_report import status_lines
from bot.policy.wake import tick_needed
from bot.poll.pipeline import Pipeline, PipelineOptions, PollReport, utcnow
from bot.ports import Sink
from bot.relevance.learner import Learner
from bot.runtime.catalog import LiveCatalog
from bot.runtime.health import Check, Health, backlog_check, feeds_check, tick_check
from bot.runtime.ops import Metrics
from bot.store.activity import last_activity
from bot.store.db import startup_lock
from bot.store.store import Store
from bot.text.story_match import same_story, warm_up

log = logging.getLogger(__name__)
TOKENS = {Platform.discord: "discord_token", Platform.slack: "slack_bot_token"}
"""The setting that lets this process post to each chat platform."""


def default_config_dir(settings: Settings) -> Path:
    """NEWSBOT_CONFIG_DIR, else ./config, the user config dir or the packaged default."""
    return find_config_dir(settings.config_dir).path


def worker_id(settings: Settings) -> str:
    return settings.worker_id or f"{socket.gethostname()}:{os.getpid()}"


def dead_local_owners(owners: Iterable[str], host: str, alive: Callable[[int], bool]) -> list[str]:
    """Default worker ids (`host:pid`) of this host whose process is gone (or is this one:
    a reused pid's leases are ours to free)."""
    dead = []
    for owner in owners:
        pid = owner.removeprefix(host)
        local = owner.startswith(host) and pid.isascii() and pid.isdigit()
        if local and (int(pid) == os.getpid() or not alive(int(pid))):
            dead.append(owner)
    return sorted(dead)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (signal 0 checks without sending)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class App:
    """A running newsbot: call `open()`, then tick `poll_once()` / `dispatch_once()`."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        extra_sinks: Mapping[Platform, Sink] | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.config_dir = config_dir or default_config_dir(settings)
        self.extra_sinks = dict(extra_sinks or {})
        self.metrics = Metrics()
        self.owner = worker_id(settings)
        self.store: Store
        self.fetcher: HttpFetcher
        self.catalog: LiveCatalog
        self.learner: Learner
        self.pipeline: Pipeline
        self.dispatcher: Dispatcher
        self.notices: PauseNotices | None = None
        self.digest_sender: DigestSender
        self._session: aiohttp.ClientSession | None = None
        self.health = Health()
        self.started = clock()
        self.last_done: dict[str, datetime] = {}  # when each tick last completed without error
        self._kick: asyncio.Task[None] | None = None
        # (when the next feed / delivery is due, when that was asked): idle ticks skip the store
        self._poll_wake: tuple[datetime | None, datetime | None] = (None, None)
        self._dispatch_wake: tuple[datetime | None, datetime | None] = (None, None)
        self._recheck = timedelta(seconds=settings.idle_recheck_seconds)
        self._kick_again = False

    async def open(self) -> App:
        """Check config, migrate the database, import feeds, rules and static subscriptions."""
        bundle = load_config(self.config_dir)
        await asyncio.to_thread(warm_up)  # the same-story word list, before any transaction
        self.store = await Store.open(self.settings.database_url, same_story)
        self.fetcher = HttpFetcher.from_settings(self.settings)
        self.catalog = LiveCatalog(self.store.catalog, self.config_dir, self.store.relevance)
        self.learner = Learner(self.store.relevance)
        now = self.clock()
        async with startup_lock(self.store.engine):  # processes starting together take turns
            await self.catalog.refresh(now)
            await self._sync_config(bundle, now)
        if self.settings.worker_id:
            await self.store.release_leases(self.owner)
        else:  # host:pid ids: free what this host's dead processes held, not wait it out
            host = f"{socket.gethostname()}:"
            for owner in dead_local_owners(await self.store.lease_owners(host), host, pid_alive):
                log.info("freeing the leases of %s, a process of this host that is gone", owner)
                await self.store.release_leases(owner)
        self.pipeline = Pipeline(
            self.store.ingest,
            self.fetcher,
            self.catalog,
            PipelineOptions(
                owner=self.owner,
                backfill=self.settings.backfill,
                lease_seconds=self.settings.lease_seconds,
                full_text_seconds=self.settings.full_text_seconds,
                full_text_per_poll=self.settings.full_text_per_poll,
                full_text_concurrency=self.settings.full_text_concurrency,
            ),
            clock=self.clock,
        )
        self._session = aiohttp.ClientSession(headers={"User-Agent": self.settings.user_agent})
        sinks: dict[Platform, Sink] = {
            Platform.console: ConsoleSink(),
            Platform.discord_webhook: DiscordWebhookSink(self._session),
            Platform.slack_webhook: SlackWebhookSink(self._session),
        }
        sinks.update(self.extra_sinks)
        self.notices = PauseNotices(self.store.subscriptions, self.store.audit, sinks, self.clock)
        self.dispatcher = Dispatcher(
            self.store.outbox,
            self.store.alerts,
            self.store.subscriptions,
            sinks,
            owner=self.owner,
            clock=self.clock,
            lease_seconds=self.settings.lease_seconds,
            on_pause=self.notices,
        )
        self.digest_sender = DigestSender(
            self.store.digests,
            self.store.alerts,
            self.store.outbox,
            self.store.subscriptions,
            sinks,
            owner=self.owner,
            clock=self.clock,
            lease_seconds=self.settings.lease_seconds,
        )
        return self

    async def reach_warnings(self) -> list[str]:
        """Why some or all alerts would be posted nowhere (no token, no subscription, a
        subscription naming no rule or actor); logged by `newsbot run` at start."""
        tokens = {p for p, t in TOKENS.items() if getattr(self.settings, t) is not None}
        rules = {r.id for r in await self.store.catalog.rules()}
        actors = {a.id for a in self.catalog.actors}
        subscriptions = await self.store.subscriptions.all()
        return reach_warnings(tokens, subscriptions, rules, actors)

    async def status_report(self) -> list[str]:
        """The operator's view, one fact a line: what `newsbot status` and `/status` show."""
        return status_lines(
            await self.store.feeds.all(),
            await self.store.outbox.counts(),
            await last_activity(self.store.engine),
            await self.store.subscriptions.all(),
            await self.reach_warnings(),
            self.clock(),
        )

    def command_service(self) -> CommandService:
        """The platform-neutral chat command service over this app's store."""
        return CommandService(
            self.store,
            self.clock,
            validate_feed_url=validate_feed_url,
            default_interval=self.settings.poll_interval_seconds,
            mentions={Platform.discord: DiscordMentions(), Platform.slack: SlackMentions()},
            owners=frozenset(self.settings.owners),
            status_report=self.status_report,
            timeline=self.store.timeline,
        )

    def feedback_service(self) -> FeedbackService:
        """Votes on alerts from chat, and each rule's feedback figures."""
        guard = Guard(self.store.audit, self.clock, frozenset(self.settings.owners))
        return FeedbackService(self.store.relevance, self.store.alerts, guard)

    async def _sync_config(self, bundle: ConfigBundle, now: datetime) -> None:
        specs = [
            (f.url, f.name, f.interval_seconds or self.settings.poll_interval_seconds, f.full_text)
            for f in bundle.feeds.feeds
        ]
        await self.store.feeds.sync(specs, now)
        listed: set[tuple[str, str, str]] = set()
        for static in bundle.subscriptions.subscriptions:
            platform, _, address = static.destination.partition(":")
            dest = Destination(platform=Platform(platform), address=address or "-")
            for target in static.targets:
                listed.add((dest.platform.value, dest.address, target))
                await self.store.subscriptions.upsert(
                    Subscription(
                        destination=dest,
                        target=target,
                        min_priority=static.min_priority,
                        mode=static.mode,
                        digest_time=static.digest_time,
                        created_by="config",
                    ),
                    now,
                    resume=False,  # a pause stands until someone subscribes again
                )
        if dropped := await self.store.subscriptions.remove_from_config_except(listed):
            log.info("removed %d subscription(s) no longer in subscriptions.yaml", dropped)

    async def poll_once(self) -> PollReport:
        """Reload rules if they changed, then poll every due feed."""
        await self.catalog.refresh(self.clock())
        report = await self.pipeline.poll_due()
        m = self.metrics
        m.polls.labels("ok").inc(report.polled - report.failed - report.not_modified)
        m.polls.labels("not_modified").inc(report.not_modified)
        m.polls.labels("error").inc(report.failed)
        m.fetch_errors.inc(report.failed)
        m.items.inc(report.new_items)
        m.alerts.inc(len(report.alerts))
        m.last_poll.set(self.clock().timestamp())
        self.last_done["poll"] = self.clock()
        if report.polled:
            log.info(
                "poll: %d feeds, %d unchanged, %d failed, %d new items, %d alerts",
                report.polled,
                report.not_modified,
                report.failed,
                report.new_items,
                len(report.alerts),
            )
        return report

    async def poll_tick(self) -> PollReport | None:
        """The scheduler's poll tick: `poll_once` when a feed may be due or a config file
        changed, else nothing (no query; bot/policy/wake.py). None when it did nothing."""
        now = self.clock()
        due, checked = self._poll_wake
        if not self.catalog.files_changed() and not tick_needed(now, due, checked, self._recheck):
            self.last_done["poll"] = now
            return None
        report = await self.poll_once()
        self._poll_wake = (await self.store.feeds.next_due(), now)
        return report

    async def dispatch_tick(self) -> DispatchReport | None:
        """The `--role all` dispatch tick: `dispatch_once` when a delivery may be ready, else
        nothing. This process's own alerts go out at once (`dispatch_soon`) without it."""
        now = self.clock()
        due, checked = self._dispatch_wake
        if not tick_needed(now, due, checked, self._recheck):
            self.last_done["dispatch"] = now
            return None
        return await self.dispatch_once()

    async def retrain(self) -> list[str]:
        """Retrain the relevance models of rules whose votes changed (a background job)."""
        return await self.learner.retrain(self.catalog.rules, self.catalog.actors, self.clock())

    async def dispatch_once(self) -> DispatchReport:
        now = self.clock()
        report = await self.dispatcher.dispatch_once()
        self._count(report)
        self.last_done["dispatch"] = self.clock()
        self._dispatch_wake = (await self.store.outbox.next_ready(), now)
        return report

    def watch_health(self, role: str) -> None:
        """Add the checks /healthz runs for `role`: the database and its figures, every role;
        the poll tick for pollers; the dispatch tick for dispatchers."""
        s = self.settings
        overdue_after = timedelta(seconds=max(300.0, 10 * s.dispatch_tick_seconds))
        self.health.info["role"] = role

        async def database() -> list[Check]:
            now = self.clock()
            figures = await self.store.health.figures(now, overdue_after)
            self.metrics.pending.set(figures.pending)
            return [
                Check("database", True, "answered"),
                feeds_check(figures),
                backlog_check(figures, now, overdue_after),
            ]

        def ticks(name: str, every: float) -> None:
            stale = timedelta(seconds=max(600.0, 10 * every))

            async def probe() -> list[Check]:
                last = self.last_done.get(name)
                return [tick_check(name, last, self.started, self.clock(), stale)]

            self.health.add(name, probe)

        self.health.add("database", database)
        if role in {"all", "poller"}:
            ticks("poll", s.poll_tick_seconds)
        if role in {"all", "dispatcher"}:
            ticks("dispatch", s.dispatch_tick_seconds)

    def dispatch_soon(self) -> None:
        """Dispatch in the background now (one run at a time), without waiting for the tick."""
        self._kick_again = True
        if self._kick is None or self._kick.done():
            self._kick = asyncio.create_task(self._dispatch_kicked())

    async def _dispatch_kicked(self) -> None:
        while self._kick_again:
            self._kick_again = False
            try:
                await self.dispatch_once()
            except Exception:  # the dispatch tick retries
                log.exception("dispatch after a poll failed")

    async def send_digests(self) -> int:
        """Send the daily digests that are due (checked every minute by `newsbot run`)."""
        return await self.digest_sender.send_due()

    async def drain(self) -> DispatchReport:
        report = await self.dispatcher.drain()
        self._count(report)
        return report

    def _count(self, report: DispatchReport) -> None:
        self.metrics.deliveries.labels("sent").inc(report.sent)
        self.metrics.deliveries.labels("retried").inc(report.retried)
        self.metrics.deliveries.labels("failed").inc(report.failed)
        for lag in report.lag_seconds:
            self.metrics.delivery_lag.observe(lag)

    async def housekeeping(self) -> None:
        pending = (await self.store.outbox.counts()).get("pending", 0)
        self.metrics.pending.set(pending)

    async def close(self) -> None:
        if self._kick is not None:
            await self._kick
        if self.notices is not None:
            await self.notices.close()
        if self._session is not None:
            await self._session.close()
        self.pipeline.close()
        await self.fetcher.close()
        await self.store.close()


__all__ = ["App", "ConfigError"]
