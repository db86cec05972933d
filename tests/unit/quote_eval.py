"""Scoring of `find_quotes` against the hand-labelled articles in tests/data/articles/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.models import Quote
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


def evaluate(split: str | None = None, verbose: bool = False) -> Score:
    """Score every article (or those of one `split`: "dev", the default, or "heldout")."""
    score = Score()
    for path in sorted(ARTICLES.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if split is not None and data.get("split", "dev") != split:
            continue
        if verbose:
            print(path.name)
        score_article(data, score, verbose)
    return score


if __name__ == "__main__":
    for name in ("dev", "heldout", None):
        s = evaluate(name, verbose=name == "heldout")
        print(name or "all", s)
        print(
            f"  quotes P={s.quote_precision:.3f} R={s.quote_recall:.3f}; "
            f"speakers P={s.speaker_precision:.3f} R={s.speaker_recall:.3f}"
        )
