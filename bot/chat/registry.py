"""Every chat command, declared once: its name, arguments and their types, who may run it, who
sees the answer, and its help.

Platform-neutral data. The Discord app-command tree, Slack's text grammar with its usage and
help, the CLI's admin commands and the README's command table are all produced from `COMMANDS`,
so no surface can accept an argument the others do not document.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How an argument is typed in a text command (Discord gives every argument its own field)."""

    word = "word"  # one word, in its place
    words = "words"  # the free words left over, joined
    rest = "rest"  # the raw text after the words before it (YAML, a feed's name)
    option = "option"  # key=value anywhere after the command


class Type(StrEnum):
    """What an argument holds: Discord picks its field and autocomplete from this."""

    text = "text"
    target = "target"  # a rule or an actor, autocompleted from both
    actor = "actor"
    rule = "rule"
    role = "role"  # a Discord role, a Slack user group
    choice = "choice"
    seconds = "seconds"  # a whole number of seconds (the CLI's --interval)
    switch = "switch"  # given or not (the CLI's --no-full-text)


class Permission(StrEnum):
    """Who may run a command, or give an argument."""

    member = "member"
    admin = "admin"  # Manage Server / the admin role (Discord), workspace admins (Slack)
    owner = "owner"  # the deployment's owners (NEWSBOT_OWNERS); admins while none are set
    mention = "mention"  # may mention the role given (Discord), an admin (Slack)

    @property
    def restricted(self) -> bool:
        """Admins' or owners' only: not for every member."""
        return self in {Permission.admin, Permission.owner}


@dataclass(frozen=True)
class Arg:
    """One argument of a command."""

    name: str
    help: str
    kind: Kind = Kind.word
    type: Type = Type.text
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    metavar: str | None = None  # how usage names it: TARGET, HH:MM, {id: x, …}
    permission: Permission = Permission.member
    cli_only: bool = False  # an operator's option with no chat equivalent (e.g. --interval)

    @property
    def placeholder(self) -> str:
        return self.metavar or ("|".join(self.choices) if self.choices else self.name.upper())


@dataclass(frozen=True)
class Command:
    """One command: `path` as typed (`("rules", "add")`), its arguments, permission and help."""

    path: tuple[str, ...]
    help: str
    args: tuple[Arg, ...] = ()
    permission: Permission = Permission.member
    public: bool = False  # a successful answer is shown to the channel, not only the caller
    slow: bool = False  # known to take long: acknowledge at once
    editor: bool = False  # without its `yaml` argument it opens a rule editor
    cli: bool = False  # also an operator command: `newsbot feeds add …`, audited like chat

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def chat_args(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.cli_only)

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)


@dataclass(frozen=True)
class Group:
    """A command group (`rules …`): its help, and what a bare `rules` means."""

    name: str
    help: str
    default: str
    admin: bool = False  # Discord shows the group only to admins (the bot checks every use)


PRIORITIES = ("low", "normal", "high", "urgent")
MODES = ("instant", "digest")
RULE = Arg("rule", "The rule", type=Type.rule, required=True)

COMMANDS: tuple[Command, ...] = (
    Command(
        ("subscribe",),
        "Post alerts for a rule or actor in this channel",
        (
            Arg("target", "A watch rule or an actor", Kind.words, Type.target, required=True),
            Arg(
                "min_priority",
                "Only alerts of this priority or higher",
                Kind.option,
                Type.choice,
                choices=PRIORITIES,
                default="low",
            ),
            Arg(
                "mention_role",
                "A role (Discord) or user group id (Slack) to mention with each alert; "
                "only those who may mention it",
                Kind.option,
                Type.role,
                metavar="ROLE",
                permission=Permission.mention,
            ),
            Arg(
                "mode",
                "Post at once or as a daily digest",
                Kind.option,
                Type.choice,
                choices=MODES,
                default="instant",
            ),
            Arg("digest_time", "Time of the daily digest, HH:MM UTC", Kind.option, metavar="HH:MM"),
        ),
        public=True,
    ),
    Command(
        ("unsubscribe",),
        "Stop alerts for a rule or actor here",
        (
            Arg(
                "target",
                "The rule or actor this channel is subscribed to",
                Kind.words,
                Type.target,
                required=True,
            ),
        ),
        public=True,
    ),
    Command(("subscriptions",), "What this channel is subscribed to"),
    Command(
        ("actor",),
        "An actor's profile, latest quotes and alerts, and a chart of mentions per day",
        (Arg("name", "A person or organisation", Kind.rest, Type.actor, required=True),),
    ),
    Command(
        ("alerts", "recent"),
        "The latest alerts, optionally for one rule",
        (Arg("rule", "Only this rule's alerts", Kind.words, Type.rule),),
    ),
    Command(("alerts", "log"), "Delivery log of this channel", permission=Permission.admin),
    Command(("rules", "list"), "List the watch rules", permission=Permission.admin),
    Command(("rules", "show"), "Show a rule as YAML", (RULE,), permission=Permission.admin),
    Command(
        ("rules", "add"),
        "Add a rule: opens an editor, or give one-line YAML",
        (
            Arg(
                "yaml",
                "The rule in YAML flow style, e.g. {id: x, name: X, any: [a]}",
                Kind.rest,
                metavar="{id: x, name: X, any: [a, b]}",
            ),
        ),
        permission=Permission.owner,
        editor=True,
    ),
    Command(
        ("rules", "edit"),
        "Change a rule: opens an editor, or give new YAML",
        (
            Arg("rule", "The rule to change", type=Type.rule, required=True),
            Arg("yaml", "The whole new rule in YAML", Kind.rest, metavar="{name: X, any: [a, b]}"),
        ),
        permission=Permission.owner,
        editor=True,
    ),
    Command(("rules", "remove"), "Remove a rule", (RULE,), permission=Permission.owner),
    Command(
        ("rules", "test"),
        "Dry-run a rule against stored items",
        (RULE,),
        permission=Permission.admin,
        slow=True,
    ),
    Command(
        ("rules", "stats"),
        "A rule's alerts (with a chart per day), votes, estimated precision and model",
        (RULE,),
        permission=Permission.admin,
    ),
    Command(
        ("rules", "history"),
        "Who changed rules, when, and what",
        (Arg("rule", "Only this rule's changes", type=Type.rule),),
        permission=Permission.admin,
    ),
    Command(
        ("feeds", "list"),
        "List the feeds and their state",
        permission=Permission.admin,
        cli=True,
    ),
    Command(
        ("feeds", "add"),
        "Add a feed by URL",
        (
            Arg("url", "RSS, Atom or JSON Feed URL", required=True),
            Arg("name", "A display name", Kind.rest),
            Arg(
                "interval",
                "Seconds between polls (10 or more)",
                Kind.option,
                Type.seconds,
                cli_only=True,
            ),
            Arg(
                "no_full_text", "Never fetch article pages", Kind.option, Type.switch, cli_only=True
            ),
        ),
        permission=Permission.owner,
        cli=True,
    ),
    Command(
        ("feeds", "remove"),
        "Remove a feed by id or URL",
        (Arg("feed", "The feed's id or URL", required=True),),
        permission=Permission.owner,
        cli=True,
    ),
    Command(
        ("status",),
        "The bot's state: feeds ok or failing, outbox, last poll and post, where alerts go",
        permission=Permission.admin,
    ),
)
GROUPS: tuple[Group, ...] = (
    Group("alerts", "Recent alerts", "recent"),
    Group("rules", "Watch rules (admins)", "list", admin=True),
    Group("feeds", "News feeds (admins)", "list", admin=True),
)
ALIASES = {
    "list": "subscriptions",
    "subs": "subscriptions",
    "sub": "subscribe",
    "unsub": "unsubscribe",
    "rule": "rules",
    "feed": "feeds",
    "alert": "alerts",
}
BY_PATH = {c.path: c for c in COMMANDS}


WHO = {
    Permission.admin: "admins",
    Permission.owner: "owners (`NEWSBOT_OWNERS`); admins while none are set",
}


def arg_usage(arg: Arg) -> str:
    """One argument as usage writes it: `TARGET`, `[RULE]`, `[mode=instant|digest]`."""
    text = f"{arg.name}={arg.placeholder}" if arg.kind is Kind.option else arg.placeholder
    return text if arg.required else f"[{text}]"


def usage(command: Command) -> str:
    """How the command is typed: `subscribe TARGET [min_priority=low|…] [mode=…]`."""
    return " ".join([*command.path, *(arg_usage(a) for a in command.chat_args)])


def summary() -> str:
    """One line naming every command, for an unknown command's answer."""
    members = [usage(c) for c in COMMANDS if not c.permission.restricted]
    admin = sorted({c.path[0] for c in COMMANDS if c.permission.restricted})
    subs = {g: [c.path[1] for c in COMMANDS if c.path[0] == g and len(c.path) > 1] for g in admin}
    groups = [f"{g} {'|'.join(subs[g])}".strip() for g in admin]
    return "Commands: " + ", ".join(members) + "; admins: " + ", ".join(groups)


def markdown_table() -> str:
    """The README's command table: one row per command, as Discord and Slack both take it."""
    rows = [
        "| command | arguments | who may run it | answer seen by | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for c in COMMANDS:
        args = " ".join(f"`{arg_usage(a)}`" for a in c.chat_args).replace("|", "\\|")
        who = WHO.get(c.permission, "everyone")
        who += "".join(
            f"; `{a.name}`: those who may mention it"
            for a in c.chat_args
            if a.permission is Permission.mention
        )
        seen = "the channel" if c.public else "you"
        cli = f" (also `newsbot {c.name}`, audited alike)" if c.cli else ""
        rows.append(f"| `{c.name}` | {args or '—'} | {who} | {seen} | {c.help}{cli} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
