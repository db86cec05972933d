"""A trained relevance model as plain data: weights by feature name, an intercept, thresholds.

A logistic model needs nothing but its weights to score, so a model is stored as JSON and
loaded by validation (never by unpickling): a stored model can hold numbers and names only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationError

from bot.models import Frozen
from bot.relevance.features import readable

FORMAT = 1
MAX_FEATURES = 200_000
MAX_JSON_BYTES = 20 * 1024 * 1024


Finite = Annotated[float, Field(allow_inf_nan=False)]


class ModelError(ValueError):
    """A stored model that cannot be used, and why."""


class Quality(Frozen):
    """What cross-validation on the training labels estimated for the model at its thresholds."""

    precision: float = Field(ge=0, le=1)
    recall: float = Field(ge=0, le=1)
    f1: float = Field(ge=0, le=1)


class RelevanceModel(Frozen):
    """One rule's logistic relevance model: P(relevant) = sigmoid(intercept + Σ weights)."""

    format: int = FORMAT
    rule_id: str = Field(min_length=1, max_length=64)
    trained_at: datetime
    labels: int = Field(ge=0, description="labelled candidates it was trained on")
    positives: int = Field(ge=0)
    weights: dict[str, Finite] = Field(max_length=MAX_FEATURES)
    intercept: Finite
    threshold: float = Field(ge=0, le=1, description="a boolean match alerts at this score")
    context_threshold: float = Field(
        ge=0, le=1, description="a candidate with the context but no `any` term alerts at this"
    )
    quality: Quality | None = None
    regularisation: float = Field(default=1.0, gt=0, description="the C chosen by tuning")

    def logit(self, present: Iterable[str]) -> float:
        weights = self.weights
        return self.intercept + sum(weights.get(f, 0.0) for f in present)

    def score(self, present: Iterable[str]) -> float:
        """P(relevant) for a candidate with these features."""
        z = self.logit(present)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def weighed(
        self, present: Iterable[str], spelled: dict[str, str], n: int = 5
    ) -> tuple[str, ...]:
        """The words that pushed the score up most, as the item spelled them (best first)."""
        ranked = sorted(
            ((w, f) for f in set(present) if (w := self.weights.get(f, 0.0)) > 0),
            reverse=True,
        )
        out: list[str] = []
        for _, feature in ranked:
            text = readable(feature, spelled)
            if text is not None and text not in out:
                out.append(text)
            if len(out) == n:
                break
        return tuple(out)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> RelevanceModel:
        """Load a stored model; ModelError in one line when it is not one we can use."""
        if len(data) > MAX_JSON_BYTES:
            raise ModelError(f"stored model is {len(data)} bytes; the limit is {MAX_JSON_BYTES}")
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise ModelError(f"stored model is not JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            got = raw.get("format") if isinstance(raw, dict) else type(raw).__name__
            raise ModelError(f"stored model has format {got!r}; this version reads {FORMAT}")
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "model"
            raise ModelError(f"stored model: {where}: {first['msg']}") from None
