"""Benchmark: the compiled matcher beside the bare automaton pass it is built on, real headlines.

Rules are generated from the headlines' own vocabulary (100, 1,000, 10,000 of them, plus
the seed rules and actors), in two shapes: the issue's three-word phrases and a mix of the
shapes people write. For each, in this process on the same items, CPU time (not wall time,
the machine is shared):

- **bare**: `fold_text` of the title and one `ahocorasick` pass over its folded words with
  every key the matcher holds (its stem keys written as words): the floor newsbot's pass
  stands on, with no stems, typos, evaluation or evidence.
- **newsbot**: `CompiledMatcher.match`, everything included (stems, typos, evaluation,
  evidence of the rules that fire).
- **+ relevance**: `ScoredMatcher` over the same rules, with a model for each seed rule that
  has a context (peace-talks, donbas-offensive): its candidates are found and scored too.
  The models' weights are empty (every candidate scores 0.5 and is kept): what a score costs
  is finding the candidate and its features, not the weights' values.

Targets (issue 19): newsbot ≥ 100k items/s and ≥ 50 % of bare at 1,000 rules for both
shapes; 10,000 rules ≤ 2× the time per item of 1,000. `--regex-loop` adds the old baseline
(one regular expression per term, every rule tried on every item).

    .venv/bin/python -m bench.match [--sizes 100 1000 10000] [--seconds 2] [--regex-loop]

`--check FILE` times nothing: it writes every item's match (JSON, one line each) at each
size and shape, of the matcher and of ScoredMatcher, to FILE, or, when FILE exists, compares
with it and says which items differ: a golden comparison of two versions of the matcher (run
the other version's code with PYTHONPATH pointing at its tree).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import ahocorasick

from bot.config import load_yaml_model
from bot.models import Item
from bot.relevance.model import RelevanceModel
from bot.relevance.scorer import ScoredMatcher
from bot.rules.compile import CompiledMatcher, compile_rules
from bot.rules.fold import fold_text
from bot.rules.schema import Actor, ActorSet, Rule, RuleSet, Term, TermMode

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


def bare_pass(matcher: CompiledMatcher) -> Callable[[Item], object]:
    """Fold the title and run one automaton with the matcher's keys over its folded words."""
    automaton: Any = ahocorasick.Automaton()
    for name in ("_automaton", "_stem_automaton"):  # the latter: before stems shared one
        keys = getattr(matcher, name, ahocorasick.Automaton()).keys()
        for key in keys:
            automaton.add_word(key.replace("\x01", " "), (len(key), 1, ()))
    automaton.make_automaton()

    def scan(item: Item) -> object:
        return list(automaton.iter(fold_text(item.title).joined))

    return scan


def placeholder_models(rules: Sequence[Rule]) -> dict[str, RelevanceModel]:
    """A model for each rule with `all` and `any` terms (a context): empty weights, score 0.5."""
    now = datetime.now(UTC)
    return {
        r.id: RelevanceModel(
            rule_id=r.id,
            trained_at=now,
            labels=0,
            positives=0,
            weights={},
            intercept=0.0,
            threshold=0.5,
            context_threshold=0.5,
        )
        for r in rules
        if r.enabled and r.kind.value == "topic" and r.all and r.any
    }


def rate(fn: Callable[[Item], object], items: Sequence[Item], min_seconds: float) -> float:
    """Items per CPU second, after one warm pass, repeating until `min_seconds` of CPU."""
    for it in items:
        fn(it)
    done = 0
    start = time.process_time()
    while True:
        for it in items:
            fn(it)
        done += len(items)
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return done / elapsed


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} / {five:.2f} (1 / 5 min, {os.cpu_count()} cores)"


def check(
    path: Path,
    workloads: Sequence[tuple[str, list[Rule]]],
    actors: Sequence[Actor],
    models: dict[str, RelevanceModel],
) -> int:
    """Write every match of every workload to `path` (the matcher's, twice, and ScoredMatcher's
    with the placeholder models), or compare with it: how many lines differ."""
    items = load_items()
    lines = []
    for title, rules in workloads:
        matcher = compile_rules(rules, actors)
        scored = ScoredMatcher(rules, actors, models)
        for name, match in (
            ("cold", matcher.match),
            ("warm", matcher.match),
            ("scored", scored.match),
        ):
            lines += [
                f"{title} {name}\t{it.identity}\t{match(it).model_dump_json()}" for it in items
            ]
    if not path.exists():
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines)} matches to {path}")
        return 0
    golden = path.read_text(encoding="utf-8").splitlines()
    differ = [i for i, (a, b) in enumerate(zip(golden, lines, strict=False)) if a != b]
    differ += list(range(min(len(golden), len(lines)), max(len(golden), len(lines))))
    for i in differ[:5]:
        print(f"differs: {lines[i][:300] if i < len(lines) else '(missing)'}")
    print(f"{len(lines)} matches compared with {path}: {len(differ)} differ")
    return len(differ)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--seconds", type=float, default=2.0, help="CPU seconds per figure")
    parser.add_argument("--regex-loop", action="store_true", help="also time the regex loop")
    parser.add_argument("--baseline-items", type=int, default=300)
    parser.add_argument("--check", type=Path, help="write or compare every match (golden)")
    args = parser.parse_args(argv)

    items = load_items()
    words, pairs = vocabulary(items)
    seed_rules = load_yaml_model(ROOT / "config" / "rules.yaml", RuleSet).rules
    actors = load_yaml_model(ROOT / "config" / "actors.yaml", ActorSet).actors
    topic_seed = [r for r in seed_rules if r.kind.value == "topic"]
    models = placeholder_models(seed_rules)
    if args.check is not None:
        shapes = (three_word_rules, generate_rules)
        workloads_ = [
            (f"{g.__name__} {n}", [*seed_rules, *g(n, words, pairs)])
            for g in shapes
            for n in args.sizes
        ]
        raise SystemExit(1 if check(args.check, workloads_, actors, models) else 0)
    print(
        f"{len(items)} real headlines; rules from {len(words)} words and {len(pairs)} "
        "two-word phrases of their vocabulary, plus the seed rules and actors; "
        f"items per CPU second; {load()}"
    )
    workloads: list[tuple[str, Callable[..., list[Rule]]]] = [
        ("three-word phrases (the issue's yardstick)", three_word_rules),
        ("mixed shapes: phrases, all-of pairs, names, prefix + none", generate_rules),
    ]
    for title, generate in workloads:
        print(f"\n{title}")
        head = f"{'rules':>7} {'bare/s':>10} {'newsbot/s':>10} {'÷ bare':>7} {'+relevance/s':>13}"
        head += f" {'÷ bare':>7} {'matched':>8} {'time × previous size':>21}"
        print(head + (f" {'regex loop/s':>13}" if args.regex_loop else ""))
        previous = None
        for n in args.sizes:
            rules = [*seed_rules, *generate(n, words, pairs)]
            matcher = compile_rules(rules, actors)
            bare = rate(bare_pass(matcher), items, args.seconds)
            fast = rate(matcher.match, items, args.seconds)
            scored = rate(ScoredMatcher(rules, actors, models).match, items, args.seconds)
            hit = sum(bool(matcher.match(it).rules) for it in items) / len(items)
            line = f"{n:>7} {bare:>10,.0f} {fast:>10,.0f} {fast / bare:>6.0%} {scored:>13,.0f}"
            line += f" {scored / bare:>6.0%} {hit:>7.0%}"
            line += f" {previous / fast:>20.2f}x" if previous else f" {'':>21}"
            previous = fast
            if args.regex_loop:
                loop = regex_loop([*topic_seed, *generate(n, words, pairs)])
                line += f" {rate(loop, items[: args.baseline_items], args.seconds):>13,.0f}"
            print(line)
        print(f"  ({load()})")


if __name__ == "__main__":
    main()
