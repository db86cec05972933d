"""The names an actor is found by: its name, its aliases and, when unambiguous, a bare surname."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.rules.fold import fold_phrase, phrase_words
from bot.rules.schema import Actor, ActorKind

MIN_SURNAME = 3


def _surname(actor: Actor) -> str | None:
    words = phrase_words(actor.name)
    if actor.kind is not ActorKind.person or len(words) < 2 or len(words[-1]) < MIN_SURNAME:
        return None
    return words[-1]


def surnames(actors: Sequence[Actor]) -> dict[str, str]:
    """Actor id → bare surname, for persons whose surname no other actor shares or uses alone."""
    derived = {a.id: s for a in actors if (s := _surname(a)) is not None}
    counts = Counter(fold_phrase(s) for s in derived.values())
    for actor in actors:
        for alias in actor.names:
            folded = fold_phrase(alias)
            if len(folded) == 1 and derived.get(actor.id) != alias:
                counts[folded] += 1
    return {ident: s for ident, s in derived.items() if counts[fold_phrase(s)] == 1}


def actor_names(actor: Actor, surname: str | None) -> tuple[str, ...]:
    """Every phrase that names `actor`: name and aliases first, then its bare surname."""
    names = list(dict.fromkeys(actor.names))
    if surname is not None and surname not in names:
        names.append(surname)
    return tuple(names)
