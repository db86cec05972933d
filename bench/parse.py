"""parse_feed against bare feedparser.parse(bytes) on news-sized feeds, in one process.

The feeds are bench/feed_farm's: the feedparser corpus files feedparser reads cleanly, each
grown to 30 real headlines with teasers (~15 KB). Rounds alternate the two so both see the same
machine load; the figure is the median round's milliseconds per feed and the ratio. Beside
them, a changed feed as the poller reads it: the same feed with one new item, parsed by
bot.feeds.partial with the LastRead of the feed before (only its unseen items).

    .venv/bin/python -m bench.parse                # 5 rounds over every feed
    .venv/bin/python -m bench.parse --rounds 9 --feeds 100
    .venv/bin/python -m bench.parse --previous 3a2b24c   # also parse.py as of that commit
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from bench.feed_farm import corpus_feeds, headlines, news_sized, with_new_item
from bot.feeds.parse import parse_feed
from bot.feeds.partial import read_feed

URL = "https://news.example/feed.xml"


def _time(parse: Callable[[bytes], object], bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        parse(body)
    return (time.process_time() - started) * 1000 / len(bodies)


def previous(rev: str) -> Callable[..., object]:
    """parse_feed as bot/feeds/parse.py had it at `rev` (a single module then), loaded aside."""
    source = subprocess.run(
        ["git", "show", f"{rev}:bot/feeds/parse.py"], check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "parse_previous.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("parse_previous", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["parse_previous"] = module
    spec.loader.exec_module(module)
    return module.parse_feed  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=0, help="0: every corpus feed")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--previous", help="a git revision whose parse.py to time as well")
    args = parser.parse_args()
    titles = headlines()
    bodies = [news_sized(b, k, titles, args.items) for k, b in enumerate(corpus_feeds())]
    bodies = bodies[: args.feeds] if args.feeds else bodies
    size = statistics.median(len(b) for b in bodies)
    print(f"{len(bodies)} feeds, median {size / 1024:.1f} KB, {args.rounds} rounds (CPU time)")
    before = previous(args.previous) if args.previous else None
    reads = {b: read_feed(b, None, body_hash="h", feed_id=1, url=URL)[1] for b in bodies}
    changed = {
        with_new_item(b, f"new-{k}", titles[k * 7 % len(titles)]): reads[b]
        for k, b in enumerate(bodies)
    }
    print(f"changed feeds read partially: {sum(r is not None for r in changed.values())}")
    ours: list[float] = []
    partly: list[float] = []
    bare: list[float] = []
    then: list[float] = []
    for _ in range(args.rounds):
        bare.append(_time(feedparser.parse, bodies))
        ours.append(_time(lambda b: parse_feed(b, feed_id=1, url=URL), bodies))
        partly.append(
            _time(
                lambda b: read_feed(b, changed[b], body_hash="h2", feed_id=1, url=URL),
                list(changed),
            )
        )
        if before is not None:
            then.append(_time(lambda b: before(b, feed_id=1, url=URL), bodies))
    o, f = statistics.median(ours), statistics.median(bare)
    print(
        f"feedparser.parse(bytes): {f:.2f} ms/feed  (rounds: {', '.join(f'{x:.2f}' for x in bare)})"
    )
    print(
        f"parse_feed:              {o:.2f} ms/feed  (rounds: {', '.join(f'{x:.2f}' for x in ours)})"
    )
    print(f"ratio: {o / f:.2f}x")
    c = statistics.median(partly)
    rounds = ", ".join(f"{x:.2f}" for x in partly)
    print(f"changed feed, read_feed:  {c:.2f} ms/feed  (rounds: {rounds})")
    print(f"ratio: {c / f:.2f}x bare feedparser of the whole feed")
    if then:
        p = statistics.median(then)
        rounds = ", ".join(f"{x:.2f}" for x in then)
        print(f"parse_feed at {args.previous}: {p:.2f} ms/feed  (rounds: {rounds})")
        print(f"ratio: {p / f:.2f}x; now / then: {o / p:.2f}")


if __name__ == "__main__":
    main()
