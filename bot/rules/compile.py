"""All watch rules and actor names compiled into one Aho-Corasick pass plus boolean evaluation.

Each field is folded once and scanned once by one automaton over every phrase of every rule
and actor; only rules with a hit are then evaluated, so cost barely grows with rule count.
Stemmed terms are keys over the field's stems: the scanned text is the folded words
(" w1 w2 … ") followed by their stems ("\x01s1\x01s2\x01…"), so one pass finds both and a
word key can never match a stem or the other way round. A word's stem and whether it is a
typo of a target name are looked up once, the first time the matcher sees the word.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ahocorasick

from bot.models import Item, MatchResult
from bot.rules.actors import actor_names, surnames
from bot.rules.evaluate import EMPTY, Evaluation
from bot.rules.fold import FoldedText, fold_text
from bot.rules.fuzzy import MIN_TOKEN, TypoIndex, Vocabulary
from bot.rules.places import gazetteer
from bot.rules.schema import Actor, Places, Rule, RuleKind
from bot.rules.stems import stem_phrase, stem_words
from bot.rules.terms import (
    ALIAS,
    ALL,
    ANY,
    CONTEXT,
    MAIN,
    NEAR,
    NONE,
    PLACE,
    CName,
    CPlace,
    CRule,
    CTerm,
    Entry,
    ScanHit,
    Slot,
    active_rules,
    phrase_keys,
    phrase_sources,
)

STEM = "\x01"
"""Separates the stems in the scanned text, as a space separates the words."""
_MEMO_LIMIT = 200_000
"""Words whose stem and typo status the matcher remembers; forgotten all at once when full."""


class CompiledMatcher:
    """The `Matcher` port: one automaton, one pass per field, evidence for every match."""

    def __init__(self, rules: Sequence[Rule], actors: Sequence[Actor]) -> None:
        self.rules = tuple(active_rules(rules))
        self.actors = tuple(actors)
        self.terms: list[CTerm] = []
        self.crules: list[CRule] = []
        self.names: list[CName] = []
        self.always: list[int] = []
        self.actor_rules: dict[int, list[int]] = {}
        self.places: list[CPlace] = []
        self.place_rules: dict[int, list[int]] = {}
        self.place_actors: dict[int, list[int]] = {}
        self._specs: dict[Places, int] = {}
        self._place_words: list[str] = []
        """settlements' main names and names of areas, whose typos are forgiven too"""
        self._keys: dict[str, list[Slot]] = {}
        self._add_actors()
        for ri, rule in enumerate(self.rules):
            self._add_rule(ri, rule)
            if rule.places is not None:
                self.crules[ri].places = self._add_places(rule.places)
                self.place_rules.setdefault(self.crules[ri].places, []).append(ri)
        spans: dict[tuple[object, ...], int] = {}
        for ct in self.terms:
            ct.span_id = spans.setdefault(ct.span_key, len(spans))
        for crule in self.crules:
            crule.spans = tuple((ti, self.terms[ti].span_id) for ti in crule.terms)
        for ai, actor in enumerate(self.actors):
            if actor.places is not None:
                self.place_actors.setdefault(self._add_places(actor.places), []).append(ai)
        self._automaton = self._build(self._keys)
        self._scan = bool(self._keys)
        self._stem_scan = any(key.startswith(STEM) for key in self._keys)
        del self._keys, self._specs
        names = [n.text for n in self.names] + self._place_words
        self.vocabulary = Vocabulary.build(phrase_sources(self.rules, names))
        self._typos = TypoIndex(self.vocabulary)
        self._memo: dict[str, str] = {}
        """folded word → "\x01" + its stem, for every word seen (a scan maps words at C speed)"""
        self._fixable: set[str] = set()
        """words seen that are a typo of a target name"""

    def _build(self, keys: dict[str, list[Slot]]) -> Any:
        automaton: Any = ahocorasick.Automaton()
        for key, slots in keys.items():
            # " a b " is two whole words; a prefix key " a neg" is open at the end: also two
            sep = key[0]
            words = key.count(sep) - (1 if key.endswith(sep) else 0)
            entry = self._entry(slots)
            automaton.add_word(key, (len(key), words, entry, _live(entry, self.terms)))
        if keys:
            automaton.make_automaton()
        return automaton

    def _entry(self, slots: list[Slot]) -> Entry:
        """A key's slots, and per field the ones evaluation needs no check for: the terms a
        hit there counts for (plain MAIN slots: field allowed, any case) and their triggers."""
        plain: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        simple = [s for s in slots if s[0] == MAIN and not self.terms[s[1]].case_sensitive]
        for fi in range(3):
            here = [s for s in simple if (self.terms[s[1]].mask >> fi) & 1]
            triggers = tuple(dict.fromkeys(s[2] for s in here if s[2] >= 0))
            plain.append((tuple(s[1] for s in here), triggers))
        rest = tuple(s for s in slots if s not in simple)
        return tuple(slots), tuple(plain), rest

    def _add(self, phrase: str, prefix: bool, slot: Slot, stem: bool = False) -> None:
        if stem:
            key = STEM + STEM.join(stem_phrase(phrase)) + STEM
            self._keys.setdefault(key, []).append(slot)
            return
        for key in phrase_keys(phrase, prefix):
            self._keys.setdefault(key, []).append(slot)

    def _add_places(self, places: Places) -> int:
        """Every settlement name of the regions and their context phrases; the gazetteer's index."""
        si = self._specs.get(places)
        if si is not None:
            return si
        si = self._specs[places] = len(self._specs)
        found = gazetteer(places.country, places.regions, places.context, places.names)
        seen: set[str] = set()
        for name in found.names:
            keys = [k for k in phrase_keys(name.text, False) if k not in seen]
            seen.update(keys)
            for key in keys:  # one slot per spelling, however many entries share it
                self._keys.setdefault(key, []).append((PLACE, len(self.places), -1))
            label = f"{name.settlement}, {name.region}"
            self.places.append(CPlace(si, label, 2 if name.shared else int(name.common)))
        for area in found.areas:
            self._add(area, False, (PLACE, len(self.places), -1))
            self.places.append(CPlace(si, area, 0))
            self._place_words.append(area)
        self._place_words.extend(found.region_context)
        for level, phrases in ((1, found.context), (2, found.region_context)):
            for phrase in phrases:  # the slot's index says the gazetteer and the level
                self._add(phrase, False, (CONTEXT, 2 * si + level - 1, -1))
        return si

    def _add_actors(self) -> None:
        bare = surnames(self.actors)
        for ai, actor in enumerate(self.actors):
            for text in actor_names(actor, bare.get(actor.id)):
                self._add(text, False, (ALIAS, len(self.names), -1))
                self.names.append(CName.of(ai, text, text == bare.get(actor.id)))

    def _add_rule(self, ri: int, rule: Rule) -> None:
        groups: list[list[int]] = [[], [], []]
        for group, terms in ((ALL, rule.all), (ANY, rule.any), (NONE, rule.none)):
            for term in terms:
                groups[group].append(len(self.terms))
                self.terms.append(CTerm.of(ri, group, term, rule.exact))
        index = {a.id: i for i, a in enumerate(self.actors)}
        crule = CRule(
            rule,
            tuple(groups[ALL]),
            tuple(groups[ANY]),
            tuple(groups[NONE]),
            tuple(index[a] for a in rule.actors if a in index),
        )
        crule.plain = (
            rule.kind is RuleKind.topic
            and rule.places is None
            and all(
                self.terms[t].regex is None and not self.terms[t].within
                for t in (*crule.all, *crule.any, *crule.none)
            )
        )
        only = (len(crule.all) == 1 and not crule.any) or (not crule.all and bool(crule.any))
        crule.sure = crule.plain and not crule.none and only
        self.crules.append(crule)
        triggers = self._triggers(crule)
        if rule.kind is RuleKind.actor:
            for ai in crule.actors:
                self.actor_rules.setdefault(ai, []).append(ri)
        elif triggers is None:
            self.always.append(ri)
        for ti in (*crule.all, *crule.any, *crule.none):
            ct = self.terms[ti]
            if ct.term.phrase is None:
                continue
            # a rule with places is a candidate once its places are found, not on a term's hit
            placed = rule.places is not None
            trigger = ri if triggers is not None and ti in triggers and not placed else -1
            self._add(ct.term.phrase, ct.prefix, (MAIN, ti, trigger), ct.stem)
            if ct.term.near is not None:
                self._add(ct.term.near.phrase, False, (NEAR, ti, -1), ct.stem)

    def _triggers(self, crule: CRule) -> frozenset[int] | None:
        """Terms whose hit makes a topic rule worth evaluating; None: evaluate on every item."""
        if crule.rule.kind is RuleKind.actor:
            return frozenset()
        phrased = [t for t in crule.all if self.terms[t].regex is None]
        if phrased:
            anchor = max(phrased, key=lambda t: len(self.terms[t].term.phrase or ""))
            return frozenset({anchor})
        if crule.any and all(self.terms[t].regex is None for t in crule.any):
            return frozenset(crule.any)
        return None

    def match(self, item: Item) -> MatchResult:
        """Every rule that matches `item` and every actor it names, with evidence."""
        texts: dict[int, FoldedText] = {}
        hits: list[ScanHit] = []
        live = False
        if self._scan:
            for fi, text in enumerate((item.title, item.summary, item.content)):
                if not text:
                    continue
                folded = fold_text(text)
                texts[fi] = folded
                words = folded.words()
                scanned = folded.joined
                split = len(scanned)
                if self._stem_scan:
                    try:  # every word seen before: its "\x01stem" at C speed
                        scanned += "".join(map(self._memo.__getitem__, words)) + STEM
                    except KeyError:
                        self._learn(words)
                        scanned += "".join(map(self._memo.__getitem__, words)) + STEM
                elif not all(map(self._memo.__contains__, words)):
                    self._learn(words)
                live = _scan(self._automaton, fi, scanned, split, hits) or live
                if self._fixable and not self._fixable.isdisjoint(words):
                    live = self._scan_typos(fi, words, hits) or live
        if not live and not self.always:
            return EMPTY  # no hit can make a rule a candidate: nothing would match
        return Evaluation(self, item, texts).run(hits)

    def _learn(self, words: list[str]) -> None:
        """Remember the stem of each word never seen before and whether it is a typo."""
        memo = self._memo
        if len(memo) > _MEMO_LIMIT:
            memo.clear()
            self._fixable.clear()
        new = [w for w in dict.fromkeys(words) if w not in memo]
        for word, stem in zip(new, stem_words(new), strict=True):
            memo[word] = STEM + stem
            if self._typos and len(word) >= MIN_TOKEN and self._typos.correct(word) is not None:
                self._fixable.add(word)

    def _scan_typos(self, fi: int, words: list[str], hits: list[ScanHit]) -> bool:
        """Second pass over a field whose words include a typo of a target name: the hits
        that only the corrected words (or their stems) make."""
        fixes = {w: f for w in words if w in self._fixable and (f := self._typos.correct(w))}
        fixed_words = [fixes.get(w, w) for w in words]
        changed = {i for i, w in enumerate(words) if w in fixes}
        scanned = " " + " ".join(fixed_words) + " "
        split = len(scanned)
        stem_changed: set[int] = set()
        if self._stem_scan:
            stems, fixed_stems = stem_words(words), stem_words(fixed_words)
            stem_changed = {i for i in changed if stems[i] != fixed_stems[i]}
            if stem_changed:
                scanned += STEM + STEM.join(fixed_stems) + STEM
        count = scanned.count
        live = False
        for end, (klen, nwords, entry, alive) in self._automaton.iter(scanned):
            start = end - klen + 1
            if start < split:
                first, touched = count(" ", 0, start), changed
            else:
                first, touched = count(STEM, split, start), stem_changed
            if any(first <= i < first + nwords for i in touched):
                hits.append((fi, first, nwords, entry, True))
                live = live or alive[3]
        return live


def _scan(automaton: Any, fi: int, scanned: str, split: int, hits: list[ScanHit]) -> bool:
    """Append the automaton's hits in one field: words before `split`, stems after it.
    True if one of them can make a rule a candidate or name an actor or a place."""
    count = scanned.count
    live = False
    for end, (klen, nwords, entry, alive) in automaton.iter(scanned):
        start = end - klen + 1
        first = count(" ", 0, start) if start < split else count(STEM, split, start)
        hits.append((fi, first, nwords, entry, False))
        if alive[fi]:
            live = True
    return live


def _live(entry: Entry, terms: Sequence[CTerm]) -> tuple[bool, bool, bool, bool]:
    """Per field, and for a typo's hit, whether a hit on this key can start anything: a rule's
    trigger, an actor's name, a place. A field whose hits cannot is not evaluated at all."""
    slots, plain, rest = entry

    def starts(slot: Slot, fi: int | None) -> bool:
        kind, index, trigger = slot
        if kind in (ALIAS, PLACE):
            return True
        return kind == MAIN and trigger >= 0 and (fi is None or (terms[index].mask >> fi) & 1 > 0)

    fields = [bool(plain[fi][1]) or any(starts(s, fi) for s in rest) for fi in range(3)]
    return fields[0], fields[1], fields[2], any(starts(s, None) for s in slots)


def compile_rules(rules: Sequence[Rule], actors: Sequence[Actor]) -> CompiledMatcher:
    """Compile enabled rules and all actors into one matcher."""
    return CompiledMatcher(rules, actors)
