"""The core pipeline end to end on SQLite (and PostgreSQL in CI).

Loopback feeds → fetch → … → outbox → console.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from bot.config import Settings
from bot.delivery.sinks.console import ConsoleSink
from bot.models import Platform
from bot.runtime.app import App
from tests.builders import DONBAS, PEACE, UNRELATED, rss, write_config
from tests.conftest import app_database
from tests.fakes.feed_server import FeedServer

pytestmark = pytest.mark.usefixtures("app_db_url")  # SQLite, or PostgreSQL in CI's second pass


class Clock:
    """A clock the test moves forward, so feeds become due without sleeping."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def server():
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def _app(
    tmp_path: Path,
    server: FeedServer,
    clock: Clock,
    paths: list[str],
    *,
    backfill: int = 1,
    **settings: object,
):
    out = io.StringIO()
    config = write_config(tmp_path / "config", [server.url(p) for p in paths])
    s = Settings(
        database_url=app_database(tmp_path),
        fetch_allow_private=["127.0.0.1/32"],
        backfill=backfill,
        metrics_port=None,
        **settings,
    )
    sink = ConsoleSink(Console(file=out, width=120, highlight=False))
    app = await App(s, clock=clock, config_dir=config, extra_sinks={Platform.console: sink}).open()
    return app, out


async def test_first_poll_does_not_flood_and_new_items_alert(tmp_path, server, clock):
    items = [(f"old-{i}", f"{PEACE} (update {i})") for i in range(8)]
    server.add("/feed.xml", rss(items))
    app, out = await _app(tmp_path, server, clock, ["/feed.xml"], backfill=2)
    try:
        first = await app.poll_once()
        assert first.new_items == 8
        assert len(first.alerts) == 2  # only the newest `backfill` of a first poll
        assert (await app.drain()).sent == 2
        assert "(update 7)" in out.getvalue() and "(update 0)" not in out.getvalue()

        server.add("/feed.xml", rss([*items, ("new-1", DONBAS), ("new-2", UNRELATED[0])]))
        clock.advance(61)
        second = await app.poll_once()
        assert second.new_items == 2
        [alert_id] = second.alerts
        alert = (await app.store.alerts.get_many([alert_id]))[alert_id]
        assert {m.rule_id for m in alert.matches.rules} >= {"donbas-offensive"}
        assert (await app.drain()).sent == 1
        assert "Donbas offensive" in out.getvalue()
        assert UNRELATED[0] not in out.getvalue()
    finally:
        await app.close()


async def test_unchanged_feed_is_neither_downloaded_nor_parsed_again(tmp_path, server, clock):
    server.add("/feed.xml", rss([("a", UNRELATED[1])]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        await app.poll_once()
        clock.advance(61)
        report = await app.poll_once()
        assert report.polled == 1 and report.not_modified == 1 and report.new_items == 0
        assert server.hits["/feed.xml"] == 2 and server.full["/feed.xml"] == 1
        headers = server.request_headers[-1]
        assert headers.get("If-None-Match") and headers.get("If-Modified-Since")
        feed = (await app.store.feeds.all())[0]
        assert feed.failures == 0 and feed.polls == 1
    finally:
        await app.close()


async def test_server_errors_back_off_and_retry_after_is_honoured(tmp_path, server, clock):
    server.fail("/feed.xml", 500)
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        report = await app.poll_once()
        assert report.failed == 1
        feed = (await app.store.feeds.all())[0]
        assert feed.failures == 1 and "500" in (feed.last_error or "")
        delay = (feed.next_poll_at - clock.now).total_seconds()
        assert 30 <= delay <= 60  # first failure: half to one interval, with jitter
        clock.advance(61)
        server.fail("/feed.xml", 503, retry_after="7200")
        await app.poll_once()
        feed = (await app.store.feeds.all())[0]
        assert feed.failures == 2
        assert (feed.next_poll_at - clock.now).total_seconds() >= 7200
        clock.advance(7201)
        server.add("/feed.xml", rss([("a", UNRELATED[2])]))
        assert (await app.poll_once()).failed == 0
        feed = (await app.store.feeds.all())[0]
        assert feed.failures == 0 and feed.last_error is None
    finally:
        await app.close()


async def test_permanent_redirect_is_stored_and_gone_disables(tmp_path, server, clock):
    server.redirect("/old.xml", server.url("/new.xml"), status=301)
    server.add("/new.xml", rss([("a", UNRELATED[0])]))
    server.fail("/gone.xml", 410)
    app, _ = await _app(tmp_path, server, clock, ["/old.xml", "/gone.xml"])
    try:
        await app.poll_once()
        feeds = {f.id: f for f in await app.store.feeds.all()}
        urls = sorted(f.url for f in feeds.values())
        assert server.url("/new.xml") in urls and server.url("/old.xml") not in urls
        gone = next(f for f in feeds.values() if f.url.endswith("/gone.xml"))
        assert gone.disabled and "410" in (gone.last_error or "")
    finally:
        await app.close()


async def test_oversized_and_slow_feeds_fail_with_a_clear_error(tmp_path, server, clock):
    server.huge("/huge.xml", size=50 * 1024 * 1024)
    server.hang("/hang.xml")
    app, _ = await _app(
        tmp_path,
        server,
        clock,
        ["/huge.xml", "/hang.xml"],
        fetch_max_bytes=1024 * 1024,
        fetch_timeout_seconds=1.0,
    )
    try:
        report = await app.poll_once()
        assert report.failed == 2
        errors = {url.rsplit("/", 1)[1]: msg for url, msg in report.errors.items()}
        assert "limit" in errors["huge.xml"].lower()
        assert "within 1 s" in errors["hang.xml"]
        assert server.sent["/huge.xml"] < 10 * 1024 * 1024  # reading stopped early
    finally:
        await app.close()


async def test_broken_feed_is_reported_and_others_still_alert(tmp_path, server, clock):
    server.add("/broken.xml", b"<html><body>Not a feed</body></html>", content_type="text/html")
    server.add("/good.xml", rss([("p", PEACE)]))
    app, out = await _app(tmp_path, server, clock, ["/broken.xml", "/good.xml"])
    try:
        report = await app.poll_once()
        assert report.failed == 1 and len(report.alerts) == 1
        broken = next(f for f in await app.store.feeds.all() if f.url.endswith("broken.xml"))
        assert broken.last_error
        await app.drain()
        assert "peace talks" in out.getvalue().lower()
    finally:
        await app.close()


STORY = [
    (
        "france24",
        "Zelensky asks for proof that Russia plans to invade Ukraine, warns against ‘panic’",
        "Ukrainian President Volodymyr Zelensky asked Western countries to share any evidence.",
    ),
    (
        "outlet-b",
        "Zelensky asks for proof Russia plans to invade Ukraine and warns against panic",
        "President Volodymyr Zelenskyy urged calm and said he had seen no proof of an attack.",
    ),
    (
        "outlet-c",
        "Ukraine's Zelensky asks for proof that Russia plans to invade, warns against 'panic'",
        "Kyiv's leader said talk of an imminent invasion only spreads panic.",
    ),
]


async def _story_outlets(tmp_path, server, clock) -> tuple[App, io.StringIO]:
    """An app polling the three STORY outlets, past their first (silent) poll."""
    for name, _title, _lead in STORY:
        server.add(f"/{name}.xml", rss([("seen", UNRELATED[1])], title=name))
    app, out = await _app(tmp_path, server, clock, [f"/{n}.xml" for n, _, _ in STORY])
    await app.poll_once()  # first polls: existing items only
    return app, out


def _publish_story(server, clock, name: str, title: str, lead: str) -> None:
    items = [("seen", UNRELATED[1]), ("story", title)]
    server.add(f"/{name}.xml", rss(items, title=name, descriptions={"story": lead}))
    clock.advance(61)


async def test_same_story_from_three_outlets_alerts_once_with_two_follow_ups(
    tmp_path, server, clock
):
    app, out = await _story_outlets(tmp_path, server, clock)
    try:
        alert_ids = []
        for name, title, lead in STORY:  # the outlets publish one after another
            _publish_story(server, clock, name, title, lead)
            alert_ids += (await app.poll_once()).alerts
        alerts = await app.store.alerts.get_many(alert_ids)
        first, *rest = (alerts[i] for i in alert_ids)
        assert first.story_id is None and not first.is_follow_up
        assert [a.story_id for a in rest] == [first.id, first.id]
        assert (await app.drain()).sent == 3
        assert out.getvalue().count("same story") == 2
    finally:
        await app.close()


async def test_story_root_removed_with_its_feed_later_alerts_start_a_new_story(
    tmp_path, server, clock
):
    """The in-memory story window must not link to an alert that a removed feed took along."""
    app, _out = await _story_outlets(tmp_path, server, clock)
    try:
        alert_ids = []
        for name, title, lead in STORY:
            _publish_story(server, clock, name, title, lead)
            alert_ids += (await app.poll_once()).alerts
            if len(alert_ids) == 1:  # the story's first outlet goes, its alert with it
                first = (await app.store.alerts.get_many(alert_ids))[alert_ids[0]]
                assert await app.store.feeds.remove(first.feed_id, now=clock(), by="test")
        alerts = await app.store.alerts.get_many(alert_ids[1:])  # SQLite may reuse the 1st id
        second, third = (alerts[i] for i in alert_ids[1:])
        assert second.feed_id != first.feed_id
        assert second.story_id is None  # a new story, not a link to the removed alert
        assert third.story_id == second.id
    finally:
        await app.close()


SEED = Path(__file__).resolve().parents[2] / "seeds" / "lavrov-no-pause-2022-04-11.txt"


def _article_page(seed: str) -> str:
    title, _, body = seed.partition("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>© Antiwar.com</footer>"
        "</body></html>"
    )


async def test_teaser_items_get_the_article_text_and_failures_fall_back(tmp_path, server, clock):
    text = SEED.read_text(encoding="utf-8")
    server.add("/article", _article_page(text), content_type="text/html; charset=utf-8")
    server.fail("/missing", 500)
    title = text.partition("\n")[0]
    teaser = "Russia's invasion is now focused on the east."
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Antiwar</title>'
        f"<item><title>{title}</title><link>{server.url('/article')}</link><guid>a1</guid>"
        f"<description>{teaser}</description></item>"
        f"<item><title>Lavrov: no pause in Ukraine operations during peace talks</title>"
        f"<link>{server.url('/missing')}</link><guid>a2</guid>"
        f"<description>{teaser}</description></item></channel></rss>"
    )
    server.add("/feed.xml", feed)
    out = io.StringIO()
    config = write_config(tmp_path / "config", [server.url("/feed.xml")], full_text=True)
    s = Settings(
        database_url=app_database(tmp_path),
        fetch_allow_private=["127.0.0.1/32"],
        backfill=5,
        metrics_port=None,
    )
    sink = ConsoleSink(Console(file=out, width=120, highlight=False))
    app = await App(s, clock=clock, config_dir=config, extra_sinks={Platform.console: sink}).open()
    try:
        report = await app.poll_once()
        alerts = await app.store.alerts.get_many(report.alerts)
        by_link = {a.link: a for a in alerts.values()}
        full = by_link[server.url("/article")]
        assert any(q.speaker == "Sergey Lavrov" for q in full.quotes)
        assert "Pushilin" in " ".join(q.speaker or "" for q in full.quotes)
        fallback = by_link[server.url("/missing")]
        assert fallback.quotes == () and "Lavrov" in fallback.title
        stored = {i.link: i async for i in app.store.alerts.iter_items()}
        assert "Denis Pushilin" in stored[server.url("/article")].content  # cached per item
        assert stored[server.url("/missing")].content in ("", teaser)
        assert server.hits["/article"] == 1
    finally:
        await app.close()


async def test_rules_reload_without_restart_from_yaml_and_store(tmp_path, server, clock):
    server.add("/feed.xml", rss([("old", UNRELATED[0])]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        await app.poll_once()
        rules_file = app.config_dir / "rules.yaml"
        rules_file.write_text(
            rules_file.read_text(encoding="utf-8")
            + "\n  - id: anime\n    name: Anime news\n    any: [anime]\n",
            encoding="utf-8",
        )
        server.add("/feed.xml", rss([("old", UNRELATED[0]), ("a1", UNRELATED[1])]))
        clock.advance(61)
        report = await app.poll_once()  # the YAML edit applies to this very poll
        assert len(report.alerts) == 1 and "Anime news" in str(
            (await app.store.alerts.get_many(report.alerts))[report.alerts[0]].matches
        )
        from bot.rules.schema import Rule

        jets = Rule.model_validate({"id": "jets", "name": "Fighter jets", "any": ["F-35*"]})
        await app.store.catalog.put_rule(jets, now=clock(), by="test")  # as a chat edit does
        server.add(
            "/feed.xml", rss([("old", UNRELATED[0]), ("a1", UNRELATED[1]), ("j1", UNRELATED[2])])
        )
        clock.advance(61)
        report = await app.poll_once()
        [alert] = (await app.store.alerts.get_many(report.alerts)).values()
        assert [m.rule_id for m in alert.matches.rules] == ["jets"]
    finally:
        await app.close()


async def test_daily_digest_holds_alerts_until_its_time_then_sends_one_message(
    tmp_path, server, clock
):
    from bot.models import DeliveryMode, Destination, Subscription

    server.add("/feed.xml", rss([("old", UNRELATED[0])]))
    app, out = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        digest_at = (clock.now + timedelta(hours=2)).strftime("%H:%M")
        await app.store.subscriptions.remove(
            Destination(platform=Platform.console, address="-"), "*"
        )
        await app.store.subscriptions.upsert(
            Subscription(
                destination=Destination(platform=Platform.console, address="-"),
                target="rule:peace-talks",
                mode=DeliveryMode.digest,
                digest_time=digest_at,
            ),
            clock.now,
        )
        await app.poll_once()
        server.add(
            "/feed.xml",
            rss([("old", UNRELATED[0]), ("p1", PEACE), ("p2", PEACE.replace("Lavrov", "Moscow"))]),
        )
        clock.advance(61)
        assert len((await app.poll_once()).alerts) == 2
        assert (await app.drain()).sent == 0 and await app.send_digests() == 0  # held
        assert await app.store.outbox.counts() == {"held": 2}
        clock.advance(2 * 3600)
        assert await app.send_digests() == 1
        assert await app.send_digests() == 0  # once per day
        printed = out.getvalue()
        assert "Daily digest: 2 alerts" in printed and printed.count("• Lavrov says") == 1
        assert await app.store.outbox.counts() == {"sent": 2}
    finally:
        await app.close()


async def test_a_long_digest_is_split_so_no_alert_is_cut_off(tmp_path, server, clock):
    from bot.delivery.digest import SUMMARY_BUDGET, digest_alert, fitting
    from bot.models import DeliveryMode, Destination, Subscription

    server.add("/feed.xml", rss([("old", UNRELATED[0])]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        console = Destination(platform=Platform.console, address="-")
        await app.store.subscriptions.remove(console, "*")
        digest_at = (clock.now + timedelta(hours=2)).strftime("%H:%M")
        sub = Subscription(
            destination=console,
            target="rule:peace-talks",
            mode=DeliveryMode.digest,
            digest_time=digest_at,
        )
        await app.store.subscriptions.upsert(sub, clock.now)
        await app.poll_once()
        items = [("old", UNRELATED[0])] + [(f"d{i}", f"{PEACE}, report {i:02d}") for i in range(45)]
        server.add("/feed.xml", rss(items))
        clock.advance(61)
        ids = (await app.poll_once()).alerts
        assert len(ids) == 45
        alerts = list((await app.store.alerts.get_many(ids)).values())
        first = fitting(alerts)
        assert 1 < first < 45  # more than one message's worth
        assert len(digest_alert(alerts[:first], clock.now).summary) <= SUMMARY_BUDGET
        clock.advance(2 * 3600)
        messages = await app.send_digests()
        assert messages > 1 and await app.store.outbox.counts() == {"sent": 45}
    finally:
        await app.close()


async def test_chat_changes_to_config_rules_and_feeds_survive_a_restart(tmp_path, server, clock):
    from bot.chat.commands import Caller

    server.add("/a.xml", rss([]))
    server.add("/b.xml", rss([]))
    app, _ = await _app(tmp_path, server, clock, ["/a.xml", "/b.xml"])
    admin = Caller(user_id="U1", platform=Platform.slack, channel="C1", is_admin=True)
    try:
        service = app.command_service()
        removed = await service.rules.remove(admin, "peace-talks")
        assert "config files define this rule too" in removed.text
        edited = await service.rules.put(
            admin, "{name: Renamed in chat, any: [offensive]}", rule_id="donbas-offensive"
        )
        assert edited.ok and "config files define this rule too" in edited.text
        feed = await app.store.feeds.find(server.url("/a.xml"))
        assert feed is not None
        assert "config files list this feed too" in (await service.feeds.remove(admin, "1")).text
    finally:
        await app.close()

    app, _ = await _app(tmp_path, server, clock, ["/a.xml", "/b.xml"])  # a restart
    try:
        assert await app.store.catalog.get_rule("peace-talks") is None
        donbas = await app.store.catalog.get_rule("donbas-offensive")
        assert donbas is not None and donbas.name == "Renamed in chat"
        assert [f.url for f in await app.store.feeds.all()] == [server.url("/b.xml")]
        # adding them back in chat makes them ordinary again
        service = app.command_service()
        assert (await service.feeds.add(admin, server.url("/a.xml"))).ok
        again = "{id: peace-talks, name: Peace talks again, any: [ceasefire]}"
        assert (await service.rules.put(admin, again)).ok
    finally:
        await app.close()
    app, _ = await _app(tmp_path, server, clock, ["/a.xml", "/b.xml"])
    try:
        peace = await app.store.catalog.get_rule("peace-talks")
        assert peace is not None and peace.name == "Peace talks again"  # chat's, not the file's
        assert len(await app.store.feeds.all()) == 2
    finally:
        await app.close()


def _restamped(
    guid: str,
    description: str = "Delegations met again in Istanbul.",
    page: str = "p=7",
    title: str = PEACE,
) -> str:
    """One article whose guid and tracking query change at every fetch, as some CMSes do."""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Stamps</title>'
        f'<item><title>{title}</title><guid isPermaLink="false">urn:uuid:{guid}</guid>'
        f"<link>https://news.example/?{page}&amp;utm_source=rss&amp;utm_term={guid}</link>"
        f"<description>{description}</description></item></channel></rss>"
    )


async def test_a_feed_restamping_an_article_alerts_once(tmp_path, server, clock):
    server.add("/feed.xml", rss([]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        await app.poll_once()
        alerts = []
        for n in range(3):
            server.add("/feed.xml", _restamped(str(n)))
            clock.advance(61)
            alerts += (await app.poll_once()).alerts
        assert len(alerts) == 1  # one article, three ids
        for n, variant in enumerate(
            [
                {"description": "A second round is set for June."},  # same title, new report
                {"page": "p=8"},  # same title and text, another article (?p= names it)
                {"title": PEACE.replace("not ", "")},  # one word apart
            ]
        ):
            server.add("/feed.xml", _restamped(f"x{n}", **variant))
            clock.advance(61)
            assert len((await app.poll_once()).alerts) == 1, variant
    finally:
        await app.close()


async def test_a_feed_read_leniently_says_so_in_feeds_list(tmp_path, server, clock):
    from bot.chat.commands import Caller

    broken = rss([("a", UNRELATED[0])]).replace("</channel></rss>", "<item><title>cut")
    server.add("/feed.xml", broken)
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    admin = Caller(user_id="U1", platform=Platform.slack, channel="C1", is_admin=True)
    try:
        await app.poll_once()
        listed = (await app.command_service().feeds.list_feeds(admin)).text
        assert "warning: feed is not well-formed" in listed and "failing" not in listed
        server.add("/feed.xml", rss([("a", UNRELATED[0])]))
        clock.advance(61)
        await app.poll_once()
        assert "warning" not in (await app.command_service().feeds.list_feeds(admin)).text
    finally:
        await app.close()


async def test_config_edits_remove_what_the_files_no_longer_list(tmp_path, server, clock):
    server.add("/feed.xml", rss([]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        rules_file = app.config_dir / "rules.yaml"
        text = rules_file.read_text(encoding="utf-8")
        rules_file.write_text(
            text + "\n  - id: anime\n    name: Anime news\n    any: [anime]\n", encoding="utf-8"
        )
        await app.catalog.refresh(clock())
        assert await app.store.catalog.get_rule("anime") is not None
        feeds_file = app.config_dir / "feeds.yaml"
        feeds_text = feeds_file.read_text(encoding="utf-8")
        feeds_file.write_text(feeds_text + "\n  - url: x\n", encoding="utf-8")  # breaks reload
        rules_file.write_text(text, encoding="utf-8")  # anime is gone from the file
        await app.catalog.refresh(clock())
        assert await app.store.catalog.get_rule("anime") is not None  # not reloaded yet
        feeds_file.write_text(feeds_text, encoding="utf-8")  # fixing feeds.yaml retries
        await app.catalog.refresh(clock())
        assert await app.store.catalog.get_rule("anime") is None
        assert await app.store.catalog.get_rule("peace-talks") is not None
    finally:
        await app.close()


async def test_config_subscriptions_keep_their_pause_and_go_when_dropped(tmp_path, server, clock):
    from bot.models import Destination

    console = Destination(platform=Platform.console, address="-")
    server.add("/feed.xml", rss([]))
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])
    try:
        await app.store.subscriptions.pause_destination(console, "the console went away")
    finally:
        await app.close()
    app, _ = await _app(tmp_path, server, clock, ["/feed.xml"])  # a restart
    try:
        [sub] = await app.store.subscriptions.for_destination(console)
        assert sub.paused  # not silently resumed: nobody subscribed again
        (app.config_dir / "subscriptions.yaml").write_text("subscriptions: []\n", encoding="utf-8")
        settings, config = app.settings, app.config_dir
    finally:
        await app.close()
    app = await App(settings, clock=clock, config_dir=config).open()  # the edited files
    try:
        assert await app.store.subscriptions.for_destination(console) == []
    finally:
        await app.close()


class RacingClock(Clock):
    """A clock on which every reading is two minutes later: a pass that outlasts the interval."""

    def __call__(self):
        self.advance(120)
        return self.now


async def test_a_pass_longer_than_the_interval_polls_each_feed_once(tmp_path, server):
    paths = [f"/f{i}.xml" for i in range(4)]
    for p in paths:
        server.add(p, rss([(f"{p}-a", UNRELATED[0])]))
    app, _ = await _app(tmp_path, server, RacingClock(), paths)
    app.pipeline.options = replace(app.pipeline.options, concurrency=1)  # claims 2 at a time
    try:
        report = await asyncio.wait_for(app.pipeline.poll_due(), timeout=60)
        assert report.polled == len(paths)  # before: early feeds came due again inside the pass
    finally:
        await app.close()


async def test_every_admin_command_of_the_registry_refuses_a_member(tmp_path, server, clock):
    """The registry's permission is what the use cases enforce: each admin command, run by a
    member, is refused and the refusal audited; the same commands work for an admin."""
    from bot.chat.commands import Caller
    from bot.chat.registry import COMMANDS, Permission

    server.add("/a.xml", rss([]))
    app, _ = await _app(tmp_path, server, clock, ["/a.xml"])
    member = Caller(user_id="U2", platform=Platform.slack, channel="C1")
    options = {"rule": "peace-talks", "feed": "1", "url": server.url("/b.xml"), "yaml": "{}"}
    try:
        service = app.command_service()
        admin_only = [c for c in COMMANDS if c.permission.restricted]
        for command in admin_only:
            wanted = {a.name: options[a.name] for a in command.chat_args if a.name in options}
            reply = await service.run(member, command.path, wanted)
            assert not reply.ok and "Only admins" in reply.title, command.name
        refused = [r for r in await app.store.audit.history(limit=100) if not r.allowed]
        assert len(refused) == len(admin_only)
        for command in (c for c in COMMANDS if c.permission is Permission.member):
            wanted = {"target": "peace-talks", "name": "Lavrov"}
            reply = await service.run(member, command.path, wanted)
            assert "Only admins" not in reply.title, command.name
    finally:
        await app.close()


async def test_items_stored_under_a_guid_glued_to_the_fetch_url_do_not_alert_again(
    tmp_path, server, clock
):
    """Before issue 16 parse.py gave feedparser the fetched URL as base, so a permalink guid with no
    scheme (`t3_42tizy`) was stored as that URL + guid; the upgraded parser keeps the guid as
    given and the lookup asks for both, so the stored item is not news again."""
    import feedparser
    from sqlalchemy import insert

    from bot.store.tables import items as items_table

    def doc(guids: list[str]) -> str:
        entries = "".join(
            f"<item><title>{DONBAS} {g}</title><guid>{g}</guid></item>" for g in guids
        )
        return f'<rss version="2.0"><channel><title>Reddit-like</title>{entries}</channel></rss>'

    server.add("/r/.rss", doc([]))
    app, _ = await _app(tmp_path, server, clock, ["/r/.rss"])
    try:
        await app.poll_once()
        # What the previous version stored: feedparser's id with the fetched URL as its base.
        url = server.url("/r/.rss")
        before = feedparser.parse(doc(["t3_42tizy"]), response_headers={"content-location": url})
        old_identity = before.entries[0].id
        assert old_identity == url.rsplit("/", 1)[0] + "/t3_42tizy"
        async with app.store.engine.begin() as conn:
            feed_id = (await app.store.feeds.all())[0].id
            await conn.execute(
                insert(items_table).values(
                    feed_id=feed_id, identity=old_identity, title=DONBAS, seen_at=clock.now
                )
            )
        server.add("/r/.rss", doc(["t3_42tizy", "t3_new"]))
        clock.advance(61)
        report = await app.poll_once()
        assert report.new_items == 1 and len(report.alerts) == 1  # only t3_new
        alert = (await app.store.alerts.get_many(report.alerts))[report.alerts[0]]
        assert alert.title.endswith("t3_new")
    finally:
        await app.close()


@pytest.mark.parametrize("platform", [Platform.discord, Platform.slack])
async def test_with_owners_set_only_they_change_rules_and_feeds(tmp_path, server, clock, platform):
    """NEWSBOT_OWNERS makes the registry's owner commands theirs: a member and a server admin
    are refused (audited, saying who may), a listed owner who is no server admin may; admins
    keep the admin commands, and the operator at the terminal is an owner."""
    from bot.chat.commands import Caller
    from bot.chat.registry import COMMANDS, Permission
    from bot.cmd.admin import operator

    server.add("/a.xml", rss([]))
    owner_id = "123456" if platform is Platform.discord else "U0OWNER01"
    app, _ = await _app(
        tmp_path, server, clock, ["/a.xml"], owners=[f"{platform.value}:{owner_id}"]
    )
    member = Caller(user_id="U2", platform=platform, channel="C1")
    admin = Caller(user_id="U1", platform=platform, channel="C1", is_admin=True)
    owner = Caller(user_id=owner_id, platform=platform, channel="C1")
    other = Caller(
        user_id=owner_id,
        platform=Platform.slack if platform is Platform.discord else Platform.discord,
        channel="C1",
        is_admin=True,
    )  # same id, other platform
    options = {"rule": "peace-talks", "feed": "9", "url": server.url("/b.xml"), "yaml": "{}"}
    owners_only = [c for c in COMMANDS if c.permission is Permission.owner]
    try:
        service = app.command_service()
        for command in owners_only:
            wanted = {a.name: options[a.name] for a in command.chat_args if a.name in options}
            for caller in (member, admin, other):
                reply = await service.run(caller, command.path, wanted)
                assert not reply.ok and reply.title == "Only the bot's owners can do that"
                assert "only its owners (NEWSBOT_OWNERS) may change them" in reply.lines[0]
            reply = await service.run(owner, command.path, wanted)
            assert "Only" not in reply.title, (command.name, reply.title)
        refused = [r for r in await app.store.audit.history(limit=100) if not r.allowed]
        assert len(refused) == 3 * len(owners_only)
        assert {r.detail for r in refused} == {"refused: not an owner"}
        assert {r.action for r in refused} == {".".join(c.path) for c in owners_only}
        for command in (c for c in COMMANDS if c.permission is Permission.admin):
            for caller in (admin, owner):  # admins keep theirs; an owner is an admin too
                reply = await service.run(caller, command.path, {"rule": "peace-talks"})
                assert "Only" not in reply.title, (command.name, reply.title)
        assert "Only" in (await service.run(member, ("rules", "list"), {})).title
        added = await service.feeds.add_feed(operator(), server.url("/c.xml"))
        assert added.url.endswith("/c.xml")
    finally:
        await app.close()
