"""The same-story pairs keep their shape, so a broken edit fails before anyone measures on it.

tests/data/stories/pairs.jsonl: one object a line, {"a", "b", "same", "kind"}, keyed by link into
../shared/data/news-2022-03-to-05.jsonl; a and b come from different outlets.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.paths import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
PAIRS = ROOT / "tests" / "data" / "stories" / "pairs.jsonl"
MAY_STREAM = PAIRS.with_name("may_stream.jsonl")
SOURCE = SHARED_DATA / "news-2022-03-to-05.jsonl"
SAME_KINDS = {"same-event-similar-wording", "same-event-different-wording"}
DIFFERENT_KINDS = {
    "later-development",
    "same-place-different-event",
    "same-actor-different-event",
    "same-topic-different-event",
    "unrelated",
}


def pairs(path: Path = PAIRS) -> list[dict[str, object]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        assert isinstance(row, dict), f"pairs.jsonl line {number}: not a JSON object"
        rows.append(row)
    return rows


@pytest.mark.parametrize("path", [PAIRS, MAY_STREAM], ids=lambda p: p.name)
def test_every_pair_has_the_keys_and_a_kind_that_agrees_with_same(path: Path) -> None:
    for number, row in enumerate(pairs(path), 1):
        assert set(row) == {"a", "b", "same", "kind"}, f"line {number}: keys {sorted(row)}"
        assert isinstance(row["same"], bool), f"line {number}: same is not a boolean"
        kinds = SAME_KINDS if row["same"] else DIFFERENT_KINDS
        assert row["kind"] in kinds, f"line {number}: kind {row['kind']!r} with same={row['same']}"
        assert row["a"] != row["b"], f"line {number}: a pair of one entry"


def test_no_pair_twice_and_enough_of_each_kind() -> None:
    rows = pairs()
    keys = Counter(frozenset((str(row["a"]), str(row["b"]))) for row in rows)
    assert [sorted(k) for k, n in keys.items() if n > 1] == []
    assert len(rows) >= 300
    kinds = Counter(str(row["kind"]) for row in rows)
    for kind in SAME_KINDS | DIFFERENT_KINDS:
        assert kinds[kind] >= 10, f"only {kinds[kind]} pairs of kind {kind}"


def test_pairs_are_of_source_entries_from_different_outlets_a_first() -> None:
    if not SOURCE.exists():
        pytest.skip(f"source not found at {SOURCE} (set NEWSBOT_SHARED_DATA)")
    entries = {}
    for line in SOURCE.open(encoding="utf-8"):
        entry = json.loads(line)
        entries[entry["link"]] = entry
    for row in pairs() + pairs(MAY_STREAM):
        a, b = entries.get(str(row["a"])), entries.get(str(row["b"]))
        assert a is not None and b is not None, f"not in the source: {row}"
        assert a["outlet"] != b["outlet"], f"same outlet: {row}"
        assert a["published"] <= b["published"], f"b is earlier than a: {row}"
