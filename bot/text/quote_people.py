"""The people a text names, in order, and how a classified attribution resolves to one of them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.rules.fold import fold_phrase
from bot.rules.schema import Actor, ActorKind
from bot.text.quote_clauses import drop_parenthetical, subject_speaker
from bot.text.quote_lexicon import ADVERBS, GEO_WORDS, PARTICIPLES, ROLE_NOUNS, VERB_RE, fold
from bot.text.quote_names import is_org, is_outlet, name_runs, strip_titles


@dataclass(slots=True)
class Person:
    """A named person (or body) the text mentions, with the role words seen with the name."""

    name: str
    roles: set[str] = field(default_factory=set)
    is_org: bool = False
    positions: list[int] = field(default_factory=list)


def actor_key(name: str) -> str:
    """A name folded as the matcher folds it: case, accents, transliterations (Sergei = Sergey)."""
    return " ".join(fold_phrase(name))


class People:
    """Who the text names, in order, so pronouns and role nouns find "the last person it fits"."""

    def __init__(self, text: str, actors: Sequence[Actor], outlets: frozenset[str]) -> None:
        self.by_key: dict[str, Person] = {}
        self.outlets = outlets
        self.actors = actors
        self._actor_names = {actor_key(n): a for a in actors for n in a.names}
        subjects = speech_subjects(text)
        self.spoke: list[tuple[int, str]] = []  # (position, folded name) of speech-verb subjects
        counted: set[str] = set()
        for start, _end, tokens in name_runs(text):
            core, roles = strip_titles(tokens)
            if is_org(tokens):  # "French Foreign Ministry" is a body, not a "Ministry" person
                core, roles = tokens, set()
            name = " ".join(core)
            if not core or is_outlet(name, outlets):
                continue
            preceding = re.search(r"([a-z]+)\s+$", text[max(0, start - 30) : start])
            lower_roles = (
                {preceding.group(1)} if preceding and preceding.group(1) in ROLE_NOUNS else set()
            )
            known = actor_key(name) in self._actor_names
            titled = bool(roles) or bool(lower_roles)
            surname_of = self._find(core[-1]) if len(core) == 1 else None
            placey = any(t.lower() in GEO_WORDS for t in core)
            demonym = len(core) == 1 and core[0].lower().endswith(("ian", "ese", "ish", "ean"))
            speaks = fold(name) in subjects
            if placey or demonym or not (known or titled or surname_of or speaks):
                continue
            org = is_org(core)
            appositive = re.match(
                r",\s+(?:the|a|an)\s+([\w\s\-]{2,60}?)\s+(?:of|for|at|in)\b", text[_end : _end + 80]
            )
            if appositive:
                lower_roles |= {
                    w.lower() for w in appositive.group(1).split() if w.lower() in ROLE_NOUNS
                }
            person = self._add(name, start, roles | lower_roles, org)
            if speaks and fold(name) not in counted:
                counted.add(fold(name))
                self.spoke.extend((p, fold(person.name)) for p in subjects[fold(name)])

    def _find(self, surname: str) -> Person | None:
        key = fold(surname)
        best: Person | None = None
        for person in self.by_key.values():
            parts = fold(person.name).split()
            if parts and parts[-1] == key and (best is None or len(person.name) > len(best.name)):
                best = person
        return best

    def _add(self, name: str, position: int, roles: set[str], org: bool) -> Person:
        person = self.by_key.get(fold(name))
        if person is None and " " not in name:
            person = self._find(name)
        if person is None:
            person = Person(name, set(), org)
            actor = self.actor_for(name)
            if actor is not None and actor.role:
                person.roles |= {w.lower() for w in actor.role.split() if w.lower() in ROLE_NOUNS}
            if actor is not None and actor.kind is ActorKind.organisation:
                person.is_org = True
            self.by_key[fold(name)] = person
        elif len(name) > len(person.name) and fold(name).endswith(fold(person.name)):
            self.by_key.pop(fold(person.name), None)
            person.name = name
            self.by_key[fold(name)] = person
        person.roles |= roles
        person.positions.append(position)
        return person

    def actor_for(self, name: str) -> Actor | None:
        """The actor a speaker name refers to: a full alias, or a lone surname of a person actor.

        Names compare as the matcher compares them (`actor_key`), so a speaker spelled "Sergei
        Lavrov" or "Zelenskiy" is the actor whose alias reads "Sergey Lavrov" or "Zelensky".
        """
        key = actor_key(name)
        if key in self._actor_names:
            return self._actor_names[key]
        if key and " " not in key:
            for actor in self.actors:
                words = fold_phrase(actor.name)
                if actor.kind is ActorKind.person and words and words[-1] == key:
                    return actor
        return None

    def last_before(self, position: int, role: str | None = None) -> Person | None:
        """The person mentioned last before `position` (with `role` among their roles, if given)."""
        best: tuple[int, Person] | None = None
        for person in self.by_key.values():
            if person.is_org:
                continue
            if role is not None and role not in person.roles:
                continue
            earlier = [p for p in person.positions if p < position]
            if earlier and (best is None or max(earlier) > best[0]):
                best = (max(earlier), person)
        return best[1] if best else None

    def last_speaker_before(self, position: int, within: int = 600) -> Person | None:
        """The person who last "said" something shortly before `position`: news prose's "he"."""
        best: tuple[int, str] | None = None
        for at, key in self.spoke:
            if position - within <= at < position and (best is None or at > best[0]):
                best = (at, key)
        if best is None:
            return None
        for person in self.by_key.values():
            if fold(person.name) == best[1] or fold(person.name).endswith(" " + best[1]):
                return person
        return None

    def first_after(self, position: int, role: str, within: int = 400) -> Person | None:
        """A lede's "the foreign minister said …" names its person just after: look ahead."""
        best: tuple[int, Person] | None = None
        for person in self.by_key.values():
            later = [p for p in person.positions if position < p <= position + within]
            fits = not person.is_org and role in person.roles and later
            if fits and (best is None or min(later) < best[0]):
                best = (min(later), person)
        return best[1] if best else None

    def canonical(self, name: str, position: int) -> str:
        """The fullest form of `name` in the text ("Lavrov" -> "Sergey Lavrov"), noted at `at`."""
        tokens, roles = strip_titles(name.split())
        plain = " ".join(tokens)
        person = self._add(plain, position, roles, is_org(tokens))
        self.spoke.append((position, fold(person.name)))
        return person.name


def speech_subjects(text: str) -> dict[str, list[int]]:
    """Folded names that are the subject of a speech verb ("Stoltenberg said …"), with positions."""
    names: dict[str, list[int]] = {}
    for verb in VERB_RE.finditer(text):
        if verb.group(1) in PARTICIPLES:
            continue
        back = text[max(0, verb.start() - 160) : verb.start()]
        back = re.split(r"[.!?][”\"’]?\s+|[“”\"\n]", back)[-1]
        back = re.sub(rf"(?:\s*{ADVERBS})+$", " ", back + " ").rstrip()
        back = re.split(
            r"\b(?:that|and|but|because|while|when)\s+(?=\S)", drop_parenthetical(back)
        )[-1]
        found = subject_speaker(back)
        if found is not None and found[0] == "name":
            key = fold(" ".join(strip_titles(found[1].split())[0]))
            names.setdefault(key, []).append(verb.start())
    return names


def resolve(found: tuple[str, str] | None, people: People, position: int) -> str | None:
    """Turn a classified subject into a speaker name, or None when it cannot be pinned down."""
    if found is None:
        return None
    kind, value = found
    if kind == "name":
        if is_outlet(value, people.outlets):
            return None
        return people.canonical(value, position)
    if kind == "pronoun":
        person = people.last_speaker_before(position) or people.last_before(position)
        return person.name if person else None
    person = people.last_before(position, role=value) or people.first_after(position, role=value)
    return person.name if person else None
