"""Pick the candidate pairs of news-2022-03-to-05.jsonl entries that were judged by hand.

Pairs are of entries from different outlets published within 48 hours of each other, in three
strata: the most similar pairs by word overlap of title + description (same stories and hard
near-misses), pairs sharing a capitalised name but with lower overlap (same place or actor,
often a different event), and random same-day pairs. Prints one tab-separated pair a line.
This chooses what a person reads; it labels nothing.
"""

import json
import random
import re
import sys
from datetime import datetime
from itertools import combinations
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "news-2022-03-to-05.jsonl"
SEED = 20220315
TOP_SIMILAR = 260
SHARED_NAME = 110
RANDOM_SAME_DAY = 50
WINDOW_SECONDS = 48 * 3600

STOP_WORDS = (
    "a an the of to in on for and or but is are was were be been has have had it its at by "
    "from with as that this these those he she they we you i his her their our not no after "
    "over into about than more says say said will would could can may new what who how why "
    "s t up out one two us de"
)
STOP = set(STOP_WORDS.split())
WORD = re.compile(r"[a-z0-9']+")
NAME = re.compile(r"\b[A-Z][a-z]{3,}\b")


def words(entry: dict[str, str]) -> set[str]:
    text = f"{entry['title']} {entry.get('description') or ''}".lower()
    return {w for w in WORD.findall(text) if w not in STOP and len(w) > 2}


def names(entry: dict[str, str]) -> set[str]:
    return set(NAME.findall(entry["title"])) - {"Ukraine", "Russia", "Russian", "Ukrainian", "What"}


def when(entry: dict[str, str]) -> float:
    return datetime.strptime(entry["published"], "%Y-%m-%dT%H:%M:%SZ").timestamp()


def main(source: Path = SOURCE) -> None:
    rows = [json.loads(line) for line in source.open(encoding="utf-8")]
    bag = [words(r) for r in rows]
    times = [when(r) for r in rows]
    scored: list[tuple[float, int, int]] = []
    for i, j in combinations(range(len(rows)), 2):
        if rows[i]["outlet"] == rows[j]["outlet"] or abs(times[i] - times[j]) > WINDOW_SECONDS:
            continue
        union = bag[i] | bag[j]
        if union:
            scored.append((len(bag[i] & bag[j]) / len(union), i, j))
    scored.sort(reverse=True)
    chosen = [(i, j) for _, i, j in scored[:TOP_SIMILAR]]
    taken = set(chosen)
    rng = random.Random(SEED)
    middle = [
        (i, j) for s, i, j in scored[TOP_SIMILAR:] if s >= 0.05 and names(rows[i]) & names(rows[j])
    ]
    chosen += rng.sample([p for p in middle if p not in taken], SHARED_NAME)
    taken = set(chosen)
    same_day = [
        (i, j) for _, i, j in scored if rows[i]["published"][:10] == rows[j]["published"][:10]
    ]
    chosen += rng.sample([p for p in same_day if p not in taken], RANDOM_SAME_DAY)
    for i, j in chosen:
        sys.stdout.write(f"{rows[i]['link']}\t{rows[j]['link']}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
