"""Benchmark: compiled matcher vs a per-rule regular-expression loop, over real headlines.

Rules are generated from the headlines' own vocabulary (100, 1,000, 10,000 of them, plus
the seed rules and actors); both matchers run in this process on the same items.

    .venv/bin/python -m bench.match [--sizes 100 1000 10000] [--baseline-items 300]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from pathlib import Path

from bot.config import load_yaml_model
from bot.models import Item
from bot.rules.compile import compile_rules
from bot.rules.schema import ActorSet, Rule, RuleSet, Term, TermMode

ROOT = Path(__file__).resolve().parents[1]
HEADLINES = ROOT.parent / "shared" / "data" / "headlines" / "headlines-2021-11-to-2022-04.json"
_STOP_WORDS = (
    "the a an and or of to in on for with at by from as is are was were be been has have had "
    "it its this that these those after over into about than but not no new says say said "
    "will would could can may more most out up his her their they he she we you who what how "
    "why when which just all one two first"
)
STOP = frozenset(_STOP_WORDS.split())


def load_items() -> list[Item]:
    rows = json.loads(HEADLINES.read_text(encoding="utf-8"))
    return [Item(feed_id=1, identity=str(i), title=r["title"]) for i, r in enumerate(rows)]


def vocabulary(items: Sequence[Item]) -> tuple[list[str], list[str]]:
    """Words and two-word phrases a watch rule would use: no stop words, seen 2 to 150 times."""
    counts: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for it in items:
        words = re.findall(r"[^\W\d_]+", it.title.lower())
        counts.update(w for w in words if len(w) >= 4 and w not in STOP)
        pairs.update(f"{a} {b}" for a, b in pairwise(words) if a not in STOP and b not in STOP)
    single = sorted(w for w, n in counts.items() if 2 <= n <= 40)
    double = sorted(p for p, n in pairs.items() if n >= 2)
    return single, double


def generate_rules(n: int, words: Sequence[str], pairs: Sequence[str], seed: int = 7) -> list[Rule]:
    """Rules in the shapes people write: names, phrases, two words together, prefix + exclusion."""
    rng = random.Random(seed)
    rare = words[::4]
    rules = []
    for i in range(n):
        shape = rng.random()
        body: dict[str, object] = {"id": f"g{i}", "name": f"generated {i}"}
        if shape < 0.35:
            body["any"] = rng.sample(pairs, rng.randint(1, 3))
        elif shape < 0.7:
            body["all"] = rng.sample(words, 2)
        elif shape < 0.85:
            body["any"] = rng.sample(rare, rng.randint(1, 2))
        else:
            body["any"] = [rng.choice(words)[:7] + "*", rng.choice(pairs)]
            body["none"] = [rng.choice(words)]
        rules.append(Rule.model_validate(body))
    return rules


def three_word_rules(
    n: int, words: Sequence[str], pairs: Sequence[str], seed: int = 7
) -> list[Rule]:
    """The issue's yardstick: each rule one phrase of three random vocabulary words."""
    rng = random.Random(seed)
    return [
        Rule(
            id=f"t{i}", name=f"three words {i}", any=(Term(phrase=" ".join(rng.sample(words, 3))),)
        )
        for i in range(n)
    ]


def _regex(term: Term) -> re.Pattern[str]:
    if term.regex is not None:
        return re.compile(term.regex, 0 if term.case_sensitive else re.IGNORECASE)
    words = [re.escape(w) for w in re.findall(r"[^\W_]+", term.phrase or "")]
    body = r"\W+".join(words)
    tail = r"\w*" if term.mode is TermMode.prefix else r"\b"
    return re.compile(rf"\b{body}{tail}", 0 if term.case_sensitive else re.IGNORECASE)


def regex_loop(rules: Sequence[Rule]) -> Callable[[Item], list[str]]:
    """The baseline: one compiled regex per term, every rule tried on every item."""
    compiled = [
        (r.id, [_regex(t) for t in r.all], [_regex(t) for t in r.any], [_regex(t) for t in r.none])
        for r in rules
    ]

    def match(item: Item) -> list[str]:
        text = item.title
        return [
            rid
            for rid, all_, any_, none in compiled
            if all(p.search(text) for p in all_)
            and (not any_ or any(p.search(text) for p in any_))
            and not any(p.search(text) for p in none)
        ]

    return match


def rate(fn: Callable[[Item], object], items: Sequence[Item], min_seconds: float) -> float:
    """Items per second, repeating the pass until `min_seconds` have gone by."""
    done = 0
    start = time.perf_counter()
    while True:
        for it in items:
            fn(it)
        done += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--baseline-items", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args(argv)

    items = load_items()
    words, pairs = vocabulary(items)
    seed_rules = load_yaml_model(ROOT / "config" / "rules.yaml", RuleSet).rules
    actors = load_yaml_model(ROOT / "config" / "actors.yaml", ActorSet).actors
    topic_seed = [r for r in seed_rules if r.kind.value == "topic"]
    print(
        f"{len(items)} real headlines; rules from {len(words)} words and {len(pairs)} "
        "two-word phrases of their vocabulary, plus the seed rules and actors"
    )
    workloads: list[tuple[str, Callable[..., list[Rule]]]] = [
        ("three-word phrases (the issue's yardstick)", three_word_rules),
        ("mixed shapes: phrases, all-of pairs, names, prefix + none", generate_rules),
    ]
    for title, generate in workloads:
        print(f"\n{title}")
        print(f"{'rules':>7} {'compiled/s':>12} {'regex loop/s':>13} {'ratio':>8} {'matched':>8}")
        base_time = None
        for n in args.sizes:
            generated = generate(n, words, pairs)
            matcher = compile_rules([*seed_rules, *generated], actors)
            loop = regex_loop([*topic_seed, *generated])
            fast = rate(matcher.match, items, args.seconds)
            slow = rate(loop, items[: args.baseline_items], args.seconds)
            hit = sum(bool(matcher.match(it).rules) for it in items) / len(items)
            print(f"{n:>7} {fast:>12,.0f} {slow:>13,.0f} {fast / slow:>7.0f}x {hit:>7.0%}")
            if base_time is None:
                base_time = 1 / fast
            else:
                growth = (1 / fast) / base_time
                print(f"{'':>7} time per item: {growth:.2f}x the {args.sizes[0]}-rule time")


if __name__ == "__main__":
    main()
