"""An entry's date as aware UTC, or None: a date that is partial ("2020", "2020-01"), unreadable,
or written with a time-zone abbreviation nobody can place counts as undated.

feedparser fills what a date leaves out from today's clock (`2020/1/10 14:33:00` came out as
1 December 2020 when read in December) and reads unknown abbreviations as UTC. The common
shapes are read here from the text the feed gave (RFC 822, ISO 8601, year/month/day); any
other is taken from feedparser only when it names a year, a month and a day.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bot.feeds.zones import ZONES

EARLIEST_YEAR, LATEST_YEAR = 1970, 2100  # outside: a placeholder date, not a publication time
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_ZONE = r"(?:\s*(?P<zone>[A-Za-z]{1,5}|[+-]\d{2}:?\d{2}|[+-]\d{4}))?\s*(?:\([^()]*\))?\s*$"
_TIME = r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:[.,]\d+)?"
_RFC822 = re.compile(
    r"^\s*(?:[A-Za-z]{2,9}\.?,?\s*)?(?P<d>\d{1,2})[\s-]+(?P<mo>[A-Za-z]{3,9})\.?[\s-]+"
    rf"(?P<y>\d{{4}}|\d{{2}})(?:[\s,T]+{_TIME})?{_ZONE}"
)
_YMD = re.compile(
    rf"^\s*(?P<y>\d{{4}})[/.](?P<mo>\d{{1,2}})[/.](?P<d>\d{{1,2}})(?:[\sT]+{_TIME})?{_ZONE}"
)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_NUMBERS = re.compile(r"\d+")
_KEYS = (
    ("published", "published_parsed"),
    ("updated", "updated_parsed"),
    ("created", "created_parsed"),
)


def entry_date(entry: Any) -> datetime | None:
    """The first of published, updated, created that reads as a full date."""
    for raw_key, parsed_key in _KEYS:
        raw = dict.get(entry, raw_key)  # dict.get: no feedparser fallback between the keys
        if isinstance(raw, str) and raw.strip():
            when = read_date(raw, dict.get(entry, parsed_key))
            if when is not None:
                return when
    return None


def feedparser_date(entry: Any) -> datetime | None:
    """The date as feedparser read it, as parse.py took it before issue 16 (old identities)."""
    for _, key in _KEYS:
        parsed = dict.get(entry, key)
        if isinstance(parsed, time.struct_time):
            try:
                when = _in_range(datetime.fromtimestamp(calendar.timegm(parsed), UTC))
            except (OverflowError, OSError, ValueError):
                continue
            if when is not None:
                return when
    return None


def read_date(raw: str, parsed: Any = None) -> datetime | None:
    """`raw` as the feed wrote it; `parsed`, feedparser's struct_time for it, used for shapes
    not read here when `raw` names a year, a month and a day."""
    match = _RFC822.match(raw) or _YMD.match(raw)
    if match is not None:
        return _from_match(match)
    if _ISO.match(raw):
        return _iso(raw)
    if isinstance(parsed, time.struct_time) and _is_full(raw):
        try:
            return _in_range(datetime.fromtimestamp(calendar.timegm(parsed), UTC))
        except (OverflowError, OSError, ValueError):
            return None
    return None


def iso_date(value: str | None) -> datetime | None:
    """An RFC 3339 date (JSON Feed) as aware UTC, to the microsecond as it always was read, or
    None when missing or unreadable."""
    return _iso(value, exact=True) if value else None


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month = parts["mo"]
    number = int(month) if month.isdigit() else MONTHS.get(month[:3].lower())
    offset = _offset(parts["zone"])
    if number is None or offset is None:
        return None
    year = int(parts["y"])
    if len(parts["y"]) == 2:
        year += 2000 if year < 50 else 1900
    try:
        when = datetime(
            year,
            number,
            int(parts["d"]),
            int(parts["h"] or 0),
            int(parts["mi"] or 0),
            min(int(parts["s"] or 0), 59),
            tzinfo=timezone(timedelta(minutes=offset)),
        )
        return _in_range(when.astimezone(UTC))
    except (ValueError, OverflowError):
        return None


def _offset(zone: str | None) -> int | None:
    """Minutes east of UTC; no zone is UTC, as feedparser reads it; an unknown name is None."""
    if not zone:
        return 0
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        return -minutes if zone[0] == "-" else minutes
    return ZONES.get(zone.upper())


def _iso(value: str, *, exact: bool = False) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip())
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):  # unreadable, or out of range once moved to UTC
        return None
    return _in_range(when, exact=exact)


def _is_full(raw: str) -> bool:
    """Names a year, a month and a day: three numbers, or two and a month's name."""
    numbers = len(_NUMBERS.findall(raw))
    if numbers >= 3:
        return True
    lowered = raw.lower()
    return numbers == 2 and any(m in lowered for m in MONTHS)


def _in_range(when: datetime, *, exact: bool = False) -> datetime | None:
    """To the second, as feedparser gave it (identities hashed from a date stay as they were),
    or `exact`; None outside EARLIEST_YEAR..LATEST_YEAR."""
    if not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
        return None
    return when if exact else when.replace(microsecond=0)
