"""Parse a typed command line (`subscribe peace-talks min_priority=high`) into a path and options.

Platform-neutral: any text adapter (Slack's `/newsbot TEXT`, a console) turns what the user typed
into the `(path, options)` that `CommandService.run` takes; `command_text` is the inverse.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

OPTION = re.compile(r"^([a-z][a-z_]*)=(.*)$", re.DOTALL)


class CommandSyntaxError(ValueError):
    """The text is not a valid command; the message says how to write it."""


@dataclass(frozen=True)
class Spec:
    """What one command takes after its name: one-word arguments, free words, options, rest."""

    usage: str
    args: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    words: str | None = None
    words_required: bool = False
    keys: frozenset[str] = frozenset()
    rest: str | None = None
    rest_required: bool = False


@dataclass(frozen=True)
class ParsedCommand:
    """A command path such as `("rules", "add")` and its options; an empty path asks for help."""

    path: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)

    @property
    def is_help(self) -> bool:
        return not self.path


SUBSCRIBE_KEYS = frozenset({"min_priority", "mode", "digest_time", "mention_role"})
SPECS: dict[tuple[str, ...], Spec] = {
    ("subscribe",): Spec(
        "subscribe TARGET [min_priority=low|normal|high|urgent] [mode=instant|digest]"
        " [digest_time=HH:MM]",
        words="target",
        words_required=True,
        keys=SUBSCRIBE_KEYS,
    ),
    ("unsubscribe",): Spec("unsubscribe TARGET", words="target", words_required=True),
    ("subscriptions",): Spec("subscriptions"),
    ("actor",): Spec("actor NAME", rest="name", rest_required=True),
    ("alerts", "recent"): Spec("alerts recent [RULE]", words="rule"),
    ("alerts", "log"): Spec("alerts log"),
    ("rules", "list"): Spec("rules list"),
    ("rules", "show"): Spec("rules show RULE", args=("rule",)),
    # Without YAML these open an editor where the platform has one (a Slack modal).
    ("rules", "add"): Spec("rules add [{id: x, name: X, any: [a, b]}]", rest="yaml"),
    ("rules", "edit"): Spec(
        "rules edit RULE [{name: X, any: [a, b]}]", args=("rule",), rest="yaml"
    ),
    ("rules", "remove"): Spec("rules remove RULE", args=("rule",)),
    ("rules", "test"): Spec("rules test RULE", args=("rule",)),
    ("rules", "history"): Spec("rules history [RULE]", optional=("rule",)),
    ("rules", "stats"): Spec("rules stats RULE", args=("rule",)),
    ("feeds", "list"): Spec("feeds list"),
    ("feeds", "add"): Spec("feeds add URL [NAME]", args=("url",), rest="name"),
    ("feeds", "remove"): Spec("feeds remove FEED", args=("feed",)),
}
ALIASES = {
    "list": "subscriptions",
    "subs": "subscriptions",
    "sub": "subscribe",
    "unsub": "unsubscribe",
    "rule": "rules",
    "feed": "feeds",
    "alert": "alerts",
}
GROUP_DEFAULTS = {"rules": "list", "feeds": "list", "alerts": "recent"}
GROUPS = {group: sorted(p[1] for p in SPECS if p[0] == group) for group in GROUP_DEFAULTS}
USAGE = tuple(spec.usage for spec in SPECS.values())


def parse(text: str) -> ParsedCommand:
    """Parse what followed the slash command; raise CommandSyntaxError saying what to type."""
    head, rest = _word(text)
    if not head or head.lower() in {"help", "?"}:
        return ParsedCommand(())
    name = ALIASES.get(head.lower(), head.lower())
    path: tuple[str, ...] = (name,)
    if name in GROUPS:
        sub, after = _word(rest)
        if sub.lower() in GROUPS[name]:
            path, rest = (name, sub.lower()), after
        elif not sub or name == "alerts":
            path = (name, GROUP_DEFAULTS[name])
        else:
            raise CommandSyntaxError(
                f"{name} has no command {sub!r}; use one of: {', '.join(GROUPS[name])}"
            )
    spec = SPECS.get(path)
    if spec is None:
        raise CommandSyntaxError(f"unknown command {head!r}; type `help` for the list")
    return ParsedCommand(path, _options(spec, rest))


def command_text(path: Sequence[str], options: Mapping[str, str]) -> str:
    """The text that `parse` turns back into `path` and `options`."""
    spec = SPECS[tuple(path)]
    parts = list(path)
    parts += [options[a] for a in (*spec.args, *spec.optional) if a in options]
    if spec.words and spec.words in options:
        parts += [_quote(w) for w in options[spec.words].split()]
    parts += [f"{k}={_quote(options[k])}" for k in sorted(spec.keys) if k in options]
    if spec.rest and spec.rest in options:
        parts.append(options[spec.rest])
    return " ".join(parts)


def _options(spec: Spec, rest: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name in spec.args:
        word, rest = _word(rest)
        if not word:
            raise CommandSyntaxError(f"missing {name.upper()}; usage: {spec.usage}")
        options[name] = word
    for name in spec.optional:
        word, rest = _word(rest)
        if word:
            options[name] = word
    if spec.rest:
        if rest.strip():
            options[spec.rest] = rest.strip()
        elif spec.rest_required:
            raise CommandSyntaxError(f"missing {spec.rest.upper()}; usage: {spec.usage}")
        return options
    words: list[str] = []
    for token in _split(rest):
        match = OPTION.match(token)
        if match and match[1] in spec.keys:
            options[match[1]] = match[2]
        elif match:
            raise CommandSyntaxError(f"unknown option {match[1]!r}; usage: {spec.usage}")
        else:
            words.append(token)
    if words and spec.words is None:
        raise CommandSyntaxError(f"unexpected {' '.join(words)!r}; usage: {spec.usage}")
    if words and spec.words:
        options[spec.words] = " ".join(words)
    elif spec.words_required and spec.words:
        raise CommandSyntaxError(f"missing {spec.words.upper()}; usage: {spec.usage}")
    return options


def _word(text: str) -> tuple[str, str]:
    """The first whitespace-separated word and the text after it."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1] if len(parts) > 1 else ""


def _split(text: str) -> list[str]:
    """Shell-like words (quotes group), falling back to plain words on an odd quote (O'Brien)."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def _quote(value: str) -> str:
    return value if value and re.fullmatch(r"[\w@%+=:,./\-–]+", value) else shlex.quote(value)
