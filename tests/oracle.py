"""A plain reference matcher: every rule, every term, word by word — slow, obviously correct.

The property test checks the compiled matcher against it, and the benchmark runs it beside.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import Stemmer

from bot.models import ActorMention, Evidence, Item, MatchResult, RuleMatch, TextField
from bot.rules.actors import actor_names, surnames
from bot.rules.fold import WORD, canonical, fold_word, same_words_ignoring_case
from bot.rules.fuzzy import Vocabulary
from bot.rules.schema import Actor, Rule, RuleKind, Term, TermMode
from bot.rules.terms import (
    FIELDS,
    active_rules,
    phrase_sources,
    term_accepts_typos,
    term_stems,
)

_STEM = Stemmer.Stemmer("english").stemWord

Span = tuple[int, int]
"""(first word, last word), inclusive"""


@dataclass
class _Field:
    """One field split into words: as written, folded, canonical and typo-corrected."""

    field: TextField
    text: str
    original: list[str]
    spans: list[tuple[int, int]]
    folded: list[str]
    canon: list[str]
    stems: list[str]
    corrected: list[str | None]

    @classmethod
    def of(cls, field: TextField, text: str, vocabulary: Vocabulary) -> _Field:
        found = list(WORD.finditer(text))
        folded = [fold_word(m.group()) for m in found]
        return cls(
            field=field,
            text=text,
            original=[m.group() for m in found],
            spans=[m.span() for m in found],
            folded=folded,
            canon=[canonical(w) for w in folded],
            stems=[_STEM(canonical(w)) for w in folded],
            corrected=[vocabulary.correct_slowly(w) for w in folded],
        )

    def find(
        self, phrase: str, prefix: bool, case_sensitive: bool, typos: bool, stem: bool = False
    ) -> list[Span]:
        """Every place the phrase occurs, word by word."""
        raw = WORD.findall(phrase)
        want = [canonical(fold_word(w)) for w in raw]
        out: list[Span] = []
        for i in range(len(self.folded) - len(raw) + 1):
            if all(
                self._stem_matches(i + k, want[k], typos)
                if stem
                else self._word_matches(
                    i + k, raw[k], want[k], prefix and k == len(raw) - 1, case_sensitive, typos
                )
                for k in range(len(raw))
            ):
                out.append((i, i + len(raw) - 1))
        return out

    def _word_matches(
        self, at: int, raw: str, want: str, prefix: bool, case_sensitive: bool, typos: bool
    ) -> bool:
        if prefix:
            if case_sensitive:
                return self.original[at].startswith(raw)
            return self.folded[at].startswith(fold_word(raw))
        if case_sensitive:
            return self.original[at] == raw
        return self.canon[at] == want or (typos and self.corrected[at] == want)

    def _stem_matches(self, at: int, want: str, typos: bool) -> bool:
        target = _STEM(want)
        fixed = self.corrected[at]
        return self.stems[at] == target or (
            typos and fixed is not None and _STEM(canonical(fixed)) == target
        )

    def text_of(self, span: Span) -> tuple[int, int, str]:
        start, end = self.spans[span[0]][0], self.spans[span[1]][1]
        return start, end, self.text[start:end]


class ReferenceMatcher:
    """Same answers as `CompiledMatcher` (which rules, which actors), found the slow way."""

    def __init__(self, rules: Sequence[Rule], actors: Sequence[Actor]) -> None:
        self.rules = tuple(active_rules(rules))
        self.actors = tuple(actors)
        bare = surnames(self.actors)
        self.names = {a.id: actor_names(a, bare.get(a.id)) for a in self.actors}
        all_names = [n for names in self.names.values() for n in names]
        self.vocabulary = Vocabulary.build(phrase_sources(self.rules, all_names))

    def match(self, item: Item) -> MatchResult:
        fields = [_Field.of(f, item.text(f), self.vocabulary) for f in FIELDS if item.text(f)]
        mentions: dict[str, ActorMention] = {}
        for actor in self.actors:
            evidence = [
                _evidence(f"actor:{actor.id}", name, f, span, name)
                for name in self.names[actor.id]
                for f in fields
                for span in f.find(name, prefix=False, case_sensitive=False, typos=True)
            ]
            if evidence:
                mentions[actor.id] = ActorMention(
                    actor_id=actor.id, name=actor.name, evidence=tuple(evidence)
                )
        matched = []
        for rule in self.rules:
            found = self._rule_evidence(rule, fields, mentions)
            if found is not None:
                matched.append(
                    RuleMatch(
                        rule_id=rule.id,
                        rule_name=rule.name,
                        priority=rule.priority,
                        evidence=tuple(found),
                    )
                )
        return MatchResult(rules=tuple(matched), actors=tuple(mentions.values()))

    def _rule_evidence(
        self, rule: Rule, fields: list[_Field], mentions: dict[str, ActorMention]
    ) -> list[Evidence] | None:
        """The evidence if the rule holds, else None."""
        evidence: list[Evidence] = []
        if rule.kind is RuleKind.actor:
            named = [mentions[a] for a in rule.actors if a in mentions]
            if not named:
                return None
            for mention in named:
                evidence.extend(mention.evidence)
        for term in rule.all:
            found = _term_evidence(rule.id, term, fields, rule.exact)
            if not found:
                return None
            evidence.extend(found)
        if rule.any:
            found_any = [
                e for term in rule.any for e in _term_evidence(rule.id, term, fields, rule.exact)
            ]
            if not found_any:
                return None
            evidence.extend(found_any)
        if any(_term_evidence(rule.id, term, fields, rule.exact) for term in rule.none):
            return None
        return evidence


def _term_evidence(
    rule_id: str, term: Term, fields: list[_Field], rule_exact: bool = False
) -> list[Evidence]:
    """Every occurrence of one term in the fields it is scoped to."""
    out: list[Evidence] = []
    for f in fields:
        if f.field not in term.fields:
            continue
        if term.regex is not None:
            flags = 0 if term.case_sensitive else re.IGNORECASE
            for m in re.finditer(term.regex, f.text, flags):
                if m.end() > m.start():  # an empty match is not evidence
                    out.append(
                        _make(rule_id, term.label, f.field, m.start(), m.end(), m.group(), "regex")
                    )
            continue
        assert term.phrase is not None
        prefix = term.mode is TermMode.prefix
        typos = term_accepts_typos(term)
        stem = term_stems(term, rule_exact)
        spans = f.find(term.phrase, prefix, term.case_sensitive, typos, stem)
        if term.near is None:
            how = "prefix" if prefix else None
            out.extend(_evidence(rule_id, term.label, f, s, term.phrase, how) for s in spans)
            continue
        others = f.find(term.near.phrase, False, term.case_sensitive, typos, stem)
        for a in spans:
            for b in others:
                gap = b[0] - a[1] if b[0] > a[1] else a[0] - b[1] if a[0] > b[1] else 0
                if 1 <= gap <= term.near.within:
                    span = (min(a[0], b[0]), max(a[1], b[1]))
                    start, end, text = f.text_of(span)
                    out.append(_make(rule_id, term.label, f.field, start, end, text, "near"))
    return out


def _evidence(
    rule_id: str, label: str, f: _Field, span: Span, phrase: str, how: str | None = None
) -> Evidence:
    start, end, text = f.text_of(span)
    if how is None and same_words_ignoring_case(text, phrase):
        how = "exact"
    elif how is None:
        want = [canonical(fold_word(w)) for w in WORD.findall(phrase)]
        if f.canon[span[0] : span[1] + 1] == want:
            how = "folded"
        elif f.stems[span[0] : span[1] + 1] == [_STEM(w) for w in want]:
            how = "stem"
        else:
            how = "fuzzy"
    return _make(rule_id, label, f.field, start, end, text, how)


def _make(
    rule_id: str, term: str, field: TextField, start: int, end: int, text: str, how: str
) -> Evidence:
    return Evidence(
        rule_id=rule_id, term=term, field=field, start=start, end=end, text=text, how=how
    )
