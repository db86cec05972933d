"""Votes and relevance models in the store (SQLite and PostgreSQL), retraining and reloading."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.ports import Vote, VoteCounts, VoteOutcome
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
