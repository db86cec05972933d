"""The watch-rule language: rules, terms and actors as validated pydantic models.

The same schema checks `config/rules.yaml`, `config/actors.yaml`, rules stored in the
database and rules edited from chat, so an error reads the same everywhere.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from bot.models import Frozen, Priority, TextField

SLUG = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
_WORD = re.compile(r"[^\W_]")
ALL_FIELDS = (TextField.title, TextField.summary, TextField.content)


class RuleKind(StrEnum):
    topic = "topic"
    actor = "actor"


class ActorKind(StrEnum):
    """A person gets bare-surname matching; an organisation matches only its full names."""

    person = "person"
    organisation = "organisation"


class TermMode(StrEnum):
    word = "word"
    prefix = "prefix"


class Near(Frozen):
    """A second phrase that must occur within `within` words of the term's phrase.

    `within: 1` means adjacent words; the two phrases may come in either order.
    """

    phrase: str = Field(min_length=1, max_length=200)
    within: int = Field(default=5, ge=1, le=50)

    @field_validator("phrase")
    @classmethod
    def _has_word(cls, value: str) -> str:
        if not _WORD.search(value):
            raise ValueError("a near phrase must contain a word (a letter or a digit)")
        return value


class Term(Frozen):
    """One phrase (or regular expression) with its matching options.

    In YAML a bare string is a phrase; a trailing `*` makes it a prefix (`negotiat*`), in a
    bare string or in `phrase:`. Phrases match whole words after folding (case, diacritics,
    transliteration) and, unless `exact` (here or on the rule), in any inflected form (Snowball
    stems: `talks` finds "talk", "talked"); `regex` runs on the original text,
    case-insensitive unless `case_sensitive`. A prefix's last word is matched as written,
    without transliteration; prefixes and case-sensitive phrases are always exact.
    """

    phrase: str | None = Field(default=None, min_length=1, max_length=200)
    regex: str | None = Field(default=None, min_length=1, max_length=500)
    mode: TermMode = TermMode.word
    case_sensitive: bool = False
    fields: tuple[TextField, ...] = ALL_FIELDS
    near: Near | None = None
    fuzzy: bool = Field(
        default=True, description="tolerate a one-letter typo in words of 7+ letters"
    )
    exact: bool | None = Field(
        default=None, description="match only the words as written, not their inflections"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = {"phrase": value}
        if isinstance(value, dict) and isinstance(value.get("phrase"), str):
            text = value["phrase"].strip()
            if text.endswith("*") and value.get("mode", "prefix") == "prefix":
                return {**value, "phrase": text[:-1].strip(), "mode": "prefix"}
            return {**value, "phrase": text}
        return value

    @model_validator(mode="after")
    def _one_of_phrase_or_regex(self) -> Term:
        if (self.phrase is None) == (self.regex is None):
            raise ValueError("a term needs exactly one of 'phrase' or 'regex'")
        if self.phrase is not None and not _WORD.search(self.phrase):
            raise ValueError("a phrase must contain a word (a letter or a digit)")
        if self.regex is not None and self.near is not None:
            raise ValueError("'near' applies to phrases, not to regular expressions")
        if not self.fields:
            raise ValueError("'fields' must name at least one of title, summary, content")
        return self

    @field_validator("regex")
    @classmethod
    def _safe_regex(cls, value: str | None) -> str | None:
        if value is not None:
            from bot.rules.regex_safety import check_regex

            check_regex(value)
        return value

    @property
    def label(self) -> str:
        """How the term is shown in evidence and in chat."""
        if self.regex is not None:
            return f"/{self.regex}/"
        base = f"{self.phrase}*" if self.mode is TermMode.prefix else str(self.phrase)
        return f"{base} near {self.near.phrase}" if self.near else base


class Places(Frozen):
    """Every settlement of some administrative regions, from the GeoNames gazetteer.

    `regions` are named as GeoNames names their centre ("Donetsk Oblast") or by admin1 code;
    `names` are phrases that name the area as a whole ("Donbas", "eastern Ukraine") and count
    as its places too. A place name that is also a common English word or name, or that names
    a settlement elsewhere too, counts only beside context: another place of the regions, a
    region's name, the country's name, or one of `context`.
    """

    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2, e.g. UA")
    regions: tuple[str, ...] = Field(min_length=1, max_length=30)
    names: tuple[str, ...] = Field(default=(), max_length=50)
    context: tuple[str, ...] = Field(default=(), max_length=50)

    @model_validator(mode="after")
    def _known_regions(self) -> Places:
        from bot.rules.places import resolve_region

        for region in self.regions:
            resolve_region(self.country, region)
        return self


class Rule(Frozen):
    """A watch rule: every `all` term, at least one `any` term, and no `none` term.

    An actor rule also needs a mention of one of its `actors` (any alias matches). A rule with
    `places` also needs one of them: a settlement of its regions or a name of the area.
    """

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=1, max_length=100)
    description: str = Field(default="", max_length=1000)
    kind: RuleKind = RuleKind.topic
    priority: Priority = Priority.normal
    all: tuple[Term, ...] = ()
    any: tuple[Term, ...] = ()
    none: tuple[Term, ...] = ()
    actors: tuple[str, ...] = Field(default=(), description="actor ids, for kind: actor")
    exact: bool = Field(
        default=False, description="terms match only as written (a term's own `exact` wins)"
    )
    places: Places | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _has_something_to_match(self) -> Rule:
        if self.kind is RuleKind.actor and not self.actors:
            raise ValueError("an actor rule needs 'actors': a list of actor ids")
        if self.kind is RuleKind.topic and not (self.all or self.any or self.places):
            raise ValueError("a topic rule needs at least one term in 'all' or 'any', or places")
        return self


class Actor(Frozen):
    """A named person or body the bot follows, with the names the press uses for it."""

    id: str = Field(pattern=SLUG)
    name: str = Field(min_length=2, max_length=100)
    kind: ActorKind = ActorKind.person
    aliases: tuple[str, ...] = ()
    role: str = ""
    organisation: str = ""
    country: str = ""
    description: str = ""
    places: Places | None = Field(
        default=None, description="a body of these regions: named whenever one of its places is"
    )

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class RuleSet(Frozen):
    """The contents of a rules file."""

    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> RuleSet:
        _reject_duplicates([r.id for r in self.rules], "rule")
        return self


class ActorSet(Frozen):
    """The contents of an actors file."""

    actors: tuple[Actor, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> ActorSet:
        _reject_duplicates([a.id for a in self.actors], "actor")
        return self


def _reject_duplicates(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"{what} id {ident!r} is used twice; ids must be unique")
        seen.add(ident)
