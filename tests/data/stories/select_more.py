"""Pick the second round of candidate pairs judged by hand (appended to pairs.jsonl).

The first round (select_pairs.py) took its same-story candidates from the top of a word-overlap
ranking, so same stories worded with few shared words were scarce. This round draws, at random
(`random.Random(SEED)`), cross-outlet pairs published on the same UTC day that share a rare word
in their titles (Zipf frequency under 3.5: a name, a place, an unusual word), whatever their
overlap, and not already in pairs.jsonl: 40 pairs whose earlier entry is before 2022-05-01 (for
fitting) and 40 from May (for the report). Prints one tab-separated pair a line. It chooses what
a person reads; it labels nothing, and it does not use the same-story method.
"""

import json
import random
import re
import sys
from pathlib import Path

from wordfreq import zipf_frequency

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[3] / "shared" / "data" / "news-2022-03-to-05.jsonl"
SEED = 20221204
EACH = 40
SPLIT = "2022-05-01"
WORD = re.compile(r"[a-z][a-z'-]+")


def rare_title_words(entry: dict[str, str]) -> set[str]:
    words = WORD.findall(entry["title"].lower().replace("’", "'"))
    return {w.removesuffix("'s") for w in words if zipf_frequency(w, "en") < 3.5}


def main(source: Path = SOURCE) -> None:
    rows = [json.loads(line) for line in source.open(encoding="utf-8")]
    done = set()
    for line in (HERE / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        pair = json.loads(line)
        done.add((pair["a"], pair["b"]))
    rare = [rare_title_words(r) for r in rows]
    early: list[tuple[int, int]] = []
    late: list[tuple[int, int]] = []
    for i, a in enumerate(rows):
        for j in range(i + 1, len(rows)):
            b = rows[j]
            if b["published"][:10] != a["published"][:10]:
                break
            if a["outlet"] == b["outlet"] or (a["link"], b["link"]) in done:
                continue
            if rare[i] & rare[j]:
                (early if a["published"] < SPLIT else late).append((i, j))
    rng = random.Random(SEED)
    for i, j in rng.sample(early, EACH) + rng.sample(late, EACH):
        sys.stdout.write(f"{rows[i]['link']}\t{rows[j]['link']}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
