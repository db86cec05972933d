"""Print alerts to the terminal with rich: the demo's and a debugging operator's sink."""

from __future__ import annotations

import itertools

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

from bot.delivery.render.plain import render_follow_up_text, render_text
from bot.delivery.sinks.follow_up import as_follow_up
from bot.models import Alert, Delivery, Platform, Priority

_COLOURS = {
    Priority.low: "dim",
    Priority.normal: "cyan",
    Priority.high: "yellow",
    Priority.urgent: "bold red",
}


class ConsoleSink:
    """Writes each alert as a panel; message ids are a local counter."""

    platform = Platform.console

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._ids = itertools.count(1)

    async def send(self, alert: Alert, delivery: Delivery) -> str:
        follow_up = as_follow_up(alert, delivery.thread_id)
        body = render_follow_up_text(alert) if follow_up else render_text(alert)
        title = "same story, another source" if follow_up else alert.source or "alert"
        self.console.print(
            Panel(
                Text(body),
                title=Text(title),
                title_align="left",
                border_style=_COLOURS[alert.priority],
            )
        )
        return f"console-{next(self._ids)}"
