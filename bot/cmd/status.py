"""`newsbot status`: the operator's view — feeds ok / failing / paused, the outbox backlog,
the last poll and dispatch, and where alerts go (with a warning when they go nowhere).

The lines come from `App.status_report`, the one source the admins' `/status` in chat shares;
`--chart FILE` also writes the alerts and posts per day over 30 days as a PNG.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.chat.charts import activity_chart
from bot.config import ConfigError, Settings
from bot.policy.daily import Chart
from bot.runtime.app import App


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `newsbot status [--chart FILE]` to the command line."""
    parser = sub.add_parser("status", help="feeds, outbox, last poll and dispatch, where alerts go")
    parser.add_argument(
        "--chart",
        type=Path,
        metavar="FILE",
        help="also write alerts and posts per day over 30 days to FILE as a PNG",
    )
    parser.set_defaults(handler=_status)


async def _status(args: argparse.Namespace, settings: Settings) -> int:
    target: Path | None = args.chart
    if target is not None and not target.parent.is_dir():
        raise ConfigError(f"--chart {target}: the folder {target.parent} does not exist")
    app = await App(settings).open()
    try:
        lines = await app.status_report()
        chart = await activity_chart(app.store.timeline, app.clock()) if target else None
    finally:
        await app.close()
    print("\n".join(lines))
    if target is not None and chart is not None:
        await asyncio.to_thread(write_chart, chart, target)
        print(f"chart: {target} ({chart.alt_text})")
    return 0


def write_chart(chart: Chart, target: Path) -> None:
    """Draw the chart and write the PNG (matplotlib is loaded only here)."""
    from bot.charts.png import render_png

    try:
        target.write_bytes(render_png(chart))
    except OSError as exc:
        raise ConfigError(f"--chart {target}: cannot write it ({exc.strerror})") from None
