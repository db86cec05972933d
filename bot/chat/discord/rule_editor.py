"""The Discord rule editor: `/rules add` or `/rules edit RULE` without YAML opens a modal.

A modal's paragraph field takes a rule written over many lines, as the config files hold it;
a slash command option holds one line only. The modal's custom id names the rule, so its
submission is handled from the interaction alone: it is saved even after a restart or a long
edit. A failed save answers with the YAML as typed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.chat.commands import RULE_EXAMPLE, Caller, CommandService, Reply
from bot.chat.reply import FAILED, with_draft

log = logging.getLogger(__name__)

MAX_YAML = 4000  # Discord's limit for a text input
TITLE_LIMIT = 45
EDITOR_ID = "newsbot:rule-editor:"  # + the rule id being edited, or nothing for a new rule
FIELD_ID = "yaml"

Who = Callable[[discord.Interaction], Caller]
Send = Callable[[discord.Interaction, Reply], Awaitable[None]]


class RuleEditor(discord.ui.Modal):
    """A one-field modal holding a rule's YAML. It has no `on_submit`: `save_submission` saves
    what comes back, so nothing here has to outlive the process."""

    def __init__(self, rule_id: str | None, draft: str) -> None:
        title = f"Edit rule {rule_id}" if rule_id else "Add a watch rule"
        # discord.py keeps an open modal in memory until its timeout; a submission after that
        # is still saved by `save_submission`.
        super().__init__(
            title=title[:TITLE_LIMIT], timeout=15 * 60, custom_id=EDITOR_ID + (rule_id or "")
        )
        self.add_item(
            discord.ui.TextInput(
                label="Rule YAML",
                custom_id=FIELD_ID,
                style=discord.TextStyle.paragraph,
                default=draft or None,
                placeholder=None if draft else RULE_EXAMPLE,
                max_length=MAX_YAML,
            )
        )


async def open_rule_editor(
    interaction: discord.Interaction,
    service: CommandService,
    who: Who,
    send: Send,
    rule_id: str | None = None,
) -> None:
    """Answer the command with the editor, or with why it cannot open (refused, no such rule)."""
    draft = await service.rules.draft(who(interaction), rule_id, limit=MAX_YAML)
    if isinstance(draft, Reply):
        await send(interaction, draft)
    else:
        await interaction.response.send_modal(RuleEditor(rule_id, draft))


async def save_submission(
    interaction: discord.Interaction, service: CommandService, who: Who, send: Send
) -> bool:
    """Save the rule a rule editor submitted; False when `interaction` is something else."""
    data: Any = interaction.data or {}
    custom_id = str(data.get("custom_id") or "")
    if interaction.type is not discord.InteractionType.modal_submit or not custom_id.startswith(
        EDITOR_ID
    ):
        return False
    rule_id = custom_id.removeprefix(EDITOR_ID) or None
    text = _field(data.get("components") or [])
    try:  # permissions are looked at again: they may have changed while the modal was open
        reply = await service.rules.put(who(interaction), text, rule_id=rule_id)
    except Exception:  # the draft must come back whatever went wrong
        log.exception("rule editor submission failed")
        reply = FAILED
    await send(interaction, with_draft(reply, text))
    return True


def _field(components: list[Any]) -> str:
    """The YAML field's value among a submission's components (action rows or labels)."""
    for component in components:
        if component.get("custom_id") == FIELD_ID:
            return str(component.get("value") or "")
        inner = component.get("components") or (
            [component["component"]] if component.get("component") else []
        )
        if found := _field(inner):
            return found
    return ""
