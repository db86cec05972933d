"""Counts per day (policy.daily) and the PNG they become (bot/charts/png.py)."""

from __future__ import annotations

import ast
import struct
from datetime import UTC, date, datetime, timedelta, timezone

from bot.charts.png import PNG_SIGNATURE, render_png
from bot.policy.daily import Chart, Series, daily_chart, per_day, window_start
from tests.paths import ROOT

NOW = datetime(2026, 12, 4, 21, 30, tzinfo=UTC)


def test_the_window_is_thirty_utc_days_ending_today() -> None:
    assert window_start(NOW) == datetime(2026, 11, 5, tzinfo=UTC)
    assert window_start(NOW, days=1) == datetime(2026, 12, 4, tzinfo=UTC)


def test_times_are_counted_on_their_utc_day_and_the_rest_left_out() -> None:
    times = [
        NOW,
        NOW.replace(hour=0, minute=0),  # today's first instant
        datetime(2026, 12, 4, 1, 0, tzinfo=timezone(timedelta(hours=3))),  # 3 Dec 22:00 UTC
        datetime(2026, 11, 5, 0, 0),  # naive: read as UTC, the window's first day
        datetime(2026, 11, 4, 23, 59, 59, tzinfo=UTC),  # the day before the window
        NOW + timedelta(days=1),  # tomorrow
    ]
    counts = per_day(times, NOW)
    assert len(counts) == 30
    assert counts[-1] == 2 and counts[-2] == 1 and counts[0] == 1
    assert sum(counts) == 4


def test_the_alt_text_says_what_the_chart_shows() -> None:
    chart = daily_chart(
        "Alerts for peace-talks per day",
        NOW,
        [("alerts", [NOW, NOW, NOW - timedelta(days=3)]), ("posts", [])],
    )
    assert chart.days[0] == date(2026, 11, 5) and chart.days[-1] == date(2026, 12, 4)
    assert chart.alt_text == (
        "Alerts for peace-talks per day, 2026-11-05 to 2026-12-04; 3 alerts in all, at most 2 a "
        "day (2026-12-04), none on 28 of 30 days; no posts."
    )
    assert chart.filename == "alerts-for-peace-talks-per-day.png"
    assert Chart(title="!!", start=date(2026, 1, 1), series=()).filename == "chart.png"


def test_a_chart_renders_as_a_small_png() -> None:
    chart = daily_chart("Mentions of Sergey Lavrov per day", NOW, [("mentions", [NOW] * 4)])
    png = render_png(chart)
    assert png.startswith(PNG_SIGNATURE) and png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (640, 240)
    assert 2_000 < len(png) < 100_000
    several = Chart(
        title="two lines",
        start=date(2026, 11, 5),
        series=(Series(name="a", counts=(0,) * 30), Series(name="b", counts=(1,) * 30)),
    )
    assert render_png(several).startswith(PNG_SIGNATURE)


def test_only_the_chart_renderer_imports_matplotlib_and_only_when_drawing() -> None:
    """No module of the bot imports matplotlib when it is imported (start-up and commands
    without a chart never pay for it); `bot/charts/png.py` imports it inside `render_png`."""
    inside: list[str] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        at_import = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.split(".")[0] == "matplotlib" for n in names):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert id(node) not in at_import, f"{where} imports matplotlib at module level"
                inside.append(str(path.relative_to(ROOT)))
    assert set(inside) == {"bot/charts/png.py"}
