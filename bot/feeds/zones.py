"""Time-zone abbreviations feeds write after a date ("Fri, 10 Jan 2020 14:33:00 JST"), as
minutes east of UTC. feedparser reads any abbreviation it does not know as UTC, off by hours.

`TZDATA` is the abbreviations the IANA time-zone database uses today (January and July of
2024, every zone), taken from it with `python -m bot.feeds.zones`; a test checks it against the
installed zoneinfo data. Where the database uses one abbreviation for several offsets the choice
is in `AMBIGUOUS`, with why. `COMMON` adds names feeds use that the database no longer does.
An abbreviation in none of these leaves the date unread: an item undated beats a wrong hour.
"""

from __future__ import annotations

TZDATA: dict[str, int] = {
    "ACDT": 630, "ACST": 570, "ADT": -180, "AEDT": 660, "AEST": 600, "AKDT": -480,
    "AKST": -540, "AST": -240, "AWST": 480, "BST": 60, "CAT": 120, "CEST": 120, "CET": 60,
    "ChST": 600, "EAT": 180, "EDT": -240, "EEST": 180, "EET": 120, "EST": -300, "GMT": 0,
    "HDT": -540, "HKT": 480, "HST": -600, "IDT": 180, "JST": 540, "KST": 540, "MDT": -360,
    "MEST": 120, "MET": 60, "MSK": 180, "MST": -420, "NDT": -150, "NST": -210, "NZDT": 780,
    "NZST": 720, "PDT": -420, "PKT": 300, "SAST": 120, "SST": -660, "UTC": 0, "WAT": 60,
    "WEST": 60, "WET": 0, "WIB": 420, "WIT": 540, "WITA": 480,
}  # fmt: skip

AMBIGUOUS: dict[str, tuple[int, str]] = {
    "CST": (-360, "US Central, as RFC 822 defines it; China (+8) and Cuba (-5) also use it"),
    "CDT": (-300, "US Central daylight, as RFC 822 defines it; Cuba (-4) also uses it"),
    "PST": (-480, "US Pacific, as RFC 822 defines it; the Philippines (+8) also use it"),
    "IST": (
        330,
        "India (+5:30): the country whose English-language news feeds write IST; Israel "
        "(+2) and Ireland's summer time (+1) also use it, but their feeds write numeric offsets",
    ),
}

COMMON: dict[str, int] = {
    "UT": 0, "Z": 0, "MEZ": 60, "MESZ": 120, "SGT": 480, "ICT": 420, "PHT": 480, "MYT": 480,
}  # fmt: skip

ZONES: dict[str, int] = {
    k.upper(): v
    for k, v in {**TZDATA, **{k: v for k, (v, _) in AMBIGUOUS.items()}, **COMMON}.items()
}


def from_tzdata(year: int = 2024) -> dict[str, set[int]]:
    """Every alphabetic abbreviation the installed time-zone database uses in January and July
    of `year`, with the offsets (minutes east) it stands for."""
    import zoneinfo
    from datetime import UTC, datetime

    found: dict[str, set[int]] = {}
    for name in sorted(zoneinfo.available_timezones()):
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (ValueError, OSError):
            continue
        for month in (1, 7):
            local = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
            abbr, offset = local.tzname(), local.utcoffset()
            if abbr and abbr.isalpha() and offset is not None:
                found.setdefault(abbr, set()).add(int(offset.total_seconds() // 60))
    return found


if __name__ == "__main__":
    for abbr, offsets in sorted(from_tzdata().items()):
        print(f'"{abbr}": {sorted(offsets)},')
