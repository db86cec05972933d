"""Training a rule's relevance model from labelled candidates (scikit-learn, offline).

A logistic regression on binary features; its regularisation and class weighting are chosen
by cross-validated average precision (relevant candidates ranked first) and its two thresholds
by cross-validated F1, all on the labels given (the caller decides which: a benchmark gives
only the earlier part of a time split).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.relevance.model import Quality, RelevanceModel

if TYPE_CHECKING:
    import numpy as np

MIN_LABELS = 40
MIN_EACH = 10
"""A rule needs this many labelled candidates, with this many relevant and irrelevant each,
before it gets a model; until then it stays purely boolean."""
MIN_DOCS = 2
"""A feature seen in fewer training candidates is dropped: it cannot generalise."""
C_GRID = (0.1, 1.0, 10.0)
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(20))
"""0.0 keeps every boolean match: the model then only adds, when vetoing does not pay."""


@dataclass(frozen=True, slots=True)
class Example:
    """A labelled candidate: its features, whether an `any` term matched, and the label."""

    features: frozenset[str]
    any_matched: bool
    relevant: bool


def enough(examples: Sequence[Example]) -> bool:
    """Whether these labels can train a model (else the rule stays boolean)."""
    pos = sum(e.relevant for e in examples)
    return len(examples) >= MIN_LABELS and pos >= MIN_EACH and len(examples) - pos >= MIN_EACH


def train(
    rule_id: str, examples: Sequence[Example], now: datetime, *, seed: int = 0
) -> RelevanceModel | None:
    """The rule's model trained on `examples`, or None when there are not enough of them."""
    if not enough(examples):
        return None
    # scikit-learn takes seconds to import: only a process that trains pays for it
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict

    counts = Counter(f for e in examples for f in e.features)
    kept = [{f: 1.0 for f in e.features if counts[f] >= MIN_DOCS} for e in examples]
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform(kept).tocsr()
    x.indices, x.indptr = x.indices.astype(np.int32), x.indptr.astype(np.int32)  # liblinear's
    y = np.array([e.relevant for e in examples], dtype=int)
    folds = StratifiedKFold(
        n_splits=min(5, int(min(y.sum(), len(y) - y.sum()))), shuffle=True, random_state=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        search = GridSearchCV(
            LogisticRegression(solver="liblinear"),
            {"C": list(C_GRID), "class_weight": [None, "balanced"]},
            scoring="average_precision",
            cv=folds,
        )
        search.fit(x, y)
        best = search.best_params_
        best_c = float(best["C"])
        probs = cross_val_predict(
            LogisticRegression(solver="liblinear", C=best_c, class_weight=best["class_weight"]),
            x,
            y,
            cv=folds,
            method="predict_proba",
        )[:, 1]
    fitted: LogisticRegression = search.best_estimator_
    any_mask = np.array([e.any_matched for e in examples])
    threshold, context_threshold, quality = tune_thresholds(probs, any_mask, y)
    names = vectorizer.get_feature_names_out()
    weights = {str(n): float(w) for n, w in zip(names, fitted.coef_[0], strict=True) if w != 0.0}
    return RelevanceModel(
        rule_id=rule_id,
        trained_at=now,
        labels=len(examples),
        positives=int(y.sum()),
        weights=weights,
        intercept=float(fitted.intercept_[0]),
        threshold=threshold,
        context_threshold=context_threshold,
        quality=quality,
        regularisation=best_c,
    )


def tune_thresholds(
    probs: np.ndarray, any_mask: np.ndarray, y: np.ndarray
) -> tuple[float, float, Quality]:
    """The (boolean, context) thresholds with the best F1 on out-of-fold scores.

    The context threshold is never below the boolean one (nor 0: context alone is not a
    match); ties go to the higher thresholds (fewer alerts). Recall counts every labelled
    candidate.
    """
    best: tuple[float, float, float, float, float] | None = None
    total = int(y.sum())
    for t in THRESHOLDS:
        on_any = any_mask & (probs >= t)
        for tc in (*(c for c in THRESHOLDS if c >= max(t, 0.05)), 1.0):
            alert = on_any | (~any_mask & (probs >= tc))
            tp = int((alert & (y == 1)).sum())
            n = int(alert.sum())
            p = tp / n if n else 0.0
            r = tp / total if total else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            key = (f1, p, t, tc, r)
            if best is None or key >= best:
                best = key
    assert best is not None
    f1, p, t, tc, r = best
    return t, tc, Quality(precision=round(p, 4), recall=round(r, 4), f1=round(f1, 4))
