"""The command registry is the one list: the README, Slack's grammar and help, Discord's tree
options and the service's handlers all follow it."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from bot.chat.commands import CommandService
from bot.chat.registry import COMMANDS, Kind, Permission, markdown_table, usage
from bot.chat.slack.app import help_reply
from bot.chat.textcommands import SPECS, CommandSyntaxError, parse

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_command_table_is_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- commands:start -->\n(.*?)<!-- commands:end -->", text, re.S)
    assert found, "README.md lost its <!-- commands:start/end --> markers"
    assert found[1] == markdown_table(), "regenerate it: python -m bot.chat.registry"


def test_slack_accepts_exactly_the_documented_options() -> None:
    help_text = help_reply().text
    for command in COMMANDS:
        spec = SPECS[command.path]
        options = {a.name for a in command.chat_args if a.kind is Kind.option}
        assert spec.keys == options, command.name  # what the parser takes …
        assert f"`/newsbot {usage(command)}`" in help_text  # … is what help shows …
        assert all(f"[{key}=" in spec.usage for key in options)  # … and its usage names
        if options:
            try:
                parse(f"{command.name} x bogus_key=1")
            except CommandSyntaxError as exc:
                assert "unknown option 'bogus_key'" in str(exc)
            else:
                raise AssertionError(f"{command.name} took an undeclared option")


def test_mention_role_is_documented_where_slack_takes_it() -> None:
    [subscribe] = [c for c in COMMANDS if c.path == ("subscribe",)]
    assert "mention_role=" in usage(subscribe) and "mention_role=" in help_reply().text
    assert "mention_role=" in markdown_table()
    assert parse("subscribe x mention_role=S0123").options["mention_role"] == "S0123"


def test_every_command_has_a_handler_and_no_handler_lacks_a_command() -> None:
    unused = SimpleNamespace(  # the table is built without touching the store
        subscriptions=None, catalog=None, alerts=None, outbox=None, audit=None, feeds=None
    )
    service = CommandService(unused, lambda: None, validate_feed_url=str)  # type: ignore[arg-type]
    assert set(service._handlers) == {c.path for c in COMMANDS}


def test_changes_to_the_shared_rules_and_feeds_are_owners_only() -> None:
    changes = {("rules", "add"), ("rules", "edit"), ("rules", "remove")}
    changes |= {("feeds", "add"), ("feeds", "remove")}
    assert {c.path for c in COMMANDS if c.permission is Permission.owner} == changes
    assert "owners (`NEWSBOT_OWNERS`)" in markdown_table()
    assert "(owners; admins if none set)" in help_reply().text


def test_admin_groups_hold_only_admin_commands_and_cli_commands_are_admin() -> None:
    for command in COMMANDS:
        if command.path[0] in {"rules", "feeds"} or command.cli:
            assert command.permission.restricted, command.name
        assert len(command.help) <= 100, command.name  # Discord's description limit
        assert all(len(a.help) <= 100 for a in command.args), command.name
