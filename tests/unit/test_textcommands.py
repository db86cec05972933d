"""The typed command grammar: `/newsbot TEXT` to (path, options), its errors, and its inverse."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat.textcommands import SPECS, CommandSyntaxError, command_text, parse
from tests.e2e.command_cases import CASES

PARSED = [
    ("subscribe peace-talks", ("subscribe",), {"target": "peace-talks"}),
    (
        "subscribe peace-talks min_priority=high",
        ("subscribe",),
        {"target": "peace-talks", "min_priority": "high"},
    ),
    (
        "SUBSCRIBE Sergey Lavrov mode=digest digest_time=07:30",
        ("subscribe",),
        {"target": "Sergey Lavrov", "mode": "digest", "digest_time": "07:30"},
    ),
    ("subscribe 'Sergey  Lavrov'", ("subscribe",), {"target": "Sergey  Lavrov"}),
    ("subscribe O'Brien", ("subscribe",), {"target": "O'Brien"}),
    ("sub rule:donbas-offensive", ("subscribe",), {"target": "rule:donbas-offensive"}),
    ("unsubscribe actor:sergey-lavrov", ("unsubscribe",), {"target": "actor:sergey-lavrov"}),
    ("list", ("subscriptions",), {}),
    ("subscriptions", ("subscriptions",), {}),
    ("actor Sergey   Lavrov", ("actor",), {"name": "Sergey   Lavrov"}),
    ("actor min_priority=x", ("actor",), {"name": "min_priority=x"}),
    ("alerts", ("alerts", "recent"), {}),
    ("alerts peace-talks", ("alerts", "recent"), {"rule": "peace-talks"}),
    ("alerts recent donbas-offensive", ("alerts", "recent"), {"rule": "donbas-offensive"}),
    ("alerts log", ("alerts", "log"), {}),
    ("rules", ("rules", "list"), {}),
    ("rules show peace-talks", ("rules", "show"), {"rule": "peace-talks"}),
    (
        "rules add {id: x, name: X, any: [a, b]}",
        ("rules", "add"),
        {"yaml": "{id: x, name: X, any: [a, b]}"},
    ),
    (
        "rules edit x {name: 'X y', any: [a]}",
        ("rules", "edit"),
        {"rule": "x", "yaml": "{name: 'X y', any: [a]}"},
    ),
    ("rules add", ("rules", "add"), {}),  # opens the editor
    ("rules edit x", ("rules", "edit"), {"rule": "x"}),
    ("rules history", ("rules", "history"), {}),
    ("rules history x", ("rules", "history"), {"rule": "x"}),
    ("feeds", ("feeds", "list"), {}),
    (
        "feeds add https://example.com/rss.xml",
        ("feeds", "add"),
        {"url": "https://example.com/rss.xml"},
    ),
    (
        "feeds add https://example.com/rss.xml The Example Times",
        ("feeds", "add"),
        {"url": "https://example.com/rss.xml", "name": "The Example Times"},
    ),
    ("feeds remove 3", ("feeds", "remove"), {"feed": "3"}),
]


@pytest.mark.parametrize(("text", "path", "options"), PARSED)
def test_parse(text: str, path: tuple[str, ...], options: dict[str, str]) -> None:
    parsed = parse(text)
    assert (parsed.path, parsed.options) == (path, options)
    assert not parsed.is_help


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "?"])
def test_help(text: str) -> None:
    assert parse(text).is_help


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("launch", "unknown command 'launch'"),
        ("rules bogus", "rules has no command 'bogus'; use one of: add, edit, history"),
        ("subscribe", "missing TARGET; usage: subscribe TARGET"),
        ("subscribe x min_prio=high", "unknown option 'min_prio'"),
        ("unsubscribe x mode=digest", "unknown option 'mode'; usage: unsubscribe TARGET"),
        ("actor", "missing NAME"),
        ("rules show", "missing RULE; usage: rules show RULE"),
        ("rules edit", "missing RULE; usage: rules edit RULE"),
        ("feeds add", "missing URL"),
        ("subscriptions now", "unexpected 'now'; usage: subscriptions"),
        ("alerts log please", "unexpected 'please'"),
    ],
)
def test_errors_say_what_to_type(text: str, message: str) -> None:
    with pytest.raises(CommandSyntaxError, match="^" + re.escape(message)):
        parse(text)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_shared_case_round_trips(case) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(command_text(case.path, case.options))
    assert (parsed.path, parsed.options) == (case.path, case.options)


def test_every_command_has_a_usage_line_that_parses() -> None:
    for path, spec in SPECS.items():
        assert spec.usage.split()[: len(path)] == list(path)


words = st.text(
    st.characters(categories=("L", "N"), include_characters="-'.:"), min_size=1, max_size=12
)


@given(
    target=st.lists(words, min_size=1, max_size=4).map(" ".join),
    priority=st.sampled_from([None, "low", "normal", "high", "urgent"]),
    mode=st.sampled_from([None, "instant", "digest"]),
)
def test_subscribe_round_trips(target: str, priority: str | None, mode: str | None) -> None:
    options = {"target": target}
    if priority:
        options["min_priority"] = priority
    if mode:
        options["mode"] = mode
    parsed = parse(command_text(("subscribe",), options))
    assert (parsed.path, parsed.options) == (("subscribe",), options)
