"""Property: the compiled matcher finds exactly what the plain reference matcher finds."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.models import Item, TextField
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, Rule
from tests.oracle import ReferenceMatcher

WORDS = [
    "Kyiv", "Kiev", "kyiv", "talks", "Talks", "peace", "Donetsk", "Zelensky", "Zelenskyy",
    "zelenskiy", "Russia", "Russian", "russians", "pause", "operations", "negotiations",
    "Negotiators", "US", "us", "Marvel", "marvellous", "Lavrov", "Sergei", "Sergey", "Mariupol",
    "café", "Cafe", "Defense", "defence", "Ministry", "ministry", "Austria", "Austrian", "x",
    "2022",
]  # fmt: skip
TYPOS = ["Donestk", "Donetskk", "Mariupool", "Zelensk", "Austrla", "Negotiatros", "Russain"]
SEPARATORS = [" ", " ", " ", ", ", "’", "-", " — ", ": ", "  "]
REGEXES = [r"\bkyiv\b", r"talks?", r"\d{4}", r"Zelensk\w+", r"[A-Z]{2}\b"]
FIELDS = [f.value for f in TextField]

words = st.sampled_from(WORDS)
text_words = st.sampled_from(WORDS + TYPOS)
phrases = st.one_of(words, st.lists(words, min_size=2, max_size=3).map(" ".join))
texts = st.lists(st.tuples(text_words, st.sampled_from(SEPARATORS)), max_size=20).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)


@st.composite
def terms(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.integers(0, 9)) == 0:
        term: dict[str, Any] = {"regex": draw(st.sampled_from(REGEXES))}
    else:
        phrase = draw(phrases)
        term = {"phrase": phrase}
        if draw(st.booleans()) and draw(st.booleans()):
            cut = draw(st.integers(1, len(phrase.split()[-1])))
            term = {"phrase": phrase[: len(phrase) - len(phrase.split()[-1]) + cut]}
            if any(c.isalnum() for c in term["phrase"]):
                term["mode"] = "prefix"
            else:
                term = {"phrase": phrase}
        if draw(st.integers(0, 4)) == 0:
            term["near"] = {"phrase": draw(phrases), "within": draw(st.integers(1, 4))}
        term["fuzzy"] = draw(st.booleans())
    term["case_sensitive"] = draw(st.integers(0, 4)) == 0
    if draw(st.integers(0, 3)) == 0:
        term["fields"] = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=2))
    return term


@st.composite
def rule_sets(draw: st.DrawFn) -> tuple[list[Rule], list[Actor]]:
    actors = []
    for i in range(draw(st.integers(0, 3))):
        name = " ".join(w.capitalize() for w in draw(st.lists(words, min_size=1, max_size=2)))
        if len(name) < 2:
            name += " X"
        aliases = draw(st.lists(phrases, max_size=2))
        kind = draw(st.sampled_from(["person", "organisation"]))
        actors.append(Actor(id=f"a{i}", name=name, aliases=tuple(aliases), kind=kind))
    rules = []
    for i in range(draw(st.integers(1, 6))):
        body: dict[str, Any] = {
            "id": f"r{i}",
            "name": f"rule {i}",
            "all": draw(st.lists(terms(), max_size=1)),
            "any": draw(st.lists(terms(), max_size=3)),
            "none": draw(st.lists(terms(), max_size=1)),
        }
        if actors and draw(st.integers(0, 3)) == 0:
            body["kind"] = "actor"
            body["actors"] = [f"a{draw(st.integers(0, len(actors) - 1))}"]
        elif not body["all"] and not body["any"]:
            body["any"] = [draw(terms())]
        rules.append(Rule.model_validate(body))
    return rules, actors


@settings(
    max_examples=1000,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(rule_sets(), texts, texts, texts)
def test_compiled_matcher_agrees_with_reference(
    ruleset: tuple[list[Rule], list[Actor]], title: str, summary: str, content: str
) -> None:
    rules, actors = ruleset
    item = Item(feed_id=1, identity="i", title=title or "-", summary=summary, content=content)
    got = compile_rules(rules, actors).match(item)
    want = ReferenceMatcher(rules, actors).match(item)
    assert [m.rule_id for m in got.rules] == [m.rule_id for m in want.rules]
    assert [a.actor_id for a in got.actors] == [a.actor_id for a in want.actors]
    for found in (*got.rules, *got.actors):
        assert found.evidence
        for ev in found.evidence:
            assert item.text(ev.field)[ev.start : ev.end] == ev.text
