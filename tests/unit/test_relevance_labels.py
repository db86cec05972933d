"""The relevance dev labels keep their shape, so a broken edit fails before anyone trains on it.

tests/data/relevance/labels.jsonl: one object a line, sorted by published, keyed by link into
../shared/data/news-2022-03-to-05.jsonl (whose GPL-3.0 text must stay out of the file).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from tests.paths import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "tests" / "data" / "relevance" / "labels.jsonl"
SOURCE = SHARED_DATA / "news-2022-03-to-05.jsonl"
RULES = ("peace-talks", "donbas-offensive")
KEYS = {"link", "published", *RULES}
MONTHS = ("2022-03", "2022-04", "2022-05")


def labels() -> list[dict[str, object]]:
    rows = []
    for number, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"labels.jsonl line {number}: blank line"
        row = json.loads(line)
        assert isinstance(row, dict), f"labels.jsonl line {number}: not a JSON object"
        rows.append(row)
    return rows


def test_every_row_has_exactly_the_keys_with_their_types() -> None:
    for number, row in enumerate(labels(), 1):
        assert set(row) == KEYS, f"line {number}: keys {sorted(row)}, want {sorted(KEYS)}"
        assert isinstance(row["link"], str) and row["link"].startswith("http"), f"line {number}"
        published = row["published"]
        assert isinstance(published, str) and published.endswith("Z"), f"line {number}"
        datetime.strptime(published, "%Y-%m-%dT%H:%M:%SZ")
        for rule in RULES:
            assert isinstance(row[rule], bool), f"line {number}: {rule} is not a boolean"


def test_links_are_unique_and_rows_sorted_by_published() -> None:
    rows = labels()
    counts = Counter(row["link"] for row in rows)
    assert [link for link, n in counts.items() if n > 1] == []
    published = [str(row["published"]) for row in rows]
    assert published == sorted(published)


def test_enough_rows_and_both_labels_in_every_month() -> None:
    rows = labels()
    assert len(rows) >= 1500
    for month in MONTHS:
        in_month = [row for row in rows if str(row["published"]).startswith(month)]
        assert len(in_month) >= 400, month
        for rule in RULES:
            positives = sum(bool(row[rule]) for row in in_month)
            assert positives >= 5, f"{month}: only {positives} {rule} positives"
            assert positives < len(in_month) // 2, f"{month}: {rule} mostly positive"


def test_every_link_is_in_the_source_with_the_same_published_time() -> None:
    if not SOURCE.exists():
        pytest.skip(f"source not found at {SOURCE} (set NEWSBOT_SHARED_DATA)")
    published = {}
    for line in SOURCE.open(encoding="utf-8"):
        entry = json.loads(line)
        published[entry["link"]] = entry["published"]
    for row in labels():
        link = str(row["link"])
        assert link in published, f"not in the source: {link}"
        assert published[link] == row["published"], link
