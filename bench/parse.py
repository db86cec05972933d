"""parse_feed against bare feedparser.parse(bytes) on news-sized feeds, in one process.

The feeds are bench/feed_farm's: the feedparser corpus files feedparser reads cleanly, each
grown to 30 real headlines with teasers (~15 KB). Rounds alternate the two so both see the same
machine load; the figure is the median round's milliseconds per feed and the ratio.

    .venv/bin/python -m bench.parse                # 5 rounds over every feed
    .venv/bin/python -m bench.parse --rounds 9 --feeds 100
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import feedparser

from bench.feed_farm import corpus_feeds, headlines, news_sized
from bot.feeds.parse import parse_feed

URL = "https://news.example/feed.xml"


def _time(parse: Callable[[bytes], object], bodies: list[bytes]) -> float:
    started = time.process_time()
    for body in bodies:
        parse(body)
    return (time.process_time() - started) * 1000 / len(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--feeds", type=int, default=0, help="0: every corpus feed")
    parser.add_argument("--items", type=int, default=30)
    args = parser.parse_args()
    titles = headlines()
    bodies = [news_sized(b, k, titles, args.items) for k, b in enumerate(corpus_feeds())]
    bodies = bodies[: args.feeds] if args.feeds else bodies
    size = statistics.median(len(b) for b in bodies)
    print(f"{len(bodies)} feeds, median {size / 1024:.1f} KB, {args.rounds} rounds (CPU time)")
    ours, bare = [], []
    for _ in range(args.rounds):
        bare.append(_time(feedparser.parse, bodies))
        ours.append(_time(lambda b: parse_feed(b, feed_id=1, url=URL), bodies))
    o, f = statistics.median(ours), statistics.median(bare)
    print(
        f"feedparser.parse(bytes): {f:.2f} ms/feed  (rounds: {', '.join(f'{x:.2f}' for x in bare)})"
    )
    print(
        f"parse_feed:              {o:.2f} ms/feed  (rounds: {', '.join(f'{x:.2f}' for x in ours)})"
    )
    print(f"ratio: {o / f:.2f}x")


if __name__ == "__main__":
    main()
