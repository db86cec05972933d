"""Benchmark: learned relevance vs boolean rules vs a plain keyword list, on a time split.

Items are the labelled entries of ../shared/data/news-2022-03-to-05.jsonl (labels in
tests/data/relevance/labels.jsonl, joined by link). Models and thresholds are trained and
tuned only on entries published before the split (default 2022-05-01); precision, recall and
F1 are reported on the entries from the split on, which nothing was tuned on.

Learning curve: the earlier entries are replayed in time order; each alert the bot would
post reveals its label as a chat vote, the model is retrained on the votes so far, and
precision and recall on the later entries are printed after 20, 50, 100 and 200 votes.

    .venv/bin/python -m bench.relevance [--labels FILE] [--split 2022-05-01]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_yaml_model
from bot.models import Item
from bot.ports import Matcher
from bot.relevance.candidates import CandidateFinder
from bot.relevance.model import RelevanceModel
from bot.relevance.retrain import train_rules
from bot.relevance.scorer import ScoredMatcher
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, ActorSet, Rule, RuleSet

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT.parent / "shared" / "data" / "news-2022-03-to-05.jsonl"
LABELS = ROOT / "tests" / "data" / "relevance" / "labels.jsonl"
SEED_RULES = ("peace-talks", "donbas-offensive")
CHECKPOINTS = (20, 50, 100, 200)
RETRAIN_EVERY = 10

# The baseline: the words a user would type into a plain keyword alert, without the rules'
# context, exclusions or learning (any keyword in title or description, case-insensitive).
KEYWORDS = {
    "peace-talks": (
        "peace talks",
        "peace deal",
        "negotiations",
        "negotiators",
        "ceasefire",
        "cease-fire",
        "truce",
        "talks",
    ),
    "donbas-offensive": (
        "Donbas",
        "Donbass",
        "Donetsk",
        "Luhansk",
        "Mariupol",
        "Sievierodonetsk",
        "Severodonetsk",
        "Kramatorsk",
        "Sloviansk",
        "Lysychansk",
        "Izium",
        "eastern Ukraine",
    ),
}

Decide = Callable[[Item], set[str]]
"""A system under test: the seed rules it would alert on for an item."""


@dataclass(frozen=True)
class Scores:
    alerts: int
    hits: int
    positives: int

    @property
    def precision(self) -> float:
        return self.hits / self.alerts if self.alerts else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.positives if self.positives else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load(labels_path: Path) -> list[tuple[Item, dict[str, bool]]]:
    """Labelled items in time order: text from the shared corpus, labels from tests/data."""
    entries = {}
    with NEWS.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            entries[row["link"]] = row
    out = []
    with labels_path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            lab = json.loads(line)
            row = entries.get(lab["link"])
            if row is None:
                sys.exit(f"{labels_path}:{n}: link not in {NEWS.name}: {lab['link']}")
            item = Item(
                feed_id=1,
                identity=row["link"],
                title=row["title"],
                summary=row.get("description") or "",
                link=row["link"],
                published=datetime.fromisoformat(row["published"].replace("Z", "+00:00")),
                source=row.get("outlet", ""),
            )
            out.append((item, {r: bool(lab[r]) for r in SEED_RULES}))
    out.sort(key=lambda p: p[0].published or datetime.min.replace(tzinfo=UTC))
    return out


def keyword_system() -> Decide:
    patterns = {
        rid: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
        for rid, words in KEYWORDS.items()
    }

    def decide(item: Item) -> set[str]:
        text = f"{item.title}\n{item.summary}"
        return {rid for rid, pat in patterns.items() if pat.search(text)}

    return decide


def matcher_system(matcher: Matcher) -> Decide:
    def decide(item: Item) -> set[str]:
        return {m.rule_id for m in matcher.match(item).rules if m.rule_id in SEED_RULES}

    return decide


def evaluate(decide: Decide, data: Sequence[tuple[Item, dict[str, bool]]]) -> dict[str, Scores]:
    counts = {r: [0, 0, 0] for r in SEED_RULES}
    for item, labels in data:
        fired = decide(item)
        for r in SEED_RULES:
            c = counts[r]
            c[0] += r in fired
            c[1] += r in fired and labels[r]
            c[2] += labels[r]
    return {r: Scores(*c) for r, c in counts.items()}


def learning_curve(
    rules: Sequence[Rule],
    actors: Sequence[Actor],
    stream: Sequence[tuple[Item, dict[str, bool]]],
    now: datetime,
) -> dict[str, list[tuple[int, Scores | None, Scores, int]]]:
    """Votes revealed on the bot's own alerts, in time order, one rule at a time.

    After each checkpoint's vote the rule is retrained on the votes so far and scored on the
    entries that come later in the stream (never seen, never voted on yet), beside the
    boolean rule on the same entries: (votes, model or None, boolean, later entries).
    """
    boolean = matcher_system(compile_rules(rules, actors))
    curve: dict[str, list[tuple[int, Scores | None, Scores, int]]] = {}
    for rule in SEED_RULES:
        votes: list[tuple[Item, bool]] = []
        models: dict[str, RelevanceModel] = {}
        matcher = ScoredMatcher(rules, actors, models)
        pending = list(CHECKPOINTS)
        points: list[tuple[int, Scores | None, Scores, int]] = []
        since = 0
        for n, (item, labels) in enumerate(stream):
            if not pending:
                break
            if rule not in {m.rule_id for m in matcher.match(item).rules}:
                continue
            votes.append((item, labels[rule]))
            since += 1
            reached = len(votes) >= pending[0]
            if since >= RETRAIN_EVERY or reached:
                models = train_rules(rules, actors, {rule: votes}, now)
                matcher = ScoredMatcher(rules, actors, models)
                since = 0
            if reached:
                later = stream[n + 1 :]
                model = evaluate(matcher_system(matcher), later)[rule] if models else None
                points.append((pending.pop(0), model, evaluate(boolean, later)[rule], len(later)))
        points.append((-len(votes), None, Scores(0, 0, 0), 0))
        curve[rule] = points
    return curve


def fmt(s: Scores) -> str:
    figures = f"P {s.precision:.2f}  R {s.recall:.2f}  F1 {s.f1:.2f}"
    return f"{figures}  ({s.hits}/{s.alerts} alerts, {s.positives} relevant)"


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--split", default="2022-05-01", help="first day of the untouched part")
    ap.add_argument("--until", help="first day left out of the test part (default: none)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    split = datetime.fromisoformat(args.split).replace(tzinfo=UTC)
    rules = list(load_yaml_model(ROOT / "config" / "rules.yaml", RuleSet).rules)
    actors = list(load_yaml_model(ROOT / "config" / "actors.yaml", ActorSet).actors)
    data = load(args.labels)
    train = [(i, lab) for i, lab in data if i.published and i.published < split]
    until = datetime.fromisoformat(args.until).replace(tzinfo=UTC) if args.until else None
    test = [
        (i, lab)
        for i, lab in data
        if i.published and i.published >= split and (until is None or i.published < until)
    ]
    print(f"labels: {args.labels}")
    print(
        f"train (before {args.split}): {len(train)} entries; test (from {args.split}): {len(test)}"
    )
    for r in SEED_RULES:
        print(
            f"  {r}: {sum(lab[r] for _, lab in train)} relevant in train, "
            f"{sum(lab[r] for _, lab in test)} in test"
        )

    started = time.perf_counter()
    labelled = {r: [(i, lab[r]) for i, lab in train] for r in SEED_RULES}
    models = train_rules(rules, actors, labelled, split, seed=args.seed)
    trained_s = time.perf_counter() - started
    systems: dict[str, Decide] = {
        "keyword list": keyword_system(),
        "boolean rules": matcher_system(compile_rules(rules, actors)),
        "rules + relevance": matcher_system(ScoredMatcher(rules, actors, models)),
    }
    print(
        f"\nuntouched split ({len(test)} entries from {args.split}); trained in {trained_s:.1f} s"
    )
    for r in SEED_RULES:
        model = models.get(r)
        state = (
            f"model: {model.labels} labelled candidates, C={model.regularisation}, "
            f"thresholds {model.threshold:.2f} / context {model.context_threshold:.2f}"
            if model
            else "no model (too few labelled candidates): boolean only"
        )
        print(f"\n{r}  [{state}]")
        for name, decide in systems.items():
            print(f"  {name:<18} {fmt(evaluate(decide, test)[r])}")
    finder = CandidateFinder(rules, actors, SEED_RULES)
    reach = {
        r: sum(1 for i, lab in test if lab[r] and any(c.rule_id == r for c in finder.find(i)[1]))
        for r in SEED_RULES
    }
    print(
        "\ncandidate reach on the split (relevant entries inside the rule's context): "
        + ", ".join(f"{r} {reach[r]}/{sum(lab[r] for _, lab in test)}" for r in SEED_RULES)
    )

    print(
        "\nlearning curve: the whole labelled stream replayed in time order, each alert the bot"
        "\nposts revealing its label as a vote; after N votes, scores on the entries still to come"
    )
    curve = learning_curve(rules, actors, data, split)
    for r in SEED_RULES:
        total = -curve[r][-1][0]
        print(f"  {r} ({total} votes in the stream)")
        for n, learned, boolean, later in curve[r][:-1]:
            shown = fmt(learned) if learned else "no model yet (too few labels): boolean only"
            print(f"    after {n:>3} votes, on the {later} later entries: {shown}")
            print(f"    {'':>27}boolean alone: {fmt(boolean)}")
        reached = {n for n, *_ in curve[r][:-1]}
        if missing := [n for n in CHECKPOINTS if n not in reached]:
            print(f"    not reached: {', '.join(map(str, missing))} votes (the stream ends first)")


if __name__ == "__main__":
    main()
