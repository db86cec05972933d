"""`newsbot rules label FILE`: labels from a JSON-lines file, stored as votes like chat's.

Each line is one item: `{"link": …, "rule": "peace-talks", "relevant": true}`, or one label
per rule (`{"link": …, "peace-talks": true, "donbas-offensive": false}`, the format of
tests/data/relevance/labels.jsonl). The judged text is the line's `title` and `summary`, or
the entry with the same link in `--items FILE` (JSON lines with `title`, `description` or
`summary`). The background job retrains the rules whose labels changed; `--train` now.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.ports import Vote, VoteOutcome

MAX_LINES = 200_000
TEXT_KEYS = frozenset({"link", "published", "title", "summary", "description", "rule", "relevant"})


class LabelFileError(ValueError):
    """A line that cannot be a label, as `FILE:LINE: what to fix`."""


@dataclass(frozen=True)
class Text:
    title: str
    summary: str = ""
    published: datetime | None = None


def add_parser(rules: Any) -> None:
    """The `rules label` subcommand, on the `rules` subparsers of bot/cli.py."""
    label = rules.add_parser("label", help="store relevance labels from a JSON-lines file")
    label.add_argument("file", type=Path)
    label.add_argument("--items", type=Path, help="JSON lines with each link's title/summary")
    label.add_argument("--voter", help="who labels (default: cli:<login name>)")
    label.add_argument("--train", action="store_true", help="retrain the rules' models now")
    label.set_defaults(handler=label_command)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text_of(row: dict[str, Any]) -> Text | None:
    title = row.get("title")
    if not isinstance(title, str) or not title.strip():
        return None
    summary = row.get("summary") or row.get("description") or ""
    return Text(title, summary if isinstance(summary, str) else "", _when(row.get("published")))


def _json_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    out = []
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if n > MAX_LINES:
                    raise LabelFileError(f"{path}:{n}: more than {MAX_LINES} lines; split the file")
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise LabelFileError(f"{path}:{n}: not JSON ({exc})") from None
                if not isinstance(row, dict):
                    raise LabelFileError(f"{path}:{n}: a line must be a JSON object")
                out.append((n, row))
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError(f"cannot read {path}: {exc}") from None
    return out


def read_votes(
    path: Path, items: Path | None, rules: set[str], voter: str, now: datetime
) -> list[Vote]:
    """The votes a label file holds; LabelFileError on the first line that cannot be one."""
    texts: dict[str, Text] = {}
    if items is not None:
        for _, row in _json_lines(items):
            text = _text_of(row)
            if isinstance(row.get("link"), str) and text is not None:
                texts.setdefault(row["link"], text)
    votes = []
    for n, row in _json_lines(path):
        link = row.get("link")
        if not isinstance(link, str) or not link:
            raise LabelFileError(f'{path}:{n}: every line needs a "link"')
        if "rule" in row:
            labels = {row["rule"]: row.get("relevant")}
        else:
            labels = {k: v for k, v in row.items() if k not in TEXT_KEYS}
        if not labels:
            raise LabelFileError(f'{path}:{n}: no label: give "rule" and "relevant", or RULE: bool')
        text = _text_of(row) or texts.get(link)
        if text is None:
            raise LabelFileError(
                f'{path}:{n}: no title for {link}: add "title" to the line, or give --items '
                "with the entry"
            )
        for rule_id, relevant in labels.items():
            if not isinstance(relevant, bool):
                raise LabelFileError(f"{path}:{n}: the label of {rule_id!r} must be true or false")
            if rule_id not in rules:
                known = ", ".join(sorted(rules)) or "none"
                raise LabelFileError(f"{path}:{n}: no rule {rule_id!r} (rules: {known})")
            votes.append(
                Vote(
                    rule_id=str(rule_id),
                    link=link,
                    voter=voter,
                    relevant=relevant,
                    at=now,
                    title=text.title,
                    summary=text.summary,
                    published=text.published,
                )
            )
    return votes


async def label_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.runtime.app import App

    app = await App(settings).open()
    try:
        now = app.clock()
        rules = {r.id for r in await app.store.catalog.rules()}
        voter = args.voter or f"cli:{getpass.getuser()}"
        try:
            votes = read_votes(args.file, args.items, rules, voter, now)
        except LabelFileError as exc:
            print(f"newsbot: {exc}", file=sys.stderr)
            return 1
        outcomes: Counter[VoteOutcome] = Counter()
        per_rule: Counter[str] = Counter()
        for vote in votes:
            outcomes[await app.store.relevance.vote(vote)] += 1
            per_rule[vote.rule_id] += 1
        print(
            f"{len(votes)} labels from {args.file} as {voter}: {outcomes[VoteOutcome.new]} new, "
            f"{outcomes[VoteOutcome.changed]} changed, {outcomes[VoteOutcome.same]} unchanged ("
            + ", ".join(f"{r} {n}" for r, n in sorted(per_rule.items()))
            + ")"
        )
        if args.train:
            await app.catalog.refresh(now)
            trained = await app.retrain()
            print("models trained: " + (", ".join(trained) or "none (too few labels or no change)"))
    finally:
        await app.close()
    return 0
