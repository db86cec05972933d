"""One story from several outlets reaches a Discord channel as one alert and a thread of
follow-ups, each saying what it adds: real discord.py against the fake, real feeds over HTTP.

The first test reads three real entries of three outlets from
../shared/data/news-2022-03-to-05.jsonl by link (their text stays out of the project: GPL) and
skips when the file is absent; the second always runs on short texts written here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.chat.discord.app import DiscordBot
from bot.models import Destination, Platform, Subscription
from bot.runtime.app import App
from bot.store.store import Store
from bot.text.story_additions import what_it_adds
from bot.text.story_match import same_story
from tests.builders import rss, write_config
from tests.e2e.test_discord import settings_for
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.feed_server import FeedServer
from tests.paths import SHARED_DATA

NEWS = SHARED_DATA / "news-2022-03-to-05.jsonl"
Z_SYMBOL = (  # 7 Mar 2022, within nine minutes: what the "Z" on Russian tanks means
    "https://www.theguardian.com/world/2022/mar/07/why-has-the-letter-z-become-the-symbol-of-war-for-russia",
    "https://www.cnn.com/2022/03/07/europe/russia-z-symbol-ukraine-war-cmd-intl/index.html",
    "https://www.bbc.co.uk/news/world-europe-60644832?at_medium=RSS&at_campaign=KARANGA",
)
"""Three outlets (The Guardian, CNN, BBC News) explaining one thing on one day: the same story
by tests/data/stories/README.md's guidelines. The corpus' one story that three outlets carry
and the method joins (its third outlet, The Guardian, has 127 entries, most in March); the
headlines file, whose outlets are many, overlaps the corpus on 22 April only, and its one
three-outlet story there (Marjorie Taylor Greene's hearing, headlines without descriptions)
scores under the threshold."""

Report = tuple[str, str, str, datetime]
"""(outlet, title, description, published)"""

DURBAN: list[Report] = [  # our own texts
    (
        "Coast Herald",
        "Flooding in Durban kills at least 40",
        "Torrential rain in KwaZulu-Natal has washed away roads and homes around Durban.",
        datetime(2022, 4, 12, 9, tzinfo=UTC),
    ),
    (
        "Cape Daily",
        "Durban floods: death toll rises to 59 as rain batters KwaZulu-Natal",
        "Premier Sihle Zikalala said 2,000 homes around Durban were destroyed by the rain.",
        datetime(2022, 4, 12, 11, tzinfo=UTC),
    ),
    (
        "Highveld News",
        "Durban floods: rain in KwaZulu-Natal kills 59, homes washed away",
        "Rescue teams from Pretoria joined the search around Durban as roads and homes washed "
        "away in KwaZulu-Natal.",
        datetime(2022, 4, 12, 13, tzinfo=UTC),
    ),
]


@contextlib.asynccontextmanager
async def one_story_on_discord(
    tmp_path: Path, db_url: str, reports: Sequence[Report], term: str
) -> AsyncIterator[tuple[FakeDiscord, App, list[int]]]:
    """Three feeds and a channel subscribed to a rule on `term`; the reports are published one
    after another, each polled and delivered before the next."""
    paths = [f"/outlet{n}.xml" for n in range(len(reports))]
    async with FakeDiscord() as fake, FeedServer() as feeds:
        for path, report in zip(paths, reports, strict=True):
            feeds.add(path, rss([], title=report[0]))
        config = write_config(tmp_path / "config", [feeds.url(p) for p in paths])
        rule = {"id": "story", "name": "The story", "any": [term]}
        (config / "rules.yaml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
        settings = settings_for(fake, db_url, config)
        channel = Destination(
            platform=Platform.discord, address=str(fake.alerts_channel.id), workspace=fake.guild.id
        )
        store = await Store.open(settings.database_url, same_story)
        try:
            subscription = Subscription(destination=channel, target="rule:story", created_by="t")
            await store.subscriptions.upsert(subscription, datetime.now(UTC))
        finally:
            await store.close()
        bot = DiscordBot(settings)
        app = await App(settings, extra_sinks=bot.sinks).open()
        try:
            await bot.start(None)
            await app.poll_once()  # first polls: nothing to alert yet
            alert_ids: list[int] = []
            for path, (outlet, title, description, published) in zip(paths, reports, strict=True):
                described = {"story": description}
                feeds.add(
                    path,
                    rss([("story", title)], title=outlet, start=published, descriptions=described),
                )
                await app.store.feeds.make_due(app.clock())
                alert_ids += (await app.poll_once()).alerts
                await app.drain()
            yield fake, app, alert_ids
        finally:
            await bot.close()
            await app.close()


async def assert_one_alert_and_a_thread(
    fake: FakeDiscord, app: App, alert_ids: list[int]
) -> list[dict[str, Any]]:
    """One alert in the channel, the later reports in a thread on it; the follow-ups' embeds."""
    assert len(alert_ids) == 3
    alerts = await app.store.alerts.get_many(alert_ids)
    first, *later = (alerts[i] for i in alert_ids)
    assert first.story_id is None and [a.story_id for a in later] == [first.id, first.id]
    [top] = fake.channel_messages(fake.alerts_channel.id)
    assert top["embeds"][0]["title"] == first.title
    [thread] = fake.threads
    assert thread["id"] == top["id"] and thread["parent_id"] == fake.alerts_channel.id
    follow_ups = [m["embeds"][0] for m in fake.channel_messages(thread["id"])]
    assert [e["title"] for e in follow_ups] == [a.title for a in later]
    for n, (embed, alert) in enumerate(zip(follow_ups, later, strict=True)):
        assert embed["author"]["name"].startswith("Also reported by")
        adds = what_it_adds([first, *later[:n]], alert).lines()
        assert embed.get("description", "") == "\n".join(adds)
    return follow_ups


async def test_three_real_outlets_on_one_story_make_one_alert_and_a_thread(
    tmp_path: Path, app_db_url: str
) -> None:
    if not NEWS.exists():
        pytest.skip(f"{NEWS} not found: the real entries are read from it by link")
    entries = {}
    with NEWS.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["link"] in Z_SYMBOL:
                entries[row["link"]] = row
    reports = [
        (
            entries[link]["outlet"],
            entries[link]["title"],
            entries[link]["description"],
            datetime.fromisoformat(entries[link]["published"].replace("Z", "+00:00")),
        )
        for link in Z_SYMBOL
    ]
    assert len({outlet for outlet, *_ in reports}) == 3
    async with one_story_on_discord(tmp_path, app_db_url, reports, "symbol") as running:
        await assert_one_alert_and_a_thread(*running)


async def test_three_outlets_on_one_event_make_one_alert_and_follow_ups_saying_what_they_add(
    tmp_path: Path, app_db_url: str
) -> None:
    async with one_story_on_discord(tmp_path, app_db_url, DURBAN, "Durban") as running:
        second, third = await assert_one_alert_and_a_thread(*running)
    assert second["description"] == "New figures: 59, 2,000\nNew names: Sihle Zikalala"
    # each follow-up is compared with every alert of the thread before it: 59 is not new again
    assert third["description"] == "New names: Pretoria"
