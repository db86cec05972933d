"""Votes and relevance models in the store (SQLite and PostgreSQL), retraining and reloading."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.chat.commands import Caller
from bot.chat.feedback import FeedbackService
from bot.chat.guard import Guard
from bot.models import Alert, Item, MatchResult, Platform, RuleMatch
from bot.ports import PollRecord, Vote, VoteCounts, VoteOutcome
from bot.relevance.learner import Learner, load_models
from bot.relevance.scorer import ScoredMatcher
from bot.runtime.catalog import LiveCatalog
from bot.store.store import Store
from bot.text.stories import same_story
from tests.relevance_cases import NOW, OTHER, RULE, _item, labelled


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = await Store.open(db_url, same_story)
    try:
        yield s
    finally:
        await s.close()


def vote(n: int, relevant: bool, voter: str = "discord:1", minutes: int = 0) -> Vote:
    item = _item(n, f"Russia talks {n}")
    return Vote(
        rule_id="talks",
        link=f"https://x/{n}",
        voter=voter,
        relevant=relevant,
        at=NOW + timedelta(minutes=minutes),
        title=item.title,
        published=item.published,
    )


async def test_one_vote_per_voter_per_item_changeable_and_the_majority_labels(store: Store):
    port = store.relevance
    assert await port.vote(vote(1, True)) is VoteOutcome.new
    assert await port.vote(vote(1, True)) is VoteOutcome.same
    stamp = (await port.label_stamps())["talks"]
    assert await port.vote(vote(1, False, minutes=1)) is VoteOutcome.changed
    assert (await port.label_stamps())["talks"] != stamp
    await port.vote(vote(1, True, voter="slack:U2"))
    await port.vote(vote(1, True, voter="slack:U3"))
    await port.vote(vote(2, True))
    await port.vote(vote(2, False, voter="slack:U2"))  # a tie teaches nothing
    assert await port.counts("talks") == VoteCounts(votes=5, relevant=3, items=2, voters=3)
    got = await port.labelled("talks")
    assert [(i.link, i.title, rel) for i, rel in got] == [("https://x/1", "Russia talks 1", True)]
    assert await port.counts("nothing") == VoteCounts()


async def test_models_are_versioned_and_the_newest_is_live(store: Store):
    port = store.relevance
    assert await port.models_revision() == 0 and await port.latest_models() == {}
    assert await port.save_model("talks", '{"a": 1}', "s1", NOW) == 1
    first = await port.models_revision()
    assert await port.save_model("talks", '{"a": 2}', "s2", NOW) == 2
    assert await port.save_model("grain", '{"b": 1}', "s1", NOW) == 1
    assert await port.models_revision() > first
    latest = await port.latest_models()
    assert {r: (m.version, m.body, m.labels_stamp) for r, m in latest.items()} == {
        "talks": (2, '{"a": 2}', "s2"),
        "grain": (1, '{"b": 1}', "s1"),
    }
    assert await load_models(port) == {}  # neither body is a model: both refused, none used


async def test_votes_retrain_in_the_background_and_the_poll_pass_reloads(store: Store):
    await store.catalog.import_config([RULE, OTHER], [], NOW)
    catalog = LiveCatalog(store.catalog, relevance=store.relevance)
    await catalog.refresh(NOW)
    gas = _item(999, "Russia talks on gas prices", "Officials discuss oil.")
    assert [m.rule_id for m in catalog.matcher.match(gas).rules] == ["talks"]  # boolean

    learner = Learner(store.relevance)
    for n, (item, relevant) in enumerate(labelled()[:30]):
        await store.relevance.vote(
            Vote("talks", item.link or "", "cli:test", relevant, NOW, item.title, item.summary)
        )
        assert n < 30
    assert await learner.retrain(catalog.rules, catalog.actors, NOW) == []  # too few: boolean
    assert await learner.retrain(catalog.rules, catalog.actors, NOW) == []
    for item, relevant in labelled()[30:]:
        await store.relevance.vote(
            Vote("talks", item.link or "", "cli:test", relevant, NOW, item.title, item.summary)
        )
    assert await learner.retrain(catalog.rules, catalog.actors, NOW) == ["talks"]
    assert await learner.retrain(catalog.rules, catalog.actors, NOW) == []  # nothing changed

    assert await catalog.refresh(NOW) is True
    assert isinstance(catalog.matcher, ScoredMatcher)
    assert catalog.matcher.match(gas).rules == ()  # the model vetoes it now
    assert set(catalog.models) == {"talks"}
    assert await catalog.refresh(NOW) is False


async def stored_alert(store: Store, rules: tuple[str, ...] = ("talks",)) -> int:
    feed = await store.feeds.add("https://a.example/rss", now=NOW)
    matches = MatchResult(rules=tuple(RuleMatch(rule_id=r, rule_name=r.title()) for r in rules))
    ids = await store.ingest.commit_poll(
        PollRecord(
            feed=feed,
            owner="w1",
            now=NOW,
            next_at=NOW + timedelta(minutes=5),
            items=(
                Item(feed_id=feed.id, identity="g1", title="Russia talks", link="https://x/alert"),
            ),
            alerts=(
                Alert(
                    feed_id=feed.id,
                    item_identity="g1",
                    title="Russia talks",
                    link="https://x/alert",
                    summary="Delegations meet.",
                    matches=matches,
                ),
            ),
        )
    )
    return ids[0]


def caller(user: str = "42", platform: Platform = Platform.discord) -> Caller:
    return Caller(user_id=user, name="ann", platform=platform, channel="C1", workspace="g1")


async def test_a_click_stores_one_changeable_vote_per_rule_answers_privately_and_is_audited(
    store: Store,
):
    alert_id = await stored_alert(store, ("talks", "grain"))
    feedback = FeedbackService(store.relevance, store.alerts, Guard(store.audit, lambda: NOW))
    first = await feedback.vote(caller(), alert_id, True)
    assert first.ok and first.ephemeral and first.title == "Thanks, marked relevant"
    again = await feedback.vote(caller(), alert_id, True)
    assert again.title == "You had already marked this alert relevant"
    changed = await feedback.vote(caller(), alert_id, False)
    assert changed.title == "Vote changed: not relevant"
    await feedback.vote(caller("U9", Platform.slack), alert_id, False)
    for rule in ("talks", "grain"):
        assert await store.relevance.counts(rule) == VoteCounts(2, 0, 1, 2)
    item, relevant = (await store.relevance.labelled("talks"))[0]
    assert (item.title, item.summary, relevant) == ("Russia talks", "Delegations meet.", False)
    gone = await feedback.vote(caller(), 9999, True)
    assert not gone.ok and "no longer stored" in gone.title
    rows = await store.audit.history(f"alert:{alert_id}")
    assert [(r.action, r.who, r.allowed, r.after["relevant"]) for r in rows][-1] == (
        "alerts.vote",
        "discord:42 (ann)",
        True,
        True,
    )
    assert len(rows) == 4 and not (await store.audit.history("alert:9999"))[0].allowed


async def test_rules_stats_shows_alerts_votes_precision_and_the_model_state(store: Store):
    alert_id = await stored_alert(store)
    feedback = FeedbackService(store.relevance, store.alerts, Guard(store.audit, lambda: NOW))
    await feedback.vote(caller("1"), alert_id, True)
    await feedback.vote(caller("2"), alert_id, True)
    await feedback.vote(caller("3"), alert_id, False)
    reply = await feedback.stats(caller(), "talks")
    assert reply.lines[:3] == (
        "Alerts: 1",
        "Votes: 3 on 1 items by 3 voters (2 relevant)",
        "Estimated precision: 100% (1 of 1 voted items relevant by majority)",
    )
    assert reply.lines[3].startswith("Model: none, the rule is boolean only (needs 40")
    for item, rel in labelled():
        await store.relevance.vote(Vote("talks", item.link or "", "cli:t", rel, NOW, item.title))
    await store.catalog.import_config([RULE], [], NOW)
    await Learner(store.relevance).retrain([RULE], [], NOW)
    state = (await feedback.stats(caller(), "talks")).lines[3]
    assert state.startswith(
        "Model: v1, trained 2022-05-01 00:00 UTC on 81 labels (41 relevant)"
    )  # + the alert
    assert "cross-validated precision" in state
