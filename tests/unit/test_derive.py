"""Rules from an article: people with roles, bodies, places and topics, with or without spaCy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import validate_model
from bot.models import Item
from bot.rules.compile import compile_rules
from bot.rules.derive import derive_rules, derive_yaml
from bot.rules.schema import ActorSet, RuleSet

SEED = Path(__file__).resolve().parents[2] / "seeds" / "lavrov-no-pause-2022-04-11.txt"
MODES = [pytest.param(False, id="patterns"), pytest.param(None, id="spacy-if-installed")]


@pytest.mark.parametrize("use_nlp", MODES)
def test_people_come_with_the_roles_the_text_gives_them(use_nlp: bool | None) -> None:
    _, actors = derive_rules(SEED.read_text(encoding="utf-8"), use_nlp=use_nlp)
    by_id = {a.id: a for a in actors.actors}
    lavrov = by_id["sergey-lavrov"]
    assert (lavrov.role, lavrov.country, lavrov.kind.value) == (
        "Foreign Minister",
        "Russia",
        "person",
    )
    assert (by_id["vladimir-putin"].role, by_id["vladimir-putin"].country) == (
        "President",
        "Russia",
    )
    pushilin = by_id["denis-pushilin"]
    assert pushilin.role == "head of the breakaway Donetsk People's Republic"
    assert pushilin.organisation == "Donetsk People's Republic"
    assert "dave-decamp" not in by_id, "the byline's author is not a news actor"


@pytest.mark.parametrize("use_nlp", MODES)
def test_ministries_become_organisations_with_aliases(use_nlp: bool | None) -> None:
    _, actors = derive_rules(SEED.read_text(encoding="utf-8"), use_nlp=use_nlp)
    by_id = {a.id: a for a in actors.actors}
    ministry = by_id["russian-defence-ministry"]
    assert ministry.kind.value == "organisation"
    assert ministry.country == "Russia"
    assert "Russia's Defense Ministry" in ministry.aliases
    assert by_id["ukrainian-defence-ministry"].country == "Ukraine"


@pytest.mark.parametrize("use_nlp", MODES)
def test_topics_come_from_key_phrases_and_places(use_nlp: bool | None) -> None:
    rules, actors = derive_rules(SEED.read_text(encoding="utf-8"), use_nlp=use_nlp)
    by_id = {r.id: r for r in rules.rules}
    assert "peace talks" in {t.phrase for t in by_id["peace-talks"].any}
    assert {"Donbas", "Donetsk", "Luhansk"} <= {t.phrase for t in by_id["donbas"].any}
    assert {r.actors[0] for r in rules.rules if r.kind.value == "actor"} == {
        a.id for a in actors.actors
    }


@pytest.mark.parametrize("use_nlp", MODES)
def test_yaml_is_two_valid_documents_that_match_the_seed(use_nlp: bool | None) -> None:
    text = SEED.read_text(encoding="utf-8")
    actor_doc, rule_doc = yaml.safe_load_all(derive_yaml(text, use_nlp=use_nlp))
    actors = validate_model(actor_doc, ActorSet, "actors")
    rules = validate_model(rule_doc, RuleSet, "rules")
    title, _, body = text.partition("\n")
    result = compile_rules(rules.rules, actors.actors).match(
        Item(feed_id=1, identity="seed", title=title, content=body)
    )
    assert {"peace-talks", "donbas", "sergey-lavrov"} <= {m.rule_id for m in result.rules}


def test_an_unrelated_article_yields_its_own_people() -> None:
    text = (
        "Germany Agrees to Send Tanks\n\n"
        "German Chancellor Olaf Scholz said on Tuesday that Berlin would send tanks. "
        "Annalena Baerbock, the foreign minister of Germany, said the decision was final. "
        "Scholz spoke after talks in Berlin."
    )
    _, actors = derive_rules(text, use_nlp=False)
    by_id = {a.id: a for a in actors.actors}
    assert (by_id["olaf-scholz"].role, by_id["olaf-scholz"].country) == ("Chancellor", "Germany")
    assert by_id["annalena-baerbock"].role == "foreign minister of Germany"
