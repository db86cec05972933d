"""Word forms: folded words reduced to their Snowball English stem, to match inflections.

"talks", "talked" and "talking" share the stem "talk"; the stem of a word is taken after
canonical spelling (Kiev → kyiv), so both sides of a match are reduced the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import Stemmer

from bot.rules.fold import canonical, fold_word, phrase_words

_STEMMER = Stemmer.Stemmer("english")
_MEMO: dict[str, str] = {}
_MEMO_LIMIT = 200_000
"""Folded word → stem; cleared when full, so memory stays bounded on any stream of text."""


def stem_words(words: Sequence[str]) -> list[str]:
    """The stem of each folded word, in order (one stem per word, so indexes line up)."""
    memo = _MEMO
    out = [memo.get(w) for w in words]
    if None not in out:
        return out  # type: ignore[return-value]
    if len(memo) > _MEMO_LIMIT:
        memo.clear()
    result: list[str] = []
    for word, stem in zip(words, out, strict=True):
        if stem is None:
            stem = memo[word] = _STEMMER.stemWord(canonical(word))
        result.append(stem)
    return result


def stem_phrase(phrase: str) -> tuple[str, ...]:
    """The stems of a rule phrase's words."""
    return tuple(stem_words([fold_word(w) for w in phrase_words(phrase)]))
