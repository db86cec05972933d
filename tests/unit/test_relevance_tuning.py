"""What reaches a rule's relevance model and how its thresholds are chosen: every candidate of
the rule's context (its `all` terms or its places), thresholds for recall at a precision floor."""

from __future__ import annotations

import numpy as np

from bot.models import Item
from bot.relevance.candidates import CandidateFinder, has_context
from bot.relevance.train import PRECISION_FLOOR, tune_thresholds
from bot.rules.schema import Rule

DONBAS = Rule.model_validate(
    {
        "id": "donbas",
        "name": "Donbas",
        "places": {"country": "UA", "regions": ["Donetsk Oblast", "Luhansk Oblast"]},
        "any": ["shell"],
    }
)


def _candidates(finder: CandidateFinder, title: str) -> list[tuple[str, bool]]:
    _, found = finder.find(Item(feed_id=1, identity=title, title=title))
    return [(c.rule_id, c.any_matched) for c in found]


def test_a_places_rule_sends_items_at_its_places_without_any_term_to_the_scorer():
    assert has_context(DONBAS)
    finder = CandidateFinder([DONBAS], [], {"donbas"})
    # a town nobody listed, no fighting word: a context candidate the model may let alert
    assert _candidates(finder, "Kramatorsk residents wait for the last train") == [
        ("donbas", False)
    ]
    assert _candidates(finder, "Kramatorsk station shelled") == [("donbas", True)]
    assert _candidates(finder, "Lviv station shelled") == []
    assert not has_context(DONBAS.model_copy(update={"any": ()}))


def _scores(groups: list[tuple[int, float, bool]]) -> tuple[np.ndarray, np.ndarray]:
    probs = np.array([p for n, p, _ in groups for _ in range(n)])
    y = np.array([int(rel) for n, _, rel in groups for _ in range(n)])
    return probs, y


def test_thresholds_take_the_most_recall_at_the_precision_floor_not_the_best_f1():
    # at 0.6: precision 0.90, recall 0.90 (F1 0.90); above it: precision 1, recall 0.85
    # (F1 0.92). Best F1 would drop 10 relevant stories to save 20 wrong alerts.
    probs, y = _scores([(170, 0.8, True), (10, 0.6, True), (20, 0.1, True)])
    neg, ny = _scores([(20, 0.6, False), (780, 0.1, False)])
    probs, y = np.concatenate([probs, neg]), np.concatenate([y, ny])
    t, _, quality = tune_thresholds(probs, np.ones(len(y), dtype=bool), y)
    assert t == 0.6
    assert quality.precision >= PRECISION_FLOOR and quality.recall == 0.9


def test_with_few_positives_a_recall_within_noise_goes_to_the_model_that_vetoes():
    # 40 relevant (2 no threshold finds); vetoing 3 wrong matches costs one relevant story,
    # a recall 0.025 lower: within one standard error, so the model that vetoes is chosen
    probs, y = _scores(
        [(37, 0.7, True), (1, 0.2, True), (3, 0.2, False), (2, 0.0, True), (50, 0.05, False)]
    )
    any_mask = np.array([True] * 41 + [False] * 52)
    t, tc, quality = tune_thresholds(probs, any_mask, y)
    assert t == 0.7 and tc >= t
    assert quality.precision == 1.0 and quality.recall == 0.925


def test_without_a_pair_at_the_floor_the_thresholds_take_the_best_f1():
    probs, y = _scores([(10, 0.6, True), (10, 0.6, False), (30, 0.1, False)])
    t, _, quality = tune_thresholds(probs, np.ones(len(y), dtype=bool), y)
    assert 0.1 < t <= 0.6
    assert quality.precision == 0.5 and quality.recall == 1.0
