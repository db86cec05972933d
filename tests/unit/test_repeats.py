"""Repeat detection as a pure decision: the same article of one feed, re-stamped."""

from __future__ import annotations

from bot.policy.repeats import article_key, page, repeats


def test_trackers_and_fragments_do_not_make_a_new_page():
    assert page("https://x.example/a?utm_source=rss&id=7#top") == "https://x.example/a?id=7"
    assert page("https://x.example/a?fbclid=1&mc_cid=2&ref=feed") == "https://x.example/a"
    assert page("https://x.example/?p=123") == "https://x.example/?p=123"  # names the article
    assert page(None) == ""


def test_the_same_article_is_a_repeat_whatever_its_case_spacing_or_tracker():
    sent = article_key(1, "Talks  resume in Istanbul", "https://x.example/a?utm_medium=x", "S")
    again = article_key(1, "talks resume in istanbul", "https://x.example/a", "S")
    other_feed = article_key(2, "Talks resume in Istanbul", "https://x.example/a", "S")
    new_summary = article_key(1, "Talks resume in Istanbul", "https://x.example/a", "S2")
    assert repeats([again, other_feed, new_summary], [{sent}, {sent}, {sent}]) == [
        True,
        False,
        False,
    ]


def test_a_repeat_within_one_poll_and_alerts_without_fingerprint():
    key = article_key(1, "T", "https://x.example/a", "")
    assert repeats([key, key, None], [set(), set(), set()]) == [False, True, False]
