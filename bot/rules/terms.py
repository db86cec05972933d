"""Rules, terms and actor names in compiled form: tables the scanner fills, evaluation reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import product

import re2

from bot.models import TextField
from bot.rules.fold import WORD, canonical, fold_phrase, fold_word, phrase_words, spellings
from bot.rules.regex_safety import compile_user_regex
from bot.rules.schema import Rule, Term, TermMode

FIELDS = (TextField.title, TextField.summary, TextField.content)
ALL, ANY, NONE = 0, 1, 2
MAIN, NEAR, ALIAS, PLACE, CONTEXT = 0, 1, 2, 3, 4

Hit = tuple[int, int, int, bool]
"""(field index, first word, last word, found through a typo correction)"""
Slot = tuple[int, int, int]
"""(MAIN | NEAR | ALIAS | PLACE | CONTEXT, term, name, place or gazetteer index, rule to
evaluate on a hit or -1)"""
PlainSlots = tuple[tuple[int, ...], tuple[int, ...]]
Entry = tuple[tuple[Slot, ...], tuple[PlainSlots, ...], tuple[Slot, ...]]
"""An automaton key's slots; per field, the plain terms a hit counts for and their triggers;
the slots that need checking (not plain terms)"""
ScanHit = tuple[int, int, int, Entry, bool]
"""(field index, first word, number of words, the key's entry, found through a typo)"""


@dataclass(slots=True, eq=False)
class CTerm:
    """A term ready for evaluation: its rule, group, field mask and matching options."""

    rule: int
    group: int
    term: Term
    label: str
    mask: int
    raw: tuple[str, ...]
    near_raw: tuple[str, ...]
    lower: str
    lower_words: tuple[str, ...]
    prefix: bool
    case_sensitive: bool
    fuzzy: bool
    stem: bool
    """Matched on word stems (any inflection) rather than on the folded words as written."""
    folded: tuple[str, ...]
    within: int
    regex: re2._Regexp | None
    """Compiled on RE2 (rules.regex_safety): linear-time searches, no timeout needed."""
    span_key: tuple[object, ...] = ()
    """(label, lower, how, stemmed words): terms alike in these share a hit's evidence."""
    span_id: int = -1
    """The matcher's number for the term's `span_key` (a cheaper key to look up)."""

    def __post_init__(self) -> None:
        how = "prefix" if self.prefix else None
        self.span_key = (self.label, self.lower, how, self.folded if self.stem else ())

    @classmethod
    def of(cls, rule: int, group: int, term: Term, exact: bool = False) -> CTerm:
        mask = 0
        for shown in term.fields:
            mask |= 1 << FIELDS.index(shown)
        regex = None
        if term.regex is not None:
            regex = compile_user_regex(term.regex, case_sensitive=term.case_sensitive)
        phrase = term.phrase or ""
        return cls(
            rule=rule,
            group=group,
            term=term,
            label=term.label,
            mask=mask,
            raw=phrase_words(phrase),
            near_raw=phrase_words(term.near.phrase) if term.near else (),
            lower=phrase.lower(),
            lower_words=tuple(w.lower() for w in WORD.findall(phrase)),
            prefix=term.mode is TermMode.prefix,
            case_sensitive=term.case_sensitive,
            fuzzy=term_accepts_typos(term),
            stem=term_stems(term, exact),
            folded=fold_phrase(phrase),
            within=term.near.within if term.near else 0,
            regex=regex,
        )


@dataclass(slots=True, eq=False)
class CRule:
    """A rule as indexes into the term table, plus the actors an actor rule needs.

    A `plain` rule (a topic rule of phrases without `near` or regex) is decided by set
    operations on the terms that were hit.
    """

    rule: Rule
    all: tuple[int, ...]
    any: tuple[int, ...]
    none: tuple[int, ...]
    actors: tuple[int, ...]
    places: int = -1
    """Index of the rule's `places` in the matcher's gazetteers, -1 for none."""
    plain: bool = False
    all_set: frozenset[int] = frozenset()
    any_set: frozenset[int] = frozenset()
    none_set: frozenset[int] = frozenset()
    terms: tuple[int, ...] = ()
    """The `all` terms, then the `any` terms: the ones whose hits are evidence."""
    rule_id: str = ""
    sure: bool = False
    """A plain rule that holds whenever it is a candidate: its only terms are `any` terms
    (each a trigger) or one `all` term (its trigger), and it has no `none` term."""
    spans: tuple[tuple[int, int], ...] = ()
    """(term, its span id) of `terms`, set by the matcher once terms are numbered."""
    head: dict[str, object] = field(default_factory=dict)
    """The rule's first fields in a RuleMatch: its id, name and priority."""

    def __post_init__(self) -> None:
        self.terms = (*self.all, *self.any)
        rule = self.rule
        self.rule_id = rule.id
        self.head = {"rule_id": rule.id, "rule_name": rule.name, "priority": rule.priority}
        self.all_set = frozenset(self.all)
        self.any_set = frozenset(self.any)
        self.none_set = frozenset(self.none)


@dataclass(slots=True, frozen=True)
class CPlace:
    """One spelling of a settlement, as the scanner finds it: its gazetteer and its label."""

    spec: int
    label: str
    needs: int
    """0: counts alone; 1: needs any context; 2: needs the regions' own context"""


@dataclass(slots=True, eq=False)
class CName:
    """One name an actor is found by."""

    actor: int
    text: str
    lower: str
    lower_words: tuple[str, ...]
    surname: bool

    @classmethod
    def of(cls, actor: int, text: str, surname: bool) -> CName:
        words = tuple(w.lower() for w in WORD.findall(text))
        return cls(actor, text, text.lower(), words, surname)


def phrase_keys(phrase: str, prefix: bool) -> list[str]:
    """Automaton keys for a phrase: every spelling variant, space-delimited for whole words."""
    words = [fold_word(w) for w in phrase_words(phrase)]
    if prefix:
        head = [spellings(canonical(w)) for w in words[:-1]]
        return [" " + " ".join((*combo, words[-1])) for combo in product(*head)]
    variants = [spellings(canonical(w)) for w in words]
    return [" " + " ".join(combo) + " " for combo in product(*variants)]


def phrase_sources(rules: Sequence[Rule], names: Sequence[str]) -> list[tuple[str, bool]]:
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


def term_stems(term: Term, rule_exact: bool = False) -> bool:
    """A whole-word, case-insensitive phrase matches its inflections unless marked exact."""
    exact = rule_exact if term.exact is None else term.exact
    return (
        term.phrase is not None
        and not exact
        and term.mode is TermMode.word
        and not term.case_sensitive
    )


def term_accepts_typos(term: Term) -> bool:
    """Typos are forgiven only in whole-word, case-insensitive phrases that allow it."""
    return term.fuzzy and term.mode is TermMode.word and not term.case_sensitive


def active_rules(rules: Sequence[Rule]) -> list[Rule]:
    """The rules that take part in matching."""
    return [r for r in rules if r.enabled]
