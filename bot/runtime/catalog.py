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
from bot.ports import Matcher, RelevancePort
from bot.relevance.learner import load_models
from bot.relevance.model import RelevanceModel
from bot.relevance.scorer import ScoredMatcher
from bot.rules.compile import compile_rules
from bot.rules.schema import Actor, Rule
from bot.store.catalog import CatalogStore

log = logging.getLogger(__name__)


class LiveCatalog:
    """Holds the compiled matcher and actors; `refresh()` swaps them when the source changed.

    With a relevance port, the matcher scores each modelled rule's candidates with the rule's
    newest model (reloaded when a new version is saved); without one, rules are boolean.
    """

    def __init__(
        self,
        store: CatalogStore,
        config_dir: Path | None = None,
        relevance: RelevancePort | None = None,
    ) -> None:
        self.store = store
        self.config_dir = config_dir
        self.relevance = relevance
        self._matcher: Matcher = compile_rules([], [])
        self._actors: tuple[Actor, ...] = ()
        self._rules: tuple[Rule, ...] = ()
        self._revision = -1
        self._models_revision = -1
        self.models: dict[str, RelevanceModel] = {}
        self._yaml_stamp: tuple[float, ...] = ()
        self.last_error: str | None = None

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def actors(self) -> Sequence[Actor]:
        return self._actors

    @property
    def rules(self) -> Sequence[Rule]:
        """The enabled rules the matcher was compiled from."""
        return self._rules

    @property
    def revision(self) -> int:
        return self._revision

    async def refresh(self, now: datetime) -> bool:
        """Import changed YAML, then recompile if the store's revision moved. True if reloaded."""
        await self._import_yaml(now)
        revision = await self.store.revision()
        models_revision = await self.relevance.models_revision() if self.relevance else 0
        if revision == self._revision and models_revision == self._models_revision:
            return False
        rules, actors = await self.store.rules(), await self.store.actors()
        enabled = [r for r in rules if r.enabled]
        models = await load_models(self.relevance) if self.relevance else {}
        self._matcher = (
            ScoredMatcher(enabled, actors, models) if models else compile_rules(enabled, actors)
        )
        self._rules, self._actors = tuple(enabled), tuple(actors)
        self.models = dict(models)
        self._revision, self._models_revision = revision, models_revision
        log.info(
            "rules compiled: %d rules, %d actors, %d relevance models (revision %d)",
            len(rules),
            len(actors),
            len(models),
            revision,
        )
        return True

    def files_changed(self) -> bool:
        """Whether a config file changed since it was last read (a stat each, no query)."""
        return self.config_dir is not None and self._stamp() != self._yaml_stamp

    def _stamp(self) -> tuple[float, ...]:
        # All the files load_config validates: fixing any of them retries a refused reload.
        assert self.config_dir is not None
        return tuple(
            (self.config_dir / name).stat().st_mtime if (self.config_dir / name).exists() else 0.0
            for name in ("rules.yaml", "actors.yaml", "feeds.yaml", "subscriptions.yaml")
        )

    async def _import_yaml(self, now: datetime) -> None:
        if self.config_dir is None:
            return
        stamp = self._stamp()
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
