"""The Discord app-command tree, produced from the command registry (bot/chat/registry.py).

Each registry command becomes one slash command (or a subcommand of its group) whose options,
types, choices, autocomplete and descriptions come from its `Arg`s; one generic listener turns
the interaction into the registry path and string options `CommandService.run` takes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Optional

import discord
from discord import app_commands

from bot.chat.commands import Caller, CommandService
from bot.chat.discord.respond import answer, send_reply
from bot.chat.discord.rule_editor import open_rule_editor
from bot.chat.registry import COMMANDS, GROUPS, Arg, Command, Type

Tree = app_commands.CommandTree[discord.Client]
Choices = list[app_commands.Choice[str]]
Who = Callable[[discord.Interaction], Caller]
Listener = Callable[..., Coroutine[Any, Any, None]]


def _annotation(arg: Arg) -> Any:
    """The Python type discord.py reads an option's Discord type from."""
    base: Any
    if arg.type is Type.role:
        base = discord.Role
    elif arg.choices:
        base = Literal.__getitem__(arg.choices)
    else:
        base = str
    return base if arg.required or arg.default is not None else Optional[base]  # noqa: UP045


def _parameters(command: Command) -> list[inspect.Parameter]:
    first = inspect.Parameter(
        "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
    )
    rest = [
        inspect.Parameter(
            a.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=_annotation(a),
            default=inspect.Parameter.empty if a.required else a.default,
        )
        for a in command.chat_args
    ]
    return [first, *rest]


def group(name: str, description: str, *, admin: bool = False) -> app_commands.Group:
    """A command group usable in servers only (the bot needs a channel and its permissions).

    An `admin` group is shown only to members with Manage Server unless a server admin allows
    more roles under Server Settings → Integrations; the bot checks every use regardless.
    """
    guilds = app_commands.AppCommandContext(guild=True)
    return app_commands.Group(
        name=name,
        description=description,
        guild_only=True,
        allowed_contexts=guilds,
        default_permissions=discord.Permissions(manage_guild=True) if admin else None,
    )


def build_tree(client: discord.Client, service: CommandService, who: Who) -> Tree:
    """The slash commands of the registry, one generic listener each."""
    tree: Tree = app_commands.CommandTree(client)

    def completer(kind: str) -> Callable[..., Coroutine[Any, Any, Choices]]:
        async def complete(_i: discord.Interaction, current: str) -> Choices:
            pairs = await service.lookups.complete(current, kind=kind)
            return [app_commands.Choice(name=lb[:100], value=v[:100]) for lb, v in pairs]

        return complete

    completers = {
        Type.target: completer("any"),
        Type.actor: completer("actor"),
        Type.rule: completer("rule"),
    }

    def listener(command: Command) -> Listener:
        async def callback(interaction: discord.Interaction, **values: Any) -> None:
            caller = who(interaction)
            options: dict[str, str] = {}
            for name, value in values.items():
                if isinstance(value, discord.Role):
                    options[name] = str(value.id)
                    if value.mentionable:  # anyone may mention it anyway
                        caller = caller.model_copy(update={"can_mention": True})
                elif value is not None:
                    options[name] = str(value)
            if command.editor and "yaml" not in options:
                await open_rule_editor(interaction, service, who, send_reply, options.get("rule"))
                return
            await answer(interaction, service.run(caller, command.path, options), slow=command.slow)

        callback.__signature__ = inspect.Signature(_parameters(command))  # type: ignore[attr-defined]
        args = command.chat_args
        app_commands.describe(**{a.name: a.help for a in args})(callback)
        completing = {a.name: completers[a.type] for a in args if a.type in completers}
        if completing:
            app_commands.autocomplete(**completing)(callback)
        return callback

    groups = {g.name: group(g.name, g.help, admin=g.admin) for g in GROUPS}
    for command in COMMANDS:
        callback = listener(command)
        if len(command.path) == 1:
            app_commands.guild_only()(callback)
            if command.permission.restricted:  # shown to Manage Server; the guard checks each use
                app_commands.default_permissions(manage_guild=True)(callback)
            tree.add_command(
                app_commands.Command(
                    name=command.path[0], description=command.help, callback=callback
                )
            )
        else:
            parent = groups[command.path[0]]
            parent.add_command(
                app_commands.Command(
                    name=command.path[1], description=command.help, callback=callback, parent=parent
                )
            )
    for subcommands in groups.values():
        tree.add_command(subcommands)
    return tree
