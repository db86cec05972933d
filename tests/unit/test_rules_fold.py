"""Folding: one canonical spelling per variant, and spans that point into the original text."""

from __future__ import annotations

import pytest

from bot.rules.fold import (
    VARIANTS,
    WORD,
    canonical,
    fold_phrase,
    fold_text,
    fold_word,
    spellings,
)
from bot.rules.fuzzy import Vocabulary, one_edit_apart


def test_variant_table_maps_to_fixed_points() -> None:
    for variant, canon in VARIANTS.items():
        assert canonical(canon) == canon, canon
        assert variant in spellings(canon)
        assert canon in spellings(canon)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sergei Lavrov", "Sergey Lavrov"),
        ("Zelenskyy", "Zelensky"),
        ("ZELENSKIY", "Zelenskii"),
        ("Kiev", "Kyiv"),
        ("Lugansk", "Luhansk"),
        ("Donbass", "Donbas"),
        ("Severodonetsk", "Sievierodonetsk"),
        ("Kharkov", "Kharkiv"),
        ("Odessa", "Odesa"),
        ("Nikolaev", "Mykolaiv"),
        ("Dnepr", "Dnipro"),
        ("Kramatórsk", "Kramatorsk"),
        ("Russia’s Defense Ministry", "Russia's defence ministry"),
        ("cease-fire", "cease fire"),
    ],
)
def test_variants_fold_to_the_same_words(a: str, b: str) -> None:
    assert fold_phrase(a) == fold_phrase(b)


def test_different_words_stay_different() -> None:
    assert fold_phrase("Marvel") != fold_phrase("marvellous")
    assert fold_phrase("Vladimir") != fold_phrase("Volodymyr")


@pytest.mark.parametrize(
    "text",
    ["İstanbul talks — “Kramatórsk” ﬁnal", "plain ASCII, with: punctuation!", "Zelenskyy’s  aide"],
)
def test_word_spans_map_back_to_the_original(text: str) -> None:
    folded = fold_text(text)
    words = folded.words()
    assert len(words) == len(folded.spans())
    for word, (start, end) in zip(words, folded.spans(), strict=True):
        assert fold_phrase(text[start:end]) == (canonical(word),)


@pytest.mark.parametrize(
    "text",
    [
        "Zelensky’s “peace” plan — Kyiv’s answer…",  # only punctuation is non-ASCII
        "Kramatorsk – «Donbas» ‹front›\u00a0now",
        "Café naïve — résumé",  # non-ASCII letters: the word-by-word fold
        "under_score and ½ digits ²",
    ],
)
def test_fold_text_equals_the_word_by_word_fold(text: str) -> None:
    folded = fold_text(text)
    expected = [fold_word(w) for w in WORD.findall(text)]
    assert folded.words() == expected
    assert folded.joined == " " + " ".join(expected) + " "
    assert len(folded.spans()) == len(expected)


def test_one_edit_covers_each_kind_of_typo() -> None:
    assert one_edit_apart("donestk", "donetsk")  # swap
    assert one_edit_apart("donetk", "donetsk")  # deletion
    assert one_edit_apart("donetsks", "donetsk")  # insertion
    assert one_edit_apart("donetsc", "donetsk")  # substitution
    assert not one_edit_apart("dnoestk", "donetsk")
    assert not one_edit_apart("donetsk", "donetsk")


def test_vocabulary_targets_only_capitalised_long_words() -> None:
    vocabulary = Vocabulary.build([("Donetsk offensive", True), ("Mariupol", False)])
    assert vocabulary.targets == {"donetsk"}
    assert vocabulary.correct_slowly("donestk") == "donetsk"
    assert vocabulary.correct_slowly("offensiv") is None
    assert vocabulary.correct_slowly("mariupool") is None
