"""The compiled matcher, feature by feature: words, folding, typos, groups, near, scope, actors."""

from __future__ import annotations

from typing import Any

import pytest

from bot.models import Item, MatchResult, TextField
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, Rule
from tests.oracle import ReferenceMatcher


def rule(**fields: Any) -> Rule:
    fields.setdefault("id", "r")
    fields.setdefault("name", fields["id"])
    return Rule.model_validate(fields)


def actor(**fields: Any) -> Actor:
    return Actor.model_validate(fields)


def item(title: str, summary: str = "", content: str = "") -> Item:
    return Item(feed_id=1, identity="i", title=title, summary=summary, content=content)


def run(rules: list[Rule], text: str | Item, actors: tuple[Actor, ...] = ()) -> MatchResult:
    it = item(text) if isinstance(text, str) else text
    result = compile_rules(rules, actors).match(it)
    reference = ReferenceMatcher(rules, actors).match(it)
    assert [m.rule_id for m in result.rules] == [m.rule_id for m in reference.rules]
    assert [a.actor_id for a in result.actors] == [a.actor_id for a in reference.actors]
    for found in (*result.rules, *result.actors):
        for ev in found.evidence:
            assert it.text(ev.field)[ev.start : ev.end] == ev.text
    assert MatchResult.model_validate(result.model_dump()) == result, "built without validation"
    return result


def ids(result: MatchResult) -> list[str]:
    return [m.rule_id for m in result.rules]


def test_whole_word_does_not_fire_inside_a_longer_word() -> None:
    rules = [rule(any=["Marvel"])]
    assert ids(run(rules, "A Marvelton evening at the opera")) == []
    assert ids(run(rules, "Marvel's new film opens")) == ["r"]


def test_spelling_variant_matches_and_says_folded() -> None:
    result = run([rule(any=["Zelensky"])], "Zelenskyy speaks to Congress")
    (ev,) = result.rules[0].evidence
    assert (ev.text, ev.how, ev.start, ev.end) == ("Zelenskyy", "folded", 0, 9)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("Kyiv", "Shelling near Kiev overnight"),
        ("Luhansk", "Fighting in Lugansk region"),
        ("Donbas", "Donbass front line"),
        ("Sergey Lavrov", "Sergei Lavrov says"),
        ("Sievierodonetsk", "Battle for Severodonetsk"),
        ("Kharkiv", "Kharkov under fire"),
        ("Odesa", "Port of Odessa"),
        ("Zelensky", "President Zelenskiy"),
        ("Defence Ministry", "the Defense Ministry said"),
        ("Kramatorsk", "Kramatórsk station"),
    ],
)
def test_transliteration_and_diacritics_fold_to_one_form(phrase: str, text: str) -> None:
    result = run([rule(any=[phrase])], text)
    assert ids(result) == ["r"]
    assert result.rules[0].evidence[0].how == "folded"


def test_case_and_punctuation_alone_count_as_exact() -> None:
    result = run([rule(any=["Russia's Defence Ministry"])], "RUSSIA’S DEFENCE MINISTRY says")
    assert result.rules[0].evidence[0].how == "exact"


def test_one_letter_typo_in_a_long_name_is_forgiven_and_reported() -> None:
    result = run([rule(any=["Donetsk"])], "Putin recognized the Donestk and Luhansk Republics")
    (ev,) = result.rules[0].evidence
    assert (ev.text, ev.how) == ("Donestk", "fuzzy")


@pytest.mark.parametrize("typo", ["Donetk", "Donetskk", "Donetsc", "Dontesk"])
def test_every_kind_of_single_edit_is_forgiven(typo: str) -> None:
    assert ids(run([rule(any=["Donetsk"])], f"News from {typo} today")) == ["r"]


def test_typos_are_not_forgiven_in_short_or_lowercase_words_or_when_disabled() -> None:
    assert ids(run([rule(any=["Lavrov"])], "Lavorv said")) == []
    assert ids(run([rule(any=["warring"])], "a warning was issued")) == []
    no_fuzz = [rule(any=[{"phrase": "Donetsk", "fuzzy": False}])]
    assert ids(run(no_fuzz, "the Donestk republic")) == []


def test_a_term_that_refuses_typos_ignores_corrections_made_for_others() -> None:
    rules = [rule(id="strict", any=[{"phrase": "Donetsk", "fuzzy": False}]), rule(any=["Donetsk"])]
    assert ids(run(rules, "the Donestk republic")) == ["r"]


def test_a_word_another_rule_uses_is_never_corrected() -> None:
    rules = [rule(id="a", any=["Austrian"]), rule(id="b", any=["Austria"])]
    assert ids(run(rules, "Austria wins")) == ["b"]


def test_two_edits_do_not_match() -> None:
    assert ids(run([rule(any=["Donetsk"])], "Dnoestk is not a place")) == []


def test_all_any_none_groups() -> None:
    rules = [rule(all=["talks"], any=["Russia", "Ukraine"], none=["Iran"])]
    assert ids(run(rules, "Russia and Ukraine hold talks")) == ["r"]
    assert ids(run(rules, "Russia and Ukraine exchange prisoners")) == []
    assert ids(run(rules, "Climate talks in Glasgow")) == []
    assert ids(run(rules, "Russia backs Iran in nuclear talks")) == []


def test_near_counts_words_between_in_either_order() -> None:
    rules = [rule(any=[{"phrase": "pause", "near": {"phrase": "operations", "within": 3}}])]
    result = run(rules, "Moscow will not pause its military operations during talks")
    (ev,) = result.rules[0].evidence
    assert (ev.text, ev.how) == ("pause its military operations", "near")
    assert ids(run(rules, "operations will pause")) == ["r"]
    assert ids(run(rules, "pause in all of the military operations")) == []


def test_prefix_term_matches_word_starts_only() -> None:
    rules = [rule(any=["negotiat*"])]
    result = run(rules, "Negotiators meet; negotiations resume")
    assert [(e.text, e.how) for e in result.rules[0].evidence] == [
        ("Negotiators", "prefix"),
        ("negotiations", "prefix"),
    ]
    assert ids(run(rules, "renegotiate the deal")) == []


def test_case_sensitive_term_checks_the_original_text() -> None:
    rules = [rule(any=[{"phrase": "US", "case_sensitive": True}])]
    assert ids(run(rules, "US and Russia talk")) == ["r"]
    assert ids(run(rules, "Tell us more")) == []


def test_field_scope_limits_where_a_term_counts() -> None:
    rules = [rule(any=[{"phrase": "Donbas", "fields": ["title"]}])]
    assert ids(run(rules, item("Weather", content="Rain in the Donbas"))) == []
    result = run(rules, item("Donbas fighting", content="Donbas again"))
    assert [e.field for e in result.rules[0].evidence] == [TextField.title]


def test_evidence_spans_point_into_the_original_text() -> None:
    text = "Ukraine’s  Defense   Ministry: “Kiev” holds — Zelenskyy"
    rules = [rule(any=["Ukraine's Defence Ministry", "Kyiv", "Zelensky"])]
    result = run(rules, text)
    assert [text[e.start : e.end] for e in result.rules[0].evidence] == [
        "Ukraine’s  Defense   Ministry",
        "Kiev",
        "Zelenskyy",
    ]


@pytest.mark.parametrize(
    ("pattern", "tail"), [(r"(a|aa)+$", ""), (r"(?:a|a)*b$", "b"), (r"(a+)+c", "c")]
)
def test_a_pattern_that_backtracks_elsewhere_runs_in_linear_time_here(
    pattern: str, tail: str
) -> None:
    """On a backtracking engine each of these takes exponential time (or gives up unmatched)
    on a long run of a's; on RE2 the search is linear and finds its match."""
    slow = rule(id="slow", any=[{"regex": pattern}])
    matcher = compile_rules([slow, rule(id="ok", any=["peace"])], ())
    result = matcher.match(item("peace " + "a" * 50_000 + tail))
    assert sorted(m.rule_id for m in result.rules) == ["ok", "slow"]


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a)\1", "backreference"),
        (r"(?=peace)talks", "lookahead"),
        (r"(?<!no )talks", "lookbehind"),
        (r"a{1,100000}b", "repeat bound"),
        (r"(unclosed", "syntax"),
    ],
)
def test_patterns_re2_cannot_run_are_refused_with_the_fix(pattern: str, why: str) -> None:
    with pytest.raises(ValueError, match="RE2 in linear time"):
        rule(any=[{"regex": pattern}])


@pytest.mark.parametrize(
    "pattern", [r"\d{1,3}(?:,\d{3})*", r"(ab){2,}", r"peace\s+talks?", r"((a+))+$"]
)
def test_ordinary_and_nested_repeats_are_accepted(pattern: str) -> None:
    rule(any=[{"regex": pattern}])


def test_an_empty_regex_match_is_not_evidence() -> None:
    assert ids(run([rule(any=[{"regex": r"x*"}])], "no such letter")) == []


def test_regex_terms_run_on_the_original_text() -> None:
    rules = [rule(any=[{"regex": r"\b\d+ (?:civilians|soldiers) killed"}])]
    result = run(rules, "Shelling: 12 civilians killed in Donetsk")
    assert [(e.text, e.how) for e in result.rules[0].evidence] == [("12 civilians killed", "regex")]


def test_disabled_rules_never_match() -> None:
    assert ids(run([rule(any=["Kyiv"], enabled=False)], "Kyiv")) == []


LAVROV = actor(id="lavrov", name="Sergey Lavrov", aliases=["Foreign Minister Lavrov"])
PUTIN = actor(id="putin", name="Vladimir Putin")
ZELENSKY = actor(id="zelensky", name="Volodymyr Zelensky")
MINISTRY = actor(id="mod", name="Russian Defence Ministry", kind="organisation")


def test_actor_found_through_aliases_and_folding() -> None:
    result = run([], "Sergei Lavrov met Volodymyr Zelenskyy", (LAVROV, PUTIN, ZELENSKY))
    assert [a.actor_id for a in result.actors] == ["lavrov", "zelensky"]


def test_bare_surname_matches_when_unambiguous_and_not_twice() -> None:
    result = run([], "Sergey Lavrov spoke; later Lavrov left", (LAVROV, PUTIN))
    (mention,) = result.actors
    assert [e.text for e in mention.evidence] == ["Sergey Lavrov", "Lavrov"]


def test_bare_surname_shared_by_two_actors_does_not_match() -> None:
    other = actor(id="other-lavrov", name="Ivan Lavrov")
    assert run([], "Lavrov spoke", (LAVROV, other)).actors == ()
    assert [a.actor_id for a in run([], "Sergey Lavrov spoke", (LAVROV, other)).actors] == [
        "lavrov"
    ]


def test_organisations_have_no_bare_surname() -> None:
    assert run([], "The ministry of the Ministry", (MINISTRY,)).actors == ()
    assert [a.actor_id for a in run([], "Russia's Defense Ministry said", (MINISTRY,)).actors] == []
    result = run([], "the Russian Defense Ministry said", (MINISTRY,))
    assert [a.actor_id for a in result.actors] == ["mod"]


def test_actor_rule_needs_a_mention_and_its_groups() -> None:
    rules = [rule(id="lav", kind="actor", actors=["lavrov"], none=["football"])]
    assert ids(run(rules, "Lavrov warns the West", (LAVROV,))) == ["lav"]
    assert ids(run(rules, "Lavrov at the football", (LAVROV,))) == []
    assert ids(run(rules, "The West warns", (LAVROV,))) == []
    evidence = run(rules, "Lavrov warns", (LAVROV,)).rules[0].evidence
    assert [(e.rule_id, e.text) for e in evidence] == [("lav", "Lavrov")]


def test_result_lists_priority_and_targets() -> None:
    rules = [rule(id="a", any=["Kyiv"], priority="urgent"), rule(id="b", any=["Kyiv"])]
    result = run(rules, "Kyiv and Putin", (PUTIN,))
    assert result.priority.value == "urgent"
    assert result.targets() == {"rule:a", "rule:b", "actor:putin"}


def test_nothing_found_is_empty() -> None:
    assert run([rule(any=["Kyiv"])], "Nothing relevant here").empty
