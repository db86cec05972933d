"""Fault injection on both chat platforms at once: SIGKILL mid-burst, an outage of 5xx and 429
answers, and channels that are deleted, closed or archived under the bot.

Everything is counted at the fakes (what Discord and Slack would show), not in our own store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import signal
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.chat.discord.app import DiscordBot
from bot.chat.slack.app import SlackBot
from bot.config import Settings
from bot.models import Destination, Platform, Subscription
from bot.runtime.app import App
from bot.store.store import Store
from bot.text.story_match import same_story
from tests.builders import (
    PEACE,
    START_SECONDS,
    Clock,
    bot_env,
    rss,
    slack_env,
    start_bot,
    starts_logged,
    stop_bot,
    until,
    write_config,
)
from tests.conftest import PENDING, query
from tests.e2e.test_discord import reply_of
from tests.e2e.test_slack import command
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.feed_server import FeedServer
from tests.fakes.slack_server import FakeSlack, SlackChannel

QUIET = [{"destination": "console", "targets": ["rule:donbas-offensive"]}]  # no console copies
MARKER = re.compile(r"F(\d+)N(\d+)")
SLACK_CHANNELS = ("C0ALERTS01", "C0GENERAL1")
DISCORD_POST = re.compile(r"^/api/v10/channels/\d+/messages$")


def items(feed: int, count: int) -> list[tuple[str, str]]:
    """(guid, title) pairs whose titles carry a marker `F<feed>N<item>` and match peace-talks."""
    return [(f"f{feed}-i{n}", f"F{feed}N{n}: {PEACE}") for n in range(count)]


def marker_of(payload: Any) -> str:
    """The one item marker in a posted message (embed title, Block Kit or text)."""
    found = {f"F{f}N{n}" for f, n in MARKER.findall(json.dumps(payload, ensure_ascii=False))}
    assert len(found) == 1, found
    return found.pop()


def discord_alerts(fake: FakeDiscord) -> list[tuple[str, str]]:
    """(parent channel, marker) of every alert message, in the order Discord stored them."""
    parents = {t["id"]: t["parent_id"] for t in fake.threads}
    return [
        (parents.get(m["channel_id"], m["channel_id"]), marker_of(m["embeds"]))
        for m in fake.messages
        if m["embeds"]
    ]


def slack_alerts(fake: FakeSlack) -> list[tuple[str, str]]:
    """(channel, marker) of every alert message, in the order Slack stored them."""
    return [(m["channel"], marker_of(m["text"])) for m in fake.messages if MARKER.search(m["text"])]


def expected(channels: tuple[str, ...], feeds: int, per_feed: int) -> set[tuple[str, str]]:
    return {(c, f"F{f}N{n}") for c in channels for f in range(feeds) for n in range(per_feed)}


def both_settings(
    discord_fake: FakeDiscord, slack_fake: FakeSlack, db_url: str, config: Path, **extra: Any
) -> Settings:
    values: dict[str, Any] = {
        "discord_token": SecretStr(discord_fake.token),
        "discord_api_base": discord_fake.api_base,
        "slack_bot_token": SecretStr(slack_fake.bot_token),
        "slack_signing_secret": SecretStr(slack_fake.signing_secret),
        "slack_api_url": slack_fake.base_url,
        "slack_post_interval": 0,
        "slack_port": 0,
        "database_url": db_url,
        "config_dir": config,
        "fetch_allow_private": ["127.0.0.1/32"],
        "metrics_port": 0,
        "backfill": 1000,
    }
    return Settings(**{**values, **extra})


async def subscribe(db_url: str, dests: list[Destination]) -> None:
    """Seed subscriptions to peace-talks, as `/subscribe` in an earlier run would have."""
    store = await Store.open(db_url, same_story)
    try:
        for dest in dests:
            sub = Subscription(destination=dest, target="rule:peace-talks", created_by="test")
            await store.subscriptions.upsert(sub, datetime.now(UTC))
    finally:
        await store.close()


# --------------------------------------------------------------------------- crash


CRASH_FEEDS = 5
CRASH_ITEMS = 100  # 500 alerts, each to two channels on each platform: 2,000 posts
KILLS = 4


@pytest.mark.slow
async def test_sigkill_during_a_burst_on_discord_and_slack(tmp_path: Path, app_db_url: str) -> None:
    async with FakeDiscord() as dfake, FakeSlack() as sfake, FeedServer() as feeds:
        for f in range(CRASH_FEEDS):
            feeds.add(f"/feed{f}.xml", rss(items(f, CRASH_ITEMS), title=f"Feed {f}"))
        discord_channels = [dfake.alerts_channel.id, dfake.general_channel.id]
        config = write_config(
            tmp_path / "config",
            [feeds.url(f"/feed{f}.xml") for f in range(CRASH_FEEDS)],
            subscriptions=QUIET,
        )
        guild, team = dfake.guild.id, sfake.team_id
        await subscribe(
            app_db_url,
            [
                Destination(platform=Platform.discord, address=c, workspace=guild)
                for c in discord_channels
            ]
            + [
                Destination(platform=Platform.slack, address=c, workspace=team)
                for c in SLACK_CHANNELS
            ],
        )
        env = bot_env(
            app_db_url,
            config,
            DISCORD_TOKEN=dfake.token,
            DISCORD_API_BASE=dfake.api_base,
            **slack_env(sfake),
            SLACK_POST_INTERVAL="0",
            BACKFILL="1000",
            DISPATCH_TICK_SECONDS="0.05",
            LEASE_SECONDS="2",
        )
        log = tmp_path / "bot.log"
        total = CRASH_FEEDS * CRASH_ITEMS * (len(discord_channels) + len(SLACK_CHANNELS))
        rng = random.Random(11)
        targets = sorted(rng.uniform(0.05, 0.8) * total for _ in range(KILLS))

        def posted() -> int:
            return len(dfake.messages) + len(sfake.messages)

        kills_mid_burst = 0
        for target in targets:  # each run is killed once the fakes hold `target` posts
            proc = await start_bot(env, log, cwd=tmp_path)
            # a start under load takes tens of seconds: a kill before it posts proves nothing
            await until(
                lambda t=target, p=proc: posted() >= t or p.returncode is not None, START_SECONDS
            )
            kills_mid_burst += target <= posted() < total
            assert proc.returncode is None, f"run exited ({proc.returncode}) before its kill"
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
        before = starts_logged(log)
        proc = await start_bot(env, log, cwd=tmp_path)
        try:
            for _ in range(3000):  # what a killed run sent but never marked is sent again
                if posted() >= total and await query(app_db_url, PENDING) == [(0,)]:
                    break
                await asyncio.sleep(0.1)
            code = await stop_bot(proc, log, starts=before + 1)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()

        assert code == 0, log.read_text(errors="replace")[-3000:]
        posts = [
            r
            for r in dfake.requests
            if r["method"] == "POST" and DISCORD_POST.match(r["path"]) and r.get("status") == 200
        ]
        d_received = Counter(discord_alerts(dfake))
        d_nonces = Counter(m["request"]["nonce"] for m in dfake.messages)
        s_received = Counter(slack_alerts(sfake))
        d_expected = expected(tuple(discord_channels), CRASH_FEEDS, CRASH_ITEMS)
        s_expected = expected(SLACK_CHANNELS, CRASH_FEEDS, CRASH_ITEMS)
        d_lost, s_lost = len(d_expected - set(d_received)), len(s_expected - set(s_received))
        d_dupes = sum(n - 1 for n in d_received.values())
        s_dupes = sum(n - 1 for n in s_received.values())
        absorbed = len(posts) - len(dfake.messages)
        print(
            f"\ncrash test: {KILLS} SIGKILLs ({kills_mid_burst} mid-burst), "
            f"{CRASH_FEEDS * CRASH_ITEMS} alerts, {total} posts expected\n"
            f"  Discord: {len(d_expected)} expected, {len(d_received)} received, lost {d_lost}, "
            f"duplicated {d_dupes}; {len(posts)} POSTs answered 200, {absorbed} repeat(s) "
            "absorbed by nonce\n"
            f"  Slack:   {len(s_expected)} expected, {len(s_received)} received, lost {s_lost}, "
            f"duplicated {s_dupes}"
        )
        assert kills_mid_burst == KILLS  # every kill landed while posts were still going out
        assert set(d_received) == d_expected and set(s_received) == s_expected  # 0 lost
        assert d_dupes == 0 and len(d_nonces) == len(dfake.messages)  # 0 twice on Discord
        # a repeated POST would be a visible duplicate without the nonce: each is counted above
        assert all(r["json"]["enforce_nonce"] is True for r in posts)
        assert s_dupes <= KILLS * len(SLACK_CHANNELS)  # at most one post in flight per channel
        statuses = dict(
            await query(app_db_url, "select status, count(*) from deliveries group by 1")
        )
        assert statuses == {"sent": total}
        output = log.read_text(errors="replace")
        for secret in (dfake.token, sfake.bot_token, sfake.signing_secret):
            assert secret not in output, "a secret leaked into the logs"


async def test_fake_discord_shows_a_repeat_sent_without_enforce_nonce() -> None:
    """The crash test's Discord count can see duplicates: without enforce_nonce a repeat posts."""
    async with FakeDiscord() as fake, aiohttp.ClientSession() as http:
        url = f"{fake.api_base}/channels/{fake.alerts_channel.id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        for enforce in (False, False, True, True):
            body = {"content": "x", "nonce": "7" if not enforce else "8", "enforce_nonce": enforce}
            async with http.post(url, json=body, headers=headers) as resp:
                assert resp.status == 200
        assert Counter(m["nonce"] for m in fake.messages) == {"7": 2, "8": 1}


# --------------------------------------------------------------------------- in-process bots


@dataclass
class Bots:
    dfake: FakeDiscord
    sfake: FakeSlack
    feeds: FeedServer
    app: App
    discord: DiscordBot
    slack: SlackBot
    clock: Clock
    slack_url: str


@contextlib.asynccontextmanager
async def bots(
    tmp_path: Path, db_url: str, feed_count: int, *, subscriptions: list[dict[str, Any]] | None
) -> AsyncIterator[Bots]:
    """Both bots (Discord with its gateway, Slack over HTTP) on one App with a test clock."""
    async with (
        FakeDiscord(heartbeat_interval=0.1) as dfake,
        FakeSlack() as sfake,
        FeedServer() as feeds,
    ):
        for f in range(feed_count):
            feeds.add(f"/feed{f}.xml", rss([]))
        urls = [feeds.url(f"/feed{f}.xml") for f in range(feed_count)]
        config = write_config(tmp_path / "config", urls, subscriptions=subscriptions or QUIET)
        settings = both_settings(dfake, sfake, db_url, config)
        dbot, sbot, clock = (
            DiscordBot(settings, guild_ready_timeout=0.05),
            SlackBot(settings),
            Clock(),
        )
        app = await App(settings, clock=clock, extra_sinks={**dbot.sinks, **sbot.sinks}).open()
        try:
            await dbot.start(app.command_service())
            await dbot.connection.wait_until_ready(timeout=10)
            await sbot.start(app.command_service(), host="127.0.0.1")
            url = f"http://127.0.0.1:{sbot.port}/slack/events"
            yield Bots(dfake, sfake, feeds, app, dbot, sbot, clock, url)
        finally:
            await sbot.close()
            await dbot.close()
            await app.close()


async def dispatch_until_empty(b: Bots, step: timedelta, rounds: int = 400) -> int:
    """Dispatch, moving the clock on by `step` between rounds; returns the rounds it took."""
    for n in range(rounds):
        await b.app.dispatch_once()
        if await query(b.app.settings.database_url, PENDING) == [(0,)]:
            return n + 1
        b.clock.now += step
    raise AssertionError(f"deliveries still pending after {rounds} rounds")


async def alert_order(app: App, dest: Destination) -> list[str]:
    """Markers of the alerts routed to `dest`, in alert (and delivery) order."""
    rows = sorted(await app.store.outbox.log(dest, limit=10_000), key=lambda r: r.id)
    assert [r.alert_id for r in rows] == sorted(r.alert_id for r in rows)
    alerts = await app.store.alerts.get_many([r.alert_id for r in rows])
    return [marker_of(alerts[r.alert_id].title) for r in rows]


# --------------------------------------------------------------------------- outage


OUTAGE_FEEDS = 2
OUTAGE_ITEMS = 15


async def test_outage_then_recovery_delivers_everything_in_order(
    tmp_path: Path, app_db_url: str
) -> None:
    async with bots(tmp_path, app_db_url, OUTAGE_FEEDS, subscriptions=None) as b:
        d_channels = (b.dfake.alerts_channel.id, b.dfake.general_channel.id)
        for channel in d_channels:
            await b.dfake.invoke_command("subscribe", {"target": "peace-talks"}, channel_id=channel)
        for name in ("alerts", "general"):
            await command(b.sfake, b.slack_url, "subscribe peace-talks", channel=name)
        for f in range(OUTAGE_FEEDS):
            b.feeds.add(f"/feed{f}.xml", rss(items(f, OUTAGE_ITEMS), title=f"Feed {f}"))
        # the outage: server errors, then long rate limits (longer than discord.py waits itself)
        b.dfake.fail_next(r"/channels/\d+/messages$", 503, count=8)
        b.dfake.fail_next(r"/channels/\d+/messages$", 429, count=4, retry_after=120.0)
        b.sfake.fail_next("chat.postMessage", 503, count=8)
        b.sfake.fail_next("chat.postMessage", 429, count=4, retry_after=90)
        report = await b.app.poll_once()
        assert len(report.alerts) == OUTAGE_FEEDS * OUTAGE_ITEMS

        rounds = await dispatch_until_empty(b, timedelta(seconds=30))

        assert [f["status"] for f in b.dfake.faults_served] == [503] * 8 + [429] * 4
        assert [f["status"] for f in b.sfake.faults_served] == [503] * 8 + [429] * 4
        d_got, s_got = discord_alerts(b.dfake), slack_alerts(b.sfake)
        figures = []
        for platform, channels, got, workspace in (
            (Platform.discord, d_channels, d_got, b.dfake.guild.id),
            (Platform.slack, SLACK_CHANNELS, s_got, b.sfake.team_id),
        ):
            for channel in channels:
                dest = Destination(platform=platform, address=channel, workspace=workspace)
                want = await alert_order(b.app, dest)
                arrived = [m for c, m in got if c == channel]
                assert arrived == want, f"{platform.value}:{channel} out of order or incomplete"
                figures.append(f"{platform.value}:{channel} {len(arrived)}/{len(want)} in order")
        retried = sum(r.attempts > 1 for r in await _all_rows(b))
        print(
            f"\noutage test: 8×503 + 4×429 on each platform, {rounds} dispatch rounds, "
            f"{retried} deliveries needed retries; " + ", ".join(figures)
        )


async def _all_rows(b: Bots) -> list[Any]:
    rows: list[Any] = []
    for dest in [
        Destination(platform=Platform.discord, address=c)
        for c in (b.dfake.alerts_channel.id, b.dfake.general_channel.id)
    ] + [Destination(platform=Platform.slack, address=c) for c in SLACK_CHANNELS]:
        rows += await b.app.store.outbox.log(dest, limit=10_000)
    return rows


# --------------------------------------------------------------------------- permanent failures


async def ask(fake: FakeDiscord, name: str, channel: str, user: Any = None) -> str:
    """A slash command's answer text, deferred or not."""
    return (
        await reply_of(fake, await fake.invoke_command(name, channel_id=channel, user=user))
    ).text


async def audit_rows(app: App, action: str) -> list[Any]:
    return [r for r in await app.store.audit.history(limit=200) if r.action == action]


async def test_discord_channel_deleted_or_closed_pauses_it_and_tells_admins_once(
    tmp_path: Path, app_db_url: str
) -> None:
    async with bots(tmp_path, app_db_url, 1, subscriptions=None) as b:
        fake, app = b.dfake, b.app
        alerts, general, closed = fake.alerts_channel, fake.general_channel, fake.forbidden_channel
        for channel in (alerts, general, closed):
            rec = await fake.invoke_command(
                "subscribe", {"target": "peace-talks"}, channel_id=channel.id
            )
            assert "Subscribed" in rec.text
        b.feeds.add("/feed0.xml", rss(items(0, 3)))
        fake.guild.channels.remove(general)  # deleted: 404 Unknown Channel (10003)
        fake.fail_next(rf"/channels/{alerts.id}/messages$", 400, count=1, method="POST")
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))

        # the malformed first alert failed alone; the two after it reached #alerts in order
        posted = fake.channel_messages(alerts.id)
        order = await alert_order(app, Destination(platform=Platform.discord, address=alerts.id))
        assert [marker_of(m["embeds"]) for m in posted if m["embeds"]] == order[1:]
        notices = [m for m in posted if not m["embeds"]]
        assert sorted(n["content"].split("<#")[1].split(">")[0] for n in notices) == sorted(
            [general.id, closed.id]
        )
        assert all(n["request"]["allowed_mentions"]["parse"] == [] for n in notices)
        assert all("/subscribe" in n["content"] for n in notices)
        assert any("10003" in n["content"] for n in notices)
        assert any("50013" in n["content"] for n in notices)
        paused = {r.target for r in await audit_rows(app, "subscriptions.pause")}
        assert paused == {f"discord:{general.id}", f"discord:{closed.id}"}
        assert len(await audit_rows(app, "notice.sent")) == 2

        # admins read why from chat; members may not
        log_here = await ask(fake, "alerts log", alerts.id)
        assert "failed" in log_here and "400" in log_here and "sent" in log_here
        log_closed = await ask(fake, "alerts log", closed.id)
        assert "failed" in log_closed and "Missing Permissions" in log_closed
        assert "Only admins" in await ask(fake, "alerts log", closed.id, fake.member)
        assert "paused" in await ask(fake, "subscriptions", closed.id)

        # more news: nothing goes to the paused channels, and no second notice
        b.feeds.add("/feed0.xml", rss(items(0, 4)))
        await app.store.feeds.make_due(b.clock())
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))
        assert len(fake.channel_messages(alerts.id)) == len(posted) + 1
        assert fake.channel_messages(closed.id) == []
        assert len(await audit_rows(app, "notice.sent")) == 2

        # access restored, `/subscribe` again resumes; a new pause is announced again
        fake.set_forbidden(closed.id, False)
        await fake.invoke_command("subscribe", {"target": "peace-talks"}, channel_id=closed.id)
        b.feeds.add("/feed0.xml", rss(items(0, 5)))
        await app.store.feeds.make_due(b.clock())
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))
        assert [marker_of(m["embeds"]) for m in fake.channel_messages(closed.id)] == ["F0N4"]
        fake.set_forbidden(closed.id, True)
        b.feeds.add("/feed0.xml", rss(items(0, 6)))
        await app.store.feeds.make_due(b.clock())
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))
        assert len(await audit_rows(app, "notice.sent")) == 3


async def test_slack_channel_gone_outside_or_archived_pauses_it_and_tells_admins_once(
    tmp_path: Path, app_db_url: str
) -> None:
    async with bots(tmp_path, app_db_url, 1, subscriptions=None) as b:
        fake, app = b.sfake, b.app
        fake.channels += [SlackChannel("C0DOOMED01", "doomed"), SlackChannel("C0OLD00001", "old")]
        for name in ("alerts", "outside", "doomed", "old"):
            answer = await command(fake, b.slack_url, "subscribe peace-talks", channel=name)
            assert "Subscribed" in answer.text
        fake.channels.remove(fake.channel("doomed"))  # channel_not_found
        fake.channel("old").is_archived = True  # is_archived; #outside: not_in_channel
        b.feeds.add("/feed0.xml", rss(items(0, 2)))
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))

        posted = fake.channel_messages("C0ALERTS01")
        order = await alert_order(app, Destination(platform=Platform.slack, address="C0ALERTS01"))
        assert [marker_of(m["text"]) for m in posted if MARKER.search(m["text"])] == order
        notices = [m["text"] for m in posted if not MARKER.search(m["text"])]
        assert len(notices) == 3
        for channel, error in (
            ("C0OUTSIDE1", "not_in_channel"),
            ("C0DOOMED01", "channel_not_found"),
            ("C0OLD00001", "is_archived"),
        ):
            [notice] = [n for n in notices if f"<#{channel}>" in n]
            assert error in notice and "/subscribe" in notice
        assert not any(p in n for n in notices for p in ("<!channel>", "<!here>", "<!everyone>"))
        assert len(await audit_rows(app, "subscriptions.pause")) == 3

        log_outside = await command(
            fake, b.slack_url, "alerts log", user="admin", channel="outside"
        )
        assert "failed" in log_outside.text and "not_in_channel" in log_outside.text
        subs = await command(fake, b.slack_url, "subscriptions", channel="outside")
        assert "paused" in subs.text

        b.feeds.add("/feed0.xml", rss(items(0, 3)))
        await app.store.feeds.make_due(b.clock())
        await app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))
        assert len(fake.channel_messages("C0ALERTS01")) == len(posted) + 1  # no second notice
        assert len(await audit_rows(app, "notice.sent")) == 3


async def test_pause_with_no_other_channel_is_recorded_in_the_audit_log(
    tmp_path: Path, app_db_url: str
) -> None:
    async with bots(tmp_path, app_db_url, 1, subscriptions=None) as b:
        await command(b.sfake, b.slack_url, "subscribe peace-talks", channel="outside")
        b.feeds.add("/feed0.xml", rss(items(0, 1)))
        await b.app.poll_once()
        await dispatch_until_empty(b, timedelta(seconds=5))
        assert b.sfake.messages == []
        [pause] = await audit_rows(b.app, "subscriptions.pause")
        [unsent] = await audit_rows(b.app, "notice.unsent")
        assert pause.target == unsent.target == "slack:C0OUTSIDE1"
        assert "not_in_channel" in pause.detail and "no other" in unsent.detail
        assert pause.who == "newsbot" and pause.workspace == b.sfake.team_id
