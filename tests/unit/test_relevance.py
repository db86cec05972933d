"""The learned relevance score: trained models decide which candidates of a rule alert."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.delivery.render.plain import render_text
from bot.models import Alert
from bot.relevance.candidates import CandidateFinder
from bot.relevance.model import ModelError, RelevanceModel
from bot.relevance.retrain import examples, train_rules
from bot.relevance.scorer import ScoredMatcher
from bot.relevance.train import Example, train
from bot.rules.compile import compile_rules
from tests.relevance_cases import NOW, OTHER, RULE, _item, labelled


def test_a_rule_without_enough_labels_gets_no_model_and_stays_boolean():
    few = labelled(count=20)
    assert train_rules([RULE], [], {"talks": few}, NOW) == {}
    finder = CandidateFinder([RULE], [], {"talks"})
    assert train("talks", examples(finder, "talks", few), NOW) is None
    matcher = ScoredMatcher([RULE], [], {})
    hit = matcher.match(_item(0, "Russia talks on gas"))
    assert [m.rule_id for m in hit.rules] == ["talks"] and hit.rules[0].score is None


def test_the_model_vetoes_off_topic_matches_and_finds_matches_without_any_term():
    models = train_rules([RULE, OTHER], [], {"talks": labelled()}, NOW)
    assert set(models) == {"talks"}  # grain had no labels: boolean
    model = models["talks"]
    assert model.labels == 80 and model.positives == 40
    matcher = ScoredMatcher([RULE, OTHER], [], models)

    kept = matcher.match(_item(1, "Russia talks on ceasefire", "Delegations meet."))
    assert [m.rule_id for m in kept.rules] == ["talks"]
    assert kept.rules[0].score is not None and kept.rules[0].score >= model.threshold
    assert not kept.rules[0].by_relevance

    vetoed = matcher.match(_item(2, "Russia talks on gas prices", "Officials discuss oil."))
    assert vetoed.rules == ()
    assert compile_rules([RULE], []).match(_item(2, "Russia talks on gas prices")).rules

    found = matcher.match(
        _item(3, "Russia and negotiators agree truce", "A ceasefire to end the war.")
    )
    assert [m.rule_id for m in found.rules] == ["talks"]
    match = found.rules[0]
    assert match.by_relevance and match.score is not None
    assert match.score >= model.context_threshold
    assert set(match.weighed) & {"truce", "ceasefire", "negotiators", "end the war", "war"}
    assert "Russia" in match.words  # the context found it: the evidence stays the explanation

    plain = matcher.match(_item(4, "Grain ships leave port"))
    assert [m.rule_id for m in plain.rules] == ["grain"] and plain.rules[0].score is None


def test_the_stored_weights_score_as_scikit_learn_does():
    rng = random.Random(0)
    feats = [f"w:{i}" for i in range(12)]
    exs = [Example(frozenset(rng.sample(feats, 4)), True, rng.random() < 0.5) for _ in range(60)]
    model = train("r", exs, NOW)
    assert model is not None
    names = sorted({f for e in exs for f in e.features})
    x = np.array([[f in e.features for f in names] for e in exs], dtype=float)
    y = np.array([e.relevant for e in exs], dtype=int)
    ref = LogisticRegression(solver="liblinear", C=model.regularisation, class_weight=None)
    ours = [model.score(e.features) for e in exs]
    # the reference with the chosen weighting reproduces ours within rounding
    for weighting in (None, "balanced"):
        ref.set_params(class_weight=weighting).fit(x, y)
        theirs = ref.predict_proba(x)[:, 1]
        if np.allclose(ours, theirs, atol=1e-9):
            break
    else:
        pytest.fail("stored weights do not reproduce scikit-learn's probabilities")


def test_a_model_round_trips_through_json_and_bad_ones_are_refused_in_one_line():
    model = train_rules([RULE], [], {"talks": labelled()}, NOW)["talks"]
    again = RelevanceModel.from_json(model.to_json())
    assert again == model
    raw = json.loads(model.to_json())
    for bad, says in [
        ("not json", "not JSON"),
        (json.dumps({**raw, "format": 99}), "format 99"),
        (json.dumps([1, 2]), "format 'list'"),
        (json.dumps({**raw, "threshold": 3}), "threshold"),
        (json.dumps({**raw, "intercept": float("nan")}), "intercept: Input should be a finite"),
    ]:
        with pytest.raises(ModelError, match=says) as err:
            RelevanceModel.from_json(bad)
        assert "\n" not in str(err.value)


def test_an_alert_matched_by_relevance_says_so_with_the_words_that_weighed_most():
    models = train_rules([RULE], [], {"talks": labelled()}, NOW)
    matcher = ScoredMatcher([RULE], [], models)
    item = _item(3, "Russia and negotiators agree truce", "A ceasefire ends war.")
    found = matcher.match(item)
    alert = Alert(feed_id=1, item_identity=item.identity, title=item.title, matches=found)
    why = render_text(alert).splitlines()[-1]
    assert why.startswith("Why: Talks — matched by relevance (")
    assert set(found.rules[0].weighed) <= set(
        why.removeprefix("Why: ").split("(", 1)[1][:-1].split(", ")
    )
    boolean = matcher.match(_item(1, "Russia talks on ceasefire"))
    alert = Alert(feed_id=1, item_identity="x", title="t", matches=boolean)
    assert render_text(alert).splitlines()[-1] == "Why: Talks (Russia, talks)"
