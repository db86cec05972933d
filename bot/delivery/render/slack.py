"""Slack Block Kit for an alert: fallback text plus blocks, within Block Kit limits, never pinging.

Limits: 50 blocks per message, 3000 characters per section text, 150 per header plain_text.
Feed text is escaped (`& < >`) so no `<!channel>`, `<@U…>` or `<url|label>` from a feed survives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.delivery.render.common import clean, published_utc, quote_text, speaker_label, why_lines
from bot.delivery.render.sanitize import safe_url, slack_plain, slack_text
from bot.delivery.render.truncate import truncate
from bot.delivery.render.votes import NOT_RELEVANT_LABEL, RELEVANT_LABEL, vote_id
from bot.models import Alert
from bot.rules.schema import Actor

BLOCKS_MAX = 50
SECTION_MAX = 3000
HEADER_MAX = 150
CONTEXT_MAX = 2000
FALLBACK_MAX = 3000

_ATOMS = (re.compile(r"&(?:amp|lt|gt);"), re.compile(r"<[^<>]*>"), re.compile(r"\u200b."))


def _cut(text: str, limit: int) -> str:
    return truncate(text, limit, atoms=_ATOMS)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_MAX)}}


def link(url: str | None, label: str) -> str:
    """A Slack link `<url|label>` with an escaped label, or just the label if the URL is unsafe."""
    safe = safe_url(url)
    text = slack_text(clean(label)).replace("|", "¦")
    return f"<{safe}|{text}>" if safe else text


def _when(alert: Alert) -> str:
    stamp = published_utc(alert)
    if stamp is None:
        return ""
    fallback = stamp.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(stamp.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def render_blocks(
    alert: Alert, *, actors: Mapping[str, Actor] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """(fallback text, blocks): header, source and time, summary, key quotes, why, and the link."""
    title = clean(alert.title) or "(untitled)"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": truncate(slack_plain(title), HEADER_MAX),
                "emoji": True,
            },
        },
    ]
    context = " · ".join(
        part
        for part in (
            slack_text(clean(alert.source)),
            _when(alert),
            f"priority {alert.priority.value}",
        )
        if part
    )
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(context, CONTEXT_MAX)}]}
    )
    if alert.summary:
        blocks.append(_section(slack_text(clean(alert.summary))))
    for quote in alert.quotes:
        body = slack_text(quote_text(quote))
        who = slack_text(speaker_label(quote, actors))
        blocks.append(_section(f"> {_cut(body, SECTION_MAX - len(who) - 10)}\n— *{who}*"))
    why = why_lines(alert)
    if why:
        lines = "; ".join(
            f"*{slack_text(name)}* ({slack_text(', '.join(words))})"
            if words
            else f"*{slack_text(name)}*"
            for name, words in why
        )
        blocks.append(_section(f"Why: {lines}"))
    if safe_url(alert.link):
        blocks.append(_section(link(alert.link, "Read the article")))
    if alert.id is not None:
        blocks.append(vote_actions(alert.id))
    if len(blocks) > BLOCKS_MAX:
        blocks = blocks[: BLOCKS_MAX - 2] + blocks[-2:]
    fallback = _cut(
        f"{slack_text(title)} — {slack_text(clean(alert.source))}".rstrip(" —"), FALLBACK_MAX
    )
    return fallback, blocks


VOTE_ACTIONS = {True: "newsbot-vote-relevant", False: "newsbot-vote-not-relevant"}
"""Block Kit action ids of the two vote buttons; the value names the alert and the vote."""


def vote_actions(alert_id: int) -> dict[str, Any]:
    """An actions block with the Relevant / Not relevant buttons (answered via block_actions)."""
    return {
        "type": "actions",
        "block_id": "newsbot-vote",
        "elements": [
            {
                "type": "button",
                "action_id": VOTE_ACTIONS[relevant],
                "text": {"type": "plain_text", "text": label},
                "value": vote_id(alert_id, relevant),
                **({"style": "primary"} if relevant else {}),
            }
            for relevant, label in ((True, RELEVANT_LABEL), (False, NOT_RELEVANT_LABEL))
        ],
    }


def render_follow_up_blocks(alert: Alert) -> tuple[str, list[dict[str, Any]]]:
    """A thread reply for a later source of the same story: "Also reported by <source>: <title>",
    then what it adds (new quotes, figures, names)."""
    source = slack_text(clean(alert.source)) or "another source"
    title = clean(alert.title) or "(untitled)"
    text = f"Also reported by *{source}*: {link(alert.link, title)}"
    fallback = _cut(f"Also reported by {source}: {slack_text(title)}", FALLBACK_MAX)
    blocks = [_section(text)]
    if alert.adds:
        blocks.append(_section("\n".join(slack_text(clean(add)) for add in alert.adds)))
    return fallback, blocks
