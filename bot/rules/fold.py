"""Folding: rule phrases and item text reduced to comparable lowercase words.

Case, diacritics (NFKD), punctuation and quotes vanish; transliteration variants
(Kiev/Kyiv, Zelenskyy/Zelensky) share one canonical spelling. Words keep their index,
so a match on folded words maps back to character spans in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
"""A word is a run of letters and digits; everything else (quotes, hyphens, dots) separates."""
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")
_WIDE_SEPARATOR = re.compile(r"[^\w\x00-\x7f]+")
"""Non-ASCII characters that are not word characters (curly quotes, dashes): separators."""
_ASCII_FOLD = bytes(
    ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else ord(" ") for c in range(256)
)
"""bytes.translate table: ASCII letters lowercased, digits kept, everything else a space."""

VARIANTS: dict[str, str] = {
    # people
    "sergei": "sergey",
    "serguei": "sergey",
    "sergej": "sergey",
    "zelenski": "zelensky",
    "zelenskij": "zelensky",
    "zelenskyj": "zelensky",
    "volodimir": "volodymyr",
    "dmitri": "dmitry",
    "dmitriy": "dmitry",
    "alexey": "alexei",
    "aleksei": "alexei",
    "aleksey": "alexei",
    "navalnyy": "navalny",
    "shoygu": "shoigu",
    "yevgeniy": "yevgeny",
    "evgeny": "yevgeny",
    "evgeniy": "yevgeny",
    "yuriy": "yuri",
    "yurii": "yuri",
    "mykhailo": "mykhaylo",
    "oleksiy": "oleksii",
    "olexiy": "oleksii",
    "klychko": "klitschko",
    "medinskiy": "medinsky",
    # places
    "kiev": "kyiv",
    "kyyiv": "kyiv",
    "lugansk": "luhansk",
    "luhanske": "luhansk",
    "donbass": "donbas",
    "severodonetsk": "sievierodonetsk",
    "syevyerodonetsk": "sievierodonetsk",
    "sjewjerodonezk": "sievierodonetsk",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "nikolaev": "mykolaiv",
    "nikolayev": "mykolaiv",
    "mykolayiv": "mykolaiv",
    "dnepr": "dnipro",
    "dnieper": "dnipro",
    "dnepropetrovsk": "dnipro",
    "slavyansk": "sloviansk",
    "slovyansk": "sloviansk",
    "slaviansk": "sloviansk",
    "lisichansk": "lysychansk",
    "lysychanks": "lysychansk",
    "avdeevka": "avdiivka",
    "avdeyevka": "avdiivka",
    "avdiyivka": "avdiivka",
    "izyum": "izium",
    "gorlovka": "horlivka",
    "artemovsk": "bakhmut",
    "artemivsk": "bakhmut",
    "rubezhnoye": "rubizhne",
    "rubezhnoe": "rubizhne",
    "popasnaya": "popasna",
    "debaltsevo": "debaltseve",
    "zaporozhye": "zaporizhzhia",
    "zaporizhia": "zaporizhzhia",
    "zaporozhzhia": "zaporizhzhia",
    "zaporizhzhya": "zaporizhzhia",
    "chernigov": "chernihiv",
    "lvov": "lviv",
    "rovno": "rivne",
    "mariupil": "mariupol",
    "belorussia": "belarus",
    # British / American spelling
    "defense": "defence",
    "offense": "offence",
}
"""Variant spelling → canonical spelling, both already lowercase and free of diacritics."""

_SKY_SUFFIXES = frozenset({"skyy", "skiy", "skii", "skyi"})
"""Ukrainian/Russian surname endings transliterated many ways: Zelenskyy, Zelenskiy → Zelensky."""


def fold_word(word: str) -> str:
    """Lowercase one word and strip its diacritics (NFKD), keeping only letters and digits."""
    low = word.lower()
    if low.isascii():
        return low
    plain = "".join(c for c in unicodedata.normalize("NFKD", low) if c.isalnum())
    return plain or low


def canonical(folded: str) -> str:
    """The canonical spelling of a folded word: Kiev → kyiv, Zelenskiy → zelensky."""
    mapped = VARIANTS.get(folded)
    if mapped is not None:
        return mapped
    if len(folded) > 6 and folded[-4:] in _SKY_SUFFIXES:
        return folded[:-4] + "sky"
    return folded


@lru_cache(maxsize=4096)
def spellings(canon: str) -> tuple[str, ...]:
    """Every folded spelling whose canonical form is `canon` (the inverse of `canonical`)."""
    found = {canon} if canonical(canon) == canon else set()
    found.update(k for k, v in VARIANTS.items() if v == canon)
    if canon.endswith("sky"):
        stem = canon[:-3]
        found.update(stem + suffix for suffix in _SKY_SUFFIXES if canonical(stem + suffix) == canon)
    return tuple(sorted(found))


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words of a phrase as written (original case), split like item text."""
    return tuple(WORD.findall(phrase))


def fold_phrase(phrase: str) -> tuple[str, ...]:
    """The canonical folded words of a rule phrase or actor alias."""
    return tuple(canonical(fold_word(w)) for w in WORD.findall(phrase))


@dataclass(slots=True)
class FoldedText:
    """One field of an item as folded words, with a lazy map back to original spans.

    `joined` is " w1 w2 … wn ": folded words (not canonicalised) between single spaces,
    so a whole-word phrase is the substring " p1 p2 " and a word index is a count of spaces.
    """

    original: str
    joined: str
    folded_words: list[str] | None = field(default=None, repr=False)
    _spans: list[tuple[int, int]] | None = field(default=None, repr=False)

    def words(self) -> list[str]:
        """The folded words, in order."""
        if self.folded_words is None:
            self.folded_words = self.joined.split()
        return self.folded_words

    def spans(self) -> list[tuple[int, int]]:
        """Character span of each word in the original text."""
        if self._spans is None:
            pattern = _ASCII_WORD if self.original.isascii() else WORD
            self._spans = list(map(re.Match.span, pattern.finditer(self.original)))
        return self._spans

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Original character span from word `first` to word `last` inclusive."""
        spans = self.spans()
        return spans[first][0], spans[last][1]


def fold_text(text: str) -> FoldedText:
    """Fold item text: one C-speed pass when its words are ASCII, word by word otherwise.

    Text whose only non-ASCII characters separate words (curly quotes, dashes) takes the
    ASCII pass with them as spaces: its words and their spans are the same either way.
    """
    plain = text if text.isascii() else _WIDE_SEPARATOR.sub(" ", text)
    if plain.isascii():
        words = plain.encode("ascii").translate(_ASCII_FOLD).decode("ascii").split()
    else:
        words = [fold_word(w) for w in WORD.findall(text)]
    return FoldedText(text, f" {' '.join(words)} ", words)


def same_words_ignoring_case(original: str, phrase: str) -> bool:
    """True when `original` spells the phrase's words exactly, up to case and punctuation."""
    return [w.lower() for w in WORD.findall(original)] == [w.lower() for w in WORD.findall(phrase)]
