"""What a later outlet's report adds to a story's first alert: quotes, numbers, names."""

from __future__ import annotations

from bot.models import Alert, Quote
from bot.text.story_additions import Additions, what_it_adds


def _alert(title: str, summary: str, *quotes: Quote) -> Alert:
    return Alert(feed_id=1, item_identity=title, title=title, summary=summary, quotes=quotes)


FIRST = _alert(
    "Flooding in Durban kills at least 40",
    "Torrential rain in KwaZulu-Natal has washed away roads and homes around Durban, "
    "officials said on Tuesday.",
    Quote(text="We have never seen rain like this", speaker="Sihle Zikalala"),
)


def test_a_new_quote_number_and_name_are_what_the_later_report_adds() -> None:
    later = _alert(
        "Durban floods: death toll rises to 259",
        "President Cyril Ramaphosa visited Durban as the death toll in KwaZulu-Natal rose to "
        "259, with 8,000 people left homeless.",
        Quote(text="We have never seen rain like this", speaker="Sihle Zikalala"),
        Quote(text="This disaster is part of climate change", speaker="Cyril Ramaphosa"),
    )
    adds = what_it_adds([FIRST], later)
    assert adds.quotes == (later.quotes[1],)
    assert adds.numbers == ("259", "8,000")
    assert adds.names == ("Cyril Ramaphosa",)
    assert adds.lines() == (
        "New quote (Cyril Ramaphosa): “This disaster is part of climate change”",
        "New figures: 259, 8,000",
        "New names: Cyril Ramaphosa",
    )


def test_a_reworded_report_with_nothing_new_adds_nothing() -> None:
    later = _alert(
        "At least 40 dead as floods hit Durban",
        "Roads and homes around Durban in KwaZulu-Natal were washed away on Tuesday.",
        Quote(text="we have never seen rain like this!", speaker="Zikalala"),
    )
    assert what_it_adds([FIRST], later) == Additions()
    assert Additions().lines() == ()


def test_years_single_digits_and_sentence_openings_are_not_news() -> None:
    later = _alert(
        "Rescuers search Durban after worst floods since 1987",
        "Police said 2 more bodies were found. Aid pledged by Brussels reached KwaZulu-Natal.",
    )
    adds = what_it_adds([FIRST], later)
    assert adds.numbers == ()
    assert adds.names == ("Brussels",)


def test_a_figure_in_words_equals_the_same_figure_in_digits() -> None:
    first = _alert("Durban floods kill five", "Fifty-nine homes and 2,000 roads were lost.")
    later = _alert(
        "Durban floods: 5 dead", "59 homes, two thousand roads and 12 bridges were lost; 40% fell."
    )
    assert what_it_adds([first], later).numbers == ("12", "40%")
    fig_in_words = _alert("Durban floods", "Twelve bridges and forty per cent of roads were lost.")
    assert what_it_adds([later], fig_in_words).numbers == ()


def test_a_follow_up_adds_only_what_no_earlier_alert_of_the_thread_has() -> None:
    second = _alert(
        "Durban floods: death toll rises to 59",
        "Premier Sihle Zikalala said 2,000 homes were destroyed.",
        Quote(text="This disaster is part of climate change", speaker="Cyril Ramaphosa"),
    )
    third = _alert(
        "Durban floods: 59 dead as rescuers from Pretoria join the search",
        "Sihle Zikalala said 2,000 homes were destroyed and 300 people are missing.",
        Quote(text="this disaster is part of climate change", speaker="Ramaphosa"),
    )
    assert what_it_adds([FIRST], third).numbers == ("59", "2,000", "300")
    adds = what_it_adds([FIRST, second], third)
    assert adds == Additions(numbers=("300",), names=("Pretoria",))
