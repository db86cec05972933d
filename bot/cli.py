"""`newsbot` command line: run, demo, poll, feeds, config check, derive, rules test."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_config, load_settings
from bot.runtime.app import App, default_config_dir
from bot.runtime.label_file import add_parser as add_label_parser
from bot.runtime.logs import setup_logging

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as exc:
        _fail(f"invalid NEWSBOT_* setting:\n{exc}")
    except SettingsError as exc:  # e.g. a list setting that is not JSON
        _fail(f"{exc}; list settings are JSON, e.g. NEWSBOT_SLACK_ADMINS='[\"U0123ABCD\"]'")
    except ConfigError as exc:
        _fail(str(exc))
    secrets = [
        s.get_secret_value()
        for s in (
            settings.discord_token,
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
        )
        if s is not None
    ]
    quiet = "WARNING" if args.handler is _demo else settings.log_level  # the demo prints its own
    setup_logging(args.log_level or quiet, json=settings.log_json, secrets=secrets)
    try:
        code = asyncio.run(args.handler(args, settings))
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        code = 130
    except (OSError, SQLAlchemyError) as exc:  # the database, a file or a port: one clear line
        logging.getLogger(__name__).debug("failed", exc_info=True)
        _fail(f"{_setting_hint(exc)}{type(exc).__name__}: {exc}".splitlines()[0])
    sys.exit(code)


def _setting_hint(exc: BaseException) -> str:
    """Which setting an operating-system or database error most likely comes from."""
    text = str(exc)
    if isinstance(exc, ConnectionRefusedError | TimeoutError):
        return "cannot reach the database in NEWSBOT_DATABASE_URL (is it running?): "
    if isinstance(exc, SQLAlchemyError) or ".db" in text or "database" in text.lower():
        return "cannot open NEWSBOT_DATABASE_URL (does its directory exist, is it writable?): "
    if "address already in use" in text.lower():
        return "NEWSBOT_METRICS_PORT is taken by another process (set another, or 0): "
    return ""


def _fail(message: str) -> None:
    print(f"newsbot: {message}", file=sys.stderr)
    sys.exit(1)


def _interval(text: str) -> int:
    """An --interval: whole seconds, at least 10 (as in feeds.yaml), so no site is hammered."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds < 10:
        raise argparse.ArgumentTypeError(f"{seconds} s is too often; use 10 or more")
    return seconds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__)
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="default from settings",
    )
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run the bot: poll, dispatch, chat, until SIGINT/SIGTERM")
    run.add_argument("--role", choices=["all", "poller", "dispatcher", "chat"], default="all")
    run.set_defaults(handler=_run)

    invite = sub.add_parser("invite", help="print the URL that adds the Discord bot to a server")
    invite.add_argument("--guild", type=int, help="preselect this server id")
    invite.set_defaults(handler=_invite)

    demo = sub.add_parser("demo", help="offline demo on bundled sample feeds")
    demo.set_defaults(handler=_demo)

    poll = sub.add_parser("poll", help="poll feeds and deliver alerts")
    poll.add_argument("--once", action="store_true", required=True, help="one pass, then exit")
    poll.add_argument("--all", action="store_true", help="poll every feed, not only due ones")
    poll.set_defaults(handler=_poll)

    feeds = sub.add_parser("feeds", help="manage feeds").add_subparsers(required=True)
    add = feeds.add_parser("add", help="add a feed by URL")
    add.add_argument("url")
    add.add_argument("--name")
    add.add_argument("--interval", type=_interval, help="seconds between polls (10 or more)")
    add.add_argument("--no-full-text", action="store_true", help="never fetch article pages")
    add.set_defaults(handler=_feeds_add)
    feeds.add_parser("list", help="list feeds and their state").set_defaults(handler=_feeds_list)
    remove = feeds.add_parser("remove", help="remove a feed by id or URL")
    remove.add_argument("feed")
    remove.set_defaults(handler=_feeds_remove)

    config = sub.add_parser("config", help="configuration").add_subparsers(required=True)
    config.add_parser("check", help="validate config/*.yaml").set_defaults(handler=_config_check)

    derive = sub.add_parser("derive", help="propose rules and actors (YAML) from an article")
    derive.add_argument("article", type=Path)
    derive.set_defaults(handler=_derive)

    rules = sub.add_parser("rules", help="watch rules").add_subparsers(required=True)
    test = rules.add_parser("test", help="dry-run a rule against stored items")
    test.add_argument("rule", help="rule id")
    test.add_argument("--file", type=Path, help="a rules YAML to take the rule from")
    test.add_argument("--limit", type=int, default=20)
    test.set_defaults(handler=_rules_test)
    add_label_parser(rules)  # rules label FILE: bot/runtime/label_file.py
    return parser


async def _open(settings: Settings) -> App:
    return await App(settings).open()


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.runner import run

    return await run(settings, role=args.role)


async def _invite(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat.discord.invite import application_id, bot_permissions, invite_url

    try:
        app_id = await application_id(settings)
    except ValueError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    print(invite_url(app_id, args.guild))
    print(
        f"scopes: bot, applications.commands; permissions {bot_permissions().value}: View "
        "Channel, Send Messages, Send Messages in Threads, Create Public Threads, Embed Links, "
        "Read Message History",
        file=sys.stderr,
    )
    return 0


async def _demo(_args: argparse.Namespace, _settings: Settings) -> int:
    from bot.runtime.demo import run_demo

    return await run_demo()


async def _poll(args: argparse.Namespace, settings: Settings) -> int:
    app = await _open(settings)
    try:
        if args.all:
            await app.store.feeds.make_due(app.clock())
        report = await app.poll_once()
        sent = await app.drain()
    finally:
        await app.close()
    print(
        f"polled {report.polled} feeds: {report.not_modified} unchanged, {report.failed} failed, "
        f"{report.new_items} new items, {len(report.alerts)} alerts, {sent.sent} delivered"
    )
    for url, error in report.errors.items():
        print(f"  {url}: {error}")
    return 0


async def _feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feeds.ssrf import validate_feed_url
    from bot.store.feeds import FeedExistsError

    try:
        url = validate_feed_url(args.url)
    except ValueError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    app = await _open(settings)
    try:
        feed = await app.store.feeds.add(
            url,
            now=app.clock(),
            name=args.name,
            interval_seconds=args.interval or settings.poll_interval_seconds,
            full_text=not args.no_full_text,
            added_by="cli",
        )
    except FeedExistsError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    finally:
        await app.close()
    print(
        f"added feed {feed.id}: {feed.url} (first poll records existing items without alerting "
        f"more than {settings.backfill})"
    )
    return 0


async def _feeds_list(_args: argparse.Namespace, settings: Settings) -> int:
    app = await _open(settings)
    try:
        feeds = await app.store.feeds.all()
    finally:
        await app.close()
    if not feeds:
        print("no feeds; add one with: newsbot feeds add URL")
    for f in feeds:
        state = "disabled" if f.disabled else f"next poll {f.next_poll_at:%Y-%m-%d %H:%M:%S}Z"
        error = f"  last error ({f.failures}x): {f.last_error}" if f.last_error else ""
        error = error or (f"  warning: {f.warning}" if f.warning else "")
        print(f"{f.id:>4}  {f.url}  [{f.name or '-'}] every {f.interval_seconds}s, {state}{error}")
    return 0


async def _feeds_remove(args: argparse.Namespace, settings: Settings) -> int:
    app = await _open(settings)
    try:
        feed = await app.store.feeds.find(args.feed)
        if feed is None:
            print(f"newsbot: no feed {args.feed!r}; see `newsbot feeds list`", file=sys.stderr)
            return 1
        await app.store.feeds.remove(feed.id, now=app.clock(), by="cli")
    finally:
        await app.close()
    print(f"removed feed {feed.id}: {feed.url}")
    return 0


async def _config_check(_args: argparse.Namespace, settings: Settings) -> int:
    folder = default_config_dir(settings)
    bundle = load_config(folder)
    print(
        f"{folder}: ok — {len(bundle.feeds.feeds)} feeds, {len(bundle.rules.rules)} rules, "
        f"{len(bundle.actors.actors)} actors, "
        f"{len(bundle.subscriptions.subscriptions)} static subscriptions"
    )
    return 0


async def _derive(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.rules.derive import derive_yaml

    try:
        text = args.article.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"newsbot: cannot read {args.article}: {exc}", file=sys.stderr)
        return 1
    print(derive_yaml(text), end="")
    return 0


async def _rules_test(args: argparse.Namespace, settings: Settings) -> int:
    from bot.config import load_yaml_model
    from bot.poll.dry_run import dry_run
    from bot.rules.schema import RuleSet

    app = await _open(settings)
    try:
        if args.file is not None:
            pool = load_yaml_model(args.file, RuleSet).rules
        else:
            pool = tuple(await app.store.catalog.rules())
        rule = next((r for r in pool if r.id == args.rule), None)
        if rule is None:
            where = args.file or "the store (config/rules.yaml and chat edits)"
            print(f"newsbot: no rule {args.rule!r} in {where}", file=sys.stderr)
            return 1
        result = await dry_run(app.store.alerts, rule, app.catalog.actors)
    finally:
        await app.close()
    print(result.render(args.limit))
    return 0


if __name__ == "__main__":
    main()
