"""One story, many outlets: a 64-bit SimHash of title + lead to find later reports of a story.

SimHash rather than MinHash: one signed 64-bit integer per item fits a BIGINT column on SQLite and
PostgreSQL, and comparing two items is one XOR and a popcount, cheap enough to scan every item of
a time window. Features are normalised words cut to 5-letter stems (accents, case, possessives
off, spellings made canonical as the rule matcher does, stopwords dropped: "Ukraine"/"Ukrainian"
meet), hashed with BLAKE2b so fingerprints are stable across runs. Bigrams were measured and
lost recall on reworded headlines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from bot.rules.fold import canonical
from bot.text.stopwords import NEWS_WORDS, STOPWORDS

BITS = 64
STEM = 5
_MASK = (1 << BITS) - 1
SAME_STORY_MAX_DISTANCE = 12
"""Hamming distance at or under which two fingerprints are the same story. Tuned on 100 hand-judged
same-event headline pairs (tests/data/headline_pairs.json): recall 0.62 at 12, 0.78 at 14; false
merges of unrelated headlines 0 in 300,000 random pairs at 12, 5 at 14. A false merge hides real
news, a miss only repeats it, so the default is the stricter one."""
_DROP = STOPWORDS | NEWS_WORDS
COUNTRIES = {"US": "usa", "U.S": "usa", "USA": "usa", "UK": "britain", "U.K": "britain"}
"""Country abbreviations, read in capitals only ("US" the country, not "us"); spelling variants
of names and places come from the rule matcher's `canonical`."""


def fold(text: str) -> str:
    """Accents off, curly apostrophes straightened; case kept (names are told by it)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    out: list[str] = []
    for token in re.findall(r"[A-Za-z0-9]+(?:\.[A-Za-z0-9]+)*(?:'[A-Za-z]+)?", fold(text)):
        word = COUNTRIES.get(token) or canonical(
            re.sub(r"'s$|'$", "", token.casefold()).replace("'", "").replace(".", "")
        )
        if word and word not in _DROP:
            out.append(word[:STEM])
    return out


def _hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")


def fingerprint(title: str, lead: str = "") -> int:
    """SimHash of the title (weighted double) and the lead, as a signed 64-bit integer."""
    weights = [0] * BITS
    for text, weight in ((title, 2), (lead[:300], 1)):
        for feature in _words(text):
            h = _hash(feature)
            for bit in range(BITS):
                weights[bit] += weight if h >> bit & 1 else -weight
    value = sum(1 << bit for bit in range(BITS) if weights[bit] > 0)
    return value - (1 << BITS) if value >> (BITS - 1) else value


def distance(a: int, b: int) -> int:
    """Hamming distance between two fingerprints (signed or unsigned 64-bit forms)."""
    return ((a ^ b) & _MASK).bit_count()


def same_story(a: int, b: int, *, max_distance: int = SAME_STORY_MAX_DISTANCE) -> bool:
    """True when two fingerprints are close enough to be the same story."""
    return distance(a, b) <= max_distance
