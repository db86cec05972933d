"""Places by region: every GeoNames settlement of a region in Latin and Cyrillic spellings; a
place name that is also a common word, a name or another town's name needs the region's context."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from bot.models import Item
from bot.rules.compile import CompiledMatcher, compile_rules
from bot.rules.places import common_word, gazetteer
from bot.rules.schema import Actor, Rule

DONBAS = {"country": "UA", "regions": ["Donetsk Oblast", "Luhansk Oblast"]}


def rule(**fields: Any) -> Rule:
    fields.setdefault("id", "r")
    fields.setdefault("name", fields["id"])
    return Rule.model_validate(fields)


@pytest.fixture(scope="module")
def matcher() -> CompiledMatcher:
    return compile_rules([rule(places=DONBAS, all=["shell"])], ())


def found(matcher: CompiledMatcher, title: str, summary: str = "") -> list[tuple[str, str, str]]:
    """(term, text, how) of the rule's evidence, or [] when it does not fire."""
    result = matcher.match(Item(feed_id=1, identity="i", title=title, summary=summary))
    return [(e.term, e.text, e.how) for m in result.rules for e in m.evidence]


def test_a_settlement_nobody_listed_is_found_and_named_with_its_region(matcher) -> None:
    assert found(matcher, "Russian forces shell Kramatorsk") == [
        ("shell", "shell", "exact"),
        ("Kramatorsk, Donetsk Oblast", "Kramatorsk", "place"),
    ]
    # Luhansk Oblast too, under another transliteration from the gazetteer
    # (GeoNames' main spelling of Sievierodonetsk is Siverskodonetsk)
    assert ("Siverskodonetsk, Luhansk Oblast", "Severodonetsk", "place") in found(
        matcher, "Severodonetsk shelled overnight"
    )


def test_cyrillic_and_old_names_of_the_same_settlement(matcher) -> None:
    ukrainian = found(matcher, "Краматорськ: shelling again")
    russian = found(matcher, "Краматорск shelled")
    assert ("Kramatorsk, Donetsk Oblast", "Краматорськ", "place") in ukrainian
    assert ("Kramatorsk, Donetsk Oblast", "Краматорск", "place") in russian
    assert ("Bakhmut, Donetsk Oblast", "Artemivsk", "place") in found(matcher, "Artemivsk shelled")


def test_a_place_outside_the_regions_does_not_count(matcher) -> None:
    assert found(matcher, "Russian forces shell Kharkiv") == []
    assert found(matcher, "Kramatorsk plans a new park") == []  # the rule's `all` still holds


def test_common_words_are_told_by_word_frequency_data() -> None:
    assert common_word("Lyman") and common_word("Cambridge")
    assert not common_word("Kramatorsk") and not common_word("Sloviansk")
    names = {n.text: n for n in gazetteer("UA", ("Donetsk Oblast", "Luhansk Oblast")).names}
    assert names["Weinberg"].common and not names["Weinberg"].shared
    assert names["New York"].shared  # very common: treated as shared
    assert not names["Kramatorsk"].ambiguous and not names["Mariupol"].ambiguous
    # also a city of another region of Ukraine: Mykolaiv (the Donetsk town is Mykolaivka)
    assert names["Mykolaiv"].shared and names["Lyman"].shared


def test_a_common_word_place_needs_context(matcher) -> None:
    # Weinberg, the old name of Vynohradne: a surname in English, no other such town
    assert found(matcher, "Weinberg shells out for a new stadium") == []
    with_country = found(matcher, "Troops shell Weinberg", "Fighting goes on in Ukraine")
    assert ("Vynohradne, Donetsk Oblast", "Weinberg", "place") in with_country
    # New York (Niu-York, Donetsk Oblast) is so common a name that only the region will do
    assert found(matcher, "Troops shell New York", "Fighting goes on in Ukraine") == []
    assert found(matcher, "Troops shell New York near Toretsk")


def test_a_name_shared_with_another_region_needs_the_regions_own_context(matcher) -> None:
    # Lyman is also a town of Kharkiv Oblast (and an English surname); Mykolaiv is a city
    # of Mykolaiv Oblast: the country's name does not say which is meant
    assert found(matcher, "Lyman shells out for a new stadium") == []
    assert found(matcher, "Mykolaiv shelled overnight", "Russia's war in Ukraine") == []
    assert found(matcher, "Troops shell Lyman", "Fighting goes on in Ukraine") == []
    with_place = found(matcher, "Lyman and Sloviansk shelled")
    assert [t for t, _, how in with_place if how == "place"] == [
        "Lyman, Donetsk Oblast",
        "Slovyansk, Donetsk Oblast",
    ]
    with_region = found(matcher, "Shelling in Lyman, Donetsk region")
    assert ("Lyman, Donetsk Oblast", "Lyman", "place") in with_region


def test_a_rule_needs_a_place_or_a_name_of_the_area_and_context_can_be_added() -> None:
    both = compile_rules([rule(places={**DONBAS, "names": ["Donbas"]}, any=["sirens"])], ())
    assert found(both, "Sirens in Kramatorsk")
    assert found(both, "Sirens across the Donbas") == [
        ("sirens", "Sirens", "exact"),
        ("Donbas", "Donbas", "place"),
    ]
    assert found(both, "Sirens in Kharkiv") == []
    assert found(both, "Kramatorsk is quiet") == []
    # the regions' own names count as the area: "Donetsk Oblast", "Luhansk region"
    assert found(both, "Sirens in Luhansk region")
    extra = compile_rules([rule(places={**DONBAS, "context": ["frontline"]})], ())
    assert found(extra, "Weinberg") == []
    assert found(extra, "Weinberg, a frontline town")


def test_an_actor_of_the_regions_is_named_by_its_places() -> None:
    body = Actor(id="ua-east", name="Eastern front", kind="organisation", places=DONBAS)
    actor_rule = rule(id="east", kind="actor", actors=["ua-east"])
    result = compile_rules([actor_rule], (body,)).match(
        Item(feed_id=1, identity="i", title="Sirens in Kramatorsk")
    )
    assert [m.rule_id for m in result.rules] == ["east"]
    (mention,) = result.actors
    assert [(e.term, e.text) for e in mention.evidence] == [
        ("Kramatorsk, Donetsk Oblast", "Kramatorsk")
    ]


def test_an_unknown_region_is_refused_with_what_to_write() -> None:
    with pytest.raises(ValidationError, match="no region 'Atlantis Oblast' in UA"):
        rule(places={"country": "UA", "regions": ["Atlantis Oblast"]})
    assert rule(places={"country": "UA", "regions": ["05"]}).places is not None
