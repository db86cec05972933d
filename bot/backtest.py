"""Backtest: run the live rules over an archive of items (JSON lines) and say what each matched.

What a user runs before trusting a rule on a channel: one JSON line out per item in, with the
rules and actors it matched, each rule's evidence and its relevance score.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from pydantic import ValidationError

from bot.models import Item, MatchResult, RuleMatch
from bot.ports import Matcher

MAX_LINE = 1_000_000
"""Characters per input line; a longer line is refused rather than parsed."""


class BadLine(ValueError):
    """An input line that is not an item; the message names the line and what to fix."""


@dataclass(frozen=True)
class Outcome:
    """How a backtest went: items written, lines refused."""

    written: int
    bad: int


def parse_item(line: str, number: int) -> Item:
    """One JSON line (`title`, `summary` or `description`, `link`, `published`) as an Item."""
    if len(line) > MAX_LINE:
        raise BadLine(f"line {number}: longer than {MAX_LINE:,} characters")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"line {number}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise BadLine(f"line {number}: expected a JSON object with at least 'title'")
    title = row.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BadLine(f"line {number}: 'title' must be a non-empty string")
    summary = row.get("summary", row.get("description")) or ""
    link = row.get("link")
    try:
        return Item(
            feed_id=0,
            identity=str(link or f"line-{number}"),
            title=title,
            summary=summary,
            link=link,
            published=_published(row.get("published")),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BadLine(f"line {number}: '{where}': {first['msg']}") from None


def _published(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadLine("'published' must be an ISO 8601 date-time string")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f"'published' is not an ISO 8601 date-time: {value[:40]!r}") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def relevance_score(match: RuleMatch, item: Item) -> float | None:
    """The learned relevance of `item` to the matched rule; None while no model scores it.

    The relevance model replaces this function; the backtest only reports what it returns.
    """
    return None


def result_line(item: Item, result: MatchResult) -> dict[str, Any]:
    """The JSON object written for one item."""
    return {
        "title": item.title,
        "link": item.link,
        "rules": [m.rule_id for m in result.rules],
        "actors": [a.actor_id for a in result.actors],
        "matches": {
            m.rule_id: {
                "score": relevance_score(m, item),
                "evidence": [
                    {"term": e.term, "field": e.field.value, "text": e.text, "how": e.how}
                    for e in m.evidence
                ],
            }
            for m in result.rules
        },
    }


def backtest(
    lines: Iterable[str], matcher: Matcher, out: IO[str], err: IO[str], keep_going: bool
) -> Outcome:
    """Match every line's item and write its result line; a bad line is reported on `err`
    and either skipped (`keep_going`) or ends the run."""
    written = bad = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = parse_item(line, number)
        except BadLine as exc:
            message = str(exc) if str(exc).startswith("line ") else f"line {number}: {exc}"
            print(f"newsbot match: {message}", file=err)
            bad += 1
            if not keep_going:
                break
            continue
        out.write(json.dumps(result_line(item, matcher.match(item)), ensure_ascii=False) + "\n")
        written += 1
    return Outcome(written, bad)
