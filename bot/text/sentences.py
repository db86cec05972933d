"""Sentence splitting for news prose: robust to abbreviations ("U.S.", "Mr.", "Feb.") and quotes.

Summaries and quote attribution both need sentence bounds; a regex splitter with an abbreviation
list is predictable and fast, and needs no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _wordset(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list (keeps long vocabularies readable)."""
    return frozenset(text.split())


ABBREVIATIONS = _wordset(
    """
        mr mrs ms dr prof sr jr st mt ft gen lt col maj capt cpt sgt cmdr adm brig cpl pvt gov
        sen rep pres supt insp det rev hon messrs mme mlle no nos vol vols fig figs inc corp co
        ltd llc plc dept univ assn bros est approx vs etc al cf ie eg jan feb mar apr jun jul
        aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun ave blvd rd hwy
        """
)
_END = re.compile(r"[.!?…]+[\"'”’)\]]*")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]*[A-Z0-9À-Ý]")


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of text and where it sits in the original string."""

    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Span]:
    """The non-empty lines of `text` (feeds and extractors put one paragraph per line)."""
    out: list[Span] = []
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(Span(m.start() + lead, m.start() + lead + len(stripped), stripped))
    return out


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at `dot` ends an abbreviation or an initial rather than a sentence."""
    m = re.search(r"([A-Za-z][A-Za-z.]*)$", text[:dot])
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S., a.m., U.N.
        return True
    if len(word) == 1 and word.isupper():  # initials: J. Smith
        return True
    return word.lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[Span]:
    """Split `text` into sentences, paragraph by paragraph, keeping offsets."""
    out: list[Span] = []
    for para in paragraphs(text):
        start = 0
        body = para.text
        for m in _END.finditer(body):
            end = m.end()
            if not _NEXT_START.match(body, end):
                continue
            if (
                body[m.start()] == "."
                and m.end() - m.start() == 1
                and _is_abbreviation(body, m.start())
            ):
                # "U.S. officials" ends no sentence, but "in the U.S. The next" usually does.
                nxt = body[end:].lstrip()[:1]
                if not (nxt in '"“' and nxt):
                    continue
            piece = body[start:end].strip()
            if piece:
                offset = body.index(piece, start)
                out.append(Span(para.start + offset, para.start + offset + len(piece), piece))
            start = end
        piece = body[start:].strip()
        if piece:
            offset = body.index(piece, start)
            out.append(Span(para.start + offset, para.start + offset + len(piece), piece))
    return out
