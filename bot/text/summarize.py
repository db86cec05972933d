"""Extractive summaries: the two or three sentences that say what happened, never the title again.

Lead-aware scoring (news puts the news first) plus word centrality and title overlap; no model, so
the same item always gets the same summary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.text.sentences import Span, split_sentences
from bot.text.stopwords import STOPWORDS

_BOILERPLATE = re.compile(
    r"^(?:author:|reporting by|editing by|writing by|read more|click here|sign up|subscribe|"
    r"follow (?:him|her|us)|our standards|all rights reserved|©|copyright|photo:|image:|"
    r"advertisement)"
    r"|follow (?:him|her|us) on|@\w+\s*$",
    re.IGNORECASE,
)
TITLE_DUPLICATE_JACCARD = 0.6


def _tokens(text: str) -> list[str]:
    return [
        w for w in re.findall(r"[^\W_]+(?:['’][^\W_]+)?", text.casefold()) if w not in STOPWORDS
    ]


def jaccard(a: str, b: str) -> float:
    """Token Jaccard similarity of two texts (stopwords ignored)."""
    sa, sb = set(_tokens(a)), set(_tokens(b))
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:—–-") + "…"


def summarize(
    title: str,
    text: str,
    *,
    max_sentences: int = 3,
    max_chars: int = 600,
    avoid: Sequence[str] = (),
) -> str:
    """Up to `max_sentences` sentences of `text`, in text order, within `max_chars` characters.

    Sentences holding any of `avoid` (the quotes the alert shows beside the summary) are left out,
    so the two never say the same words twice.
    """
    sentences = [
        s
        for s in (_outside_quotes(s, avoid) for s in split_sentences(text))
        if s is not None
        and len(_tokens(s.text)) >= 4
        and not _BOILERPLATE.search(s.text)
        and jaccard(s.text, title) < TITLE_DUPLICATE_JACCARD
        and not (title and s.text.strip().casefold() in title.casefold())
    ]
    if not sentences or max_sentences <= 0 or max_chars <= 0:
        return ""
    freq = Counter(t for s in sentences for t in set(_tokens(s.text)))
    title_words = set(_tokens(title))

    def score(index: int, span: Span) -> float:
        words = _tokens(span.text)
        centrality = sum(math.log1p(freq[w]) for w in set(words)) / (len(set(words)) + 4)
        overlap = len(title_words & set(words)) / (len(title_words) + 1)
        lead = 1.0 / (1.0 + index) + (0.5 if index == 0 else 0.0)
        length = 1.0 if 8 <= len(words) <= 40 else 0.6
        return (centrality + 1.5 * overlap + lead) * length

    ranked = sorted(range(len(sentences)), key=lambda i: -score(i, sentences[i]))
    chosen: list[int] = []
    used = 0
    for i in ranked:
        if len(chosen) >= max_sentences:
            break
        piece = sentences[i].text
        if any(jaccard(piece, sentences[j].text) >= TITLE_DUPLICATE_JACCARD for j in chosen):
            continue
        extra = len(_terminated(piece)) + (1 if chosen else 0)
        if used + extra > max_chars:
            continue
        chosen.append(i)
        used += extra
    if not chosen:
        return _shorten(sentences[ranked[0]].text, max_chars)
    return " ".join(_terminated(sentences[i].text) for i in sorted(chosen))


def _outside_quotes(sentence: Span, quotes: Sequence[str]) -> Span | None:
    """The sentence without the pieces of `quotes` it shares (None: it holds a whole one).

    A quote of several sentences is split with them: each of its sentences holds a piece of it
    and the last one the attribution ("…defence," Stoltenberg said at a press conference), so
    a piece is cut out and what is left around it stays to be summarised.
    """
    if any(contains_words(sentence.text, q) or contains_words(q, sentence.text) for q in quotes):
        return None  # it holds a whole quote, or it is one of a quote's sentences
    words = list(_WORD.finditer(sentence.text))
    folded = tuple(w.group().casefold() for w in words)
    cuts: list[tuple[int, int]] = []
    for quote in quotes:
        runs = _runs(_folded(quote).split())
        i = 0
        while i + QUOTE_RUN <= len(folded):
            if folded[i : i + QUOTE_RUN] not in runs:
                i += 1
                continue
            j = i + QUOTE_RUN
            while j < len(folded) and folded[j - QUOTE_RUN + 1 : j + 1] in runs:
                j += 1
            start, end = words[i].start(), words[j - 1].end()
            opened = i == 0 or _QUOTE_MARK.search(sentence.text[max(0, start - 2) : start])
            closed = j == len(folded) or _QUOTE_MARK.search(sentence.text[end : end + 3])
            if opened or closed:  # quoted words, not the reporter's own echo of them
                while start > 0 and sentence.text[start - 1] in _QUOTE_EDGE:
                    start -= 1
                while end < len(sentence.text) and sentence.text[end] in _QUOTE_EDGE + ",;:":
                    end += 1
                cuts.append((start, end))
            i = j
    if not cuts:
        return sentence
    kept, at = [], 0
    for start, end in sorted(cuts):
        kept.append(sentence.text[at:start])
        at = max(at, end)
    kept.append(sentence.text[at:])
    rest = " ".join("".join(kept).split()).strip(" ,;:-–—")
    rest = _LOOSE_STOP.sub(r"\1", rest)  # 'wrote in The New Yorker: .' → '…Yorker.'
    return Span(sentence.start, sentence.end, rest[:1].upper() + rest[1:])


QUOTE_RUN = 6
"""Words in a row that a sentence shares with a shown quote make that piece the quote's."""
_WORD = re.compile(r"[^\W_]+")
_QUOTE_EDGE = '"“”‘’«»'
_LOOSE_STOP = re.compile(r"[\s,;:–—-]+([.!?])$")
_QUOTE_MARK = re.compile(r"[\"“”‘’«»]")


def _runs(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[k : k + QUOTE_RUN]) for k in range(len(words) - QUOTE_RUN + 1)}


def _folded(text: str) -> str:
    """Words only, casefolded and single-spaced: "“We will,” he said." → "we will he said"."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def contains_words(text: str, phrase: str) -> bool:
    """`text` says `phrase` word for word (case and punctuation aside)."""
    inner = _folded(phrase)
    return bool(inner) and f" {inner} " in f" {_folded(text)} "


def _terminated(sentence: str) -> str:
    """A standfirst or heading has no full stop; add one so joined sentences stay readable."""
    return sentence + "." if sentence[-1:].isalnum() else sentence
