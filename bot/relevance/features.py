"""What a relevance model sees of a candidate: its words, what the rules found, who it names.

Features are names that are present or not: word stems of the title (`t:`) and of title and
summary together (`w:`, with stem pairs), the actors named (`actor:`), the rules that matched
(`rule:`), the scored rule's terms that matched (`term:`), and `any` when one of the rule's
`any` terms did. Binary features keep a model a plain table of weights (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import Stemmer

from bot.models import Item, MatchResult, RuleMatch
from bot.rules.fold import WORD, canonical, fold_word

MAX_WORDS = 400
"""Words read per field: a long summary adds little past this, and the cost stays bounded."""

_STOP = "a an the of in on at to for from by with and or but is are was were be been has have had"
STOPWORDS = frozenset(
    (_STOP + " it its as that this these those will would can could may might s").split()
)
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def stem(folded: str) -> str:
    """The Snowball stem of a folded word (talks, talked → talk), after canonical spelling."""
    return str(_stemmer.stemWord(canonical(folded)))


@dataclass(slots=True)
class Features:
    """A candidate's features, and the word each stem was spelled as (to show a user)."""

    present: set[str] = field(default_factory=set)
    spelled: dict[str, str] = field(default_factory=dict)

    def add_text(self, prefix: str, text: str, *, pairs: bool) -> None:
        found = WORD.findall(text[: MAX_WORDS * 12])[:MAX_WORDS]
        stems = []
        for word in found:
            s = stem(fold_word(word))
            stems.append(s)
            if s not in STOPWORDS:
                self.present.add(prefix + s)
                self.spelled.setdefault(s, word)
        if pairs:
            for a, b in pairwise(stems):
                if a not in STOPWORDS or b not in STOPWORDS:
                    self.present.add(f"{prefix}{a} {b}")


def features(
    item: Item, found: MatchResult, candidate: RuleMatch, *, any_matched: bool
) -> Features:
    """The features of `item` as a candidate of one rule, whose (boolean or context) match is
    `candidate`, given everything the boolean matcher `found`."""
    out = Features()
    out.add_text("t:", item.title, pairs=False)
    out.add_text("w:", f"{item.title}\n{item.summary}", pairs=True)
    for actor in found.actors:
        out.present.add(f"actor:{actor.actor_id}")
    for match in found.rules:
        out.present.add(f"rule:{match.rule_id}")
    for ev in candidate.evidence:
        out.present.add(f"term:{ev.term}")
        out.spelled.setdefault(f"term:{ev.term}", ev.text)
    if any_matched:
        out.present.add("any")
    return out


def readable(feature: str, spelled: dict[str, str]) -> str | None:
    """The words a feature stands for, as the item spelled them; None for non-word features."""
    head, _, rest = feature.partition(":")
    if head in ("t", "w"):
        return " ".join(spelled.get(s, s) for s in rest.split(" "))
    if head == "term":
        return spelled.get(feature)
    return None
