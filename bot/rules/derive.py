"""Rules and actors proposed from one news article, offline, for a person to curate.

People, bodies and places come with the roles the text gives them ("Russian Foreign Minister
Sergey Lavrov", "Denis Pushilin, the head of the breakaway Donetsk People's Republic");
topics come from key phrases. spaCy's small English model is used when installed (extra
`nlp`); without it capitalisation and appositive patterns do the work.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.rules.derive_extract import COUNTRIES, Extraction, slug
from bot.rules.schema import Actor, ActorKind, ActorSet, Rule, RuleSet


def _actors(ex: Extraction) -> list[Actor]:
    out = []
    for entry in sorted(ex.found.values(), key=lambda f: (-f.mentions, f.name)):
        if entry.kind == "place" or entry.mentions == 0:
            continue
        out.append(
            Actor(
                id=slug(entry.name),
                name=entry.name,
                kind=ActorKind.person if entry.kind == "person" else ActorKind.organisation,
                aliases=tuple(sorted(entry.aliases - {entry.name})),
                role=entry.role,
                organisation=entry.organisation,
                country=entry.country,
                description=f"named {entry.mentions} time(s) in the source article",
            )
        )
    return out


def _topics(ex: Extraction) -> list[Rule]:
    phrases = ex.key_phrases()
    places = sorted(
        (f for f in ex.found.values() if f.kind == "place"), key=lambda f: (-f.mentions, f.name)
    )
    countries = [p.name for p in places if p.name in COUNTRIES or p.name in {"Kyiv", "Moscow"}]
    rules: list[Rule] = []
    title_phrases = [
        p for p, n in phrases.most_common() if n >= 3 and p in ex.title.lower() and " " in p
    ] or [p for p, n in phrases.most_common() if n >= 3]
    if title_phrases:
        lead = title_phrases[0]
        head = lead.split()[-1]
        sentences = [s.lower() for s in ex.sentences()]
        related = [
            p
            for p, n in phrases.most_common(60)
            if n >= 2
            and " " in p
            and p != lead
            and not set(p.split()) & set(lead.split())
            and any(head in s and p in s for s in sentences)
        ][:8]
        body: dict[str, Any] = {
            "id": slug(lead),
            "name": lead.capitalize(),
            "description": f"Proposed from the key phrase '{lead}' and phrases said with it.",
            "any": list(dict.fromkeys([lead, head, *related])),
        }
        if countries:
            alternatives = "|".join(re.escape(c.lower()) + r"\w*" for c in countries[:4])
            body["all"] = [{"regex": rf"\b(?:{alternatives})\b"}]
        rules.append(Rule.model_validate(body))
    regional = [p for p in places if p.name not in COUNTRIES and p.name not in {"Kyiv", "Moscow"}]
    if regional:
        lead_place = regional[0].name
        together = [
            p.name for p in regional if any(lead_place in s and p.name in s for s in ex.sentences())
        ]
        rules.append(
            Rule.model_validate(
                {
                    "id": slug(lead_place),
                    "name": lead_place,
                    "description": f"Places named together with {lead_place} in the article.",
                    "any": list(dict.fromkeys([lead_place, *together])),
                }
            )
        )
    return rules


def derive_rules(article_text: str, *, use_nlp: bool | None = None) -> tuple[RuleSet, ActorSet]:
    """Propose topic rules, actors and one actor rule per actor from an article's text.

    `use_nlp=None` uses spaCy when installed, False never does, True asks for it (and still
    falls back to patterns when it is missing).
    """
    ex = Extraction(article_text, use_nlp)
    actors = _actors(ex)
    rules = _topics(ex)
    taken = {r.id for r in rules}
    for actor in actors:
        rule_id = actor.id if actor.id not in taken else f"{actor.id}-actor"
        rules.append(
            Rule.model_validate(
                {"id": rule_id, "name": actor.name, "kind": "actor", "actors": [actor.id]}
            )
        )
    return RuleSet(rules=tuple(rules)), ActorSet(actors=tuple(actors))


def derive_yaml(article_text: str, *, use_nlp: bool | None = None) -> str:
    """The proposal as two YAML documents: actors (for actors.yaml), then rules (rules.yaml)."""
    rules, actors = derive_rules(article_text, use_nlp=use_nlp)
    title = next((ln.strip() for ln in article_text.splitlines() if ln.strip()), "the article")
    header = (
        f"# Proposed by `newsbot derive` from: {title[:90]}\n"
        "# Review before use: roles and topics come from patterns, not understanding.\n"
    )
    actor_doc = yaml.safe_dump(
        {"actors": [_plain(a.model_dump(mode="json")) for a in actors.actors]},
        sort_keys=False,
        allow_unicode=True,
    )
    rule_doc = yaml.safe_dump(
        {"rules": [_plain(r.model_dump(mode="json")) for r in rules.rules]},
        sort_keys=False,
        allow_unicode=True,
    )
    return f"{header}# actors.yaml\n{actor_doc}---\n# rules.yaml\n{rule_doc}"


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Drop defaults so the YAML reads like a hand-written file."""
    defaults: dict[str, Any] = {
        "description": "",
        "aliases": [],
        "role": "",
        "organisation": "",
        "country": "",
        "kind": "topic",
        "priority": "normal",
        "all": [],
        "any": [],
        "none": [],
        "actors": [],
        "enabled": True,
    }
    out = {k: v for k, v in data.items() if defaults.get(k, object()) != v}
    for group in ("all", "any", "none"):
        if group in out:
            out[group] = [_plain_term(t) for t in out[group]]
    return out


def _plain_term(term: dict[str, Any]) -> Any:
    if term.get("regex") is not None:
        return {"regex": term["regex"]}
    return term["phrase"] + ("*" if term.get("mode") == "prefix" else "")
