"""Training a rule's relevance model from labelled candidates (scikit-learn, offline).

A logistic regression on binary features; its regularisation and class weighting are chosen
by cross-validated average precision (relevant candidates ranked first) and its two thresholds
for recall under a precision floor, all on the labels given (the caller decides which: a
benchmark gives only the earlier part of a time split).

Cross-validation is time-ordered: examples come oldest first and each fold is a block of
consecutive ones (per class), so a story's near-duplicate headlines of the same days fall in
the same fold. Shuffled folds let a model score a story it has already seen and so overrate
how sure it is of news it has not: thresholds tuned that way are too high for the next month.
"""

from __future__ import annotations

import math
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
PRECISION_FLOOR = 0.9
"""Thresholds are chosen for cross-validated recall at this precision or more (a missed story
costs a channel more than a rare wrong alert); for best F1 when no pair reaches it."""


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
    folds = StratifiedKFold(n_splits=min(5, int(min(y.sum(), len(y) - y.sum()))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        search = GridSearchCV(
            LogisticRegression(solver="liblinear", random_state=seed),
            {"C": list(C_GRID), "class_weight": [None, "balanced"]},
            scoring="average_precision",
            cv=folds,
        )
        search.fit(x, y)
        best = search.best_params_
        best_c = float(best["C"])
        probs = cross_val_predict(
            LogisticRegression(
                solver="liblinear",
                C=best_c,
                class_weight=best["class_weight"],
                random_state=seed,
            ),
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
    """The (boolean, context) thresholds for recall at `PRECISION_FLOOR` on out-of-fold scores.

    Of the pairs at the floor (or, when none is, at the best F1), the highest thresholds whose
    recall is within one standard error of the best: with a few dozen positives a recall one
    or two stories higher is noise, and a model that vetoes is the guard against a rule's
    words drifting onto other news, which the labels the rule was written from cannot show.
    The context threshold is never below the boolean one (nor 0: context alone is not a
    match). Recall counts every labelled candidate.
    """
    total = int(y.sum())
    rows: list[tuple[float, float, float, float, float]] = []  # t, tc, precision, recall, f1
    for t in THRESHOLDS:
        on_any = any_mask & (probs >= t)
        for tc in (*(c for c in THRESHOLDS if c >= max(t, 0.05)), 1.0):
            alert = on_any | (~any_mask & (probs >= tc))
            tp = int((alert & (y == 1)).sum())
            n = int(alert.sum())
            p = tp / n if n else 0.0
            r = tp / total if total else 0.0
            rows.append((t, tc, p, r, 2 * p * r / (p + r) if p + r else 0.0))
    floor = [row for row in rows if row[2] >= PRECISION_FLOOR]
    if floor:
        best = max(row[3] for row in floor)
        band = [row for row in floor if row[3] >= best - stderr(best, total)]
    else:
        best = max(row[4] for row in rows)
        band = [row for row in rows if row[4] >= best - stderr(best, total)]
    t, tc, p, r, f1 = max(band, key=lambda row: (row[0], row[1], row[2]))
    return t, tc, Quality(precision=round(p, 4), recall=round(r, 4), f1=round(f1, 4))


def stderr(rate: float, n: int) -> float:
    """The standard error of a proportion measured on `n` cases."""
    return math.sqrt(rate * (1 - rate) / n) if n else 0.0
