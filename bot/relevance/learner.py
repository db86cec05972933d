"""Keeping each rule's model in step with its votes: retrain on change, load for the pass.

Runs as a background job: a rule whose labels changed since its live model (or since the
last try that found too few) is retrained in a worker thread and saved as a new version;
the poll pass loads the newest versions when the store says one was saved.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from bot.ports import RelevancePort
from bot.relevance.model import ModelError, RelevanceModel
from bot.relevance.retrain import learnable, train_rules
from bot.rules.schema import Actor, Rule

log = logging.getLogger(__name__)


async def load_models(port: RelevancePort) -> dict[str, RelevanceModel]:
    """The newest model of every rule; a stored model that cannot be read is skipped, loudly."""
    out: dict[str, RelevanceModel] = {}
    for rule_id, stored in (await port.latest_models()).items():
        try:
            model = RelevanceModel.from_json(stored.body)
        except ModelError as exc:
            log.error("relevance model %s v%d not used: %s", rule_id, stored.version, exc)
            continue
        if model.rule_id != rule_id:
            log.error(
                "relevance model v%d of %s is for %s: not used",
                stored.version,
                rule_id,
                model.rule_id,
            )
            continue
        out[rule_id] = model
    return out


class Learner:
    """Retrains the rules whose votes changed; remembers stamps that had too few labels."""

    def __init__(self, port: RelevancePort) -> None:
        self.port = port
        self._tried: dict[str, str] = {}

    async def retrain(
        self, rules: Sequence[Rule], actors: Sequence[Actor], now: datetime
    ) -> list[str]:
        """Retrain every learnable rule whose labels changed; the ids of new model versions."""
        stamps = await self.port.label_stamps()
        latest = await self.port.latest_models()
        saved: list[str] = []
        for rule in rules:
            stamp = stamps.get(rule.id)
            if not learnable(rule) or stamp is None or self._tried.get(rule.id) == stamp:
                continue
            live = latest.get(rule.id)
            if live is not None and live.labels_stamp == stamp:
                continue
            labelled = {rule.id: await self.port.labelled(rule.id)}
            models = await asyncio.to_thread(train_rules, rules, actors, labelled, now)
            self._tried[rule.id] = stamp
            model = models.get(rule.id)
            if model is None:
                log.info("rule %s: too few labels for a relevance model yet", rule.id)
                continue
            version = await self.port.save_model(rule.id, model.to_json(), stamp, now)
            log.info(
                "rule %s: relevance model v%d trained on %d labels (threshold %.2f)",
                rule.id,
                version,
                model.labels,
                model.threshold,
            )
            saved.append(rule.id)
        return saved
