"""The `Matcher` port with relevance: boolean rules find candidates, each rule's model decides.

A rule with a model alerts when its boolean match scores at least the model's threshold, or
when an item in its context without any `any` term scores at least the context threshold
("matched by relevance", with the words that weighed most). A rule without a model stays
purely boolean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.models import Item, MatchResult, RuleMatch
from bot.relevance.candidates import Candidate, CandidateFinder
from bot.relevance.model import RelevanceModel
from bot.rules.schema import Actor, Rule

WEIGHED_WORDS = 5


class ScoredMatcher:
    """Boolean matching, then each candidate of a modelled rule kept only on a high score."""

    def __init__(
        self,
        rules: Sequence[Rule],
        actors: Sequence[Actor],
        models: Mapping[str, RelevanceModel],
    ) -> None:
        known = {r.id for r in rules}
        self.models = {rid: m for rid, m in models.items() if rid in known}
        self.finder = CandidateFinder(rules, actors, self.models)

    def match(self, item: Item) -> MatchResult:
        found, candidates = self.finder.find(item)
        if not self.models:
            return found
        kept: dict[str, RuleMatch] = {
            m.rule_id: m for m in found.rules if m.rule_id not in self.models
        }
        for cand in candidates:
            decided = self.decide(cand)
            if decided is not None:
                kept[cand.rule_id] = decided
        order = {m.rule_id: i for i, m in enumerate(found.rules)}
        rules = sorted(kept.values(), key=lambda m: order.get(m.rule_id, len(order)))
        if tuple(rules) == found.rules:
            return found
        return MatchResult(rules=tuple(rules), actors=found.actors)

    def decide(self, cand: Candidate) -> RuleMatch | None:
        """The candidate's match with its score if the model lets it alert, else None."""
        model = self.models[cand.rule_id]
        score = model.score(cand.features)
        needed = model.threshold if cand.any_matched else model.context_threshold
        if score < needed:
            return None
        return cand.match.model_copy(
            update={
                "score": round(score, 4),
                "by_relevance": not cand.any_matched,
                "weighed": model.weighed(cand.features, cand.spelled, WEIGHED_WORDS),
            }
        )
