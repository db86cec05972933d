"""Benchmark: learned relevance vs boolean rules vs a plain keyword list, on a time split.

Items are the labelled entries of ../shared/data/news-2022-03-to-05.jsonl (labels in
tests/data/relevance/labels.jsonl, joined by link). Models and thresholds are trained and
tuned only on entries published before the split (default 2022-05-01); precision, recall and
F1 are reported on the entries from the split on, which nothing was tuned on.

Learning curve: the labelled entries (up to --until) are replayed in time order; each alert
the bot would post for either seed rule reveals its label as a chat vote, the models are
retrained on the votes so far, and precision and recall on the later entries are printed
after 20, 50, 100 and 200 votes in all.

Development runs `--split 2022-04-01 --until 2022-05-01` (tune on March, check on April);
the default reports on May.

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


Point = tuple[int, dict[str, int], dict[str, Scores | None], dict[str, Scores], int]
"""(votes in all, votes per rule, each rule's model scores or None, boolean's, later entries)"""


def learning_curve(
    rules: Sequence[Rule],
    actors: Sequence[Actor],
    stream: Sequence[tuple[Item, dict[str, bool]]],
    now: datetime,
) -> tuple[list[Point], dict[str, int]]:
    """Votes revealed on the bot's own alerts of either seed rule, in time order.

    Every alert the bot would post (boolean, or kept or added by the models trained so far)
    reveals its label as one vote for its rule; votes are counted over both rules, as a
    channel subscribed to both would cast them. Every `RETRAIN_EVERY` votes and at each
    checkpoint the rules are retrained on their own votes; at a checkpoint both are scored
    on the entries later in the stream (never seen, never voted on yet) beside the boolean
    rules. Returns the points reached and the votes per rule over the whole stream.
    """
    boolean = matcher_system(compile_rules(rules, actors))
    votes: dict[str, list[tuple[Item, bool]]] = {r: [] for r in SEED_RULES}
    models: dict[str, RelevanceModel] = {}
    decide = matcher_system(ScoredMatcher(rules, actors, models))
    pending = list(CHECKPOINTS)
    points: list[Point] = []
    since = 0
    for n, (item, labels) in enumerate(stream):
        for rule in sorted(decide(item)):
            votes[rule].append((item, labels[rule]))
            since += 1
        total = sum(len(v) for v in votes.values())
        reached = bool(pending) and total >= pending[0]
        if since >= RETRAIN_EVERY or reached:
            models = train_rules(rules, actors, votes, now)
            decide = matcher_system(ScoredMatcher(rules, actors, models))
            since = 0
        if reached:
            later = stream[n + 1 :]
            learned = evaluate(decide, later)
            points.append(
                (
                    pending.pop(0),
                    {r: len(v) for r, v in votes.items()},
                    {r: learned[r] if r in models else None for r in SEED_RULES},
                    evaluate(boolean, later),
                    len(later),
                )
            )
    return points, {r: len(v) for r, v in votes.items()}


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
        "\nlearning curve: the labelled stream (up to --until) replayed in time order, each alert"
        "\nof either rule revealing its label as a vote; after N votes in all, scores on the"
        "\nentries still to come"
    )
    stream = [(i, lab) for i, lab in data if until is None or (i.published and i.published < until)]
    points, cast = learning_curve(rules, actors, stream, split)
    print(
        f"  {sum(cast.values())} votes in the stream: "
        + ", ".join(f"{r} {n}" for r, n in cast.items())
    )
    for n, per_rule, learned, boolean, later in points:
        split_votes = ", ".join(f"{r} {v}" for r, v in per_rule.items())
        print(f"  after {n} votes ({split_votes}), on the {later} later entries:")
        for r in SEED_RULES:
            model = learned[r]
            shown = fmt(model) if model else "no model yet (too few labels): boolean only"
            print(f"    {r:<17} {shown}")
            print(f"    {'boolean alone':>17} {fmt(boolean[r])}")
    reached = {n for n, *_ in points}
    if missing := [n for n in CHECKPOINTS if n not in reached]:
        print(f"  not reached: {', '.join(map(str, missing))} votes (the stream ends first)")


if __name__ == "__main__":
    main()
