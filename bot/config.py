"""Settings from the environment (NEWSBOT_*) and the YAML files under config/, validated.

A bad file raises ConfigError naming the file, the key path and what was expected, so
`newsbot config check` and start-up can tell the user exactly what to fix.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.models import DeliveryMode, Frozen, Priority
from bot.rules.schema import ActorSet, RuleSet
from bot.safe_yaml import YAML_MAX_BYTES, ConfigError, clip, parse_yaml

__all__ = ["YAML_MAX_BYTES", "ConfigError", "parse_yaml"]  # re-exported from bot.safe_yaml

M = TypeVar("M", bound=BaseModel)


class Settings(BaseSettings):
    """Process settings; every field can be set as NEWSBOT_<NAME> or in `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", secrets_dir=None
    )

    database_url: str = "sqlite+aiosqlite:///newsbot.db"
    config_dir: Path | None = Field(
        default=None, description="where the YAML config lives; unset: see config_search()"
    )
    poll_interval_seconds: int = Field(default=300, ge=10)
    poll_tick_seconds: float = Field(default=5.0, gt=0)
    dispatch_tick_seconds: float = Field(default=1.0, gt=0)
    idle_recheck_seconds: float = Field(default=10.0, gt=0)  # see bot/policy/wake.py
    housekeeping_seconds: float = Field(default=3600.0, gt=0)
    shutdown_grace_seconds: float = Field(
        default=8.0, ge=0, description="on SIGTERM, how long jobs in flight may finish"
    )
    backfill: int = Field(default=3, ge=0, description="items alerted on a feed's first poll")
    fetch_timeout_seconds: float = Field(default=20.0, gt=0)
    fetch_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    fetch_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    fetch_per_host: int = Field(default=2, ge=1)
    fetch_concurrency: int = Field(default=100, ge=1)
    full_text_seconds: float = Field(
        default=15.0, gt=0, description="all article fetches of one poll together, at most"
    )
    full_text_per_poll: int = Field(default=10, ge=0, description="article fetches per poll")
    full_text_concurrency: int = Field(default=4, ge=1, description="article fetches at once")
    fetch_allow_private: list[str] = Field(
        default_factory=list, description="CIDRs or host names admitted despite SSRF checks"
    )
    user_agent: str = "newsbot/0.1 (+https://github.com/newsbot/newsbot)"
    metrics_port: int | None = Field(
        default=9108, ge=0, le=65535, description="0 or unset disables"
    )
    metrics_host: str = "127.0.0.1"
    log_level: str = Field(default="INFO", pattern=r"(?i)^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    log_json: bool = False
    admin_role: str | None = None
    discord_token: SecretStr | None = None
    discord_api_base: str | None = None
    discord_shards: int | None = Field(default=None, ge=0, description="0: Discord chooses")
    discord_guild_id: int | None = Field(default=None, description="sync commands to this guild")
    discord_application_id: int | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None
    slack_port: int = 3000
    slack_post_interval: float = Field(
        default=1.0, ge=0, description="seconds between posts to one Slack channel (Slack: ~1)"
    )
    slack_admins: list[str] = Field(default_factory=list)
    owners: list[str] = Field(
        default_factory=list,
        description='who may change the shared rules and feeds: ["discord:123", "slack:U012AB"]',
    )
    chat_down_seconds: float = Field(
        default=60.0, gt=0, description="a chat connection down longer turns /healthz failing"
    )
    worker_id: str | None = Field(
        default=None, description="stable id of this process; its stale leases free on restart"
    )
    lease_seconds: float = Field(
        default=120.0, gt=0, description="how long a claimed feed or delivery stays claimed"
    )

    @field_validator("metrics_port")
    @classmethod
    def _zero_disables(cls, value: int | None) -> int | None:
        return value or None

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.partition("://")[0].lower() if "://" in value else ""
        if scheme not in DATABASE_SCHEMES:
            shown = f"{scheme}://" if scheme else f"{value!r}"
            raise ValueError(
                f"{shown} is not supported; use sqlite:///newsbot.db (a file) or "
                "postgresql://user:password@host:5432/newsbot"
            )
        return value

    @field_validator("owners")
    @classmethod
    def _owner_accounts(cls, value: list[str]) -> list[str]:
        """Each owner as `discord:<user id>` or `slack:<user id>`, the form audit rows use."""
        for entry in value:
            if not OWNER.fullmatch(entry):
                raise ValueError(
                    f"{entry!r} is not discord:<user id> or slack:<user id>; "
                    'e.g. NEWSBOT_OWNERS=\'["discord:123456", "slack:U012AB"]\''
                )
        return value


DATABASE_SCHEMES = frozenset(
    {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite", "postgresql", "postgres"}
    | {"postgresql+asyncpg", "postgresql+psycopg2"}
)
"""What bot.store.db can open: SQLite through aiosqlite, PostgreSQL through asyncpg."""
UNECHOED_SETTINGS = frozenset(
    {"discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret", "database_url"}
)
"""Settings whose value is never repeated in an error: tokens, and URLs that carry passwords."""


def settings_error_lines(exc: ValidationError) -> list[str]:
    """One line per bad setting, named as the user set it (NEWSBOT_POLL_INTERVAL_SECONDS)."""
    lines = []
    for err in exc.errors(include_url=False):
        field = str(err["loc"][0]) if err["loc"] else ""
        name = f"NEWSBOT_{field.upper()}" if field else "settings"
        got = err.get("input")
        shown = "" if field in UNECHOED_SETTINGS or not isinstance(got, str) else f"={got}"
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{name}{clip(shown, 80)}: {message}")
    return lines


OWNER = re.compile(r"discord:[0-9]{1,20}|slack:[UW][A-Z0-9]{2,20}")
DOCKER_SECRETS = Path("/run/secrets")


def load_settings() -> Settings:
    """Settings from the environment, `.env`, and secret files.

    Tokens may live in files named like the variable (`newsbot_discord_token`) in
    NEWSBOT_SECRETS_DIR, or in /run/secrets (Docker and Kubernetes secrets) when it exists.
    """
    chosen = os.environ.get("NEWSBOT_SECRETS_DIR")
    folder = Path(chosen) if chosen else DOCKER_SECRETS
    if chosen and not folder.is_dir():
        raise ConfigError(f"NEWSBOT_SECRETS_DIR={chosen} is not a directory")
    return Settings(_secrets_dir=folder if folder.is_dir() else None)


@dataclass(frozen=True)
class ConfigPlace:
    """One place config may come from: how it was chosen, the folder, and whether it exists."""

    label: str
    path: Path

    @property
    def exists(self) -> bool:
        return self.path.is_dir()


def packaged_config_dir() -> Path:
    """The seed config shipped inside the package (a copy of the checkout's config/)."""
    return Path(str(resources.files("bot").joinpath("default_config")))


def user_config_dir(environ: dict[str, str] | None = None) -> Path:
    """`$XDG_CONFIG_HOME/newsbot` (else ~/.config/newsbot); `%APPDATA%\\newsbot` on Windows."""
    env = os.environ if environ is None else environ
    if os.name == "nt" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "newsbot"
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "newsbot"


def config_search(
    chosen: Path | None, chosen_by: str = "NEWSBOT_CONFIG_DIR", cwd: Path | None = None
) -> list[ConfigPlace]:
    """Where config is looked for, in order; an explicit folder (`--config`, the variable)
    is the only place when given, found or not."""
    if chosen is not None:
        return [ConfigPlace(chosen_by, chosen)]
    return [
        ConfigPlace("./config", (cwd or Path.cwd()) / "config"),
        ConfigPlace("user config dir", user_config_dir()),
        ConfigPlace("packaged default", packaged_config_dir()),
    ]


def find_config_dir(
    chosen: Path | None, chosen_by: str = "NEWSBOT_CONFIG_DIR", cwd: Path | None = None
) -> ConfigPlace:
    """The first place of `config_search` that exists (the explicit one, even if missing)."""
    places = config_search(chosen, chosen_by, cwd)
    return next((p for p in places if p.exists), places[0]) if chosen is None else places[0]


class FeedSpec(Frozen):
    """A feed as written in `config/feeds.yaml`."""

    url: str = Field(min_length=8, max_length=2000)
    name: str | None = None
    interval_seconds: int | None = Field(default=None, ge=10)
    full_text: bool = True


class FeedFile(Frozen):
    feeds: tuple[FeedSpec, ...] = ()

    @model_validator(mode="after")
    def _urls_once(self) -> Self:
        seen: set[str] = set()
        for index, feed in enumerate(self.feeds):
            if feed.url in seen:
                raise ValueError(f"feeds[{index}]: {feed.url} is listed twice; keep one entry")
            seen.add(feed.url)
        return self


class StaticSubscription(Frozen):
    """A subscription written in config: the console or a webhook, for the given targets."""

    destination: str = Field(
        description="'console', 'discord-webhook:URL' or 'slack-webhook:URL'",
        pattern=r"^(console|discord-webhook:https?://\S+|slack-webhook:https?://\S+)$",
    )
    targets: tuple[Annotated[str, Field(pattern=r"^(\*|(rule|actor):[A-Za-z0-9_.-]+)$")], ...] = (
        Field(
            default=("*",),
            description="'rule:<id>', 'actor:<id>', or '*' for every rule and actor",
        )
    )
    min_priority: Priority = Priority.low
    mode: DeliveryMode = DeliveryMode.instant
    digest_time: str | None = Field(
        default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM UTC (digests)"
    )


class SubscriptionFile(Frozen):
    subscriptions: tuple[StaticSubscription, ...] = ()


def load_yaml_model(path: Path, model: type[M]) -> M:
    """Read `path` as YAML and validate it as `model`, or raise ConfigError."""
    try:
        if path.stat().st_size > YAML_MAX_BYTES:
            raise ConfigError(
                f"{path}: {path.stat().st_size:,} bytes is over the {YAML_MAX_BYTES:,}-byte limit"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    raw = parse_yaml(text, str(path))
    return validate_model(raw if raw is not None else {}, model, str(path))


def validate_model(raw: Any, model: type[M], where: str) -> M:
    """Validate parsed data, turning pydantic's errors into one readable ConfigError."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, where, raw)) from None


def format_validation_error(exc: ValidationError, where: str, raw: Any = None) -> str:
    lines = [f"{where}: {exc.error_count()} problem(s):"]
    for err in exc.errors(include_url=False):
        path = _key_path(err["loc"], raw)
        got = err.get("input")
        shown = "" if isinstance(got, dict | list) else f" (got {clip(repr(got), 80)})"
        lines.append(f"  - {path or '<top level>'}: {err['msg']}{shown}")
    return "\n".join(lines)


def _key_path(loc: tuple[int | str, ...], raw: Any) -> str:
    """Render pydantic's location as `rules[2].any[0]`, naming list items by id when present."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            if isinstance(node, list) and part < len(node):
                node = node[part]
                if isinstance(node, dict) and "id" in node:
                    label = f"[{part}] (id {clip(repr(node['id']), 60)})"
            else:
                node = None
            out += label
        else:
            if part in {"function-after[_one_of_phrase_or_regex()]", "function-before"}:
                continue
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


class ConfigBundle(Frozen):
    """Everything under config/, validated together."""

    feeds: FeedFile
    rules: RuleSet
    actors: ActorSet
    subscriptions: SubscriptionFile


def load_config(config_dir: Path) -> ConfigBundle:
    """Load and cross-check the config directory; raise ConfigError listing every problem."""
    problems: list[str] = []
    results: dict[str, Any] = {}
    files: dict[str, tuple[str, type[BaseModel], bool]] = {
        "feeds": ("feeds.yaml", FeedFile, True),
        "rules": ("rules.yaml", RuleSet, True),
        "actors": ("actors.yaml", ActorSet, True),
        "subscriptions": ("subscriptions.yaml", SubscriptionFile, False),
    }
    for key, (name, model, required) in files.items():
        path = config_dir / name
        if not required and not path.exists():
            results[key] = model()
            continue
        try:
            results[key] = load_yaml_model(path, model)
        except ConfigError as exc:
            problems.append(str(exc))
    if not problems:
        problems.extend(_cross_check(results["rules"], results["actors"]))
    if problems:
        raise ConfigError("\n".join(problems))
    return ConfigBundle(**results)


def _cross_check(rules: RuleSet, actors: ActorSet) -> list[str]:
    known = {a.id for a in actors.actors}
    return [
        f"rules.yaml: rules[{i}] (id {rule.id!r}).actors: unknown actor {ref!r}; "
        f"add it to actors.yaml or use one of: {', '.join(sorted(known)) or '(none)'}"
        for i, rule in enumerate(rules.rules)
        for ref in rule.actors
        if ref not in known
    ]


def dangling_targets(
    subscriptions: SubscriptionFile, rule_ids: set[str], actor_ids: set[str]
) -> list[str]:
    """One line per static subscription target naming no known rule or actor (a typo such
    as `rule:peace-talk` would otherwise never alert and never say so)."""
    known = {"rule": rule_ids, "actor": actor_ids}
    out = []
    for i, sub in enumerate(subscriptions.subscriptions):
        for target in sub.targets:
            kind, _, ref = target.partition(":")
            if target == "*" or ref in known[kind]:
                continue
            near = [k for k in known[kind] if _distance(k, ref) <= max(2, len(ref) // 4)]
            close = sorted(near, key=lambda k: (_distance(k, ref), k))[:3]
            hint = f"; did you mean {', '.join(f'{kind}:{c}' for c in close)}?" if close else ""
            out.append(
                f"subscriptions.yaml: subscriptions[{i}].targets: {target} names no {kind} in "
                f"{kind}s.yaml{hint}"
            )
    return out


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, to suggest the id a typo meant."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]
