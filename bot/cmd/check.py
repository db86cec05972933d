"""`newsbot config check`: where config comes from, then every mistake found in it.

Beyond the schema (bot.config), it catches what would otherwise fail quietly later: static
subscriptions naming no rule or actor, feed URLs newsbot cannot fetch (scheme, host), and
addresses the SSRF guard refuses, decided by bot.feeds.ssrf itself.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from yarl import URL

from bot.config import (
    ConfigBundle,
    ConfigPlace,
    Settings,
    config_search,
    dangling_targets,
    find_config_dir,
    load_config,
)
from bot.feeds.ssrf import (
    AddressPolicy,
    ResolveFn,
    SsrfError,
    checked_addresses,
    ip_literal,
    system_resolve,
    validate_feed_url,
)

RESOLVE_TIMEOUT_SECONDS = 5.0
NEVER_RESOLVES = (".invalid", ".test", ".example")
"""Reserved top-level names (RFC 2606, 6761): a feed there can never be fetched."""


@dataclass
class CheckReport:
    """What `config check` found: errors fail it, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def search_lines(chosen: Path | None, chosen_by: str) -> list[str]:
    """The search order, each place marked: used, found (but shadowed), or missing."""
    used = find_config_dir(chosen, chosen_by)
    places: list[ConfigPlace] = []
    if chosen is None:
        places += [ConfigPlace("--config", Path("(not given)"))]
        places += [ConfigPlace("NEWSBOT_CONFIG_DIR", Path("(unset)"))]
    places += config_search(chosen, chosen_by)
    lines = ["config search order (--config, NEWSBOT_CONFIG_DIR, ./config, user, packaged):"]
    for place in places:
        if place == used:
            mark, note = "->", ""
        else:
            mark = "  "
            note = (
                ""
                if str(place.path).startswith("(")
                else ("  (found, not used)" if place.exists else "  (none)")
            )
        lines.append(f"  {mark} {place.label:<20} {place.path}{note}")
    if not used.exists:
        lines.append(f"  {used.path} does not exist; `newsbot init {used.path}` writes one")
    return lines


async def check_feed_urls(
    urls: Sequence[str], policy: AddressPolicy, resolve: ResolveFn | None = system_resolve
) -> CheckReport:
    """Refuse what the fetcher would refuse: bad URLs, reserved names, non-public addresses
    (host names are looked up with `resolve`; None checks only addresses written as such)."""
    report = CheckReport()
    to_resolve: list[tuple[int, str, int]] = []
    for i, url in enumerate(urls):
        where = f"feeds.yaml: feeds[{i}].url"
        try:
            validate_feed_url(url)
        except SsrfError as exc:
            hint = f"; write it as https://{url}" if "://" not in url else ""
            report.errors.append(f"{where}: {exc}{hint}")
            continue
        parsed = URL(url)
        host = parsed.host or ""
        if host.rstrip(".").lower().endswith(NEVER_RESOLVES):
            report.errors.append(f"{where}: {host} is a reserved name that never resolves")
            continue
        if resolve is not None or ip_literal(host):
            to_resolve.append((i, host, parsed.port or 0))

    async def one(i: int, host: str, port: int) -> None:
        where = f"feeds.yaml: feeds[{i}].url"
        try:
            await asyncio.wait_for(
                checked_addresses(host, port, policy, resolve or system_resolve),
                RESOLVE_TIMEOUT_SECONDS,
            )
        except SsrfError as exc:
            report.errors.append(f"{where}: {exc}")
        except (OSError, TimeoutError) as exc:
            reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
            report.warnings.append(f"{where}: cannot resolve {host} now ({reason})")

    await asyncio.gather(*(one(*args) for args in to_resolve))
    report.errors.sort()
    report.warnings.sort()
    return report


async def check(
    settings: Settings,
    chosen_by: str = "NEWSBOT_CONFIG_DIR",
    *,
    dns: bool = True,
    resolve: ResolveFn = system_resolve,
) -> tuple[Path, ConfigBundle, CheckReport]:
    """Load the config the bot would use and look for mistakes; ConfigError on schema ones."""
    folder = find_config_dir(settings.config_dir, chosen_by).path
    bundle = load_config(folder)
    rules = {r.id for r in bundle.rules.rules}
    actors = {a.id for a in bundle.actors.actors}
    report = CheckReport(errors=dangling_targets(bundle.subscriptions, rules, actors))
    urls = [f.url for f in bundle.feeds.feeds]
    policy = AddressPolicy(settings.fetch_allow_private)
    found = await check_feed_urls(urls, policy, resolve if dns else None)
    report.errors += found.errors
    report.warnings += found.warnings
    return folder, bundle, report


async def run_check(settings: Settings, by: str, *, dns: bool = True) -> int:
    """Print the search order, then ok or every problem (one line each); 1 if any."""
    for line in search_lines(settings.config_dir, by):
        print(line)
    folder, bundle, report = await check(settings, by, dns=dns)
    for line in report.warnings:
        print(f"warning: {line}", file=sys.stderr)
    for line in report.errors:
        print(f"newsbot: {folder}/{line}", file=sys.stderr)
    if report.errors:
        return 1
    print(
        f"{folder}: ok — {len(bundle.feeds.feeds)} feeds, {len(bundle.rules.rules)} rules, "
        f"{len(bundle.actors.actors)} actors, "
        f"{len(bundle.subscriptions.subscriptions)} static subscriptions"
    )
    return 0


def register(config: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `newsbot config check [--no-dns]` under `newsbot config`."""
    parser = config.add_parser("check", help="where config comes from; validate it")
    parser.add_argument("--no-dns", action="store_true", help="do not look feed hosts up")
    parser.set_defaults(handler=_check)


async def _check(args: argparse.Namespace, settings: Settings) -> int:
    return await run_check(settings, args.config_by, dns=not args.no_dns)
