"""A `Chart` as a small PNG, drawn headless with matplotlib's Agg backend.

matplotlib is imported inside `render_png`, not at module import: start-up and every command
without a chart never pay for it (a test checks). Rendering is CPU work; chat adapters run it
in a thread (`render_in_thread`) so the event loop keeps answering.
"""

from __future__ import annotations

import asyncio
import io

from bot.policy.daily import Chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WIDTH, HEIGHT, DPI = 6.4, 2.4, 100  # 640 × 240 pixels: small enough for a chat, still legible
COLOURS = ("#3b6fb6", "#d9822b", "#5a9e4b")


def render_png(chart: Chart) -> bytes:
    """The chart as PNG bytes: one bar series, or lines when there are several."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)  # no pyplot: no global state, no GUI
    axes = figure.subplots()
    days = chart.days
    x = list(range(len(days)))  # day positions; labelled below, a week apart ending today
    for i, series in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        if len(chart.series) == 1:
            axes.bar(x, series.counts, color=colour, label=series.name, width=0.8)
        else:
            axes.plot(x, series.counts, color=colour, label=series.name, marker=".")
    axes.set_title(chart.title, fontsize=10)
    axes.set_ylabel("per day", fontsize=8)
    axes.tick_params(labelsize=7)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max([1, *(max(s.counts, default=0) for s in chart.series)]) * 1.1)
    axes.spines[["top", "right"]].set_visible(False)
    if len(chart.series) > 1:
        axes.legend(fontsize=7, frameon=False)
    axes.set_xticks(x[::-7], labels=[f"{d:%d %b}" for d in days[::-7]])
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


async def render_in_thread(chart: Chart) -> bytes:
    """`render_png` off the event loop."""
    return await asyncio.to_thread(render_png, chart)
