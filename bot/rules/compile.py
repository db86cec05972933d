"""All watch rules and actor names compiled into one Aho-Corasick pass plus boolean evaluation.

Each field is folded once and scanned once by one automaton over every phrase of every rule
and actor; only rules with a hit are then evaluated, so cost barely grows with rule count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

import ahocorasick

from bot.models import ActorMention, Evidence, Item, MatchResult, RuleMatch, TextField
from bot.rules.actors import actor_names, surnames
from bot.rules.fold import (
    FoldedText,
    canonical,
    fold_text,
    fold_word,
    phrase_words,
    same_words_ignoring_case,
    spellings,
)
from bot.rules.fuzzy import MIN_TOKEN, TypoIndex, Vocabulary
from bot.rules.schema import Actor, Rule, RuleKind, Term, TermMode

FIELDS = (TextField.title, TextField.summary, TextField.content)
MAX_EVIDENCE_PER_TERM = 5
_ALL, _ANY, _NONE = 0, 1, 2
_MAIN, _NEAR, _ALIAS = 0, 1, 2
_LONG_WORD = re.compile(f"[^ ]{{{MIN_TOKEN},}}")
_EMPTY = MatchResult()

Hit = tuple[int, int, int, bool]
"""(field index, first word, last word, found through a typo correction)"""


@dataclass(slots=True, eq=False)
class _CTerm:
    """A term ready for evaluation: its rule, group, field mask and matching options."""

    rule: int
    group: int
    term: Term
    mask: int
    raw: tuple[str, ...]
    near_raw: tuple[str, ...]
    prefix: bool
    case_sensitive: bool
    fuzzy: bool
    within: int
    regex: re.Pattern[str] | None


@dataclass(slots=True, eq=False)
class _CRule:
    rule: Rule
    all: tuple[int, ...]
    any: tuple[int, ...]
    none: tuple[int, ...]
    actors: tuple[int, ...]


@dataclass(slots=True, eq=False)
class _CName:
    actor: int
    text: str
    surname: bool


def phrase_keys(phrase: str, prefix: bool) -> list[str]:
    """Automaton keys for a phrase: every spelling variant, space-delimited for whole words."""
    words = [fold_word(w) for w in phrase_words(phrase)]
    if prefix:
        head = [spellings(canonical(w)) for w in words[:-1]]
        return [" " + " ".join((*combo, words[-1])) for combo in product(*head)]
    variants = [spellings(canonical(w)) for w in words]
    return [" " + " ".join(combo) + " " for combo in product(*variants)]


def _phrase_sources(rules: Sequence[Rule], names: Sequence[str]) -> list[tuple[str, bool]]:
    """Every phrase in the rule set with whether it accepts typos (for the typo vocabulary)."""
    out: list[tuple[str, bool]] = []
    for rule in rules:
        for term in (*rule.all, *rule.any, *rule.none):
            if term.phrase is None:
                continue
            tolerant = term_accepts_typos(term)
            out.append((term.phrase, tolerant))
            if term.near is not None:
                out.append((term.near.phrase, tolerant))
    out.extend((name, True) for name in names)
    return out


def term_accepts_typos(term: Term) -> bool:
    """Typos are forgiven only in whole-word, case-insensitive phrases that allow it."""
    return term.fuzzy and term.mode is TermMode.word and not term.case_sensitive


def active_rules(rules: Sequence[Rule]) -> list[Rule]:
    return [r for r in rules if r.enabled]


class CompiledMatcher:
    """The `Matcher` port: one automaton, one pass per field, evidence for every match."""

    def __init__(self, rules: Sequence[Rule], actors: Sequence[Actor]) -> None:
        self.rules = tuple(active_rules(rules))
        self.actors = tuple(actors)
        self._terms: list[_CTerm] = []
        self._rules: list[_CRule] = []
        self._names: list[_CName] = []
        self._always: list[int] = []
        self._actor_rules: dict[int, list[int]] = {}
        keys: dict[str, list[tuple[int, int, int]]] = {}
        key_words: dict[str, int] = {}

        def add(phrase: str, prefix: bool, slot: tuple[int, int, int]) -> None:
            for key in phrase_keys(phrase, prefix):
                keys.setdefault(key, []).append(slot)
                key_words[key] = key.count(" ") - (0 if prefix else 1)

        actor_index = {a.id: i for i, a in enumerate(self.actors)}
        bare = surnames(self.actors)
        for ai, actor in enumerate(self.actors):
            for text in actor_names(actor, bare.get(actor.id)):
                slot = (_ALIAS, len(self._names), -1)
                self._names.append(_CName(ai, text, text == bare.get(actor.id)))
                add(text, False, slot)
        for ri, rule in enumerate(self.rules):
            groups: list[list[int]] = [[], [], []]
            for group, terms in enumerate((rule.all, rule.any, rule.none)):
                for term in terms:
                    groups[group].append(len(self._terms))
                    self._terms.append(_compile_term(ri, group, term))
            crule = _CRule(
                rule,
                tuple(groups[_ALL]),
                tuple(groups[_ANY]),
                tuple(groups[_NONE]),
                tuple(actor_index[a] for a in rule.actors if a in actor_index),
            )
            self._rules.append(crule)
            triggers = self._triggers(crule)
            if rule.kind is RuleKind.actor:
                for ai in crule.actors:
                    self._actor_rules.setdefault(ai, []).append(ri)
            elif triggers is None:
                self._always.append(ri)
            for ti in (*crule.all, *crule.any, *crule.none):
                ct = self._terms[ti]
                if ct.term.phrase is None:
                    continue
                trig = ri if triggers is not None and ti in triggers else -1
                add(ct.term.phrase, ct.prefix, (_MAIN, ti, trig))
                if ct.term.near is not None:
                    add(ct.term.near.phrase, False, (_NEAR, ti, -1))
        self._automaton: Any = ahocorasick.Automaton()
        for key, slots in keys.items():
            self._automaton.add_word(key, (len(key), key_words[key], tuple(slots)))
        self._automaton.make_automaton()
        self._scan = bool(keys)
        names = [n.text for n in self._names]
        self.vocabulary = Vocabulary.build(_phrase_sources(self.rules, names))
        self._typos = TypoIndex(self.vocabulary)

    def _triggers(self, crule: _CRule) -> frozenset[int] | None:
        """Terms whose hit makes a topic rule worth evaluating; None: evaluate on every item."""
        if crule.rule.kind is RuleKind.actor:
            return frozenset()
        phrased = [t for t in crule.all if self._terms[t].regex is None]
        if phrased:
            anchor = max(phrased, key=lambda t: len(self._terms[t].term.phrase or ""))
            return frozenset({anchor})
        if crule.any and all(self._terms[t].regex is None for t in crule.any):
            return frozenset(crule.any)
        return None

    # -- scanning ---------------------------------------------------------------------

    def match(self, item: Item) -> MatchResult:
        """Every rule that matches `item` and every actor it names, with evidence."""
        texts: dict[int, FoldedText] = {}
        hits: list[tuple[int, int, int, tuple[tuple[int, int, int], ...], bool]] = []
        automaton = self._automaton
        for fi, text in enumerate((item.title, item.summary, item.content)):
            if not text or not self._scan:
                continue
            folded = fold_text(text)
            texts[fi] = folded
            joined = folded.joined
            count = joined.count
            for end, (klen, nwords, slots) in automaton.iter(joined):
                hits.append((fi, count(" ", 0, end - klen + 1), nwords, slots, False))
            if self._typos:
                self._scan_typos(fi, folded, hits)
        if not hits and not self._always:
            return _EMPTY
        return _Evaluation(self, item, texts).run(hits)

    def _scan_typos(
        self,
        fi: int,
        folded: FoldedText,
        hits: list[tuple[int, int, int, tuple[tuple[int, int, int], ...], bool]],
    ) -> None:
        """Second pass over a field whose long words include a typo of a target name."""
        fixes: dict[str, str] = {}
        for word in _LONG_WORD.findall(folded.joined):
            fixed = self._typos.correct(word)
            if fixed is not None:
                fixes[word] = fixed
        if not fixes:
            return
        words = folded.words()
        changed = {i for i, w in enumerate(words) if w in fixes}
        joined = " " + " ".join(fixes.get(w, w) for w in words) + " "
        for end, (klen, nwords, slots) in self._automaton.iter(joined):
            first = joined.count(" ", 0, end - klen + 1)
            if any(first <= i < first + nwords for i in changed):
                hits.append((fi, first, nwords, slots, True))


def _compile_term(rule: int, group: int, term: Term) -> _CTerm:
    mask = 0
    for field in term.fields:
        mask |= 1 << FIELDS.index(field)
    regex = None
    if term.regex is not None:
        regex = re.compile(term.regex, 0 if term.case_sensitive else re.IGNORECASE)
    return _CTerm(
        rule=rule,
        group=group,
        term=term,
        mask=mask,
        raw=phrase_words(term.phrase or ""),
        near_raw=phrase_words(term.near.phrase) if term.near else (),
        prefix=term.mode is TermMode.prefix,
        case_sensitive=term.case_sensitive,
        fuzzy=term_accepts_typos(term),
        within=term.near.within if term.near else 0,
        regex=regex,
    )


class _Evaluation:
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

    def run(
        self, hits: list[tuple[int, int, int, tuple[tuple[int, int, int], ...], bool]]
    ) -> MatchResult:
        m = self.m
        terms = m._terms
        candidates: set[int] = set(m._always)
        names: dict[int, list[tuple[Hit, int]]] = {}
        for fi, first, nwords, slots, fuzzy in hits:
            last = first + nwords - 1
            for kind, index, trigger in slots:
                if kind == _ALIAS:
                    names.setdefault(m._names[index].actor, []).append(
                        ((fi, first, last, fuzzy), index)
                    )
                    continue
                ct = terms[index]
                if not (ct.mask >> fi) & 1 or (fuzzy and not ct.fuzzy):
                    continue
                if ct.case_sensitive and not self._same_case(
                    fi,
                    first,
                    last,
                    *((ct.raw, ct.prefix) if kind == _MAIN else (ct.near_raw, False)),
                ):
                    continue
                store = self.main if kind == _MAIN else self.near
                store.setdefault(index, []).append((fi, first, last, fuzzy))
                if trigger >= 0:
                    candidates.add(trigger)
        mentions = self.mentions = self._mentions(names)
        for ai in mentions:
            candidates.update(m._actor_rules.get(ai, ()))
        if not candidates and not mentions:
            return _EMPTY
        matched = [
            self._rule_match(ri) for ri in sorted(candidates) if self._holds(m._rules[ri], mentions)
        ]
        return MatchResult.model_construct(
            rules=tuple(matched), actors=tuple(mentions[ai] for ai in sorted(mentions))
        )

    # -- actors -----------------------------------------------------------------------

    def _mentions(self, names: dict[int, list[tuple[Hit, int]]]) -> dict[int, ActorMention]:
        out: dict[int, ActorMention] = {}
        for ai, found in names.items():
            full = [h for h, ni in found if not self.m._names[ni].surname]
            evidence: list[Evidence] = []
            for hit, ni in found:
                name = self.m._names[ni]
                if name.surname and any(_inside(hit, f) for f in full):
                    continue
                evidence.append(
                    self._evidence(f"actor:{self.m.actors[ai].id}", name.text, hit, name.text)
                )
            if evidence:
                actor = self.m.actors[ai]
                evidence.sort(key=lambda e: (FIELDS.index(e.field), e.start))
                out[ai] = ActorMention.model_construct(
                    actor_id=actor.id, name=actor.name, evidence=tuple(evidence)
                )
        return out

    # -- rules ------------------------------------------------------------------------

    def _holds(self, crule: _CRule, mentions: dict[int, ActorMention]) -> bool:
        if crule.rule.kind is RuleKind.actor and not any(a in mentions for a in crule.actors):
            return False
        if not all(self._satisfied(t) for t in crule.all):
            return False
        if crule.any and not any(self._satisfied(t) for t in crule.any):
            return False
        return not any(self._satisfied(t) for t in crule.none)

    def _satisfied(self, ti: int) -> bool:
        ct = self.m._terms[ti]
        if ct.regex is not None:
            return bool(self._regex_hits(ti))
        if ti not in self.main:
            return False
        return not ct.within or bool(self._near_pairs(ti))

    def _regex_hits(self, ti: int) -> list[tuple[int, int, int]]:
        found = self.regex.get(ti)
        if found is None:
            ct = self.m._terms[ti]
            assert ct.regex is not None
            found = []
            for fi, text in enumerate((self.item.title, self.item.summary, self.item.content)):
                if text and (ct.mask >> fi) & 1:
                    found.extend((fi, mt.start(), mt.end()) for mt in ct.regex.finditer(text))
            self.regex[ti] = found
        return found

    def _near_pairs(self, ti: int) -> list[tuple[Hit, Hit]]:
        pairs = self.pairs.get(ti)
        if pairs is None:
            within = self.m._terms[ti].within
            pairs = [
                (a, b)
                for a in self.main.get(ti, ())
                for b in self.near.get(ti, ())
                if a[0] == b[0] and 1 <= word_gap(a, b) <= within
            ]
            self.pairs[ti] = pairs
        return pairs

    def _rule_match(self, ri: int) -> RuleMatch:
        crule = self.m._rules[ri]
        rule = crule.rule
        evidence: list[Evidence] = []
        for ti in (*crule.all, *crule.any):
            if self._satisfied(ti):
                evidence.extend(self._term_evidence(rule.id, ti))
        for ai in crule.actors:
            mention = self.mentions.get(ai)
            if mention is not None:
                evidence.extend(e.model_copy(update={"rule_id": rule.id}) for e in mention.evidence)
        evidence.sort(key=lambda e: (FIELDS.index(e.field), e.start))
        return RuleMatch.model_construct(
            rule_id=rule.id, rule_name=rule.name, priority=rule.priority, evidence=tuple(evidence)
        )

    def _term_evidence(self, rule_id: str, ti: int) -> list[Evidence]:
        ct = self.m._terms[ti]
        label = ct.term.label
        out: list[Evidence] = []
        if ct.regex is not None:
            for fi, start, end in self._regex_hits(ti)[:MAX_EVIDENCE_PER_TERM]:
                text = (self.item.title, self.item.summary, self.item.content)[fi]
                out.append(_make(rule_id, label, fi, start, end, text[start:end], "regex"))
            return out
        if ct.within:
            for a, b in self._near_pairs(ti)[:MAX_EVIDENCE_PER_TERM]:
                folded = self.texts[a[0]]
                start = min(folded.span(a[1], a[2])[0], folded.span(b[1], b[2])[0])
                end = max(folded.span(a[1], a[2])[1], folded.span(b[1], b[2])[1])
                out.append(
                    _make(rule_id, label, a[0], start, end, folded.original[start:end], "near")
                )
            return out
        for hit in self.main[ti][:MAX_EVIDENCE_PER_TERM]:
            how = "prefix" if ct.prefix else None
            out.append(self._evidence(rule_id, label, hit, ct.term.phrase or "", how))
        return out

    def _evidence(
        self, rule_id: str, label: str, hit: Hit, phrase: str, how: str | None = None
    ) -> Evidence:
        fi, first, last, fuzzy = hit
        folded = self.texts[fi]
        start, end = folded.span(first, last)
        text = folded.original[start:end]
        if fuzzy:
            how = "fuzzy"
        elif how is None:
            how = "exact" if same_words_ignoring_case(text, phrase) else "folded"
        return _make(rule_id, label, fi, start, end, text, how)

    def _same_case(
        self, fi: int, first: int, last: int, raw: tuple[str, ...], prefix: bool
    ) -> bool:
        folded = self.texts[fi]
        original = folded.original
        spans = folded.spans()
        words = [original[s:e] for s, e in spans[first : last + 1]]
        if prefix:
            return words[:-1] == list(raw[:-1]) and words[-1].startswith(raw[-1])
        return words == list(raw)


def word_gap(a: Hit, b: Hit) -> int:
    """Words from the end of one hit to the start of the other; 0 or less when they overlap."""
    if b[1] > a[2]:
        return b[1] - a[2]
    if a[1] > b[2]:
        return a[1] - b[2]
    return 0


def _inside(inner: Hit, outer: Hit) -> bool:
    return inner[0] == outer[0] and outer[1] <= inner[1] and inner[2] <= outer[2]


def _make(rule_id: str, term: str, fi: int, start: int, end: int, text: str, how: str) -> Evidence:
    return Evidence.model_construct(
        rule_id=rule_id, term=term, field=FIELDS[fi], start=start, end=end, text=text, how=how
    )


def compile_rules(rules: Sequence[Rule], actors: Sequence[Actor]) -> CompiledMatcher:
    """Compile enabled rules and all actors into one matcher."""
    return CompiledMatcher(rules, actors)
