"""Feedback on alerts, written once for every platform: Relevant / Not relevant votes, stats.

Each alert carries two buttons (bot/delivery/render/votes.py); a click is one voter's label for
every rule of the alert (a second click changes it), answered only to the voter and audited.
`/rules stats RULE` reads the votes back with the rule's alerts and its model's state.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.guard import Caller, Guard
from bot.chat.reply import Reply
from bot.delivery.render.votes import NOT_RELEVANT_LABEL, RELEVANT_LABEL
from bot.ports import AlertReader, RelevancePort, Vote, VoteOutcome
from bot.relevance.model import ModelError, RelevanceModel
from bot.relevance.train import MIN_EACH, MIN_LABELS


class FeedbackService:
    """Votes from chat into the store, and each rule's feedback figures back out; the guard
    writes each vote's audit row (and gives the time), as for every other chat action."""

    def __init__(self, relevance: RelevancePort, alerts: AlertReader, guard: Guard) -> None:
        self.relevance = relevance
        self.alerts = alerts
        self.guard = guard

    async def vote(self, caller: Caller, alert_id: int, relevant: bool) -> Reply:
        """Store the caller's label for every rule of the alert; an ephemeral answer."""
        alert = (await self.alerts.get_many([alert_id])).get(alert_id)
        rules = [m.rule_id for m in alert.matches.rules] if alert is not None else []
        now = self.guard.clock()
        if alert is None or not rules:
            await self._audit(
                caller, alert_id, relevant, [], allowed=False, detail="alert not found"
            )
            return Reply(title="That alert is no longer stored; nothing was recorded", ok=False)
        outcomes = []
        for rule_id in rules:
            outcomes.append(
                await self.relevance.vote(
                    Vote(
                        rule_id=rule_id,
                        link=alert.link or f"alert:{alert_id}",
                        voter=f"{caller.platform.value}:{caller.user_id}",
                        relevant=relevant,
                        at=now,
                        title=alert.title,
                        summary=alert.summary,
                        published=alert.published,
                        alert_id=alert_id,
                    )
                )
            )
        said = RELEVANT_LABEL.lower() if relevant else NOT_RELEVANT_LABEL.lower()
        if all(o is VoteOutcome.same for o in outcomes):
            title = f"You had already marked this alert {said}"
        elif any(o is VoteOutcome.changed for o in outcomes):
            title = f"Vote changed: {said}"
        else:
            title = f"Thanks, marked {said}"
        await self._audit(caller, alert_id, relevant, rules)
        return Reply(title=title, lines=(f"for {', '.join(rules)}",))

    async def stats(self, caller: Caller, rule_id: str) -> Reply:
        """A rule's alerts, votes, precision as voted, and its model's state."""
        alerts = await self.relevance.alert_count(rule_id)
        counts = await self.relevance.counts(rule_id)
        labelled = await self.relevance.labelled(rule_id)
        lines = [f"Alerts: {alerts}"]
        lines.append(
            f"Votes: {counts.votes} on {counts.items} items by {counts.voters} voters "
            f"({counts.relevant} relevant)"
        )
        if labelled:
            relevant = sum(r for _, r in labelled)
            lines.append(
                f"Estimated precision: {relevant / len(labelled):.0%} "
                f"({relevant} of {len(labelled)} voted items relevant by majority)"
            )
        else:
            lines.append("Estimated precision: no votes yet")
        lines.append(await self._model_state(rule_id, labelled))
        return Reply(title=f"Feedback on {rule_id}", lines=tuple(lines))

    async def _model_state(self, rule_id: str, labelled: Sequence[tuple[object, bool]]) -> str:
        stored = (await self.relevance.latest_models()).get(rule_id)
        if stored is None:
            pos = sum(r for _, r in labelled)
            return (
                f"Model: none, the rule is boolean only (needs {MIN_LABELS} labelled candidates "
                f"with {MIN_EACH} relevant and {MIN_EACH} not; has {len(labelled)}, {pos} relevant)"
            )
        try:
            model = RelevanceModel.from_json(stored.body)
        except ModelError as exc:
            return f"Model: v{stored.version} cannot be used ({exc})"
        quality = (
            f"; cross-validated precision {model.quality.precision:.2f}, "
            f"recall {model.quality.recall:.2f}"
            if model.quality
            else ""
        )
        return (
            f"Model: v{stored.version}, trained {stored.trained_at:%Y-%m-%d %H:%M} UTC on "
            f"{model.labels} labels ({model.positives} relevant); alerts from score "
            f"{model.threshold:.2f}, by relevance alone from {model.context_threshold:.2f}{quality}"
        )

    async def _audit(
        self,
        caller: Caller,
        alert_id: int,
        relevant: bool,
        rules: list[str],
        *,
        allowed: bool = True,
        detail: str | None = None,
    ) -> None:
        after = {"relevant": relevant, "rules": rules}
        await self.guard.record(
            caller, "alerts.vote", f"alert:{alert_id}", None, after, allowed=allowed, detail=detail
        )
