"""Snapshot of `find_quotes` over every text we have, to prove a refactor changed no output.

    .venv/bin/python -m bench.quotes_snapshot /tmp/before.jsonl
    .venv/bin/python -m bench.quotes_snapshot /tmp/after.jsonl
    cmp /tmp/before.jsonl /tmp/after.jsonl

Texts: the labelled articles (tests/data/articles), the news-2022 descriptions and titles and the
headlines in ../shared/data, each run without actors and with the actors of config/actors.yaml.
The output holds only quote texts derived from those inputs and stays outside the repository.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.config import load_config
from bot.text.quotes import find_quotes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def texts() -> Iterator[tuple[str, str, str]]:
    """(where, text, outlet) for every text in the corpora."""
    for path in sorted((ROOT / "tests" / "data" / "articles").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        yield path.name, str(data["text"]), str(data.get("source", ""))
    news = SHARED / "news-2022-03-to-05.jsonl"
    for n, line in enumerate(news.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        for key in ("title", "description"):
            yield f"news:{n}:{key}", str(row.get(key) or ""), str(row.get("outlet") or "")
    for path in sorted((SHARED / "headlines").glob("*.json")):
        for n, row in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            yield f"{path.name}:{n}", str(row.get("title") or ""), str(row.get("domain") or "")


def main(out: Path) -> None:
    actors = load_config(ROOT / "config").actors.actors
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        for where, text, outlet in texts():
            for label, cast in (("plain", ()), ("actors", actors)):
                ids = [a.id for a in cast[:2]]
                quotes = find_quotes(text, cast, priority_actor_ids=ids, outlets=[outlet])
                rows = [[q.text, q.speaker, q.actor_id, q.partial] for q in quotes]
                fh.write(json.dumps([where, label, rows], ensure_ascii=False) + "\n")
                count += len(rows)
    print(f"{count} quotes written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
