"""Direct quotes and who said them: the "who said what" of an alert.

Heuristic, explainable and model-free: quote marks are paired per paragraph, the attribution clause
next to each quote names a speaker ("X said", "said X", "X, the head of …, said", "X said: …"), and
pronouns or role nouns resolve to the last named person they fit. News agencies are sources, never
speakers, and a quote whose speaker cannot be found keeps ``speaker=None``. No NER model: spaCy's
person names changed no score on the labelled articles and cost ~10 ms an item (18× the rest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot.models import Quote
from bot.rules.schema import Actor
from bot.text.quote_clauses import attribute_after, attribute_before
from bot.text.quote_lexicon import DETERMINERS, NEWS_OUTLETS, VERB_ALT, fold
from bot.text.quote_people import People, resolve
from bot.text.quote_spans import (
    RawQuote,
    after_text,
    before_text,
    clause_final,
    ends_para,
    quote_spans,
)
from bot.text.sentences import Span, paragraphs
from bot.text.stopwords import STOPWORDS

__all__ = ["MAX_TEXT_CHARS", "find_quotes", "fold"]

MAX_TEXT_CHARS = 50_000
"""Quotes are looked for in the first 50,000 characters: a long article's key quotes come early, and
a hostile feed cannot make attribution (worst case quadratic in names × quotes) run long."""


CARRY_WORDS = 20
"""At most this many words between two quotes of one paragraph for the second to share a speaker."""


def _short_quote_is_speech(text: str, raw: RawQuote, n_words: int, before: str) -> bool:
    """1–3 quoted words are speech when attributed and closing a clause, or a 2–3 word predicate.

    "was “unacceptable.”" and "want to “imitate talks”" are quotes; "the “first stage” of" and
    "to “liberating” Donbas" are scare quotes.
    """
    if raw.speaker is None:
        return False
    if clause_final(text, raw):
        return True
    previous = before.split()[-1:] if before.split() else [""]
    return n_words >= 2 and previous[0].lower() not in DETERMINERS


def _clean(quote: str) -> str:
    return " ".join(quote.split()).strip(" ,;:—–-")


def find_quotes(
    text: str,
    actors: Sequence[Actor] = (),
    *,
    priority_actor_ids: Iterable[str] = (),
    outlets: Iterable[str] = (),
    title: str = "",
) -> list[Quote]:
    """Direct and partial quotes in `text` with their speakers, best first.

    Ranked by `_rank`: quotes by `priority_actor_ids` (the actors an item matched) weigh most.
    `outlets` adds names
    (e.g. the feed's publisher) that are sources, never speakers; `title` (the headline) says what
    the story is about.
    """
    text = text[:MAX_TEXT_CHARS]
    outlet_set = NEWS_OUTLETS | {fold(o) for o in outlets if o}
    paras = paragraphs(text)
    raws = quote_spans(text)
    if not raws:  # nothing to attribute: skip finding who the text names (the costly part)
        return []
    people = People(text, actors, outlet_set)
    for i, raw in enumerate(raws):
        para = paras[raw.para]
        prev_close = raws[i - 1].end + 1 if i and raws[i - 1].para == raw.para else para.start
        nxt_open = (
            raws[i + 1].start - 1
            if i + 1 < len(raws) and raws[i + 1].para == raw.para
            else para.end
        )
        before = before_text(text, raw, para.start, prev_close)
        after = after_text(text, raw, para.end, nxt_open) if raw.closed else ""
        inner = text[raw.start : raw.end].strip()
        closed = inner[-1:] in ".!?"
        found = attribute_after(after, sentence_closed=closed) if after else None
        how = "after"
        if found is None and before.strip():
            found = attribute_before(before)
            how = "before"
        at = raw.start - len(before) - 1 if how == "before" else raw.start
        raw.speaker = resolve(found, people, at)
        raw.how = how if raw.speaker else ""
        stripped_before = before.strip()
        raw.partial = bool(inner[:1].islower()) or bool(
            stripped_before and not re.search(rf"(?:[:,—]|\b(?:{VERB_ALT}))$", stripped_before)
        )
        n_words = len(inner.split())
        if n_words <= 3 and not _short_quote_is_speech(text, raw, n_words, before):
            raw.key = False
        if not re.search(r"[^\W\d_]{2}", inner):
            raw.key = False
    _carry_speakers(raws, text, paras)
    return _rank(text, raws, people, set(priority_actor_ids), title)


def _carry_speakers(raws: list[RawQuote], text: str, paras: Sequence[Span]) -> None:
    """Unattributed quotes continuing an attributed one (same paragraph or a quote run) share it."""
    for i in range(1, len(raws)):
        raw, prev = raws[i], raws[i - 1]
        if raw.speaker or not prev.speaker or not raw.key:
            continue
        same_para = prev.para == raw.para
        runs_on = (
            (not prev.closed or (prev.para == raw.para - 1 and ends_para(prev, text, paras)))
            and raw.para == prev.para + 1
            and raw.at_para_start
        )
        between = text[prev.end + 1 : raw.start - 1]
        same_sentence = same_para and not re.search(r"[.!?][”\"’]?\s+[A-Z“\"]", between)
        # a full quote takes the speaker of a quote a short clause before it; prose in between
        # (another person's news, once a feed lost its paragraph breaks) ends the run
        next_in_run = not raw.partial and len(between.split()) <= CARRY_WORDS
        if (same_para and (next_in_run or same_sentence)) or runs_on:
            raw.speaker = prev.speaker
    for i in range(len(raws) - 2, -1, -1):  # an unclosed paragraph quote takes its run's speaker
        raw, nxt = raws[i], raws[i + 1]
        if (
            not raw.speaker
            and not raw.closed
            and nxt.speaker
            and nxt.para == raw.para + 1
            and nxt.at_para_start
        ):
            raw.speaker = nxt.speaker


def _words(text: str) -> set[str]:
    """Content words of a text, folded, for "is this quote about what the story is about"."""
    return {w for w in re.findall(r"[^\W\d_]{3,}", fold(text)) if w not in STOPWORDS}


def _prose(text: str, raws: Sequence[RawQuote]) -> str:
    """The text with its quotes blanked: the reporter's own words say what the story is about."""
    parts, at = [], 0
    for raw in raws:
        parts.append(text[at : raw.start])
        at = max(at, raw.end)
    parts.append(text[at:])
    return " ".join(parts)


def _rank(
    text: str, raws: list[RawQuote], people: People, priority: set[str], title: str
) -> list[Quote]:
    """Best first: what an alert's reader should see of the story in three quotes.

    A quote by an actor the item matched weighs most, then one by a person the headline names;
    full statements beat partial and scare-length quotes; words shared with the headline and
    lead, length, a known speaker and an early position add to it.
    """
    total = max(len(text), 1)
    about = _words(f"{title} {_prose(text, raws)[:400]}")
    named = _words(title)
    scored: list[tuple[float, Quote]] = []
    seen: set[str] = set()
    for raw in raws:
        if not raw.key:
            continue
        body = _clean(text[raw.start : raw.end])
        if raw.partial:
            body = body.rstrip(".")
        key = fold(body)
        if not body or key in seen:
            continue
        seen.add(key)
        actor = people.actor_for(raw.speaker) if raw.speaker else None
        speaker = actor.name if actor is not None else raw.speaker
        quote = Quote(
            text=body, speaker=speaker, actor_id=actor.id if actor else None, partial=raw.partial
        )
        words = _words(body)
        n_words = len(body.split())
        salience = (
            min(n_words, 40) / 40
            + (0.6 if speaker else 0.0)
            + (2.0 if actor is not None and actor.id in priority else 0.0)
            + (0.8 if speaker and _words(speaker) & named else 0.0)
            + (0.3 if not raw.partial else -0.7 if n_words <= 4 else -0.3)
            + 1.5 * len(words & about) / (len(words) + 3)
            + 0.3 * (1 - raw.start / total)
        )
        scored.append((-salience, quote))
    scored.sort(key=lambda t: t[0])
    return [q for _s, q in scored]
