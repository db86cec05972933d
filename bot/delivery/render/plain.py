"""Plain-text alerts for the console and logs: readable, and free of terminal control sequences."""

from __future__ import annotations

from bot.delivery.render.common import clean, published_utc, quote_text, why_lines
from bot.models import Alert


def render_text(alert: Alert) -> str:
    """A few lines: priority and title, source and time, link, summary, quotes, why."""
    lines = [f"[{alert.priority.value.upper()}] {clean(alert.title)}"]
    stamp = published_utc(alert)
    meta = " · ".join(
        p for p in (clean(alert.source), stamp.strftime("%Y-%m-%d %H:%M UTC") if stamp else "") if p
    )
    if meta:
        lines.append(meta)
    if alert.link:
        lines.append(clean(alert.link))
    if alert.summary:
        lines.append("")
        lines.append(clean(alert.summary))
    for quote in alert.quotes:
        lines.append(f"  {quote_text(quote)} — {clean(quote.speaker or 'unattributed')}")
    why = why_lines(alert)
    if why:
        lines.append(
            "Why: "
            + "; ".join(f"{name} ({', '.join(words)})" if words else name for name, words in why)
        )
    return "\n".join(lines)


def render_follow_up_text(alert: Alert) -> str:
    """A line for a later source of a story already alerted, then one per thing it adds."""
    link = f" {clean(alert.link)}" if alert.link else ""
    line = f"Also reported by {clean(alert.source) or 'another source'}: {clean(alert.title)}{link}"
    return "\n".join([line, *(f"  {clean(add)}" for add in alert.adds)])
