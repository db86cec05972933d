"""Pick and order the entries of news-2022-03-to-05.jsonl that were labelled by hand.

The set is every war-related entry (the pattern below, over title + description)
plus a seeded random sample of the others, 150 per month. Prints one link a line.
This chooses what a person reads; it labels nothing.
"""

import json
import random
import re
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[4] / "shared" / "data" / "news-2022-03-to-05.jsonl"
SEED = 20220301
OTHERS_PER_MONTH = 150

STEMS = (
    "russia|ukrain|putin|zelensk|kyiv|kiev|kremlin|moscow|donbas|donetsk|luhansk|lugansk|"
    "mariupol|azov|kharkiv|kharkov|odesa|odessa|kherson|mykolaiv|zaporizh|dnipro|lviv|"
    "chernihiv|sumy|bucha|irpin|borodyanka|hostomel|sievierodonetsk|severodonetsk|"
    "lysychansk|kramatorsk|sloviansk|slovyansk|izium|izyum|popasna|bakhmut|avdiivka|"
    "rubizhne|kreminna|lyman|vuhledar|crimea|lavrov|peskov|shoigu|medinsky|kuleba|"
    "podolyak|arakhamia|lukashenko|belarus|abramovich|ceasefire|cease-fire|truce|"
    "peace talk|peace deal|humanitarian corridor|invasion|invade|oligarch|sanction|"
    "refugee|nuclear|gazprom|rouble|ruble|black sea|moskva|soviet|kadyrov|chechen|"
    "wagner|mercenar"
)
WORDS = "nato|war|wars|eu|un|g7|troops|missile|missiles|shelling|soldier|soldiers"
WAR_RELATED = re.compile(rf"\b(?:{STEMS})|\b(?:{WORDS})\b", re.IGNORECASE)


def main(source: Path = SOURCE) -> None:
    rows = [json.loads(line) for line in source.open(encoding="utf-8")]
    rng = random.Random(SEED)
    chosen: list[dict[str, str]] = []
    for month in ("2022-03", "2022-04", "2022-05"):
        in_month = [r for r in rows if r["published"].startswith(month)]
        related = [
            r for r in in_month if WAR_RELATED.search(f"{r['title']} {r.get('description') or ''}")
        ]
        others = [r for r in in_month if r not in related]
        chosen += related + rng.sample(others, OTHERS_PER_MONTH)
    for row in sorted(chosen, key=lambda r: r["published"]):
        sys.stdout.write(row["link"] + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
