"""Same story across outlets, decided from title, description and time apart, not the title alone.

Each item is reduced once to `StoryFacts`: its words (accents, case, plurals and spellings
folded, stopwords dropped), each weighted by how rare it is in English (wordfreq's Zipf scale:
"war" weighs little, "Ovsyannikova" or "Kharkiv" much), so shared names and places count more
than shared common words. Two items then get a linear score, every term of which can be shown:

    score = 7.3·overlap(title+description) + 2.6·overlap(titles)
          + 2.7·(overlap(title a, all of b) + overlap(title b, all of a)) − 2.5·days apart − 2.1

where overlap is the weighted Jaccard of two word sets. Weights were fitted (logistic
regression, `bench/stories.py --fit`) on the March–April pairs of tests/data/stories/pairs.jsonl
and the threshold chosen there (a refit after the -ing/-ed stemming scored lower there at its
best point, so these stayed); figures on the May pairs, not tuned on, are in
`bench/stories.py`'s output. Days apart matter: a later development of the same saga (the
slap, then the apology) shares the words of the first report but comes a day or more after it.
Names and places are not a separate term: their rarity already makes them the heaviest words
(a separate shared-names term was fitted and weighed nothing), and `compare` lists them first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from wordfreq import zipf_frequency

from bot.text.stories import SPELLINGS, STOPWORDS, fold

WEIGHTS = {"text": 7.3, "title": 2.6, "cross": 2.7, "days": -2.5}
BIAS = -2.1
THRESHOLD = 1.0
"""Score at or above which two items are one story. On the March–April pairs: precision 0.91,
recall 0.64 (0.5 would give about 0.87 / 0.70). A false merge hides a story inside another's
thread, a miss only sends a second alert, so the stricter point."""
MAX_DAYS = 2.0
"""Time apart is counted up to two days (the story window); further apart is not the same story."""
DESCRIPTION_CHARS = 400
RARE = 7.0
"""A word's weight is RARE minus its Zipf frequency (7.7 for "the", 0 for unknown names)."""

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'][A-Za-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """What one item brings to the comparison: weighted words of its title and of all its text."""

    title: dict[str, float]
    text: dict[str, float]
    at: float | None
    """Publication (or first-seen) time, POSIX seconds; None when unknown."""
    title_weight: float = 0.0
    text_weight: float = 0.0
    words: frozenset[str] = frozenset()
    """The keys of `text`: items sharing none are told apart in one set operation."""


@dataclass(frozen=True, slots=True)
class StoryMatch:
    """Why two items are, or are not, one story."""

    score: float
    same: bool
    shared: tuple[str, ...]
    """The shared words, heaviest first (names and places come first)."""
    days_apart: float


def story_facts(title: str, description: str = "", published: datetime | None = None) -> StoryFacts:
    """An item's facts for `compare`; computed once per item, then compared many times."""
    heading = _weighted(title)
    text = _weighted(description[:DESCRIPTION_CHARS])
    text.update(heading)
    at = published.timestamp() if published else None
    return StoryFacts(heading, text, at, sum(heading.values()), sum(text.values()), frozenset(text))


def compare(a: StoryFacts, b: StoryFacts) -> StoryMatch:
    """The score of two items and what it rests on."""
    score, days = _score(a, b)
    shared = sorted(a.text.keys() & b.text.keys(), key=lambda w: (-a.text[w], w))
    same = score >= THRESHOLD and days < MAX_DAYS
    return StoryMatch(round(score, 3), same, tuple(shared), round(days, 2))


def same_story(a: StoryFacts, b: StoryFacts) -> bool:
    """True when two items from different outlets report the same event."""
    score, days = _score(a, b)
    return score >= THRESHOLD and days < MAX_DAYS


def features(a: StoryFacts, b: StoryFacts) -> tuple[float, float, float, float]:
    """The score's terms before weighting: text, title and cross overlaps, days apart."""
    days = min(abs(a.at - b.at) / 86400, MAX_DAYS) if a.at is not None and b.at is not None else 0
    shared = a.words & b.words
    if not shared:
        return 0.0, 0.0, 0.0, days
    weight = {w: min(a.text[w], b.text[w]) for w in shared}  # "symbol", "symbols": one stem
    text = _jaccard(sum(weight.values()), a.text_weight, b.text_weight)
    title = _jaccard(
        sum(v for w, v in weight.items() if w in a.title and w in b.title),
        a.title_weight,
        b.title_weight,
    )
    cross = _jaccard(
        sum(v for w, v in weight.items() if w in a.title), a.title_weight, b.text_weight
    ) + _jaccard(sum(v for w, v in weight.items() if w in b.title), b.title_weight, a.text_weight)
    return text, title, cross, days


def _score(a: StoryFacts, b: StoryFacts) -> tuple[float, float]:
    text, title, cross, days = features(a, b)
    w = WEIGHTS
    return BIAS + w["text"] * text + w["title"] * title + w["cross"] * cross + w[
        "days"
    ] * days, days


def _jaccard(shared: float, a_total: float, b_total: float) -> float:
    """Weighted Jaccard, Σmin / Σmax, from the shared words' smaller weights and the totals."""
    union = a_total + b_total - shared
    return shared / union if union > 0 else 0.0


def _weighted(text: str) -> dict[str, float]:
    words: dict[str, float] = {}
    for match in _TOKEN.finditer(fold(text)):
        word = match.group().casefold()
        word = SPELLINGS.get(word, word)
        if len(word) < 2 or word in STOPWORDS:
            continue
        words[_stem(word)] = _weight(word)
    return words


def warm_up() -> None:
    """Load wordfreq's English list now (~3 s, ~52 MB once a process), not inside the first
    poll's transaction, which would hold the database's write lock meanwhile."""
    zipf_frequency("news", "en")


@lru_cache(maxsize=65536)
def _weight(word: str) -> float:
    return max(0.0, RARE - zipf_frequency(word, "en"))


def _stem(word: str) -> str:
    """Possessives, plurals, -ing and -ed off, cut to 7 letters: "floods"/"flooding"."""
    word = re.sub(r"'s$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    elif len(word) > 6 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 5 and word.endswith("ed"):
        word = word[:-2]
    return word[:7]
