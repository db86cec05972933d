"""`newsbot` command line: init, status, run, demo, poll, feeds, config check, derive, rules,
match."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy.exc import SQLAlchemyError

from bot.cmd import check, init, status
from bot.cmd.admin import add_admin_commands
from bot.cmd.poll_summary import poll_summary
from bot.config import ConfigError, Settings, load_config, load_settings, settings_error_lines
from bot.runtime.app import App, default_config_dir
from bot.runtime.label_file import add_parser as add_label_parser
from bot.runtime.logs import setup_logging

EXIT_USAGE = 2
LIST_EXAMPLE = """NEWSBOT_OWNERS='["discord:123456", "slack:U012AB"]'"""


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        args.config_by = "--config" if args.config is not None else "NEWSBOT_CONFIG_DIR"
        if args.config is not None:
            settings = settings.model_copy(update={"config_dir": args.config})
    except ValidationError as exc:
        _fail("\n".join(settings_error_lines(exc)))
    except SettingsError as exc:  # e.g. a list setting that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"NEWSBOT_{field[1].upper()}" if field else "a NEWSBOT_* setting"
        _fail(f"{name} is not valid JSON; list settings are JSON, e.g. {LIST_EXAMPLE}")
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
    setup_logging(_log_level(args, settings), json=settings.log_json, secrets=secrets)
    try:
        code = asyncio.run(args.handler(args, settings))
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        code = 130
    except (OSError, SQLAlchemyError) as exc:  # the database, a file or a port: one clear line
        logging.getLogger(__name__).debug("failed", exc_info=True)
        _fail(_one_line(exc, settings.database_url))
    sys.exit(code)


def _log_level(args: argparse.Namespace, settings: Settings) -> str:
    """--log-level, else NEWSBOT_LOG_LEVEL for `run` or when set; one-shot commands print
    only warnings by default, so their output is theirs."""
    if args.log_level:
        return str(args.log_level)
    if args.handler is _run or "log_level" in settings.model_fields_set:
        return settings.log_level
    return "WARNING"


def _one_line(exc: BaseException, database_url: str) -> str:
    """An operating-system or database error as one line, with the setting it comes from."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{_setting_hint(exc, database_url)}{type(exc).__name__}: {text}"


def _setting_hint(exc: BaseException, database_url: str = "") -> str:
    """Which setting an operating-system or database error most likely comes from."""
    text = str(exc).lower()
    postgres = database_url.lower().startswith("postgres")
    if isinstance(exc, ConnectionRefusedError | TimeoutError):
        return "cannot reach the database in NEWSBOT_DATABASE_URL (is it running?): "
    if postgres and any(w in text for w in ("password", "authentication", "role ", "pg_hba")):
        return "PostgreSQL refused the login in NEWSBOT_DATABASE_URL (check user and password): "
    if postgres and "database" in text and "does not exist" in text:
        return "the database in NEWSBOT_DATABASE_URL does not exist (createdb it first): "
    if postgres and isinstance(exc, SQLAlchemyError | OSError):
        return "cannot use the PostgreSQL database in NEWSBOT_DATABASE_URL: "
    if isinstance(exc, SQLAlchemyError) or ".db" in text or "database" in text:
        return "cannot open NEWSBOT_DATABASE_URL (does its directory exist, is it writable?): "
    if "address already in use" in text:
        return "NEWSBOT_METRICS_PORT is taken by another process (set another, or 0): "
    return ""


def _fail(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"newsbot: {line}", file=sys.stderr)
    sys.exit(1)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description=__doc__)
    _shared_options(parser, None)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    init.register(sub)
    status.register(sub)

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

    add_admin_commands(sub)  # feeds add|list|remove, from the chat command registry

    config = sub.add_parser("config", help="configuration").add_subparsers(required=True)
    check.register(config)

    derive = sub.add_parser("derive", help="propose rules and actors (YAML) from an article")
    derive.add_argument("article", help="a UTF-8 text file with the article's title and body")
    derive.set_defaults(handler=_derive)

    rules = sub.add_parser("rules", help="watch rules").add_subparsers(required=True)
    test = rules.add_parser("test", help="dry-run a rule against stored items")
    test.add_argument("rule", help="rule id")
    test.add_argument("--file", type=Path, help="a rules YAML to take the rule from")
    test.add_argument("--limit", type=int, default=20)
    test.set_defaults(handler=_rules_test)

    match = sub.add_parser("match", help="backtest: match items (JSON lines) with the live rules")
    match.add_argument("items", type=Path, help="a JSON-lines file of items, or - for stdin")
    match.add_argument("--keep-going", action="store_true", help="skip bad lines, don't stop")
    match.set_defaults(handler=_match)
    add_label_parser(rules)  # rules label FILE: bot/runtime/label_file.py
    _share_options(parser)
    return parser


def _shared_options(parser: argparse.ArgumentParser, default: object) -> None:
    """--log-level and --config, accepted before the command and after it."""
    parser.add_argument(
        "--log-level",
        type=str.upper,
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        default=default,
        help="default from settings (WARNING for one-shot commands)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=default,
        metavar="DIR",
        help="config folder (else NEWSBOT_CONFIG_DIR, ./config, user dir, packaged default)",
    )


def _share_options(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand the shared options, without overwriting a value given earlier."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _shared_options(child, argparse.SUPPRESS)
                _share_options(child)


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
        feeds = await app.store.feeds.all()
    finally:
        await app.close()
    lines, code = poll_summary(report, sent.sent, feeds, app.clock())
    print("\n".join(lines))
    return code

    return 0


async def _derive(args: argparse.Namespace, _settings: Settings) -> int:
    from bot.cmd.article import ArticleError, read_article
    from bot.rules.derive import derive_yaml

    try:
        text = read_article(args.article)
    except ArticleError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
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


async def _match(args: argparse.Namespace, settings: Settings) -> int:
    from bot.backtest import backtest
    from bot.rules.compile import compile_rules

    bundle = load_config(default_config_dir(settings))
    matcher = compile_rules(bundle.rules.rules, bundle.actors.actors)
    if str(args.items) == "-":
        outcome = backtest(sys.stdin, matcher, sys.stdout, sys.stderr, args.keep_going)
    else:
        try:
            with args.items.open(encoding="utf-8", errors="replace") as lines:
                outcome = backtest(lines, matcher, sys.stdout, sys.stderr, args.keep_going)
        except OSError as exc:
            print(f"newsbot: cannot read {args.items}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    if outcome.bad:
        skipped = "skipped" if args.keep_going else "stopped at the first"
        print(
            f"newsbot match: {outcome.written} items matched, {outcome.bad} bad lines ({skipped})",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    main()
