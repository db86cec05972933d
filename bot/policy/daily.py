"""Counts per day and the chart they make: pure, so the store only hands over the times.

`per_day` buckets times by UTC day over a window ending today (days with nothing count 0, times
outside the window are left out); `Chart` is what a chat reply or `newsbot status --chart`
draws (`bot/charts/png.py` renders it), with the alt text that says the same in words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from bot.models import Frozen

DAYS = 30


def window_start(now: datetime, days: int = DAYS) -> datetime:
    """Midnight UTC at the start of the window of `days` days that ends with `now`'s day."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    return datetime(first.year, first.month, first.day, tzinfo=UTC)


def per_day(times: Iterable[datetime], now: datetime, days: int = DAYS) -> tuple[int, ...]:
    """How many of `times` fall on each UTC day of the window ending with `now`'s day, oldest
    first; a naive time is read as UTC."""
    first = window_start(now, days).date()
    counts = Counter(
        (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC).date() for t in times
    )
    return tuple(counts.get(first + timedelta(days=i), 0) for i in range(days))


class Series(Frozen):
    """One line of a chart: what is counted ("alerts") and its count per day."""

    name: str
    counts: tuple[int, ...]


class Chart(Frozen):
    """Counts per day over a window: a title, the first day, one or more series."""

    title: str
    start: date
    series: tuple[Series, ...]

    @property
    def days(self) -> tuple[date, ...]:
        width = max((len(s.counts) for s in self.series), default=0)
        return tuple(self.start + timedelta(days=i) for i in range(width))

    @property
    def filename(self) -> str:
        """A file name for the PNG: the title's words, lower case, dashes."""
        words = "".join(c if c.isalnum() else " " for c in self.title.lower()).split()
        return "-".join(words)[:60] + ".png" if words else "chart.png"

    @property
    def alt_text(self) -> str:
        """The chart in words, for screen readers (Discord's `description`, Slack's `alt_txt`)."""
        days = self.days
        if not days:
            return f"{self.title}: no days to show."
        parts = [f"{self.title}, {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d}"]
        for series in self.series:
            total = sum(series.counts)
            if not total:
                parts.append(f"no {series.name}")
                continue
            most = max(series.counts)
            peak = days[series.counts.index(most)]
            quiet = series.counts.count(0)
            parts.append(
                f"{total} {series.name} in all, at most {most} a day ({peak:%Y-%m-%d}), "
                f"none on {quiet} of {len(series.counts)} days"
            )
        return "; ".join(parts) + "."


def daily_chart(
    title: str, now: datetime, series: Iterable[tuple[str, Iterable[datetime]]], days: int = DAYS
) -> Chart:
    """A chart of each named list of times, counted per day over the window ending `now`."""
    return Chart(
        title=title,
        start=window_start(now, days).date(),
        series=tuple(Series(name=n, counts=per_day(ts, now, days)) for n, ts in series),
    )
