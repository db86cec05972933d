"""The Discord rule editor: `/rules add` or `/rules edit RULE` without YAML opens a modal.

A modal's paragraph field takes a rule written over many lines, as the config files hold it;
a slash command option holds one line only. A failed save answers with the YAML as typed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import discord

from bot.chat.commands import RULE_EXAMPLE, Caller, CommandService, Reply, with_draft

log = logging.getLogger(__name__)

MAX_YAML = 4000  # Discord's limit for a text input
TITLE_LIMIT = 45


class RuleEditor(discord.ui.Modal):
    """A one-field modal holding a rule's YAML; submitting saves it like `/rules add|edit`."""

    def __init__(
        self,
        service: CommandService,
        who: Callable[[discord.Interaction], Caller],
        send: Callable[[discord.Interaction, Reply], Awaitable[None]],
        rule_id: str | None,
        draft: str,
    ) -> None:
        title = f"Edit rule {rule_id}" if rule_id else "Add a watch rule"
        super().__init__(title=title[:TITLE_LIMIT], timeout=15 * 60)  # an interaction's life
        self.service, self.who, self.send, self.rule_id = service, who, send, rule_id
        self.yaml: discord.ui.TextInput[RuleEditor] = discord.ui.TextInput(
            label="Rule YAML",
            style=discord.TextStyle.paragraph,
            default=draft or None,
            placeholder=None if draft else RULE_EXAMPLE,
            max_length=MAX_YAML,
        )
        self.add_item(self.yaml)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        # Permissions are looked at again: they may have changed while the modal was open.
        text = self.yaml.value
        try:
            reply = await self.service.rules_put(self.who(interaction), text, rule_id=self.rule_id)
        except Exception:  # the draft must come back whatever went wrong
            log.exception("rule editor submission failed")
            reply = Reply(title="Something went wrong; the error was logged", ok=False)
        await self.send(interaction, with_draft(reply, text))


async def open_rule_editor(
    interaction: discord.Interaction,
    service: CommandService,
    who: Callable[[discord.Interaction], Caller],
    send: Callable[[discord.Interaction, Reply], Awaitable[None]],
    rule_id: str | None = None,
) -> None:
    """Answer the command with the editor, or with why it cannot open (refused, no such rule)."""
    draft = await service.rules_draft(who(interaction), rule_id, limit=MAX_YAML)
    if isinstance(draft, Reply):
        await send(interaction, draft)
    else:
        await interaction.response.send_modal(RuleEditor(service, who, send, rule_id, draft))
