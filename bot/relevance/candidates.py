"""Which rules an item is a candidate of, and the features each candidate is scored on.

A rule's *context* is the rule without its `any` terms: every `all` term, one of its `places`
(if it has any) and no `none` term.
A candidate is an item in a rule's context; the boolean rule holds on it when an `any` term
matched as well. Training and scoring both read candidates from here, so they see the same.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.models import Item, MatchResult, RuleMatch
from bot.relevance.features import features
from bot.rules.compile import CompiledMatcher, compile_rules
from bot.rules.schema import Actor, Rule, RuleKind


def has_context(rule: Rule) -> bool:
    """A topic rule with `any` terms and `all` terms or places: those alone can find candidates
    (an item about the rule's subject worded without any `any` term)."""
    where = bool(rule.all) or rule.places is not None
    return rule.enabled and rule.kind is RuleKind.topic and where and bool(rule.any)


def context_rule(rule: Rule) -> Rule:
    """The rule with its `any` terms left out."""
    return rule.model_copy(update={"any": ()})


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item in a rule's context: the rule's match (boolean or context) and its features."""

    rule_id: str
    match: RuleMatch
    any_matched: bool
    features: frozenset[str]
    spelled: dict[str, str]


class CandidateFinder:
    """The boolean matcher plus one over the rules' contexts, for the rules in `scored`."""

    def __init__(
        self, rules: Sequence[Rule], actors: Sequence[Actor], scored: Collection[str]
    ) -> None:
        self.boolean: CompiledMatcher = compile_rules(rules, actors)
        contexts = [context_rule(r) for r in rules if r.id in scored and has_context(r)]
        self.scored = frozenset(scored)
        self.context: CompiledMatcher | None = compile_rules(contexts, []) if contexts else None

    def find(self, item: Item) -> tuple[MatchResult, list[Candidate]]:
        """The boolean result and the candidates of the scored rules (boolean matches first)."""
        found = self.boolean.match(item)
        if not self.scored:
            return found, []
        out: list[Candidate] = []
        seen: set[str] = set()
        for match in found.rules:
            if match.rule_id in self.scored:
                seen.add(match.rule_id)
                out.append(self._candidate(item, found, match, any_matched=True))
        if self.context is not None:
            for match in self.context.match(item).rules:
                if match.rule_id not in seen:
                    out.append(self._candidate(item, found, match, any_matched=False))
        return found, out

    @staticmethod
    def _candidate(
        item: Item, found: MatchResult, match: RuleMatch, *, any_matched: bool
    ) -> Candidate:
        feats = features(item, found, match, any_matched=any_matched)
        return Candidate(match.rule_id, match, any_matched, frozenset(feats.present), feats.spelled)
