"""Word forms: a term finds its plurals and past tenses unless exact; evidence shows the form."""

from __future__ import annotations

from typing import Any

from bot.models import Item
from bot.rules.compile import compile_rules
from bot.rules.schema import Rule
from tests.oracle import ReferenceMatcher


def rule(**fields: Any) -> Rule:
    fields.setdefault("id", "r")
    fields.setdefault("name", fields["id"])
    return Rule.model_validate(fields)


def found(rules: list[Rule], title: str) -> list[tuple[str, str, str]]:
    """(rule id, text found, how) for every piece of evidence, checked against the oracle."""
    it = Item(feed_id=1, identity="i", title=title)
    result = compile_rules(rules, ()).match(it)
    reference = ReferenceMatcher(rules, ()).match(it)
    assert [m.rule_id for m in result.rules] == [m.rule_id for m in reference.rules]
    return [(m.rule_id, e.text, e.how) for m in result.rules for e in m.evidence]


def test_a_singular_term_finds_the_plural_and_shows_it() -> None:
    rules = [rule(any=["peace talk"])]
    assert found(rules, "Peace talks resume in Istanbul") == [("r", "Peace talks", "stem")]


def test_a_present_tense_term_finds_the_past_tense() -> None:
    rules = [rule(any=["shell"], all=["Kharkiv"])]
    assert found(rules, "Russian forces shelled Kharkiv overnight") == [
        ("r", "shelled", "stem"),
        ("r", "Kharkiv", "exact"),
    ]
    assert found([rule(any=["attacks"])], "Troops attacked the plant") == [
        ("r", "attacked", "stem")
    ]


def test_the_form_as_written_is_exact_and_spelling_variants_stay_folded() -> None:
    assert found([rule(any=["talks"])], "Talks stall") == [("r", "Talks", "exact")]
    assert found([rule(any=["Kiev talks"])], "Kyiv talk") == [("r", "Kyiv talk", "stem")]
    assert found([rule(any=["Kiev"])], "Kyiv at night") == [("r", "Kyiv", "folded")]


def test_exact_on_the_term_or_the_rule_opts_out_of_word_forms() -> None:
    term = [{"phrase": "talk", "exact": True}]
    assert found([rule(any=term)], "Peace talks resume") == []
    assert found([rule(any=term)], "Small talk") == [("r", "talk", "exact")]
    assert found([rule(any=["talk"], exact=True)], "Peace talks resume") == []
    # a term's own setting wins over the rule's
    loose = [{"phrase": "talk", "exact": False}]
    assert found([rule(any=loose, exact=True)], "Peace talks") == [("r", "talks", "stem")]


def test_word_forms_work_in_all_none_and_near() -> None:
    rules = [
        rule(
            all=["offensive"],
            any=[{"phrase": "launch", "near": {"phrase": "troop", "within": 3}}],
            none=["drills"],
        )
    ]
    assert found(rules, "Troops launched offensives in the east") == [
        ("r", "Troops launched", "near"),
        ("r", "offensives", "stem"),
    ]
    assert found(rules, "Troops launched offensive drill") == []


def test_prefix_and_case_sensitive_terms_stay_as_written() -> None:
    assert found([rule(any=["negotiat*"])], "Negotiators meet") == [("r", "Negotiators", "prefix")]
    sensitive = [{"phrase": "US", "case_sensitive": True}]
    assert found([rule(any=sensitive)], "us and them") == []
