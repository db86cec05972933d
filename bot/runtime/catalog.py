"""The live rule set: rules and actors from the store, compiled once, recompiled on change.

YAML files under config/ are imported into the store at start and whenever they change on
disk; chat edits change the store directly. Either bumps the store's revision, which every
process checks on its poll tick, so rules reload without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.config import ConfigError, load_config
from bot.ports import Matcher
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor
from bot.store.catalog import CatalogStore

log = logging.getLogger(__name__)


class LiveCatalog:
    """Holds the compiled matcher and actors; `refresh()` swaps them when the source changed."""

    def __init__(self, store: CatalogStore, config_dir: Path | None = None) -> None:
        self.store = store
        self.config_dir = config_dir
        self._matcher: Matcher = compile_rules([], [])
        self._actors: tuple[Actor, ...] = ()
        self._revision = -1
        self._yaml_stamp: tuple[float, ...] = ()
        self.last_error: str | None = None

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def actors(self) -> Sequence[Actor]:
        return self._actors

    @property
    def revision(self) -> int:
        return self._revision

    async def refresh(self, now: datetime) -> bool:
        """Import changed YAML, then recompile if the store's revision moved. True if reloaded."""
        await self._import_yaml(now)
        revision = await self.store.revision()
        if revision == self._revision:
            return False
        rules, actors = await self.store.rules(), await self.store.actors()
        self._matcher = compile_rules([r for r in rules if r.enabled], actors)
        self._actors = tuple(actors)
        self._revision = revision
        log.info(
            "rules compiled: %d rules, %d actors (revision %d)", len(rules), len(actors), revision
        )
        return True

    async def _import_yaml(self, now: datetime) -> None:
        if self.config_dir is None:
            return
        # All the files load_config validates: fixing any of them retries a refused reload.
        stamp = tuple(
            (self.config_dir / name).stat().st_mtime if (self.config_dir / name).exists() else 0.0
            for name in ("rules.yaml", "actors.yaml", "feeds.yaml", "subscriptions.yaml")
        )
        if stamp == self._yaml_stamp:
            return
        self._yaml_stamp = stamp
        try:
            bundle = load_config(self.config_dir)
        except ConfigError as exc:
            self.last_error = str(exc)
            log.error("config not reloaded, keeping the previous rules:\n%s", exc)
            return
        self.last_error = None
        result = await self.store.import_config(bundle.rules.rules, bundle.actors.actors, now)
        if result.changed:
            log.info("imported %d changed rules/actors from %s", result.changed, self.config_dir)
        if result.removed:
            log.warning("removed %s: no longer in %s", ", ".join(result.removed), self.config_dir)
        if result.kept:
            log.info(
                "config rules %s left as admins changed or removed them in chat",
                ", ".join(result.kept),
            )
