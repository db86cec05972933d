"""What a later outlet's report of a story adds to the alerts before it: new quotes, numbers,
names, places.

A follow-up in the story's thread says only what the reader has not seen yet in the thread: the
story's first alert and every follow-up before this one. Items are compared as text (title,
summary, quotes): a quote is new when no earlier quote and not the earlier text hold most of its
words; a figure when no earlier alert has one of the same value, in digits or in words ("five" is
"5"; years and bare one-digit numbers aside: "2022", "two sides"); a name or place when it is a
capitalised phrase inside a sentence none of whose words the earlier text has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.models import Alert, Quote
from bot.rules.fold import canonical
from bot.text.stopwords import wordset
from bot.text.stories import fold
from bot.text.story_numbers import figures

MAX_EACH = 3
"""At most this many new quotes, numbers and names each: a thread line, not a second alert."""
SAME_QUOTE = 0.6
"""Share of a quote's words found in one earlier quote or in the earlier text that makes it old."""

_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_NAME = re.compile(r"[A-Z][\w'’-]+(?:[ \t]+(?:(?:of|de|al|bin|van|von)[ \t]+)?[A-Z][\w'’-]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“‘]\s*|\n\s*)$")
_NOT_NAMES = wordset(
    """
    a an the he she it they we i you his her its their our this that these those there here
    but and or so if as at in on of by for to with from after before when while where who
    what why how mr mrs ms dr sir monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    president premier prime minister foreign secretary chancellor senator governor mayor king
    queen
    """
)


@dataclass(frozen=True)
class Additions:
    """What the later item says that the earlier did not."""

    quotes: tuple[Quote, ...] = ()
    numbers: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def lines(self) -> tuple[str, ...]:
        """One short line per kind, for the follow-up message ("New quote: …")."""
        out = []
        for quote in self.quotes:
            said = f" ({quote.speaker})" if quote.speaker else ""
            out.append(f"New quote{said}: “{quote.text}”")
        if self.numbers:
            out.append("New figures: " + ", ".join(self.numbers))
        if self.names:
            out.append("New names: " + ", ".join(self.names))
        return tuple(out)


def what_it_adds(earlier: Sequence[Alert], later: Alert) -> Additions:
    """The quotes, figures and names of `later` that none of the `earlier` alerts has."""
    texts = [f"{a.title}\n{a.summary}\n" + "\n".join(q.text for q in a.quotes) for a in earlier]
    after = f"{later.title}\n{later.summary}"
    known_words = frozenset().union(*map(_word_set, texts))
    known_quotes = [_word_set(q.text) for a in earlier for q in a.quotes]
    quotes = tuple(
        q for q in later.quotes if not _known_quote(_word_set(q.text), known_quotes, known_words)
    )[:MAX_EACH]
    known_figures = frozenset().union(*map(_figure_keys, texts))
    numbers = _first(f.text for f in figures(after) if f.counts and f.key not in known_figures)
    names = _first(name for name in _names(after) if not _word_set(name) & known_words)
    return Additions(quotes, numbers, names)


@lru_cache(maxsize=512)
def _word_set(text: str) -> frozenset[str]:
    """The words of one alert's text, kept: each is compared with every later follow-up."""
    return frozenset(_words(text))


@lru_cache(maxsize=512)
def _figure_keys(text: str) -> frozenset[tuple[float, bool]]:
    return frozenset(f.key for f in figures(text))


def _known_quote(words: frozenset[str], quotes: list[frozenset[str]], text: frozenset[str]) -> bool:
    if not words:
        return True
    if any(len(words & q) >= SAME_QUOTE * len(words) for q in quotes):
        return True
    return len(words & text) >= SAME_QUOTE * len(words) and len(words) <= len(text)


def _words(text: str) -> list[str]:
    words = (re.sub(r"'s?$", "", w) for w in _WORD.findall(fold(text).casefold()))
    return [canonical(w.replace(".", "")) for w in words]


def _names(text: str) -> list[str]:
    """Capitalised phrases that do not start a sentence or the text, stop words and titles
    ("President") trimmed."""
    found = []
    for match in _NAME.finditer(text):
        words = match.group().split()
        start = match.start()
        if _SENTENCE_START.search(text[:start]):
            if len(words) == 1:
                continue  # "Police said", "Rescuers found": no telling a name from a first word
            start_word = words[0]
            if start_word.casefold() in _NOT_NAMES:
                words = words[1:]
        while words and words[0].casefold() in _NOT_NAMES:
            words = words[1:]
        if words:
            found.append(re.sub(r"['’]s?$", "", " ".join(words)))
    return found


def _first(values: Iterable[str]) -> tuple[str, ...]:
    """The first MAX_EACH distinct values, in text order."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
        if len(seen) == MAX_EACH:
            break
    return tuple(seen.values())
