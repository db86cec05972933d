"""The CLI's admin commands (`newsbot feeds add|list|remove`), produced from the chat command
registry and run through the same use cases as chat, so the operator's changes are audited
like an admin's in chat (who: `console:<os user>`)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Awaitable, Callable

from bot.chat.feeds_admin import FeedRefused
from bot.chat.guard import Caller
from bot.chat.registry import COMMANDS, Arg, Type
from bot.cmd.feed_probe import ProbeError, probe_feed
from bot.config import Settings
from bot.models import Platform
from bot.runtime.app import App

Handler = Callable[[argparse.Namespace, Settings], Awaitable[int]]
MIN_INTERVAL = 10


def operator() -> Caller:
    """The person at the terminal: an admin and an owner by being there."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container's numeric user)
        user = "operator"
    return Caller(
        user_id=user, platform=Platform.console, channel="cli", is_admin=True, is_owner=True
    )


def interval(text: str) -> int:
    """An --interval: whole seconds, at least 10 (as in feeds.yaml), so no site is hammered."""
    try:
        seconds = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if seconds < MIN_INTERVAL:
        raise argparse.ArgumentTypeError(f"{seconds} s is too often; use 10 or more")
    return seconds


def _add_argument(parser: argparse.ArgumentParser, arg: Arg) -> None:
    """A registry argument as argparse takes it: required words positional, the rest --flags."""
    flag = "--" + arg.name.replace("_", "-")
    if arg.type is Type.switch:
        parser.add_argument(flag, action="store_true", help=arg.help)
    elif arg.type is Type.seconds:
        parser.add_argument(flag, type=interval, help=arg.help)
    elif arg.required:
        parser.add_argument(arg.name, help=arg.help)
    else:
        parser.add_argument(flag, help=arg.help)


def add_admin_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every registry command marked `cli` under its group (`newsbot feeds …`)."""
    groups: dict[str, argparse._SubParsersAction[argparse.ArgumentParser]] = {}
    for command in (c for c in COMMANDS if c.cli):
        head, leaf = command.path
        if head not in groups:
            groups[head] = sub.add_parser(head, help=f"manage {head}").add_subparsers(required=True)
        parser = groups[head].add_parser(leaf, help=command.help[0].lower() + command.help[1:])
        for arg in command.args:
            _add_argument(parser, arg)
        if command.path == ("feeds", "add"):  # the terminal can wait for one fetch; chat cannot
            parser.add_argument("--no-check", action="store_true", help="add without fetching it")
        parser.set_defaults(handler=HANDLERS[command.path])


async def _feeds_add(args: argparse.Namespace, settings: Settings) -> int:
    try:
        found = None if args.no_check else await probe_feed(args.url, settings)
    except (ValueError, ProbeError) as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    app = await App(settings).open()
    try:
        feed = await app.command_service().feeds.add_feed(
            operator(),
            args.url,
            args.name,
            interval_seconds=args.interval or settings.poll_interval_seconds,
            full_text=not args.no_full_text,
        )
    except FeedRefused as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    finally:
        await app.close()
    print(
        f"added feed {feed.id}: {feed.url} (first poll records existing items without alerting "
        f"more than {settings.backfill})"
    )
    if found:
        print(f"  {found}")
    return 0


async def _feeds_list(_args: argparse.Namespace, settings: Settings) -> int:
    app = await App(settings).open()
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
    app = await App(settings).open()
    try:
        feed = await app.command_service().feeds.remove_feed(operator(), args.feed)
    except FeedRefused:
        print(f"newsbot: no feed {args.feed!r}; see `newsbot feeds list`", file=sys.stderr)
        return 1
    finally:
        await app.close()
    print(f"removed feed {feed.id}: {feed.url}")
    return 0


HANDLERS: dict[tuple[str, ...], Handler] = {
    ("feeds", "add"): _feeds_add,
    ("feeds", "list"): _feeds_list,
    ("feeds", "remove"): _feeds_remove,
}
assert set(HANDLERS) == {c.path for c in COMMANDS if c.cli}, "one handler per CLI command"
