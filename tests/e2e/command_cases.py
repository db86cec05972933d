"""One table of chat-command cases that the Discord and the Slack tests both run.

Each case names the command path and options in the platform-neutral form; the Discord test
turns it into an INTERACTION_CREATE, the Slack test into a signed `/newsbot …` request, so the
two platforms cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEW_RULE = "{id: grain-deal, name: Grain deal, any: [grain deal, grain corridor*]}"
BAD_RULE = "{id: Bad Id!, name: X}"
MULTILINE_RULE = """\
id: ceasefire
name: Ceasefire talks
any:
  - ceasefire
  - truce
"""
"""A rule as the config files hold it, over many lines: what the chat rule editors take."""


@dataclass(frozen=True)
class CommandCase:
    """A command, who runs it, and what the reply must say."""

    name: str
    path: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)
    admin: bool = False
    ok: bool = True
    expect: tuple[str, ...] = ()
    ephemeral: bool = True


CASES: tuple[CommandCase, ...] = (
    CommandCase(
        "subscribe to a rule",
        ("subscribe",),
        {"target": "peace-talks"},
        expect=("Subscribed", "Peace talks"),
        ephemeral=False,
    ),
    CommandCase(
        "subscribe to an actor by alias",
        ("subscribe",),
        {"target": "Lavrov", "min_priority": "high"},
        expect=("Subscribed", "Sergey Lavrov", "high"),
        ephemeral=False,
    ),
    CommandCase(
        "subscribe to an unknown target",
        ("subscribe",),
        {"target": "marvel"},
        ok=False,
        expect=("No rule or actor called 'marvel'", "peace-talks"),
    ),
    CommandCase("list subscriptions", ("subscriptions",), expect=("Peace talks", "Sergey Lavrov")),
    CommandCase(
        "unsubscribe",
        ("unsubscribe",),
        {"target": "peace-talks"},
        expect=("Unsubscribed",),
        ephemeral=False,
    ),
    CommandCase(
        "unsubscribe twice",
        ("unsubscribe",),
        {"target": "peace-talks"},
        ok=False,
        expect=("not subscribed",),
    ),
    CommandCase(
        "actor profile",
        ("actor",),
        {"name": "Zelenskyy"},
        expect=("Volodymyr Zelensky", "Also known as"),
    ),
    CommandCase(
        "unknown actor", ("actor",), {"name": "Nobody Atall"}, ok=False, expect=("No actor named",)
    ),
    CommandCase("recent alerts", ("alerts", "recent"), expect=("alerts",)),
    CommandCase(
        "rules list refused for a member", ("rules", "list"), ok=False, expect=("Only admins",)
    ),
    CommandCase(
        "rules add refused for a member",
        ("rules", "add"),
        {"yaml": NEW_RULE},
        ok=False,
        expect=("Only admins",),
    ),
    CommandCase(
        "feeds add refused for a member",
        ("feeds", "add"),
        {"url": "https://example.com/rss"},
        ok=False,
        expect=("Only admins",),
    ),
    CommandCase("rules list", ("rules", "list"), admin=True, expect=("peace-talks",)),
    CommandCase(
        "rules show",
        ("rules", "show"),
        {"rule": "peace-talks"},
        admin=True,
        expect=("Rule peace-talks", "yaml"),
    ),
    CommandCase(
        "rules add",
        ("rules", "add"),
        {"yaml": NEW_RULE},
        admin=True,
        expect=("Rule grain-deal added",),
    ),
    CommandCase(
        "rules add invalid",
        ("rules", "add"),
        {"yaml": BAD_RULE},
        admin=True,
        ok=False,
        expect=("not saved", "id"),
    ),
    CommandCase(
        "rules test", ("rules", "test"), {"rule": "grain-deal"}, admin=True, expect=("would match",)
    ),
    CommandCase(
        "rules edit",
        ("rules", "edit"),
        {"rule": "grain-deal", "yaml": "{name: Grain deal, any: [grain]}"},
        admin=True,
        expect=("Rule grain-deal updated",),
    ),
    CommandCase(
        "rules history",
        ("rules", "history"),
        {"rule": "grain-deal"},
        admin=True,
        expect=("rules.add", "rules.edit"),
    ),
    CommandCase(
        "rules remove",
        ("rules", "remove"),
        {"rule": "grain-deal"},
        admin=True,
        expect=("Rule grain-deal removed",),
    ),
    CommandCase(
        "feeds add private refused",
        ("feeds", "add"),
        {"url": "file:///etc/passwd"},
        admin=True,
        ok=False,
        expect=("not added",),
    ),
    CommandCase(
        "feeds add with an over-long name",
        ("feeds", "add"),
        {"url": "https://news.example/rss", "name": "N" * 300},
        admin=True,
        ok=False,
        expect=("300 characters long; 200 at most",),
    ),
    CommandCase(
        "feeds remove by a digit that is no ASCII digit",
        ("feeds", "remove"),
        {"feed": "\u0661"},  # ARABIC-INDIC DIGIT ONE is not feed 1
        admin=True,
        ok=False,
        expect=("No feed",),
    ),
    CommandCase(
        "rules add nested too deeply",
        ("rules", "add"),
        {"yaml": "[" * 600 + "]" * 600},
        admin=True,
        ok=False,
        expect=("nested too deeply",),
    ),
    CommandCase(
        "subscribe with a bad digest time",
        ("subscribe",),
        {"target": "peace-talks", "mode": "digest", "digest_time": "25:00"},
        ok=False,
        expect=("digest_time: must be HH:MM",),
    ),
    CommandCase("feeds list", ("feeds", "list"), admin=True, expect=("feeds",)),
    CommandCase("delivery log", ("alerts", "log"), admin=True, expect=("Delivery log",)),
    CommandCase(
        "status",
        ("status",),
        admin=True,
        expect=("newsbot status", "feeds: 2 (2 ok", "outbox:", "last poll:", "alerts go to:"),
    ),
)

OWNERS_ONLY = ("Only the bot's owners", "only its owners (NEWSBOT_OWNERS) may change them")


@dataclass(frozen=True)
class OwnerCase:
    """A command run with NEWSBOT_OWNERS naming the platform's `owner` user: by `member` (no
    rights), `admin` (a server/workspace admin, not a deployment owner) or `owner`."""

    name: str
    path: tuple[str, ...]
    user: str
    options: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    expect: tuple[str, ...] = ()


OWNER_CASES: tuple[OwnerCase, ...] = (
    OwnerCase(
        "member adds a rule", ("rules", "add"), "member", {"yaml": NEW_RULE}, False, OWNERS_ONLY
    ),
    OwnerCase(
        "admin adds a rule", ("rules", "add"), "admin", {"yaml": NEW_RULE}, False, OWNERS_ONLY
    ),
    OwnerCase("admin opens the rule editor", ("rules", "add"), "admin", {}, False, OWNERS_ONLY),
    OwnerCase(
        "admin removes a rule",
        ("rules", "remove"),
        "admin",
        {"rule": "peace-talks"},
        False,
        OWNERS_ONLY,
    ),
    OwnerCase(
        "admin removes a feed", ("feeds", "remove"), "admin", {"feed": "2"}, False, OWNERS_ONLY
    ),
    OwnerCase(
        "member adds a feed",
        ("feeds", "add"),
        "member",
        {"url": "https://example.com/rss"},
        False,
        OWNERS_ONLY,
    ),
    OwnerCase("admin still lists the rules", ("rules", "list"), "admin", expect=("peace-talks",)),
    OwnerCase("admin still lists the feeds", ("feeds", "list"), "admin", expect=("2 feeds",)),
    OwnerCase(
        "owner adds a rule",
        ("rules", "add"),
        "owner",
        {"yaml": NEW_RULE},
        expect=("Rule grain-deal added",),
    ),
    OwnerCase(
        "owner edits it",
        ("rules", "edit"),
        "owner",
        {"rule": "grain-deal", "yaml": "{name: Grain deal, any: [grain]}"},
        expect=("Rule grain-deal updated",),
    ),
    OwnerCase(
        "owner removes it",
        ("rules", "remove"),
        "owner",
        {"rule": "grain-deal"},
        expect=("Rule grain-deal removed",),
    ),
    OwnerCase(
        "owner removes a feed",
        ("feeds", "remove"),
        "owner",
        {"feed": "2"},
        expect=("Feed 2 removed",),
    ),
)
"""Refused first, then allowed: the refusals are audited as `refused: not an owner`."""


def assert_owner_audit(rows: list, owners: set[str] | list[str]) -> None:
    """What OWNER_CASES leave in the audit log, on either platform: every refusal says why."""
    refused = [r for r in rows if not r.allowed]
    assert len(refused) == sum(not c.ok for c in OWNER_CASES)
    assert {r.detail for r in refused} == {"refused: not an owner"}
    assert {r.who.split(" ")[0] for r in rows if r.allowed} == set(owners)
