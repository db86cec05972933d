"""Quoted spans: quote marks paired per paragraph, and the text around each quote."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text.quote_lexicon import CLOSERS, OPEN
from bot.text.sentences import Span, paragraphs


@dataclass(slots=True)
class RawQuote:
    """A quoted span found in the text, before attribution."""

    para: int
    start: int  # offset of the inner text in the whole text
    end: int
    closed: bool
    at_para_start: bool
    speaker: str | None = None
    how: str = ""
    partial: bool = False
    key: bool = True


def quote_spans(text: str) -> list[RawQuote]:
    """Pair quote marks paragraph by paragraph; an unclosed quote runs to its paragraph's end."""
    found: list[RawQuote] = []
    for index, para in enumerate(paragraphs(text)):
        body = para.text
        open_at: int | None = None
        closer = ""
        i = 0
        while i < len(body):
            ch = body[i]
            if open_at is None:
                if ch in OPEN and (ch != '"' or i == 0 or not body[i - 1].isalnum()):
                    open_at, closer = i, OPEN[ch]
            elif ch == closer or (ch in CLOSERS and ch != "“") or (ch == "“" and closer == "”"):
                if ch == "“" and closer == "”":  # a new opening before a close: restart there
                    open_at = i
                else:
                    found.append(
                        RawQuote(
                            index, para.start + open_at + 1, para.start + i, True, open_at == 0
                        )
                    )
                    open_at = None
            i += 1
        if open_at is not None and len(body) - open_at > 20:
            found.append(RawQuote(index, para.start + open_at + 1, para.end, False, open_at == 0))
    return found


def after_text(text: str, raw: RawQuote, para_end: int, next_open: int) -> str:
    """Text after a quote up to the end of its sentence, the next quote or the paragraph end."""
    stop = min(para_end, next_open)
    chunk = text[raw.end + 1 : stop]
    m = re.search(r"[.!?](?=\s|$)", chunk)
    return chunk[: m.start()] if m else chunk


def before_text(text: str, raw: RawQuote, para_start: int, prev_close: int) -> str:
    """Text before a quote back to the start of its sentence (or the previous quote)."""
    begin = max(para_start, prev_close)
    chunk = text[begin : raw.start - 1]
    ends = list(re.finditer(r"(?<![A-Z])[.!?][”\"’]?(?=\s+[A-Z“\"]|\s*$)", chunk))
    return chunk[ends[-1].end() :] if ends else chunk


def clause_final(text: str, raw: RawQuote) -> bool:
    inner = text[raw.start : raw.end].rstrip()
    if inner[-1:] in {".", ",", "!", "?", ";", ":", "…"}:
        return True
    nxt = text[raw.end + 1 : raw.end + 2]
    return nxt == "" or nxt in ".,;:!?)—–\n"


def ends_para(raw: RawQuote, text: str, paras: Sequence[Span]) -> bool:
    """True when nothing but a short attribution follows the quote in its paragraph."""
    tail = text[raw.end + 1 : paras[raw.para].end]
    return len(tail) < 80 and '"' not in tail and "“" not in tail
