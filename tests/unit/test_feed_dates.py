"""Entry dates: partial or unreadable ones are undated (never today's month), time-zone
abbreviations come from the time-zone database's table, unknown ones leave the item undated."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.feeds.dates import read_date
from bot.feeds.parse import parse_feed
from bot.feeds.zones import AMBIGUOUS, ZONES, from_tzdata


def dated(value: str) -> datetime | None:
    body = (
        '<rss version="2.0"><channel><title>F</title><item><guid>g</guid><title>T</title>'
        f"<pubDate>{value}</pubDate></item></channel></rss>"
    ).encode()
    return parse_feed(body, feed_id=1, url="https://x/").items[0].published


def test_slash_date_keeps_its_own_month():
    # feedparser reads this with the month (and day) of today's clock: 1 December in December.
    assert dated("2020/1/10 14:33:00") == datetime(2020, 1, 10, 14, 33, tzinfo=UTC)
    assert dated("2020/01/10") == datetime(2020, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("partial", ["2020", "2020-01", "January 2020", "2020/13/45", "soon"])
def test_partial_or_unreadable_dates_are_undated(partial):
    assert dated(partial) is None


@pytest.mark.parametrize(
    ("zone", "hours"),
    [("JST", 9), ("CET", 1), ("CEST", 2), ("IST", 5.5), ("AEST", 10), ("EST", -5), ("GMT", 0)],
)
def test_zone_abbreviations_are_placed(zone, hours):
    local = datetime(2020, 1, 10, 14, 33, tzinfo=timezone(timedelta(hours=hours)))
    assert dated(f"Fri, 10 Jan 2020 14:33:00 {zone}") == local.astimezone(UTC)


def test_an_unknown_zone_abbreviation_leaves_the_item_undated():
    assert dated("Fri, 10 Jan 2020 14:33:00 XYZ") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Thu, 12 Nov 2015 21:16:39 +0000", datetime(2015, 11, 12, 21, 16, 39, tzinfo=UTC)),
        ("Thu, 12 Nov 2015 21:16:39 -0500", datetime(2015, 11, 13, 2, 16, 39, tzinfo=UTC)),
        ("12 Nov 15 21:16 GMT", datetime(2015, 11, 12, 21, 16, tzinfo=UTC)),
        ("2003-12-31T10:14:55-08:00", datetime(2003, 12, 31, 18, 14, 55, tzinfo=UTC)),
        ("2019-10-12T07:20:50.52Z", datetime(2019, 10, 12, 7, 20, 50, tzinfo=UTC)),
    ],
)
def test_common_shapes(raw, expected):
    assert read_date(raw) == expected


def test_the_table_matches_the_installed_time_zone_database():
    found = from_tzdata()
    if not found:
        pytest.skip("no time-zone database installed")
    for abbr, offsets in found.items():
        if len(offsets) == 1:
            assert ZONES[abbr.upper()] == next(iter(offsets)), abbr
        else:
            assert abbr in AMBIGUOUS and AMBIGUOUS[abbr][0] in offsets, abbr
