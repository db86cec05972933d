"""Benchmark: same story across outlets, title SimHash (today) vs title + description + time.

Pairwise precision and recall on the hand-judged pairs of tests/data/stories/pairs.jsonl, split
by time: pairs whose earlier entry is before 2022-05-01 were tuned on, the May pairs were not.
Also the cost of one comparison, both methods timed in this process on the same pairs.

    .venv/bin/python -m bench.stories [--fit]

`--fit` refits the linear score's weights (logistic regression) on the tuning part and prints
them with their figures, which is how bot/text/story_match.py's WEIGHTS were found.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.text import story_match
from bot.text.stories import fingerprint
from bot.text.stories import same_story as simhash_same

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ROOT / "tests" / "data" / "stories" / "pairs.jsonl"
SOURCE = ROOT.parent / "shared" / "data" / "news-2022-03-to-05.jsonl"
SPLIT = "2022-05-01"


@dataclass(frozen=True)
class Pair:
    a: dict[str, str]
    b: dict[str, str]
    same: bool
    kind: str

    @property
    def tune(self) -> bool:
        return self.a["published"] < SPLIT


def load(source: Path = SOURCE) -> list[Pair]:
    entries = {}
    with source.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            entries[row["link"]] = row
    pairs = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pairs.append(Pair(entries[row["a"]], entries[row["b"]], row["same"], row["kind"]))
    return pairs


def published(entry: dict[str, str]) -> datetime:
    return datetime.fromisoformat(entry["published"].replace("Z", "+00:00"))


def facts(entry: dict[str, str]) -> story_match.StoryFacts:
    return story_match.story_facts(entry["title"], entry.get("description") or "", published(entry))


def figures(decided: Sequence[bool], pairs: Sequence[Pair]) -> str:
    tp = sum(d and p.same for d, p in zip(decided, pairs, strict=True))
    fp = sum(d and not p.same for d, p in zip(decided, pairs, strict=True))
    fn = sum(not d and p.same for d, p in zip(decided, pairs, strict=True))
    precision = f"{tp / (tp + fp):.3f}" if tp + fp else "  n/a"
    recall = f"{tp / (tp + fn):.3f}" if tp + fn else "  n/a"
    return f"precision {precision}  recall {recall}  (tp {tp}, fp {fp}, fn {fn})"


def per_kind(decided: Sequence[bool], pairs: Sequence[Pair]) -> str:
    said_same: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for d, p in zip(decided, pairs, strict=True):
        total[p.kind] += 1
        said_same[p.kind] += d
    return "\n".join(
        f"      {kind:32} {said_same[kind]:3} / {total[kind]:3} called same"
        for kind in sorted(total)
    )


def cost(
    compare: Callable[[object, object], object], items: Sequence[tuple[object, object]]
) -> float:
    """Microseconds per comparison, best of five rounds over `items`."""
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20):
            for a, b in items:
                compare(a, b)
        best = min(best, (time.perf_counter() - start) / (20 * len(items)))
    return best * 1e6


def fit(pairs: Sequence[Pair]) -> None:
    """Logistic regression by gradient descent on the tuning part; prints the weights."""
    rows = [
        (story_match.features(facts(p.a), facts(p.b)), 1.0 if p.same else 0.0)
        for p in pairs
        if p.tune
    ]
    weights, bias = [0.0] * 4, 0.0
    for _ in range(4000):
        grad, grad_bias = [0.0] * 4, 0.0
        for x, y in rows:
            z = bias + sum(w * v for w, v in zip(weights, x, strict=True))
            error = 1 / (1 + math.exp(-z)) - y
            grad = [g + error * v for g, v in zip(grad, x, strict=True)]
            grad_bias += error
        weights = [w - 0.5 * g / len(rows) for w, g in zip(weights, grad, strict=True)]
        bias -= 0.5 * grad_bias / len(rows)
    names = ["text", "title", "cross", "days"]
    print("fitted:", {n: round(w, 2) for n, w in zip(names, weights, strict=True)}, round(bias, 2))
    for threshold in (0.0, 0.5, 1.0, 1.5, 2.0):
        decided = [
            bias + sum(w * v for w, v in zip(weights, x, strict=True)) >= threshold for x, _ in rows
        ]
        tuned = [p for p in pairs if p.tune]
        print(f"  threshold {threshold:3.1f}  tune: {figures(decided, tuned)}")


def window_cost(source: Path = SOURCE, new_items: int = 200) -> None:
    """One new item against every entry of the 48 h before it, as the story window does."""
    with source.open(encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines]
    may = [i for i, e in enumerate(entries) if e["published"] >= SPLIT][:new_items]
    window: list[tuple[int, int]] = []
    for i in may:
        start = published(entries[i]).timestamp() - 48 * 3600
        first = next(j for j in range(i) if published(entries[j]).timestamp() >= start)
        window.append((first, i))
    prints = [fingerprint(e["title"]) for e in entries]
    start = time.perf_counter()
    story = [facts(e) for e in entries]
    facts_us = (time.perf_counter() - start) / len(entries) * 1e6
    timings = {}
    for name, keys, same in (
        ("title SimHash", prints, simhash_same),
        ("title + description + time", story, story_match.same_story),
    ):
        start = time.perf_counter()
        compared = merged = 0
        for first, i in window:
            for j in range(first, i):
                merged += same(keys[i], keys[j])  # type: ignore[arg-type]
            compared += i - first
        seconds = time.perf_counter() - start
        timings[name] = seconds
        print(
            f"  {name:28} {seconds / compared * 1e6:5.2f} µs a comparison, "
            f"{seconds / len(window) * 1e3:5.2f} ms a new item against its window "
            f"({compared / len(window):.0f} entries of 48 h, all outlets), {merged} merges"
        )
    print(f"  facts of one item (title + description words and weights): {facts_us:.0f} µs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", action="store_true", help="refit the weights on the tune part")
    args = parser.parse_args()
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} not found: the pairs are keyed by link into that file")
    pairs = load()
    if args.fit:
        fit(pairs)
    parts = {
        f"tune (earlier entry before {SPLIT})": [p for p in pairs if p.tune],
        f"report (earlier entry on or after {SPLIT}, not tuned on)": [
            p for p in pairs if not p.tune
        ],
    }
    prints = [(fingerprint(p.a["title"]), fingerprint(p.b["title"])) for p in pairs]
    story = [(facts(p.a), facts(p.b)) for p in pairs]
    decide = {
        "title SimHash (today)": {
            id(p): simhash_same(*f) for p, f in zip(pairs, prints, strict=True)
        },
        "title + description + time": {
            id(p): story_match.same_story(*f) for p, f in zip(pairs, story, strict=True)
        },
    }
    for label, part in parts.items():
        same = sum(p.same for p in part)
        print(f"{label}: {len(part)} pairs, {same} same story")
        for method, decided in decide.items():
            calls = [decided[id(p)] for p in part]
            print(f"  {method:28} {figures(calls, part)}")
            if not label.startswith("tune"):
                print(per_kind(calls, part))
    print("cost, the labelled pairs (most share words):")
    simhash_us = cost(lambda a, b: simhash_same(a, b), prints)  # type: ignore[arg-type]
    match_us = cost(lambda a, b: story_match.same_story(a, b), story)  # type: ignore[arg-type]
    print(
        f"  SimHash {simhash_us:.2f} µs, title + description + time {match_us:.2f} µs "
        f"a comparison ({match_us / simhash_us:.0f}×)"
    )
    print(f"cost, {200} May entries each against the 48 h before it (mostly unrelated):")
    window_cost()


if __name__ == "__main__":
    main()
