"""What a later outlet's report of a story adds to the first: new quotes, numbers, names, places.

A follow-up in the story's thread says only what the reader has not seen yet. Both items are
compared as text (title, summary, quotes): a quote is new when neither the earlier item's quotes
nor its text hold most of its words; a number when the earlier text has no equal figure (years
and one-digit numbers aside: "2022", "two sides"); a name or place when it is a capitalised
phrase inside a sentence none of whose words the earlier text has.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Alert, Quote
from bot.text.stories import SPELLINGS, fold, wordset

MAX_EACH = 3
"""At most this many new quotes, numbers and names each: a thread line, not a second alert."""
SAME_QUOTE = 0.6
"""Share of a quote's words found in one earlier quote or in the earlier text that makes it old."""

_WORD = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")
_NUMBER = re.compile(
    r"(?<![\w.])[$£€]?\d+(?:[,.]\d+)*(?:\s?(?:%|per ?cent|bn|billion|million|m|km|mph))?(?!\w)",
    re.IGNORECASE,
)
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


def what_it_adds(earlier: Alert, later: Alert) -> Additions:
    """The quotes, numbers and names of `later` that `earlier` does not have."""
    before = f"{earlier.title}\n{earlier.summary}\n" + "\n".join(q.text for q in earlier.quotes)
    after = f"{later.title}\n{later.summary}"
    known_words = set(_words(before))
    known_quotes = [set(_words(q.text)) for q in earlier.quotes]
    quotes = tuple(
        q for q in later.quotes if not _known_quote(set(_words(q.text)), known_quotes, known_words)
    )[:MAX_EACH]
    known_numbers = {_number(n) for n in _NUMBER.findall(before)}
    numbers = _first(
        n.strip() for n in _NUMBER.findall(after) if _counts(n) and _number(n) not in known_numbers
    )
    names = _first(name for name in _names(after) if not set(_words(name)) & known_words)
    return Additions(quotes, numbers, names)


def _known_quote(words: set[str], quotes: list[set[str]], text: set[str]) -> bool:
    if not words:
        return True
    if any(len(words & q) >= SAME_QUOTE * len(words) for q in quotes):
        return True
    return len(words & text) >= SAME_QUOTE * len(words) and len(words) <= len(text)


def _words(text: str) -> list[str]:
    words = (re.sub(r"'s?$", "", w) for w in _WORD.findall(fold(text).casefold()))
    return [SPELLINGS.get(w, w) for w in words]


def _number(text: str) -> str:
    """A figure as compared: digits and unit, thousands separators and spacing aside."""
    text = text.casefold().replace(",", "").replace(" ", "").replace("percent", "%")
    return text.replace("per cent", "%").replace("percent", "%")


def _counts(number: str) -> bool:
    digits = re.sub(r"\D", "", number)
    if len(digits) == 4 and 1900 <= int(digits) <= 2100 and number.strip().isdigit():
        return False  # a year: "in 2022"
    return len(digits) > 1 or not number.strip().isdigit()


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
