"""Other feed parsers' suites with their expected results (gofeed, rss-parser, in ../shared):
load each case, read it with parse_feed and with bare feedparser, and count per-field agreement.

Only fields a case's expectation states are compared. Items are paired with the expected ones by
the most agreeing fields (parse_feed orders items newest first, not as the document lists them).
A disagreement that is the other library's convention is listed in
`tests/data/parser_suite_conventions.tsv` with the convention's name; `CONVENTIONS` says why each
is theirs and checks that it really applies, so a listing cannot hide an error.
"""

from __future__ import annotations

import csv
import html
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from bot.feeds.parse import MAX_ITEMS
from bot.text.normalize import clean_inline, html_to_text
from tests.suite_cases import (
    FETCH_URL,
    FIELDS,
    LISTED,
    SUITES,
    Case,
    Reading,
    Value,
    all_cases,
    read_feedparser,
    read_newsbot,
)

__all__ = ["SUITES", "all_cases"]

# --- comparing -----------------------------------------------------------------------------


def same(expected: Value, got: Value) -> bool:
    if isinstance(expected, datetime) or isinstance(got, datetime):
        return expected == got
    return (expected or "").strip() == (got or "").strip()


def _pair(expected: list[dict[str, Value]], got: list[dict[str, Value]]) -> list[dict[str, Value]]:
    """For each expected item, the unused read item agreeing on the most of its fields."""
    free = list(range(len(got)))
    paired: list[dict[str, Value]] = []
    for want in expected:
        scores = [(sum(same(v, got[i].get(k)) for k, v in want.items()), -i) for i in free]
        if not scores:
            paired.append({})
            continue
        _, best = max(scores)
        free.remove(-best)
        paired.append(got[-best])
    return paired


@dataclass(frozen=True)
class Outcome:
    """One compared field of one case: which item (-1: the feed), the values, whether equal."""

    case: Case
    item: int
    field: str
    expected: Value
    got: Value

    @property
    def agrees(self) -> bool:
        return same(self.expected, self.got)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.case.suite, self.case.name, self.field, str(self.item))


def in_scope(case: Case) -> list[dict[str, Value]]:
    """The expected items parse_feed is meant to read: all, or the MAX_ITEMS newest of a longer
    feed (a 560-episode podcast archive), as the bot reads no more per poll by design."""
    if len(case.items) <= MAX_ITEMS:
        return case.items
    floor = datetime.min.replace(tzinfo=UTC)

    def newest(item: dict[str, Value]) -> datetime:
        when = item.get("item_date")
        return when if isinstance(when, datetime) else floor

    return sorted(case.items, key=newest, reverse=True)[:MAX_ITEMS]


def compare(case: Case, reading: Reading) -> list[Outcome]:
    rows = [Outcome(case, -1, k, v, reading.feed.get(k)) for k, v in case.feed.items()]
    wanted = in_scope(case)
    for want, got in zip(wanted, _pair(wanted, reading.items), strict=True):
        n = next(i for i, x in enumerate(case.items) if x is want)
        rows += [Outcome(case, n, k, v, got.get(k)) for k, v in want.items()]
    return rows


# --- their conventions ---------------------------------------------------------------------


def _text(value: Value) -> str:
    return value if isinstance(value, str) else ""


def _markup_kept(o: Outcome) -> bool:
    want = _text(o.expected)
    return bool(re.search(r"<[A-Za-z/!]|&#?\w+;", want)) and (
        clean_inline(html_to_text(want)) == clean_inline(_text(o.got))
    )


def _whitespace_kept(o: Outcome) -> bool:
    want, got = _text(o.expected), _text(o.got)
    return want != got and " ".join(want.split()) == " ".join(got.split())


def _relative_kept(o: Outcome) -> bool:
    """Their link is relative; ours is none, or it resolved against the document's own base
    (never the URL it was fetched from)."""
    want = _text(o.expected).strip()
    if not want or want.lower().startswith(("http://", "https://")):
        return False
    got = _text(o.got)
    fetched = urlsplit(FETCH_URL).netloc
    return o.got is None or (urljoin(got, want) == got and urlsplit(got).netloc != fetched)


def _sub_second(o: Outcome) -> bool:
    want, got = o.expected, o.got
    return (
        isinstance(want, datetime)
        and isinstance(got, datetime)
        and want.microsecond != 0
        and abs((want - got).total_seconds()) < 1
    )


def _legacy_entity(o: Outcome) -> bool:
    want = _text(o.expected)
    return bool(re.search(r"&[A-Za-z]+(?![\w;])", want)) and html.unescape(want) == o.got


def _their_decoding(o: Outcome) -> bool:
    """Their text has U+FFFD where ours has letters: they decoded the bytes with the wrong
    charset (rss-parser on an ISO-8859-1 feed)."""
    want, got = _text(o.expected), _text(o.got)
    if "\ufffd" not in want:
        return False
    pattern = ".+?".join(re.escape(part) for part in want.split("\ufffd"))
    return re.fullmatch(pattern, got) is not None


TITLES = frozenset({"feed_title", "item_title"})
LINKS = frozenset({"feed_link", "item_link"})
DATES = frozenset({"item_date"})

CONVENTIONS: dict[str, tuple[str, frozenset[str], Callable[[Outcome], bool]]] = {
    "markup-kept": (
        "they return a title's HTML (tags, entities, CDATA) as written; we deliver its text, "
        "as a chat message shows plain text",
        TITLES,
        _markup_kept,
    ),
    "whitespace-kept": (
        "they keep a title's newlines, doubled spaces and no-break spaces; a chat title is one "
        "line of plain spaces",
        TITLES,
        _whitespace_kept,
    ),
    "relative-link-kept": (
        "they return a relative link as written; an alert needs a link that opens, so we "
        "resolve it against the document's own base (xml:base, its link) or give none",
        LINKS,
        _relative_kept,
    ),
    "sub-second": (
        "they keep milliseconds; feedparser's dates (and ours) are to the second, which is "
        "all an alert shows",
        DATES,
        _sub_second,
    ),
    "legacy-entity": (
        "the document is not well-formed (`&copy` without `;` is no XML entity); they keep it "
        "literally, we read it by HTML's rules for text, as feedparser and browsers do",
        TITLES,
        _legacy_entity,
    ),
    "their-decoding": (
        "their text has U+FFFD where the feed has letters: they decoded it with the wrong "
        "charset; ours has the letters",
        TITLES,
        _their_decoding,
    ),
}


def listed() -> dict[tuple[str, str, str, str], str]:
    """(suite, case, field, item) -> convention name, as reviewed in the TSV."""
    if not LISTED.is_file():
        return {}
    with LISTED.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows[1:] if r}


@dataclass
class Tally:
    """Per field: compared, agreed as they are, agreed counting listed conventions."""

    compared: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    raw: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    counted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    errors: list[Outcome] = field(default_factory=list)
    conventions: list[tuple[Outcome, str]] = field(default_factory=list)

    def add(
        self, outcome: Outcome, conventions: dict[tuple[str, str, str, str], str] | None
    ) -> None:
        """Count one outcome; with `conventions` None, any convention whose check holds counts
        (how the baseline is given the benefit of every convention without a listing)."""
        self.compared[outcome.field] += 1
        if outcome.agrees:
            self.raw[outcome.field] += 1
            self.counted[outcome.field] += 1
            return
        name = conventions.get(outcome.key) if conventions is not None else _any(outcome)
        if name is not None and applies(name, outcome):
            self.counted[outcome.field] += 1
            self.conventions.append((outcome, name))
        else:
            self.errors.append(outcome)


def applies(name: str, outcome: Outcome) -> bool:
    _, fields, check = CONVENTIONS[name]
    return outcome.field in fields and check(outcome)


def _any(outcome: Outcome) -> str | None:
    return next((name for name in CONVENTIONS if applies(name, outcome)), None)


def run(
    cases: list[Case],
    reader: Callable[[Case], Reading],
    *,
    suite_prefix: str = "",
    conventions: dict[tuple[str, str, str, str], str] | None = None,
) -> Tally:
    tally = Tally()
    for case in cases:
        if case.suite.startswith(suite_prefix):
            for outcome in compare(case, reader(case)):
                tally.add(outcome, conventions)
    return tally


def table(tallies: dict[str, Tally]) -> str:
    """Per field: n compared, then each reader's raw and convention-counted agreement."""
    names = list(tallies)
    head = "| field | n | " + " | ".join(f"{n} raw | {n} counted" for n in names) + " |"
    lines = [head, "|" + " --- |" * (2 + 2 * len(names))]
    for name in FIELDS:
        n = tallies[names[0]].compared[name]
        if not n:
            continue
        cells = []
        for t in tallies.values():
            cells += [f"{100 * t.raw[name] / n:.1f} %", f"{100 * t.counted[name] / n:.1f} %"]
        lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_listing(tally: Tally) -> None:
    """Write the TSV of our disagreements that a convention's check accepts, for review."""
    rows = sorted(
        (*o.key, name, repr(o.expected)[:120], repr(o.got)[:120])
        for o, name in ((o, _any(o)) for o in tally.errors + [c for c, _ in tally.conventions])
        if name is not None
    )
    with LISTED.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t", lineterminator="\n")
        out.writerow(["suite", "case", "field", "item", "convention", "theirs", "ours"])
        out.writerows(rows)


def report(cases: list[Case]) -> dict[str, dict[str, Tally]]:
    """Per suite: newsbot (listed conventions counted) and bare feedparser (any convention)."""
    conventions = listed()
    return {
        prefix: {
            "newsbot": run(cases, read_newsbot, suite_prefix=prefix, conventions=conventions),
            "feedparser": run(cases, read_feedparser, suite_prefix=prefix),
        }
        for prefix in ("gofeed", "rss-parser")
    }


def main() -> None:
    tallies = report(all_cases())
    for prefix, pair in tallies.items():
        print(f"\n{prefix}\n" + table(pair))
        for o in pair["newsbot"].errors:
            print("  ERR", *o.key, repr(o.expected)[:80], "->", repr(o.got)[:80])
    if "--list" in sys.argv:
        write_listing(
            Tally(
                errors=[o for p in tallies.values() for o in p["newsbot"].errors],
                conventions=[c for p in tallies.values() for c in p["newsbot"].conventions],
            )
        )


if __name__ == "__main__":
    main()
