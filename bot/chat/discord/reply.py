"""Turn a command service `Reply` into Discord message texts of at most 2000 characters each.

Long replies are split on line boundaries; a code block cut in two is closed and reopened so
each message renders on its own, and anything past `MAX_MESSAGES` is dropped with a note.
"""

from __future__ import annotations

from bot.chat.render import Dialect, render
from bot.chat.reply import Reply
from bot.delivery.render.sanitize import discord_text

LIMIT = 2000
MAX_MESSAGES = 3
FENCE = "```"
TRUNCATED = "… (truncated)"


DISCORD = Dialect(
    ours=lambda text: text,  # our markup is Discord markdown already
    theirs=discord_text,
    bold=lambda text: f"**{text}**",
)


def reply_lines(reply: Reply) -> list[str]:
    """The reply as markdown lines (chat/render.py): feed text through the alerts' sanitiser."""
    return render(reply, DISCORD)


def split_message(
    lines: list[str], limit: int = LIMIT, max_messages: int = MAX_MESSAGES
) -> list[str]:
    """Pack lines into messages of at most `limit` characters, keeping code fences balanced."""
    messages: list[str] = []
    current: list[str] = []
    size = 0
    fence: str | None = None  # the opening fence line of a code block left open in `current`
    reserve = len(FENCE) + 1  # room to close a code block at the end of a message
    for raw in lines:
        for line in _hard_wrap(raw, limit - 2 * reserve - len("```yaml")):
            if size + len(line) + 1 > limit - reserve and current:
                if fence is not None:
                    current.append(FENCE)
                messages.append("\n".join(current))
                current, size = ([fence], len(fence) + 1) if fence is not None else ([], 0)
            current.append(line)
            size += len(line) + 1
            if line.lstrip().startswith(FENCE):
                fence = None if fence is not None else line.strip()
    if current:
        messages.append("\n".join(current))
    if len(messages) > max_messages:
        messages = messages[:max_messages]
        last = messages[-1][: limit - len(TRUNCATED) - len(FENCE) - 2]
        closer = f"\n{FENCE}" if last.count(FENCE) % 2 else ""
        messages[-1] = f"{last}{closer}\n{TRUNCATED}"
    return messages


def _hard_wrap(line: str, width: int) -> list[str]:
    """Cut a single line longer than `width` into pieces (rare: a pasted URL or YAML blob)."""
    if len(line) <= width:
        return [line]
    return [line[i : i + width] for i in range(0, len(line), width)]
