"""`newsbot match ITEMS.jsonl` as a user runs it: the live config's rules over an archive.

The first test runs a real process; the others run `newsbot` in this process
(`tests.cli_runner`): the same command, without paying the import again."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.builders import DONBAS, PEACE, UNRELATED, bot_env, write_config
from tests.cli_runner import newsbot, newsbot_process


def newsbot_match(
    tmp_path: Path, config: Path, *args: str, process: bool = False
) -> subprocess.CompletedProcess[str]:
    env = bot_env(f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}", config)
    return (newsbot_process if process else newsbot)(env, "match", *args)


def jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_each_item_gets_its_rules_actors_evidence_and_a_score_slot(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", ["https://example.com/rss"])
    items = jsonl(
        tmp_path / "items.jsonl",
        [
            {"title": PEACE, "link": "https://x.test/1", "published": "2022-04-11T09:00:00Z"},
            {"title": "Overnight", "description": DONBAS, "link": "https://x.test/2"},
            {"title": UNRELATED[0], "summary": "", "link": "https://x.test/3"},
        ],
    )
    run = newsbot_match(tmp_path, config, str(items), process=True)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [(r["title"], r["link"]) for r in lines] == [
        (PEACE, "https://x.test/1"),
        ("Overnight", "https://x.test/2"),
        (UNRELATED[0], "https://x.test/3"),
    ]
    peace, donbas, unrelated = lines
    assert "peace-talks" in peace["rules"]
    assert {"sergey-lavrov", "vladimir-putin"} & set(peace["actors"]) == {"sergey-lavrov"}
    talks = peace["matches"]["peace-talks"]
    assert talks["score"] is None
    peace_talks = {"term": "peace talks", "field": "title", "text": "peace talks", "how": "exact"}
    assert peace_talks in talks["evidence"]
    # the description is the summary: the Donbas rule finds it there
    assert donbas["rules"] == ["donbas-offensive"]
    fields = {e["field"] for e in donbas["matches"]["donbas-offensive"]["evidence"]}
    assert fields == {"summary"}
    assert unrelated == {**unrelated, "rules": [], "actors": [], "matches": {}}


def test_the_live_config_decides_what_matches(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", ["https://example.com/rss"])
    (config / "rules.yaml").write_text(
        "rules:\n  - id: jets\n    name: Jets\n    any: [jet]\n", encoding="utf-8"
    )
    items = jsonl(tmp_path / "items.jsonl", [{"title": UNRELATED[2]}])
    run = newsbot_match(tmp_path, config, str(items))
    assert run.returncode == 0, run.stderr
    (line,) = [json.loads(x) for x in run.stdout.splitlines()]
    assert line["rules"] == ["jets"]
    assert line["matches"]["jets"]["evidence"][0]["text"] == "jets"  # the form found
    assert line["matches"]["jets"]["evidence"][0]["how"] == "stem"


def test_a_bad_line_is_named_and_stops_the_run_unless_told_to_keep_going(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", ["https://example.com/rss"])
    items = jsonl(
        tmp_path / "items.jsonl",
        [{"title": PEACE}, "{not json", {"title": 7}, {"title": DONBAS, "published": "soon"}],
    )
    stop = newsbot_match(tmp_path, config, str(items))
    assert stop.returncode == 1
    assert len(stop.stdout.splitlines()) == 1
    assert "line 2: not JSON" in stop.stderr
    assert "line 3" not in stop.stderr

    going = newsbot_match(tmp_path, config, "--keep-going", str(items))
    assert going.returncode == 1
    assert len(going.stdout.splitlines()) == 1
    errors = [e for e in going.stderr.splitlines() if e.startswith("newsbot match: line")]
    assert errors == [
        "newsbot match: line 2: not JSON (Expecting property name enclosed in double quotes "
        "at column 2)",
        "newsbot match: line 3: 'title' must be a non-empty string",
        "newsbot match: line 4: 'published' is not an ISO 8601 date-time: 'soon'",
    ]
    assert "1 items matched, 3 bad lines (skipped)" in going.stderr


def test_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "config", ["https://example.com/rss"])
    run = newsbot_match(tmp_path, config, str(tmp_path / "nope.jsonl"))
    assert run.returncode == 1
    assert run.stderr.strip().startswith("newsbot: cannot read")
    assert "No such file" in run.stderr
