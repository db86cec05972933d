"""Boolean evaluation of the rules an item's hits touched, and the evidence of those that hold."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.models import ActorMention, Evidence, Item, MatchResult, RuleMatch
from bot.rules.evidence import UNSCORED, build, evidence_of, how_spelled, text_order
from bot.rules.fold import FoldedText
from bot.rules.plain import MAX_EVIDENCE_PER_TERM, decide
from bot.rules.schema import RuleKind
from bot.rules.terms import ALIAS, CONTEXT, MAIN, PLACE, CRule, Hit, ScanHit

if TYPE_CHECKING:
    from bot.rules.compile import CompiledMatcher

log = logging.getLogger(__name__)

MAX_PLACES = 10
EMPTY = MatchResult()


def word_gap(a: Hit, b: Hit) -> int:
    """Words from the end of one hit to the start of the other; 0 when they overlap."""
    if b[1] > a[2]:
        return b[1] - a[2]
    if a[1] > b[2]:
        return a[1] - b[2]
    return 0


def _inside(inner: Hit, outer: Hit) -> bool:
    return inner[0] == outer[0] and outer[1] <= inner[1] and inner[2] <= outer[2]


class Evaluation:
    """The boolean evaluation and evidence of one item, given the automaton's hits."""

    def __init__(self, matcher: CompiledMatcher, item: Item, texts: dict[int, FoldedText]) -> None:
        self.m = matcher
        self.item = item
        self.texts = texts
        self.main: dict[int, list[Hit]] = {}
        self.near: dict[int, list[Hit]] = {}
        self.pairs: dict[int, list[tuple[Hit, Hit]]] = {}
        self.regex: dict[int, list[tuple[int, int, int]]] = {}
        self.mentions: dict[int, ActorMention] = {}
        self.found_places: dict[int, list[tuple[Hit, int]]] = {}
        self.spans: dict[tuple[Any, ...], tuple[int, int, str, str]] = {}
        """(phrase, how, stemmed words, hit) → (start, end, text, how): rules sharing a
        phrase share the work of its evidence"""
        self.bases: dict[tuple[int, Hit], tuple[tuple[int, int], dict[str, Any]]] = {}
        """(term's span id, hit) → its evidence's fields but the rule's id"""

    def run(self, hits: list[ScanHit]) -> MatchResult:
        m = self.m
        terms = m.terms
        candidates: set[int] = set(m.always)
        names: dict[int, list[tuple[Hit, int]]] = {}
        places: dict[int, list[tuple[Hit, int]]] = {}
        context: set[int] = set()
        main = self.main
        for fi, first, nwords, (slots, plain, rest), fuzzy in hits:
            hit = (fi, first, first + nwords - 1, fuzzy)
            if not fuzzy:
                terms_here, triggers = plain[fi]
                for ti in terms_here:
                    known = main.get(ti)  # not setdefault: no list made for a term seen before
                    if known is None:
                        main[ti] = [hit]
                    else:
                        known.append(hit)
                candidates.update(triggers)
                slots = rest
            for kind, index, trigger in slots:
                if kind == ALIAS:
                    names.setdefault(m.names[index].actor, []).append((hit, index))
                    continue
                if kind == PLACE:
                    places.setdefault(m.places[index].spec, []).append((hit, index))
                    continue
                if kind == CONTEXT:
                    context.add(index)
                    continue
                ct = terms[index]
                if not (ct.mask >> fi) & 1 or (fuzzy and not ct.fuzzy):
                    continue
                if ct.case_sensitive and not self._same_case(
                    hit, *((ct.raw, ct.prefix) if kind == MAIN else (ct.near_raw, False))
                ):
                    continue
                (self.main if kind == MAIN else self.near).setdefault(index, []).append(hit)
                if trigger >= 0:
                    candidates.add(trigger)
        if names:
            self.mentions = self._mentions(names)
        if places:
            self._count_places(places, context, candidates)
        for ai in self.mentions:
            candidates.update(m.actor_rules.get(ai, ()))
        if not candidates and not self.mentions:
            return EMPTY
        matched = decide(self, candidates, self._holds, self._rule_match)
        actors = tuple(self.mentions[ai] for ai in sorted(self.mentions))
        if not matched and not actors:
            return EMPTY
        return build(MatchResult, {"rules": tuple(matched), "actors": actors})

    def _mentions(self, names: dict[int, list[tuple[Hit, int]]]) -> dict[int, ActorMention]:
        out: dict[int, ActorMention] = {}
        for ai, found in names.items():
            full = [h for h, ni in found if not self.m.names[ni].surname]
            actor = self.m.actors[ai]
            target = f"actor:{actor.id}"
            evidence = [
                self._phrase_evidence(target, name.text, hit, name.lower, name.lower_words)
                for hit, ni in found
                if not ((name := self.m.names[ni]).surname and any(_inside(hit, f) for f in full))
            ]
            evidence.sort(key=text_order)
            out[ai] = build(
                ActorMention,
                {"actor_id": actor.id, "name": actor.name, "evidence": tuple(evidence)},
            )
        return out

    def _count_places(
        self, places: dict[int, list[tuple[Hit, int]]], context: set[int], candidates: set[int]
    ) -> None:
        """Keep the place hits that count: a plain name always, an ambiguous one (a common
        word, a name shared elsewhere) only beside the context it needs or a plain place."""
        m = self.m
        for si, found in places.items():
            plain = [h for h, pi in found if not m.places[pi].needs]
            level = 2 if 2 * si + 1 in context else 1 if 2 * si in context else 0
            counted = [
                (h, pi)
                for h, pi in found
                if m.places[pi].needs <= level or any(p != h for p in plain)
            ]
            spans = [h for h, _ in counted]
            counted = [c for c in counted if not any(o != c[0] and _inside(c[0], o) for o in spans)]
            if not counted:
                continue
            self.found_places[si] = counted
            candidates.update(m.place_rules.get(si, ()))
            for ai in m.place_actors.get(si, ()):
                evidence = self._place_evidence(f"actor:{m.actors[ai].id}", si)
                known = self.mentions.get(ai)
                values = {"actor_id": m.actors[ai].id, "name": m.actors[ai].name}
                before = known.evidence if known is not None else ()
                merged = tuple(sorted((*before, *evidence), key=text_order))
                self.mentions[ai] = build(ActorMention, {**values, "evidence": merged})

    def _place_evidence(self, target: str, si: int) -> list[Evidence]:
        """The first mention of each place (and each typo of it), up to MAX_PLACES."""
        out: list[Evidence] = []
        seen: set[tuple[str, bool]] = set()
        for hit, pi in self.found_places.get(si, ()):
            label = self.m.places[pi].label
            if (label, hit[3]) in seen:
                continue
            seen.add((label, hit[3]))
            folded = self.texts[hit[0]]
            start, end = folded.span(hit[1], hit[2])
            text = folded.original[start:end]
            how = "fuzzy place" if hit[3] else "place"
            out.append(evidence_of(target, label, hit[0], start, end, text, how))
            if len(out) == MAX_PLACES:
                break
        return out

    def _holds(self, crule: CRule) -> bool:
        if crule.rule.kind is RuleKind.actor and not any(a in self.mentions for a in crule.actors):
            return False
        if crule.places >= 0 and crule.places not in self.found_places:
            return False
        satisfied = self._satisfied
        if not all(satisfied(t) for t in crule.all):
            return False
        if crule.any and not any(satisfied(t) for t in crule.any):
            return False
        return not any(satisfied(t) for t in crule.none)

    def _satisfied(self, ti: int) -> bool:
        ct = self.m.terms[ti]
        if ct.regex is not None:
            return bool(self._regex_hits(ti))
        if ti not in self.main:
            return False
        return not ct.within or bool(self._near_pairs(ti))

    def _regex_hits(self, ti: int) -> list[tuple[int, int, int]]:
        found = self.regex.get(ti)
        if found is None:
            ct = self.m.terms[ti]
            assert ct.regex is not None
            found = []
            for fi, text in enumerate((self.item.title, self.item.summary, self.item.content)):
                if text and (ct.mask >> fi) & 1:
                    found += [
                        (fi, mt.start(), mt.end())
                        for mt in ct.regex.finditer(text)
                        if mt.end() > mt.start()  # an empty match is not evidence
                    ]
            self.regex[ti] = found
        return found

    def _near_pairs(self, ti: int) -> list[tuple[Hit, Hit]]:
        pairs = self.pairs.get(ti)
        if pairs is None:
            within = self.m.terms[ti].within
            pairs = [
                (a, b)
                for a in self.main.get(ti, ())
                for b in self.near.get(ti, ())
                if a[0] == b[0] and 1 <= word_gap(a, b) <= within
            ]
            self.pairs[ti] = pairs
        return pairs

    def _rule_match(self, crule: CRule) -> RuleMatch:
        rule = crule.rule
        evidence: list[Evidence] = []
        satisfied = self.main.__contains__ if crule.plain else self._satisfied
        for ti in crule.terms:
            if satisfied(ti):
                evidence.extend(self._term_evidence(rule.id, ti))
        if crule.places >= 0:
            evidence.extend(self._place_evidence(rule.id, crule.places))
        return self._finish(crule, evidence)

    def _finish(self, crule: CRule, evidence: list[Evidence]) -> RuleMatch:
        """The rule's match: its terms' evidence, its actors' mentions, in text order."""
        rule = crule.rule
        for ai in crule.actors:
            mention = self.mentions.get(ai)
            if mention is not None:
                evidence.extend(
                    build(Evidence, {**e.__dict__, "rule_id": rule.id}) for e in mention.evidence
                )
        if len(evidence) > 1:
            evidence.sort(key=text_order)
        values = {
            "rule_id": rule.id,
            "rule_name": rule.name,
            "priority": rule.priority,
            "evidence": tuple(evidence),
        }
        values.update(UNSCORED)
        return build(RuleMatch, values)

    def _term_evidence(self, rule_id: str, ti: int) -> list[Evidence]:
        ct = self.m.terms[ti]
        if ct.regex is not None:
            texts = (self.item.title, self.item.summary, self.item.content)
            return [
                evidence_of(rule_id, ct.label, fi, s, e, texts[fi][s:e], "regex")
                for fi, s, e in self._regex_hits(ti)[:MAX_EVIDENCE_PER_TERM]
            ]
        if ct.within:
            out = []
            for a, b in self._near_pairs(ti)[:MAX_EVIDENCE_PER_TERM]:
                folded = self.texts[a[0]]
                start, end = folded.span(min(a[1], b[1]), max(a[2], b[2]))
                text = folded.original[start:end]
                out.append(evidence_of(rule_id, ct.label, a[0], start, end, text, "near"))
            return out
        how = "prefix" if ct.prefix else None
        return [
            self._phrase_evidence(
                rule_id, ct.label, hit, ct.lower, ct.lower_words, how, ct.folded if ct.stem else ()
            )
            for hit in self.main[ti][:MAX_EVIDENCE_PER_TERM]
        ]

    def _phrase_evidence(
        self,
        rule_id: str,
        label: str,
        hit: Hit,
        lower: str,
        lower_words: tuple[str, ...],
        how: str | None = None,
        folded_words: tuple[str, ...] = (),
    ) -> Evidence:
        start, end, text, how = self._part(hit, lower, lower_words, how, folded_words)
        return evidence_of(rule_id, label, hit[0], start, end, text, how)

    def _part(
        self,
        hit: Hit,
        lower: str,
        lower_words: tuple[str, ...],
        how: str | None,
        folded_words: tuple[str, ...],
    ) -> tuple[int, int, str, str]:
        """(start, end, text, how) of a phrase's hit, worked out once per item."""
        key = (lower, how, folded_words, hit)
        found = self.spans.get(key)
        if found is None:
            fi, first, last, fuzzy = hit
            folded = self.texts[fi]
            start, end = folded.span(first, last)
            text = folded.original[start:end]
            if fuzzy:
                how = "fuzzy"
            elif how is None:
                spelled = folded.words()[first : last + 1]
                how = how_spelled(text, lower, lower_words, folded_words, spelled)
            found = self.spans[key] = (start, end, text, how)
        return found

    def _same_case(self, hit: Hit, raw: tuple[str, ...], prefix: bool) -> bool:
        fi, first, last, _ = hit
        folded = self.texts[fi]
        original = folded.original
        words = [original[s:e] for s, e in folded.spans()[first : last + 1]]
        if prefix:
            return words[:-1] == list(raw[:-1]) and words[-1].startswith(raw[-1])
        return words == list(raw)
