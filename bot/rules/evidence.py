"""Evidence values: built without re-validation, spelled (exact, folded, stem), in text order."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from bot.models import Evidence
from bot.rules.fold import WORD, canonical, fold_phrase
from bot.rules.terms import FIELDS

M = TypeVar("M", bound=BaseModel)
UNSCORED: dict[str, Any] = {"score": None, "by_relevance": False, "weighed": ()}
"""RuleMatch's relevance fields as the boolean matcher leaves them (bot.relevance scores)."""


_SLOTS = BaseModel.__dict__
_set_dict = _SLOTS["__dict__"].__set__
_set_fields = _SLOTS["__pydantic_fields_set__"].__set__
_set_extra = _SLOTS["__pydantic_extra__"].__set__
_set_private = _SLOTS["__pydantic_private__"].__set__
"""A model's slots, set through their descriptors (a third of object.__setattr__'s cost)."""
_FIELDS: dict[type, set[str]] = {}
"""Per model class, its fields: every object `build` makes has them all set, so they share
one set (pydantic copies it before changing it, in `model_copy`)."""


def build(cls: type[M], values: dict[str, Any]) -> M:
    """Construct a frozen model from values already known valid, without re-validating.

    Equivalent to `cls.model_construct(**values)` with every field given, at a sixth of the
    cost. `values` must hold every field of `cls`."""
    obj = object.__new__(cls)
    _set_dict(obj, values)
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = set(cls.model_fields)
    _set_fields(obj, fields)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def evidence_of(
    rule_id: str, term: str, fi: int, start: int, end: int, text: str, how: str
) -> Evidence:
    return build(
        Evidence,
        {
            "rule_id": rule_id,
            "term": term,
            "field": FIELDS[fi],
            "start": start,
            "end": end,
            "text": text,
            "how": how,
        },
    )


def how_spelled(
    text: str,
    lower: str,
    lower_words: tuple[str, ...],
    folded: tuple[str, ...],
    spelled: list[str],
) -> str:
    """'exact' when the text spells the phrase up to case and punctuation, 'folded' when it
    differs only in spelling (Kiev/Kyiv), else 'stem' (another form of the same words).

    `spelled` are the text's folded words: for ASCII text they are its lowercased words,
    so neither check needs to split the text again."""
    low = text.lower()
    if low == lower:
        return "exact"
    if text.isascii():
        words = tuple(spelled)
        if words == lower_words:
            return "exact"
        return "folded" if not folded or tuple(map(canonical, words)) == folded else "stem"
    if tuple(WORD.findall(low)) == lower_words:
        return "exact"
    if not folded or fold_phrase(text) == folded:
        return "folded"
    return "stem"


_RANK = {f: i for i, f in enumerate(FIELDS)}


def text_order(ev: Evidence) -> tuple[int, int]:
    """Sort key: field (title, summary, content), then position."""
    return _RANK[ev.field], ev.start
