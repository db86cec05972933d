"""Training every rule that has enough labels: labelled items → candidates → models.

Only candidates are learned from (items in the rule's context), since only candidates are
ever scored; a labelled item outside the context teaches the rule nothing it could use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from bot.models import Item
from bot.relevance.candidates import CandidateFinder, has_context
from bot.relevance.model import RelevanceModel
from bot.relevance.train import Example, train
from bot.rules.schema import Actor, Rule, RuleKind

_OLDEST = datetime.min.replace(tzinfo=UTC)

Labelled = Mapping[str, Sequence[tuple[Item, bool]]]
"""Rule id → its labelled items (item, relevant)."""


def learnable(rule: Rule) -> bool:
    """A topic rule can learn; an actor rule (a name found or not) has nothing to weigh."""
    return rule.enabled and rule.kind is RuleKind.topic


def examples(
    finder: CandidateFinder, rule_id: str, labelled: Iterable[tuple[Item, bool]]
) -> list[Example]:
    """The labelled items that are candidates of `rule_id`, as training examples, oldest first
    (training cross-validates in time order; undated items count as oldest)."""
    out = []
    for item, relevant in sorted(labelled, key=lambda pair: pair[0].published or _OLDEST):
        _, candidates = finder.find(item)
        for cand in candidates:
            if cand.rule_id == rule_id:
                out.append(Example(cand.features, cand.any_matched, relevant))
    return out


def train_rules(
    rules: Sequence[Rule],
    actors: Sequence[Actor],
    labelled: Labelled,
    now: datetime,
    *,
    seed: int = 0,
) -> dict[str, RelevanceModel]:
    """A model for each learnable rule with enough labelled candidates; others get none."""
    wanted = [r for r in rules if learnable(r) and labelled.get(r.id)]
    if not wanted:
        return {}
    finder = CandidateFinder(rules, actors, {r.id for r in wanted})
    models: dict[str, RelevanceModel] = {}
    for rule in wanted:
        model = train(rule.id, examples(finder, rule.id, labelled[rule.id]), now, seed=seed)
        if model is not None:
            if not has_context(rule):
                model = model.model_copy(update={"context_threshold": 1.0})
            models[rule.id] = model
    return models
