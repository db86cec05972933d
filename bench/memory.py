"""Peak memory of one poller with 10,000 feeds, 1,000 rules and 1,000,000 seen items.

Each measurement runs in a fresh child process and reports its peak RSS (ru_maxrss):
  baseline — the same process opening an empty store with the project's 8 rules, no feeds;
  loaded   — 10,000 news-sized feeds (30 items each) on the loopback farm, 1,000 generated
             rules (real headline vocabulary), 1,000,000 items already seen, then a first poll
             of every feed (all 200, parsed, compared with the seen items, stored) and a
             second (304s).

    .venv/bin/python -m bench.memory [--feeds 10000 --rules 1000 --items 1000000 --feed-items 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import insert

from bench.feed_farm import FarmProcess
from bench.match import generate_rules, load_items, vocabulary
from bench.workspace import seed_feeds, settings, workspace, write_config
from bot.runtime.app import App
from bot.runtime.logs import setup_logging
from bot.store.db import create_engine, migrate
from bot.store.tables import items

TARGET_MB = 200


async def seed_items(db_url: str, feed_count: int, count: int) -> None:
    """`count` seen items spread over the feeds, inserted in bulk."""
    engine = create_engine(db_url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            for start in range(0, count, 20_000):
                rows = [
                    {
                        "feed_id": 1 + n % feed_count,
                        "identity": f"seen-{n}",
                        "title": f"Old {n}",
                        "summary": "",
                        "content": "",
                        "source": "",
                        "seen_at": now,
                    }
                    for n in range(start, min(count, start + 20_000))
                ]
                await conn.execute(insert(items), rows)
    finally:
        await engine.dispose()


def write_rules(config: Path, count: int) -> None:
    words, pairs = vocabulary(load_items())
    rules = yaml.safe_load((config / "rules.yaml").read_text(encoding="utf-8"))
    generated = [
        r.model_dump(mode="json", exclude_defaults=True)
        for r in generate_rules(count - len(rules["rules"]), words, pairs)
    ]
    rules["rules"].extend(generated)
    (config / "rules.yaml").write_text(yaml.safe_dump(rules), encoding="utf-8")


async def measure(args: argparse.Namespace) -> dict[str, float]:
    """Runs inside the child: build the workload, poll, report peak RSS and timings."""
    setup_logging("WARNING")
    async with workspace() as folder:
        url = f"sqlite+aiosqlite:///{folder / 'memory.db'}"
        config = write_config(folder / "config")
        out: dict[str, float] = {}
        if args.loaded:
            write_rules(config, args.rules)
            engine = create_engine(url)
            await migrate(engine)
            await engine.dispose()
            with FarmProcess(args.feeds, args.feed_items) as farm:
                engine = create_engine(url)
                await seed_feeds(engine, [farm.url(i) for i in range(args.feeds)])
                await engine.dispose()
                start = time.perf_counter()
                await seed_items(url, args.feeds, args.items)
                out["seed_seconds"] = time.perf_counter() - start
                app = await App(settings(url, config)).open()
                try:
                    out["rules"] = len(await app.store.catalog.rules())
                    for n in (1, 2):
                        await app.store.feeds.make_due(datetime.now(UTC))
                        start = time.perf_counter()
                        report = await app.poll_once()
                        out[f"poll{n}_seconds"] = time.perf_counter() - start
                        out[f"poll{n}_feeds"] = report.polled
                finally:
                    await app.close()
        else:
            app = await App(settings(url, config)).open()
            await app.poll_once()
            await app.close()
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return out


def child(loaded: bool, args: argparse.Namespace) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "bench.memory",
        "--child",
        "--feeds",
        str(args.feeds),
        "--rules",
        str(args.rules),
        "--items",
        str(args.items),
        "--feed-items",
        str(args.feed_items),
    ]
    if loaded:
        cmd.append("--loaded")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=1800)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=1_000)
    parser.add_argument("--items", type=int, default=1_000_000, help="seen items in the store")
    parser.add_argument(
        "--feed-items", type=int, default=30, help="headlines per farm feed (30: ~15 KB)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--loaded", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure(args))))
        return
    base = child(False, args)
    loaded = child(True, args)
    print(f"baseline (empty store, 8 rules): peak RSS {base['peak_mb']:.0f} MB")
    print(
        f"loaded ({args.feeds:,} feeds, {loaded['rules']:.0f} rules, {args.items:,} seen "
        f"items; seeded in {loaded['seed_seconds']:.0f} s): peak RSS {loaded['peak_mb']:.0f} MB"
    )
    print(
        f"  poll 1 (every feed 200): {loaded['poll1_feeds']:.0f} feeds in "
        f"{loaded['poll1_seconds']:.1f} s; poll 2 (304s): {loaded['poll2_feeds']:.0f} feeds in "
        f"{loaded['poll2_seconds']:.1f} s"
    )
    ratio = loaded["peak_mb"] / base["peak_mb"]
    verdict = "met" if loaded["peak_mb"] <= TARGET_MB else "MISSED"
    print(f"ratio loaded/baseline: {ratio:.2f}×; target ≤ {TARGET_MB} MB: {verdict}")


if __name__ == "__main__":
    main()
