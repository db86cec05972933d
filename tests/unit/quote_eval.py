"""Scoring of `find_quotes` against the hand-labelled articles in tests/data/articles/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.config import load_config
from bot.models import Item, Quote
from bot.rules.compile import compile_rules
from bot.text.enrich import enrich
from bot.text.quotes import find_quotes, fold

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
_NOT_NAMES = {"jr", "sr", "ii", "iii", "j"}


def _tokens(text: str) -> set[str]:
    return {t.strip(".,;:!?\"'“”‘’[]()") for t in fold(text).split()} - {""}


def same_quote(predicted: str, labelled: str) -> bool:
    """The same quote: one contains the other, or their words overlap by 60% or more."""
    p, g = fold(predicted).strip(" .,"), fold(labelled).strip(" .,")
    if p and g and (p in g or g in p) and min(len(p), len(g)) >= 0.5 * max(len(p), len(g)):
        return True
    tp, tg = _tokens(predicted), _tokens(labelled)
    return bool(tp and tg) and len(tp & tg) / len(tp | tg) >= 0.6


def same_speaker(predicted: str | None, labelled: str | None) -> bool:
    if predicted is None or labelled is None:
        return predicted is labelled
    return bool((_tokens(predicted) & _tokens(labelled)) - _NOT_NAMES)


@dataclass
class Score:
    quotes_found: int = 0
    quotes_labelled: int = 0
    quotes_matched: int = 0
    speakers_named: int = 0  # predicted non-null speakers on matched quotes
    speakers_labelled: int = 0  # labelled non-null speakers on all labelled quotes
    speakers_right: int = 0  # predicted name = labelled name
    anonymous_guessed: int = 0  # a name given where the article names nobody

    @property
    def quote_precision(self) -> float:
        return self.quotes_matched / max(self.quotes_found, 1)

    @property
    def quote_recall(self) -> float:
        return self.quotes_matched / max(self.quotes_labelled, 1)

    @property
    def speaker_precision(self) -> float:
        return self.speakers_right / max(self.speakers_named, 1)

    @property
    def speaker_recall(self) -> float:
        return self.speakers_right / max(self.speakers_labelled, 1)


def score_article(data: dict[str, object], score: Score, verbose: bool = False) -> None:
    labels = data["quotes"]
    assert isinstance(labels, list)
    found: list[Quote] = find_quotes(str(data["text"]), outlets=[str(data.get("source", ""))])
    score.quotes_found += len(found)
    score.quotes_labelled += len(labels)
    score.speakers_labelled += sum(1 for lab in labels if lab["speaker"])
    used: set[int] = set()
    for lab in labels:
        hit = next(
            (i for i, q in enumerate(found) if i not in used and same_quote(q.text, lab["quote"])),
            None,
        )
        if hit is None:
            if verbose:
                print("  MISSED", lab["quote"][:60], "|", lab["speaker"])
            continue
        used.add(hit)
        q = found[hit]
        score.quotes_matched += 1
        if q.speaker is not None:
            score.speakers_named += 1
            if lab["speaker"] is None:
                score.anonymous_guessed += 1
            elif same_speaker(q.speaker, lab["speaker"]):
                score.speakers_right += 1
        if verbose and not same_speaker(q.speaker, lab["speaker"]):
            print("  SPEAKER", q.text[:50], "| got", q.speaker, "| want", lab["speaker"])
    if verbose:
        for i, q in enumerate(found):
            if i not in used:
                print("  EXTRA", q.text[:60], "|", q.speaker)


def evaluate(split: str | None = None, verbose: bool = False, *, flatten: bool = False) -> Score:
    """Score every article (or those of one `split`: "dev", the default, or "heldout").

    `flatten` joins each text into one line, as feeds that drop paragraph breaks deliver it.
    """
    score = Score()
    for path in sorted(ARTICLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if split is not None and data.get("split", "dev") != split:
            continue
        if flatten:
            data["text"] = " ".join(str(data["text"]).split())
        if verbose:
            print(path.name)
        score_article(data, score, verbose)
    return score


@dataclass
class Tally:
    articles: int = 0
    key: int = 0
    key_in_top: int = 0
    shown: int = 0
    wrong_speaker: int = 0
    repeats: int = 0

    def line(self, name: str) -> str:
        share = self.key_in_top / max(self.key, 1)
        return (
            f"{name:8} articles={self.articles:2} key@3={self.key_in_top}/{self.key} "
            f"({share:.2f}) shown={self.shown} wrong_speaker={self.wrong_speaker} "
            f"repeats={self.repeats}"
        )


def repeated_in(summary: str, quote: str) -> bool:
    """The summary already says the quote: its folded words appear there, or most of them do."""
    s, q = fold(summary), fold(quote).strip(" .,")
    return bool(q) and (q in s or (same_quote(summary, quote) and len(q) > 0.5 * len(s)))


def alert_tallies(verbose: bool = False) -> dict[str, Tally]:
    """Key quotes shown, wrong speakers and repeats of the alerts built from every article."""
    config = load_config(ARTICLES.parents[2] / "config")
    actors = tuple(config.actors.actors)
    matcher = compile_rules(tuple(config.rules.rules), actors)
    tallies = {"dev": Tally(), "heldout": Tally()}
    for path in sorted(ARTICLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        tally = tallies[data.get("split", "dev")]
        item = Item(
            feed_id=0,
            identity=path.name,
            title=data["title"],
            summary=data["text"],
            source=data.get("source", ""),
        )
        content = enrich(item, matcher.match(item), actors)
        top = content.quotes
        tally.articles += 1
        tally.shown += len(top)
        keys = [q for q in data["quotes"] if q.get("key")]
        tally.key += len(keys)
        for lab in keys:
            if any(same_quote(q.text, lab["quote"]) for q in top):
                tally.key_in_top += 1
            elif verbose:
                print(f"  {path.name}: key quote not shown: {lab['quote'][:70]}")
        for q in top:
            lab = next((x for x in data["quotes"] if same_quote(q.text, x["quote"])), None)
            if lab is not None and q.speaker and not same_speaker(q.speaker, lab["speaker"]):
                tally.wrong_speaker += 1
                if verbose:
                    print(f"  {path.name}: {q.text[:50]} | {q.speaker} != {lab['speaker']}")
            if repeated_in(content.summary, q.text):
                tally.repeats += 1
                if verbose:
                    print(f"  {path.name}: summary repeats {q.text[:60]}")
    return tallies


if __name__ == "__main__":
    for name in ("dev", "heldout", None):
        s = evaluate(name, verbose=name == "heldout")
        print(name or "all", s)
        print(
            f"  quotes P={s.quote_precision:.3f} R={s.quote_recall:.3f}; "
            f"speakers P={s.speaker_precision:.3f} R={s.speaker_recall:.3f}"
        )
