"""Benchmark: two versions of `CompiledMatcher.match` interleaved in one process, same items.

The machine is shared, so two bench runs minutes apart differ by ±20 % on their own. This
loads bench.match (and through it bot) from two source trees, one after the other, each
under its own modules, compiles each version's rules, then times one pass over the 6,002
headlines per version in turn, `--rounds` times, and keeps each version's fastest pass
(CPU time): both see the same load.

    git worktree add /tmp/base-<you> <commit>   # the other version
    .venv/bin/python -m bench.match_ab /tmp/base-<you> . [--rounds 5] [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

SHAPES = ("three_word_rules", "generate_rules")


def load(tree: Path) -> ModuleType:
    """bench.match as the tree at `tree` has it, its bot modules its own."""
    for name in [n for n in sys.modules if n.split(".")[0] in ("bot", "bench")]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        import bench.match as module
    finally:
        sys.path.remove(str(tree))
    for name in [n for n in sys.modules if n.split(".")[0] in ("bot", "bench")]:
        del sys.modules[name]  # the next tree imports afresh; this one keeps its objects
    return module


def matcher(bm: Any, shape: str, n: int) -> tuple[Callable[[Any], object], list[Any]]:
    """One version's matcher over the seed rules plus `n` generated ones, warmed once."""
    items = bm.load_items()
    words, pairs = bm.vocabulary(items)
    seed = bm.load_yaml_model(bm.ROOT / "config" / "rules.yaml", bm.RuleSet).rules
    actors = bm.load_yaml_model(bm.ROOT / "config" / "actors.yaml", bm.ActorSet).actors
    compiled = bm.compile_rules([*seed, *getattr(bm, shape)(n, words, pairs)], actors)
    for it in items:
        compiled.match(it)
    return compiled.match, items


def fastest(runs: Sequence[tuple[Callable[[Any], object], list[Any]]], rounds: int) -> list[float]:
    """Each version's fastest pass, CPU seconds per item, the versions taking turns."""
    best = [float("inf")] * len(runs)
    for _ in range(rounds):
        for i, (match, items) in enumerate(runs):
            start = time.process_time()
            for it in items:
                match(it)
            best[i] = min(best[i], (time.process_time() - start) / len(items))
    return best


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("before", type=Path, help="source tree of the version before")
    parser.add_argument("after", type=Path, help="source tree of the version after")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    versions = [load(args.before.resolve()), load(args.after.resolve())]
    print(f"µs per item, fastest of {args.rounds} passes; load {os.getloadavg()[0]:.2f} (1 min)")
    for shape in SHAPES:
        for n in args.sizes:
            before, after = fastest([matcher(bm, shape, n) for bm in versions], args.rounds)
            print(
                f"{shape:17} {n:>6} rules: before {before * 1e6:7.1f}  after {after * 1e6:7.1f}"
                f"  after ÷ before {after / before:.2f}"
            )
    print(f"load {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
