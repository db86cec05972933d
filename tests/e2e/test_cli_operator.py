"""`newsbot` as an operator meets it: where config comes from, mistakes `config check`
catches, options after the command, and one line instead of a traceback.

One-shot commands run in this process (`tests.cli_runner`); the first test runs a real one,
for the lines a fresh interpreter prints."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml

from tests.builders import DONBAS, PEACE, bot_env, rss, write_config
from tests.cli_runner import newsbot, newsbot_process
from tests.fakes.feed_server import FeedServer


def _env(tmp_path: Path, config: Path, **extra: str) -> dict[str, str]:
    return bot_env(f"sqlite+aiosqlite:///{tmp_path}/bot.db", config, **extra)


def test_config_check_catches_dangling_targets_and_unfetchable_feeds(tmp_path: Path):
    feeds = [
        "ftp://news.example.org/feed.xml",
        "news.example.org/feed.xml",
        "http://127.0.0.1:8080/feed.xml",
        "http://169.254.169.254/latest/meta-data",
        "https://news.invalid/rss",
    ]
    subs = [{"destination": "console", "targets": ["rule:peace-talk", "actor:sergey-lavrov"]}]
    config = write_config(tmp_path / "config", feeds, subscriptions=subs)
    env = _env(tmp_path, config, FETCH_ALLOW_PRIVATE="[]")
    bad = newsbot_process(env, "config", "check", "--no-dns")
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert len(lines) == 6, bad.stderr
    assert all(line.startswith(f"newsbot: {config}/") for line in lines)
    text = bad.stderr
    assert (
        "subscriptions.yaml: subscriptions[0].targets: rule:peace-talk names no rule in "
        "rules.yaml; did you mean rule:peace-talks?" in text
    )
    assert "feeds[0].url: feed URL 'ftp://news.example.org/feed.xml' uses ftp:" in text
    assert "feeds[1].url" in text and "write it as https://news.example.org/feed.xml" in text
    assert "feeds[2].url" in text and "loopback address 127.0.0.1" in text
    assert "feeds[3].url" in text and "cloud metadata address" in text
    assert "feeds[4].url: news.invalid is a reserved name that never resolves" in text
    assert "Traceback" not in text


def test_the_allow_list_admits_a_private_feed(tmp_path: Path):
    config = write_config(tmp_path / "config", ["http://127.0.0.1:8080/feed.xml"])
    env = _env(tmp_path, config, FETCH_ALLOW_PRIVATE='["127.0.0.1/32"]')
    ok = newsbot(env, "config", "check", "--no-dns")
    assert ok.returncode == 0, ok.stderr
    assert f"{config}: ok — 1 feeds" in ok.stdout


def test_config_check_prints_the_search_order_and_takes_config_anywhere(tmp_path: Path):
    mine = write_config(tmp_path / "mine", [])
    env = _env(tmp_path, mine)
    del env["NEWSBOT_CONFIG_DIR"]
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    default = newsbot(env, "config", "check", cwd=tmp_path)
    assert default.returncode == 0, default.stderr
    listing = default.stdout.splitlines()
    assert listing[1].split() == ["--config", "(not", "given)"]
    assert listing[3].split()[:2] == ["./config", str(tmp_path / "config")]
    assert listing[5].split()[:3] == ["->", "packaged", "default"]
    for argv in (
        ["--config", str(mine), "config", "check"],
        ["config", "check", "--config", str(mine)],
    ):
        chosen = newsbot(env, *argv, cwd=tmp_path)
        assert chosen.returncode == 0, chosen.stderr
        assert f"-> --config             {mine}" in chosen.stdout
        assert f"{mine}: ok — 0 feeds" in chosen.stdout
    missing = newsbot(env, "config", "check", "--config", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.returncode == 1
    assert f"`newsbot init {tmp_path / 'nowhere'}` writes one" in missing.stdout
    assert "rules.yaml: file not found" in missing.stderr


def test_init_then_check_from_anywhere(tmp_path: Path):
    env = _env(tmp_path, tmp_path / "unused")
    del env["NEWSBOT_CONFIG_DIR"]
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg")
    made = newsbot(env, "init", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    user_dir = tmp_path / "xdg" / "newsbot"
    feeds = yaml.safe_load((user_dir / "feeds.yaml").read_text(encoding="utf-8"))
    assert feeds["feeds"]
    checked = newsbot(env, "config", "check", "--no-dns", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert f"-> user config dir      {user_dir}" in checked.stdout
    again = newsbot(env, "init", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip() == (
        f"newsbot: {user_dir / 'feeds.yaml'} exists; edit it, pick another folder, or pass --force"
    )


async def test_poll_once_exits_1_when_every_feed_failed_and_then_says_why(tmp_path: Path):
    async with FeedServer() as server:
        server.fail("/feed.xml", 500)
        config = write_config(tmp_path / "config", [server.url("/feed.xml")])
        env = _env(tmp_path, config)
        failed = await asyncio.to_thread(newsbot, env, "poll", "--once")
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "1 failed" in failed.stdout and "every feed failed" in failed.stdout
        again = await asyncio.to_thread(newsbot, env, "poll", "--once")
        assert again.returncode == 1
        assert "polled 0 feeds" not in again.stdout
        assert "no feed is due" in again.stdout and "failing (1x), backing off" in again.stdout
        assert again.stderr == ""


async def test_feeds_add_fetches_once_and_reports_or_refuses(tmp_path: Path):
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("p1", PEACE), ("p2", DONBAS)], title="Loopback news"))
        server.add("/page.html", b"<html><body>hello</body></html>", content_type="text/html")
        config = write_config(tmp_path / "config", [])
        env = _env(tmp_path, config)
        added = await asyncio.to_thread(newsbot, env, "feeds", "add", server.url("/feed.xml"))
        assert added.returncode == 0, added.stderr
        assert "  found 'Loopback news': 2 items, RSS" in added.stdout
        page = await asyncio.to_thread(newsbot, env, "feeds", "add", server.url("/page.html"))
        assert page.returncode == 1
        assert page.stderr.count("\n") == 1 and "add it anyway with --no-check" in page.stderr
        guarded = {**env, "NEWSBOT_FETCH_ALLOW_PRIVATE": "[]"}
        url = server.url("/feed.xml").replace("/feed.xml", "/other.xml")
        refused = await asyncio.to_thread(newsbot, guarded, "feeds", "add", url)
        assert refused.returncode == 1 and "loopback address 127.0.0.1" in refused.stderr
        anyway = await asyncio.to_thread(newsbot, env, "feeds", "add", url, "--no-check")
        assert anyway.returncode == 0 and "found" not in anyway.stdout
        assert server.hits.get("/other.xml", 0) == 0


async def test_status_after_a_poll_and_its_chart(tmp_path: Path):
    async with FeedServer() as server:
        server.add("/feed.xml", rss([("p1", PEACE)]))
        server.fail("/broken.xml", 500)
        config = write_config(
            tmp_path / "config", [server.url("/feed.xml"), server.url("/broken.xml")]
        )
        env = _env(tmp_path, config, BACKFILL="5")
        polled = await asyncio.to_thread(newsbot, env, "poll", "--once")
        assert polled.returncode == 0, polled.stderr
        chart = tmp_path / "activity.png"
        shown = await asyncio.to_thread(newsbot, env, "status", "--chart", str(chart))
    assert shown.returncode == 0, shown.stderr
    *lines, charted = shown.stdout.splitlines()
    assert charted.startswith(f"chart: {chart} (newsbot alerts and posts per day, ")
    assert "1 alerts in all" in charted and "1 posts in all" in charted
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert lines[0] == "feeds: 2 (1 ok, 1 failing, 0 paused)"
    assert lines[1].startswith(f"  failing {server.url('/broken.xml')} (1x): ")
    assert "outbox: 1 sent" in lines and "alerts go to: 1× console" in lines
    assert any(line.startswith("last poll: 20") and "ago)" in line for line in lines)
    assert any(line.startswith("last dispatch: 20") for line in lines)
    assert not any(line.startswith("warning:") for line in lines)


async def test_app_warns_when_alerts_have_nowhere_to_go(tmp_path: Path):
    from bot.config import Settings
    from bot.runtime.app import App

    config = write_config(tmp_path / "config", [])
    (config / "subscriptions.yaml").write_text("subscriptions: []\n", encoding="utf-8")
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/w.db", metrics_port=0)
    app = await App(settings, config_dir=config).open()
    try:
        [warning] = await app.reach_warnings()
    finally:
        await app.close()
    assert warning.startswith("alerts go nowhere: no chat token")
