"""The match of a plain rule by the shortest path: most matches are of such rules.

A plain rule (phrases only, no `near`, regex, places or actors) that holds gets the evidence
`Evaluation._rule_match` would give it, made with fewer steps: each hit's evidence fields are
worked out once per item and shared by the rules with the same term, and the models are made
as `evidence.build` makes them, inline.
"""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from bot.models import Evidence, RuleMatch
from bot.rules.evidence import (
    EVIDENCE_FIELDS,
    MATCH_FIELDS,
    UNSCORED,
    how_spelled,
    new_object,
    set_dict,
    set_extra,
    set_fields,
    set_private,
)
from bot.rules.terms import FIELDS, CRule, Hit

if TYPE_CHECKING:
    from bot.rules.evaluate import Evaluation

MAX_EVIDENCE_PER_TERM = 5
"""Hits of one term shown as evidence (here and in bot.rules.evaluate)."""
_first = itemgetter(0)


def plain_match(ev: Evaluation, crule: CRule) -> RuleMatch:
    """A plain rule's match without actors: its hit terms' evidence, in text order."""
    rule_id = crule.rule_id
    main = ev.main
    bases = ev.bases
    fields = EVIDENCE_FIELDS
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
            evidence = new_object(Evidence)
            set_dict(evidence, {"rule_id": rule_id, **base})
            set_fields(evidence, fields)
            set_extra(evidence, None)
            set_private(evidence, None)
            found.append((order, evidence))
    if len(found) == 1:
        shown: tuple[Evidence, ...] = (found[0][1],)
    else:
        found.sort(key=_first)  # stable: the order `evidence.text_order` sorts in
        shown = tuple(e for _, e in found)
    match = new_object(RuleMatch)
    set_dict(match, {**crule.head, "evidence": shown, **UNSCORED})
    set_fields(match, MATCH_FIELDS)
    set_extra(match, None)
    set_private(match, None)
    return match


def _base(ev: Evaluation, ti: int, hit: Hit) -> tuple[tuple[int, int], dict[str, Any]]:
    """A phrase term's evidence at one hit, once per item: its text order and its fields
    after `rule_id`, as `Evaluation._part` finds them."""
    ct = ev.m.terms[ti]
    fi, first, last, fuzzy = hit
    folded = ev.texts[fi]
    spans = folded.spans()
    start, end = spans[first][0], spans[last][1]
    text = folded.original[start:end]
    if fuzzy:
        how = "fuzzy"
    elif ct.prefix:
        how = "prefix"
    elif text.lower() == ct.lower:  # how_spelled's first answer, without the call
        how = "exact"
    else:
        spelled = folded.words()[first : last + 1]
        how = how_spelled(text, ct.lower, ct.lower_words, ct.folded if ct.stem else (), spelled)
    base = {
        "term": ct.label,
        "field": FIELDS[fi],
        "start": start,
        "end": end,
        "text": text,
        "how": how,
    }
    found = ev.bases[(ct.span_id, hit)] = ((fi, start), base)
    return found
