"""Which candidate rules hold, and the match of a plain rule by the shortest path.

Most matches are of plain rules (phrases only, no `near`, regex, places or actors): one
that holds gets the evidence `Evaluation._rule_match` would give it, in fewer steps: each
hit's evidence fields are worked out once per item and shared by the rules with the same
term, and the models are made by `evidence.build` (no re-validation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from bot.models import Evidence, RuleMatch
from bot.rules.evidence import UNSCORED, build
from bot.rules.terms import FIELDS, CRule, Hit

if TYPE_CHECKING:
    from bot.rules.evaluate import Evaluation

MAX_EVIDENCE_PER_TERM = 5
"""Hits of one term shown as evidence (here and in bot.rules.evaluate)."""
_first = itemgetter(0)


def decide(
    ev: Evaluation,
    candidates: Iterable[int],
    holds: Callable[[CRule], bool],
    rule_match: Callable[[CRule], RuleMatch],
) -> list[RuleMatch]:
    """The matches of the candidate rules, in rule order. A plain rule is decided by set
    operations on the terms hit and, without actors, its match is made here; any other rule
    by `holds` and `rule_match` (Evaluation's general path)."""
    crules = ev.m.crules
    main = ev.main
    hit_terms = main.keys()
    bases = ev.bases
    matched: list[RuleMatch] = []
    for ri in sorted(candidates):
        crule = crules[ri]
        if not crule.plain:
            if holds(crule):
                matched.append(rule_match(crule))
            continue
        if not crule.sure and not (
            hit_terms >= crule.all_set
            and (not crule.any or not hit_terms.isdisjoint(crule.any_set))
            and hit_terms.isdisjoint(crule.none_set)
        ):
            continue
        if crule.actors:
            matched.append(rule_match(crule))
            continue
        rule_id = crule.rule_id
        found: list[tuple[tuple[int, int], Evidence]] = []
        for ti, span in crule.spans:
            hits = main.get(ti)
            if hits is None:
                continue
            if len(hits) > MAX_EVIDENCE_PER_TERM:
                hits = hits[:MAX_EVIDENCE_PER_TERM]
            for hit in hits:
                known = bases.get((span, hit))
                order, base = known if known is not None else _base(ev, ti, hit)
                found.append((order, build(Evidence, {"rule_id": rule_id, **base})))
        if len(found) == 1:
            shown: tuple[Evidence, ...] = (found[0][1],)
        else:
            found.sort(key=_first)  # stable: the order `evidence.text_order` sorts in
            shown = tuple(e for _, e in found)
        matched.append(build(RuleMatch, {**crule.head, "evidence": shown, **UNSCORED}))
    return matched


def _base(ev: Evaluation, ti: int, hit: Hit) -> tuple[tuple[int, int], dict[str, Any]]:
    """A phrase term's evidence at one hit, once per item: its text order and its fields
    after `rule_id`, from `Evaluation._part` (whose span work other rules share)."""
    ct = ev.m.terms[ti]
    how = "prefix" if ct.prefix else None
    start, end, text, how = ev._part(
        hit, ct.lower, ct.lower_words, how, ct.folded if ct.stem else ()
    )
    fi = hit[0]
    base = {"term": ct.label, "field": FIELDS[fi], "start": start, "end": end}
    base.update(text=text, how=how)
    found = ev.bases[(ct.span_id, hit)] = ((fi, start), base)
    return found
