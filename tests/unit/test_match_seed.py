"""The shipped config: valid, and the seed article fires its topics and names its actors."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_yaml_model
from bot.models import Item, TextField
from bot.rules.schema import ActorSet, RuleSet
from tests.unit.test_match_devset import seed_matcher

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "lavrov-no-pause-2022-04-11.txt"


def seed_item() -> Item:
    title, _, rest = SEED.read_text(encoding="utf-8").partition("\n")
    summary, _, content = rest.strip().partition("\n")
    return Item(feed_id=1, identity="seed", title=title, summary=summary, content=content)


def test_config_files_validate_and_cover_the_issue() -> None:
    rules = load_yaml_model(ROOT / "config" / "rules.yaml", RuleSet)
    actors = load_yaml_model(ROOT / "config" / "actors.yaml", ActorSet)
    actor_ids = {a.id for a in actors.actors}
    assert {"peace-talks", "donbas-offensive"} <= {r.id for r in rules.rules}
    assert actor_ids >= {
        "sergey-lavrov",
        "vladimir-putin",
        "denis-pushilin",
        "volodymyr-zelensky",
        "russia-defence-ministry",
        "ukraine-defence-ministry",
    }
    actor_rules = [r for r in rules.rules if r.kind.value == "actor"]
    assert {a for r in actor_rules for a in r.actors} == actor_ids


def test_seed_article_fires_both_topics_and_names_its_officials() -> None:
    item = seed_item()
    result = seed_matcher().match(item)
    rule_ids = {m.rule_id for m in result.rules}
    assert {"peace-talks", "donbas-offensive", "sergey-lavrov", "vladimir-putin"} <= rule_ids
    assert {a.actor_id for a in result.actors} >= {
        "sergey-lavrov",
        "vladimir-putin",
        "denis-pushilin",
        "russia-defence-ministry",
        "ukraine-defence-ministry",
    }
    donbas = next(m for m in result.rules if m.rule_id == "donbas-offensive")
    assert ("Donestk", "fuzzy place") in {(e.text, e.how) for e in donbas.evidence}
    for found in (*result.rules, *result.actors):
        for ev in found.evidence:
            assert item.text(ev.field)[ev.start : ev.end] == ev.text


def test_talks_about_other_things_do_not_fire_peace_talks() -> None:
    matcher = seed_matcher()
    for title in (
        "Animation Guild Contract Talks Delayed Until Next Year",
        "U.S., Europeans Disappointed By Iran's Stance In Nuclear Talks",
        "Russia backs Iran in Vienna nuclear talks",
        "Marvel's Moon Knight talks",
    ):
        result = matcher.match(Item(feed_id=1, identity="t", title=title))
        assert "peace-talks" not in {m.rule_id for m in result.rules}, title


def test_title_evidence_for_the_seed_headline() -> None:
    result = seed_matcher().match(seed_item())
    peace = next(m for m in result.rules if m.rule_id == "peace-talks")
    assert any(e.field is TextField.title and e.text == "Peace Talks" for e in peace.evidence)
