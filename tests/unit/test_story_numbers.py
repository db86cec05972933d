"""Figures as values: digits and words, scales, per cents; years and bare small counts aside."""

from __future__ import annotations

from bot.text.story_numbers import figures


def test_words_and_digits_give_the_same_values() -> None:
    text = "six dead, fifty-nine hurt, two thousand homes, 1.5 million people, $50bn, 5m, 35%"
    found = figures(text)
    assert [f.value for f in found] == [6, 59, 2000, 1.5e6, 50e9, 5e6, 35]
    assert [f.text for f in found][:3] == ["six", "fifty-nine", "two thousand"]
    assert found[-1].percent and not found[0].percent
    assert figures("40 per cent")[0].key == figures("forty percent")[0].key == (40.0, True)


def test_years_and_bare_one_digit_counts_do_not_count_as_news() -> None:
    counts = {f.text: f.counts for f in figures("in 2022 the two sides, 7 miles, 12 ships")}
    assert counts == {"2022": False, "two": False, "7 miles": True, "12": True}


def test_units_and_glued_letters_are_not_scales() -> None:
    assert [(f.text, f.value) for f in figures("5km away, 3k fans, 10 mph")] == [
        ("5km", 5.0),
        ("3k", 3000.0),
        ("10 mph", 10.0),
    ]
    assert figures("the 5G network") == []
