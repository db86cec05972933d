"""`newsbot rules label FILE` as a user runs it: labels stored as votes, models trained."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.builders import write_config
from tests.cli_runner import newsbot
from tests.conftest import query
from tests.e2e.test_cli import _env
from tests.relevance_cases import labelled

pytestmark = pytest.mark.usefixtures("app_db_url")


async def test_labels_from_a_file_are_votes_and_train_the_rule(tmp_path: Path):
    env = _env(tmp_path, write_config(tmp_path / "config", []))
    items = tmp_path / "items.jsonl"
    labels = tmp_path / "labels.jsonl"
    rows = labelled()
    items.write_text(
        "".join(
            json.dumps({"link": i.link, "title": i.title, "description": i.summary}) + "\n"
            for i, _ in rows
        )
    )
    labels.write_text(
        "".join(json.dumps({"link": i.link, "peace-talks": rel}) + "\n" for i, rel in rows)
    )
    done = await asyncio.to_thread(
        newsbot, env, "rules", "label", str(labels), "--items", str(items), "--train"
    )
    assert done.returncode == 0, done.stderr
    first, trained = done.stdout.splitlines()
    assert first.startswith(f"80 labels from {labels} as cli:")
    assert "80 new, 0 changed, 0 unchanged (peace-talks 80)" in first
    assert trained == "models trained: peace-talks"
    again = await asyncio.to_thread(
        newsbot, env, "rules", "label", str(labels), "--items", str(items), "--voter", "ann"
    )
    assert "80 new" in again.stdout  # another voter
    stored = await query(env["NEWSBOT_DATABASE_URL"], "SELECT count(*) FROM relevance_labels")
    assert stored == [(160,)]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ({"link": "https://x/1", "peace-talks": True}, 'no title for https://x/1: add "title"'),
        ({"link": "https://x/1", "title": "T", "nope": True}, "no rule 'nope' (rules: "),
        (
            {"link": "https://x/1", "title": "T", "peace-talks": "yes"},
            "the label of 'peace-talks' must be true or false",
        ),
        ({"title": "T", "peace-talks": True}, 'every line needs a "link"'),
    ],
)
def test_a_bad_line_is_refused_in_one_line_naming_it(tmp_path: Path, line: dict, says: str):
    env = _env(tmp_path, write_config(tmp_path / "config", []))
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps(line) + "\n")
    bad = newsbot(env, "rules", "label", str(labels))
    assert bad.returncode == 1
    [error] = [line for line in bad.stderr.splitlines() if line.startswith("newsbot:")]
    assert error.startswith(f"newsbot: {labels}:1: {says}"), bad.stderr
