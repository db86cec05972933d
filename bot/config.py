"""Settings from the environment (NEWSBOT_*) and the YAML files under config/, validated.

A bad file raises ConfigError naming the file, the key path and what was expected, so
`newsbot config check` and start-up can tell the user exactly what to fix.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

import yaml
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

M = TypeVar("M", bound=BaseModel)


class Settings(BaseSettings):
    """Process settings; every field can be set as NEWSBOT_<NAME> or in `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", secrets_dir=None
    )

    database_url: str = "sqlite+aiosqlite:///newsbot.db"
    config_dir: Path = Path("config")
    poll_interval_seconds: int = Field(default=300, ge=10)
    poll_tick_seconds: float = Field(default=5.0, gt=0)
    dispatch_tick_seconds: float = Field(default=1.0, gt=0)
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


class ConfigError(Exception):
    """A config file is missing, unreadable or invalid; the message says what to fix."""


YAML_MAX_BYTES = 1 << 20
"""Config files or chat rules over 1 MiB are refused unread (the seed files are ~10 KB)."""
YAML_MAX_ALIASES = 100
YAML_MAX_DEPTH = 50


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader refusing alias bombs and deep nesting while composing, before any expansion."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > YAML_MAX_ALIASES:
                raise _YamlLimit(f"more than {YAML_MAX_ALIASES} aliases (*name); write values out")
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                raise _YamlLimit(f"nested too deeply (more than {YAML_MAX_DEPTH} levels)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _YamlLimit(Exception):
    pass


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML with bounded size, aliases and depth, or raise ConfigError saying what to fix."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > YAML_MAX_BYTES:
        raise ConfigError(f"{where}: {size:,} bytes is over the {YAML_MAX_BYTES:,}-byte limit")
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _YamlLimit as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {_clip(str(exc), 500)}") from None
    except RecursionError:
        raise ConfigError(f"{where}: nested too deeply") from None
    finally:
        loader.dispose()


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


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
        shown = "" if isinstance(got, dict | list) else f" (got {_clip(repr(got), 80)})"
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
                    label = f"[{part}] (id {_clip(repr(node['id']), 60)})"
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
