"""Figures in news text as values, written in digits or in words: "five" is 5, "2,000" is
"two thousand", "1.5 million" is 1,500,000, "35%" is "35 per cent".

Two reports of one event give its figures either way ("six dead" / "6 dead"), so the same-story
score counts shared figures by value and a follow-up calls a figure new only when no earlier
alert of the story has the same value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_SCALES = {
    "hundred": 100, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9
}  # fmt: skip
_WORD = "|".join(sorted(_UNITS, key=len, reverse=True))
_SCALE = r"\s?(?:hundred|thousand|million|billion)|(?:bn|m|k)(?![a-z])"
_FIGURE = re.compile(
    rf"(?<![\w.])(?P<cur>[$£€])?"
    rf"(?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?|(?:{_WORD})(?:[- ](?:{_WORD}))*)"
    rf"(?P<scale>{_SCALE})?"
    rf"(?P<pct>\s?(?:%|per ?cent))?(?:\s?(?:km|mph|miles|kg|tonnes))?(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure as written and as a value; percentages are told apart from counts."""

    text: str
    value: float
    percent: bool
    bare: bool
    """Only the number: no currency, scale, unit or per cent sign."""

    @property
    def key(self) -> tuple[float, bool]:
        """What two figures are compared by: "six" and "6" are equal, "6%" is not."""
        return self.value, self.percent

    @property
    def counts(self) -> bool:
        """Worth reporting: not a year ("in 2022"), not a bare one-digit count ("two sides")."""
        if self.bare and self.text.isdigit() and 1900 <= self.value <= 2100:
            return False
        return not (self.bare and self.value < 10)


def figures(text: str) -> list[Figure]:
    """Every figure of `text`, in order."""
    found = []
    for match in _FIGURE.finditer(text):
        number = match.group("num")
        value = float(number.replace(",", "")) if number[0].isdigit() else _in_words(number)
        if match.group("scale"):
            value *= _SCALES[match.group("scale").strip().casefold()]
        text = match.group().strip()
        found.append(Figure(text, value, bool(match.group("pct")), text == number))
    return found


def _in_words(number: str) -> float:
    """ "fifty-nine" → 59, "twenty one" → 21."""
    return float(sum(_UNITS[w] for w in re.split(r"[- ]", number.casefold()) if w))
