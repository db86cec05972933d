"""One-letter typo tolerance for long names ("Donestk" → Donetsk), precise and fast.

Only capitalised rule words of 7+ letters are targets; a text word that is itself a word
of any rule is never "corrected", and a word near two targets is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.rules.fold import WORD, canonical, fold_word

MIN_TARGET = 7
MIN_TOKEN = MIN_TARGET - 1
_CACHE_LIMIT = 200_000


def one_edit_apart(a: str, b: str) -> bool:
    """True when one insertion, deletion, substitution or adjacent swap turns `a` into `b`."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la < lb:
        return a[i:] == b[i + 1 :]
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Typo targets (canonical words) and every known rule word (never corrected)."""

    targets: frozenset[str]
    known: frozenset[str]

    @classmethod
    def build(cls, phrases: Iterable[tuple[str, bool]]) -> Vocabulary:
        """From (phrase as written, accepts typos) pairs: capitalised long words are targets."""
        targets: set[str] = set()
        known: set[str] = set()
        for phrase, tolerant in phrases:
            for part in WORD.findall(phrase):
                word = canonical(fold_word(part))
                known.add(word)
                if tolerant and part[:1].isupper() and len(word) >= MIN_TARGET:
                    targets.add(word)
        return cls(frozenset(targets), frozenset(known))

    def correct_slowly(self, folded: str) -> str | None:
        """The target one edit from a folded word, by brute force (the reference definition)."""
        word = canonical(folded)
        if len(word) < MIN_TOKEN or word in self.known:
            return None
        found = [t for t in self.targets if one_edit_apart(word, t)]
        return found[0] if len(found) == 1 else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class TypoIndex:
    """Symmetric-delete index over the targets: a lookup costs one word's deletions, cached."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary
        self._index: dict[str, set[str]] = {}
        for target in vocabulary.targets:
            for key in {target} | _deletions(target):
                self._index.setdefault(key, set()).add(target)
        self._fixes: dict[str, str] = {}
        self.clean: set[str] = set()
        """Words already looked up that need no correction (set difference is C-speed)."""

    def __bool__(self) -> bool:
        return bool(self._index)

    def correct(self, folded: str) -> str | None:
        """The unique target one edit away from `folded`, else None (same as correct_slowly)."""
        fixed = self._fixes.get(folded)
        if fixed is not None or folded in self.clean:
            return fixed
        fixed = self._lookup(folded)
        if len(self.clean) + len(self._fixes) >= _CACHE_LIMIT:
            self.clean.clear()
            self._fixes.clear()
        if fixed is None:
            self.clean.add(folded)
        else:
            self._fixes[folded] = fixed
        return fixed

    def _lookup(self, folded: str) -> str | None:
        word = canonical(folded)
        if len(word) < MIN_TOKEN or word in self._vocabulary.known:
            return None
        candidates: set[str] = set()
        for key in {word} | _deletions(word):
            candidates |= self._index.get(key, set())
        found = [t for t in candidates if one_edit_apart(word, t)]
        return found[0] if len(found) == 1 else None
