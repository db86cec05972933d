"""Direct quotes and who said them: the "who said what" of an alert.

Heuristic, explainable and model-free: quote marks are paired per paragraph, the attribution clause
next to each quote names a speaker ("X said", "said X", "X, the head of …, said", "X said: …"), and
pronouns or role nouns resolve to the last named person they fit. News agencies are sources, never
speakers, and a quote whose speaker cannot be found keeps ``speaker=None``. No NER model: spaCy's
person names changed no score on the labelled articles and cost ~10 ms an item (18× the rest).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.models import Quote
from bot.rules.schema import Actor, ActorKind
from bot.text.sentences import Span, paragraphs


def _wordset(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list (keeps long vocabularies readable)."""
    return frozenset(text.split())


SPEECH_VERBS = _wordset(
    """
        said says say told tells added adds stated states noted notes wrote writes asked asks
        warned warns explained explains declared declares insisted insists stressed stresses
        emphasized emphasised emphasizes argued argues continued continues recalled recalls
        claimed claims alleged alleges announced announces replied replies responded responds
        remarked commented tweeted posted urged urges acknowledged admitted conceded complained
        predicted vowed pledged cautioned observed suggested maintained reiterated reiterates
        underscored quipped joked called calls described describes insisted countered concluded
        assured affirmed confirmed denied testified pointed saying adding telling noting calling
        describing warning writing stressing
        """
)
_PARTICIPLES = frozenset(
    {
        "saying",
        "adding",
        "telling",
        "noting",
        "calling",
        "describing",
        "warning",
        "writing",
        "stressing",
    }
)
NEWS_OUTLETS = _wordset(
    """
        reuters ap afp tass ria interfax ukrinform unian xinhua bloomberg cnn bbc nbc cbs abc
        npr kyodo yonhap anadolu efe dpa ansa kuna nan itar-tass ria-novosti novosti sputnik rt
        axios politico
        """
) | frozenset(
    {
        "associated press",
        "agence france-presse",
        "al jazeera",
        "the associated press",
        "new york times",
        "washington post",
        "wall street journal",
        "the guardian",
        "financial times",
        "fox news",
        "sky news",
        "ria novosti",
    }
)
TITLE_WORDS = _wordset(
    """
        president minister secretary spokesman spokeswoman spokesperson administrator chairman
        chairwoman chair director ambassador general gen adm admiral col colonel lt lieutenant
        sen senator rep representative gov governor mayor prime foreign defense defence deputy
        chief head leader chancellor king queen prince princess pope judge justice attorney
        commander commissioner officer press mr mrs ms dr prof sir lord lady envoy premier vice
        acting former interim sheikh emir sergeant sgt capt captain maj major pastor rev father
        brother sister ceo founder analyst professor economist adviser advisor aide negotiator
        diplomat lawmaker prosecutor official scribe marshal
        """
)
ROLE_NOUNS = TITLE_WORDS - {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sir",
    "lord",
    "lady",
    "foreign",
    "defense",
    "defence",
    "deputy",
    "vice",
    "acting",
    "former",
    "interim",
    "press",
    "prime",
}
ORG_WORDS = _wordset(
    """
        ministry department agency republic party council committee pentagon kremlin government
        office army navy forces force commission union organization organisation bank court
        house parliament duma congress senate nato un eu inc corp company group institute
        university school embassy police service services command administration cabinet staff
        command guard fund board bureau
        """
)
GEO_WORDS = _wordset(
    """
        united states kingdom nations north south east west korea new york middle southeast
        european soviet asia asian africa african america american union sea base air city
        county island islands state province region gulf peninsula oblast
        """
)
_STOP = _wordset(
    """
        the a an in on at since under as but and or last this that these those after before when
        while if now earlier later meanwhile however also according for from to of with by yet
        so then there here it its his her their our we i you they he she monday tuesday
        wednesday thursday friday saturday sunday january february march april may june july
        august september october november december speaking asked what why how who where which
        today yesterday read more
        """
)
_PRONOUNS = {"he": "he", "she": "she", "him": "he", "her": "she"}
_ADVERBS = (
    r"(?:(?:also|later|earlier|then|further|previously|again|once|still|repeatedly|has|had|"
    r"have|was|is|would|will|reportedly|recently|separately|publicly|privately|has\s+also)\s+)"
)
MAX_TEXT_CHARS = 50_000
"""Quotes are looked for in the first 50,000 characters: a long article's key quotes come early, and
a hostile feed cannot make attribution (worst case quadratic in names × quotes) run long."""
_UPPER = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper())
_TOK = rf"(?:[{_UPPER}][\w'’\-]*\.?|[{_UPPER}]\.)"
_TOKEN_RE = re.compile(rf"{_TOK}(?=\W|$)")
_WORD_RE = re.compile(r"[\w'’\-.]+")
_OPEN = {"“": "”", '"': '"', "«": "»", "„": "“"}
_CLOSERS = {"”", '"', "»", "“"}


@dataclass(slots=True)
class _Raw:
    """A quoted span found in the text, before attribution."""

    para: int
    start: int  # offset of the inner text in the whole text
    end: int
    closed: bool
    at_para_start: bool
    speaker: str | None = None
    how: str = ""
    partial: bool = False
    key: bool = True


@dataclass(slots=True)
class _Person:
    """A named person (or body) the text mentions, with the role words seen with the name."""

    name: str
    roles: set[str] = field(default_factory=set)
    is_org: bool = False
    positions: list[int] = field(default_factory=list)


def fold(text: str) -> str:
    """Case- and accent-insensitive form used to compare names ("Lavrov" = "lavrov")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def _words(text: str) -> list[str]:
    return [w.strip(".") for w in _WORD_RE.findall(text) if w.strip(".")]


# ---------------------------------------------------------------- quote spans


def _quote_spans(text: str) -> list[_Raw]:
    """Pair quote marks paragraph by paragraph; an unclosed quote runs to its paragraph's end."""
    found: list[_Raw] = []
    for index, para in enumerate(paragraphs(text)):
        body = para.text
        open_at: int | None = None
        closer = ""
        i = 0
        while i < len(body):
            ch = body[i]
            if open_at is None:
                if ch in _OPEN and (ch != '"' or i == 0 or not body[i - 1].isalnum()):
                    open_at, closer = i, _OPEN[ch]
            elif ch == closer or (ch in _CLOSERS and ch != "“") or (ch == "“" and closer == "”"):
                if ch == "“" and closer == "”":  # a new opening before a close: restart there
                    open_at = i
                else:
                    found.append(
                        _Raw(index, para.start + open_at + 1, para.start + i, True, open_at == 0)
                    )
                    open_at = None
            i += 1
        if open_at is not None and len(body) - open_at > 20:
            found.append(_Raw(index, para.start + open_at + 1, para.end, False, open_at == 0))
    return found


# ---------------------------------------------------------------- names and people


def _name_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Runs of capitalised tokens (start, end, tokens), split at common words and possessives."""
    runs: list[tuple[int, int, list[str]]] = []
    cur: list[str] = []
    start = end = 0
    pos = 0
    for m in re.finditer(r"\S+", text):
        raw = m.group()
        token = raw.strip("\"“”'‘’«»()[],;:!?")
        lead = raw.find(token[:1]) if token else 0
        possessive = token.endswith(("’s", "'s"))
        core = token[:-2] if possessive else token.rstrip(".")
        is_name = (
            bool(core)
            and bool(
                _TOKEN_RE.fullmatch(core + ("." if token.endswith(".") else ""))
                or _TOKEN_RE.fullmatch(core)
            )
            and core.lower() not in _STOP
        )
        is_particle = core in {
            "de",
            "da",
            "van",
            "von",
            "der",
            "bin",
            "al",
            "la",
            "le",
            "di",
            "du",
            "dos",
            "del",
            "ibn",
        }
        contiguous = not cur or text[end : m.start() + lead].strip() == ""
        if is_name and contiguous:
            if not cur:
                start = m.start() + lead
            cur.append(core)
            end = m.start() + lead + len(core)
        elif is_particle and cur and contiguous:
            cur.append(core)
            end = m.start() + len(core)
        else:
            if cur:
                runs.append((start, end, cur))
            cur = []
            if is_name:
                start, cur = m.start() + lead, [core]
                end = start + len(core)
        ends_run = possessive or raw.endswith((",", ";", ":", ".", ")", "”", '"'))
        if cur and ends_run and not (raw.endswith(".") and len(core) == 1):  # "J. Smith" goes on
            runs.append((start, end, cur))
            cur = []
        pos = m.end()
    if cur:
        runs.append((start, end, cur))
    del pos
    while runs and runs[-1][2] and runs[-1][2][-1] in {"de", "van", "von", "der", "al"}:
        runs[-1][2].pop()
    return [r for r in runs if r[2]]


def _strip_titles(tokens: list[str]) -> tuple[list[str], set[str]]:
    """Drop leading titles ("Russian Foreign Minister Sergey Lavrov" -> Sergey Lavrov)."""
    roles: set[str] = set()
    last_title = -1
    for i, tok in enumerate(tokens):
        word = tok.lower().rstrip(".")
        if word in TITLE_WORDS:
            last_title = i
            roles.add("spokesman" if word in {"spokeswoman", "spokesperson"} else word)
    if last_title >= 0 and last_title < len(tokens) - 1:
        return tokens[last_title + 1 :], roles
    return tokens, roles


def _is_org(tokens: Sequence[str]) -> bool:
    """A body, not a person: its head word is an organisation word, or it is an acronym."""
    if not tokens:
        return False
    if tokens[-1].lower() in ORG_WORDS:
        return True
    return len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1


def _role(words: Sequence[str]) -> str | None:
    """The role a definite noun phrase names ("the press secretary of …" -> spokesman), if any."""
    lowered = [w.lower().strip(",.") for w in words]
    if "of" in lowered:
        lowered = lowered[: lowered.index("of")]
    if not lowered or lowered[0] not in {"the", "this", "that"}:
        return None
    head = lowered[-1]
    if head == "secretary" and len(lowered) > 1 and lowered[-2] == "press":
        return "spokesman"
    if head in {"spokeswoman", "spokesperson"}:
        return "spokesman"
    return head if head in ROLE_NOUNS else None


def _is_outlet(name: str, outlets: frozenset[str]) -> bool:
    folded = fold(name).removeprefix("the ")
    return folded in outlets or any(
        w in outlets for w in folded.split()[:1] if len(folded.split()) == 1
    )


class _People:
    """Who the text names, in order, so pronouns and role nouns find "the last person it fits"."""

    def __init__(self, text: str, actors: Sequence[Actor], outlets: frozenset[str]) -> None:
        self.by_key: dict[str, _Person] = {}
        self.outlets = outlets
        self.actors = actors
        self._actor_names = {fold(n): a for a in actors for n in a.names}
        subjects = _speech_subjects(text)
        self.spoke: list[tuple[int, str]] = []  # (position, folded name) of speech-verb subjects
        counted: set[str] = set()
        for start, _end, tokens in _name_runs(text):
            core, roles = _strip_titles(tokens)
            if _is_org(tokens):  # "French Foreign Ministry" is a body, not a "Ministry" person
                core, roles = tokens, set()
            name = " ".join(core)
            if not core or _is_outlet(name, outlets):
                continue
            preceding = re.search(r"([a-z]+)\s+$", text[max(0, start - 30) : start])
            lower_roles = (
                {preceding.group(1)} if preceding and preceding.group(1) in ROLE_NOUNS else set()
            )
            known = fold(name) in self._actor_names
            titled = bool(roles) or bool(lower_roles)
            surname_of = self._find(core[-1]) if len(core) == 1 else None
            placey = any(t.lower() in GEO_WORDS for t in core)
            demonym = len(core) == 1 and core[0].lower().endswith(("ian", "ese", "ish", "ean"))
            speaks = fold(name) in subjects
            if placey or demonym or not (known or titled or surname_of or speaks):
                continue
            org = _is_org(core)
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

    def _find(self, surname: str) -> _Person | None:
        key = fold(surname)
        best: _Person | None = None
        for person in self.by_key.values():
            parts = fold(person.name).split()
            if parts and parts[-1] == key and (best is None or len(person.name) > len(best.name)):
                best = person
        return best

    def _add(self, name: str, position: int, roles: set[str], org: bool) -> _Person:
        person = self.by_key.get(fold(name))
        if person is None and " " not in name:
            person = self._find(name)
        if person is None:
            person = _Person(name, set(), org)
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
        """The actor a speaker name refers to: a full alias, or a lone surname of a person actor."""
        key = fold(name)
        if key in self._actor_names:
            return self._actor_names[key]
        if " " not in key:
            for actor in self.actors:
                if actor.kind is ActorKind.person and fold(actor.name).split()[-1] == key:
                    return actor
        return None

    def last_before(self, position: int, role: str | None = None) -> _Person | None:
        """The person mentioned last before `position` (with `role` among their roles, if given)."""
        best: tuple[int, _Person] | None = None
        for person in self.by_key.values():
            if person.is_org:
                continue
            if role is not None and role not in person.roles:
                continue
            earlier = [p for p in person.positions if p < position]
            if earlier and (best is None or max(earlier) > best[0]):
                best = (max(earlier), person)
        return best[1] if best else None

    def last_speaker_before(self, position: int, within: int = 600) -> _Person | None:
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

    def first_after(self, position: int, role: str, within: int = 400) -> _Person | None:
        """A lede's "the foreign minister said …" names its person just after: look ahead."""
        best: tuple[int, _Person] | None = None
        for person in self.by_key.values():
            later = [p for p in person.positions if position < p <= position + within]
            fits = not person.is_org and role in person.roles and later
            if fits and (best is None or min(later) < best[0]):
                best = (min(later), person)
        return best[1] if best else None

    def canonical(self, name: str, position: int) -> str:
        """The fullest form of `name` in the text ("Lavrov" -> "Sergey Lavrov"), noted at `at`."""
        tokens, roles = _strip_titles(name.split())
        plain = " ".join(tokens)
        person = self._add(plain, position, roles, _is_org(tokens))
        self.spoke.append((position, fold(person.name)))
        return person.name


def _speech_subjects(text: str) -> dict[str, list[int]]:
    """Folded names that are the subject of a speech verb ("Stoltenberg said …"), with positions."""
    names: dict[str, list[int]] = {}
    for verb in _VERB_RE.finditer(text):
        if verb.group(1) in _PARTICIPLES:
            continue
        back = text[max(0, verb.start() - 160) : verb.start()]
        back = re.split(r"[.!?][”\"’]?\s+|[“”\"\n]", back)[-1]
        back = re.sub(rf"(?:\s*{_ADVERBS})+$", " ", back + " ").rstrip()
        back = re.split(
            r"\b(?:that|and|but|because|while|when)\s+(?=\S)", _drop_parenthetical(back)
        )[-1]
        found = _subject_speaker(back)
        if found is not None and found[0] == "name":
            key = fold(" ".join(_strip_titles(found[1].split())[0]))
            names.setdefault(key, []).append(verb.start())
    return names


# ---------------------------------------------------------------- attribution

_VERB_ALT = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_VERB_RE = re.compile(rf"\b({_VERB_ALT})\b")
_AFTER_VERB_FIRST = re.compile(
    rf"^[\s,—–\-]*(?:{_ADVERBS})?(?P<verb>{_VERB_ALT})\s+(?P<subj>.+)$", re.S
)
_CITED = re.compile(r"\b(?:quoted|cited)\s+(?P<subj>.{1,80}?)\s+as\s+saying\b")


_PARENTHETICAL = re.compile(
    r",\s+(?:who|which|whose|the|a|an|in|at|on|speaking|one|himself|"
    r"herself|also|however|meanwhile)\b"
)


def _drop_parenthetical(subj: str) -> str:
    """ "X, the head of …," and "X, who …," before a verb: keep X."""
    subj = subj.rstrip()
    found = _PARENTHETICAL.search(subj)
    return subj[: found.start()] if found and subj.endswith(",") else subj


def _subject_speaker(subj: str) -> tuple[str, str] | None:
    """Classify the words before a speech verb: ("name", X) | ("pronoun", he) | ("role", noun)."""
    subj = _drop_parenthetical(subj.strip(" —–-\n")).strip(" ,")
    if not subj:
        return None
    segments = [s.strip() for s in re.split(r",\s*", subj) if s.strip()]
    if not segments:
        return None
    seg = segments[-1]
    words = seg.split()
    if not words:
        return None
    last = words[-1].strip("\"“”'’")
    if last.lower() in _PRONOUNS and len(words) <= 3:
        return ("pronoun", last.lower())
    role = _role(words)
    if role is not None:
        return ("role", role)
    if last and last[0].islower():
        return None
    runs = _name_runs(seg)
    if not runs:
        return None
    _start, end, tokens = runs[-1]
    if seg[end:].strip(" .’'s") not in {""}:
        return None
    return ("name", " ".join(tokens))


def _after_text(text: str, raw: _Raw, para_end: int, next_open: int) -> str:
    """Text after a quote up to the end of its sentence, the next quote or the paragraph end."""
    stop = min(para_end, next_open)
    chunk = text[raw.end + 1 : stop]
    m = re.search(r"[.!?](?=\s|$)", chunk)
    return chunk[: m.start()] if m else chunk


def _before_text(text: str, raw: _Raw, para_start: int, prev_close: int) -> str:
    """Text before a quote back to the start of its sentence (or the previous quote)."""
    begin = max(para_start, prev_close)
    chunk = text[begin : raw.start - 1]
    ends = list(re.finditer(r"(?<![A-Z])[.!?][”\"’]?(?=\s+[A-Z“\"]|\s*$)", chunk))
    return chunk[ends[-1].end() :] if ends else chunk


def _attribute_after(after: str) -> tuple[str, str] | None:
    after = after.strip()
    if not after or not re.match(r"^[,—–\-]|^[\w]", after):
        return None
    body = after.lstrip(",—–- ")
    m = _CITED.search(body)
    if m and m.start() < 60:
        return _subject_speaker(m.group("subj"))
    m = _AFTER_VERB_FIRST.match(body)
    if m:
        subj = m.group("subj")
        if re.match(r"(?:he|she)\b", subj):
            return ("pronoun", subj[:3].strip().lower())
        role = re.match(r"the\s+(?:[\w\-]+\s+){0,4}?(\w+)\b(?!\s+[A-Z])", subj)
        runs = _name_runs(subj)
        if runs and runs[0][0] < 40:
            _s, _e, tokens = runs[0]
            return ("name", " ".join(tokens))
        if role and role.group(1).lower() in ROLE_NOUNS:
            return ("role", role.group(1).lower())
        return None
    verb = _VERB_RE.search(body)
    if verb is None or verb.start() > 160 or verb.group(1) in _PARTICIPLES:
        return None
    subj = body[: verb.start()]
    subj = re.sub(rf"\s+{_ADVERBS}*$", "", subj.rstrip())
    subj = re.sub(rf"(?:\s*{_ADVERBS})+$", "", subj + " ").rstrip()
    return _subject_speaker(subj)


def _sentence_subject(sentence: str) -> tuple[str, str] | None:
    """The subject a sentence opens with: a pronoun, "the <role> …", or a leading name."""
    sentence = sentence.lstrip()
    pronoun = re.match(r"(He|She)\b", sentence)
    if pronoun:
        return ("pronoun", pronoun.group(1).lower())
    phrase = re.match(
        r"((?:The|the)\s+(?:[\w\-]+\s+){0,5}?)(?:has|had|have|was|is|said|on|in|,)\b", sentence
    )
    if phrase:
        role = _role(phrase.group(1).split())
        if role is not None:
            return ("role", role)
    runs = _name_runs(sentence[:80])
    if runs and runs[0][0] < 3:
        tokens, _roles = _strip_titles(runs[0][2])
        return ("name", " ".join(tokens))
    return None


def _attribute_before(before: str) -> tuple[str, str] | None:
    m_cited = list(_CITED.finditer(before))
    if m_cited:
        return _subject_speaker(m_cited[-1].group("subj"))
    verbs = list(_VERB_RE.finditer(before))
    if not verbs:
        return None
    verb = verbs[-1]
    if verb.group(1) in _PARTICIPLES:  # "X …, saying …": the sentence's subject speaks
        return _sentence_subject(before)
    subj = before[: verb.start()]
    subj = re.sub(rf"(?:\s*{_ADVERBS})+$", " ", subj + " ").rstrip()
    subj = _drop_parenthetical(subj)
    subj = re.split(r"\b(?:that|and|but|because|while|when)\s+(?=\S)", subj)[-1]
    return _subject_speaker(subj)


def _resolve(found: tuple[str, str] | None, people: _People, position: int) -> str | None:
    """Turn a classified subject into a speaker name, or None when it cannot be pinned down."""
    if found is None:
        return None
    kind, value = found
    if kind == "name":
        if _is_outlet(value, people.outlets):
            return None
        return people.canonical(value, position)
    if kind == "pronoun":
        person = people.last_speaker_before(position) or people.last_before(position)
        return person.name if person else None
    person = people.last_before(position, role=value) or people.first_after(position, role=value)
    return person.name if person else None


# ---------------------------------------------------------------- public API


def _clause_final(text: str, raw: _Raw) -> bool:
    inner = text[raw.start : raw.end].rstrip()
    if inner[-1:] in {".", ",", "!", "?", ";", ":", "…"}:
        return True
    nxt = text[raw.end + 1 : raw.end + 2]
    return nxt == "" or nxt in ".,;:!?)—–\n"


_DETERMINERS = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "his",
        "her",
        "their",
        "this",
        "that",
        "our",
        "your",
        "so-called",
        "of",
        "what",
    }
)


def _short_quote_is_speech(text: str, raw: _Raw, n_words: int, before: str) -> bool:
    """1–3 quoted words are speech when attributed and closing a clause, or a 2–3 word predicate.

    "was “unacceptable.”" and "want to “imitate talks”" are quotes; "the “first stage” of" and
    "to “liberating” Donbas" are scare quotes.
    """
    if raw.speaker is None:
        return False
    if _clause_final(text, raw):
        return True
    previous = before.split()[-1:] if before.split() else [""]
    return n_words >= 2 and previous[0].lower() not in _DETERMINERS


def _clean(quote: str) -> str:
    return " ".join(quote.split()).strip(" ,;:—–-")


def find_quotes(
    text: str,
    actors: Sequence[Actor] = (),
    *,
    priority_actor_ids: Iterable[str] = (),
    outlets: Iterable[str] = (),
) -> list[Quote]:
    """Direct and partial quotes in `text` with their speakers, best first.

    Quotes by `priority_actor_ids` (the actors an item matched) come first, then by salience:
    length, a known speaker, a full rather than partial quote, and position. `outlets` adds names
    (e.g. the feed's publisher) that are sources, never speakers.
    """
    text = text[:MAX_TEXT_CHARS]
    outlet_set = NEWS_OUTLETS | {fold(o) for o in outlets if o}
    paras = paragraphs(text)
    raws = _quote_spans(text)
    if not raws:  # nothing to attribute: skip finding who the text names (the costly part)
        return []
    people = _People(text, actors, outlet_set)
    for i, raw in enumerate(raws):
        para = paras[raw.para]
        prev_close = raws[i - 1].end + 1 if i and raws[i - 1].para == raw.para else para.start
        nxt_open = (
            raws[i + 1].start - 1
            if i + 1 < len(raws) and raws[i + 1].para == raw.para
            else para.end
        )
        before = _before_text(text, raw, para.start, prev_close)
        after = _after_text(text, raw, para.end, nxt_open) if raw.closed else ""
        inner = text[raw.start : raw.end].strip()
        found = _attribute_after(after) if after else None
        how = "after"
        if found is None and before.strip():
            found = _attribute_before(before)
            how = "before"
        at = raw.start - len(before) - 1 if how == "before" else raw.start
        raw.speaker = _resolve(found, people, at)
        raw.how = how if raw.speaker else ""
        stripped_before = before.strip()
        raw.partial = bool(inner[:1].islower()) or bool(
            stripped_before and not re.search(rf"(?:[:,—]|\b(?:{_VERB_ALT}))$", stripped_before)
        )
        n_words = len(inner.split())
        if n_words <= 3 and not _short_quote_is_speech(text, raw, n_words, before):
            raw.key = False
        if not re.search(r"[^\W\d_]{2}", inner):
            raw.key = False
    _carry_speakers(raws, text, paras)
    return _rank(text, raws, people, set(priority_actor_ids))


def _carry_speakers(raws: list[_Raw], text: str, paras: Sequence[Span]) -> None:
    """Unattributed quotes continuing an attributed one (same paragraph or a quote run) share it."""
    for i in range(1, len(raws)):
        raw, prev = raws[i], raws[i - 1]
        if raw.speaker or not prev.speaker or not raw.key:
            continue
        same_para = prev.para == raw.para
        runs_on = (
            (not prev.closed or (prev.para == raw.para - 1 and _ends_para(prev, text, paras)))
            and raw.para == prev.para + 1
            and raw.at_para_start
        )
        between = text[prev.end + 1 : raw.start - 1]
        same_sentence = same_para and not re.search(r"[.!?][”\"’]?\s+[A-Z“\"]", between)
        if (same_para and (not raw.partial or same_sentence)) or runs_on:
            raw.speaker = prev.speaker
    for i in range(len(raws) - 2, -1, -1):  # an unclosed paragraph quote takes its run's speaker
        raw, nxt = raws[i], raws[i + 1]
        if (
            not raw.speaker
            and not raw.closed
            and nxt.speaker
            and nxt.para == raw.para + 1
            and nxt.at_para_start
        ):
            raw.speaker = nxt.speaker


def _ends_para(raw: _Raw, text: str, paras: Sequence[Span]) -> bool:
    """True when nothing but a short attribution follows the quote in its paragraph."""
    tail = text[raw.end + 1 : paras[raw.para].end]
    return len(tail) < 80 and '"' not in tail and "“" not in tail


def _rank(text: str, raws: list[_Raw], people: _People, priority: set[str]) -> list[Quote]:
    total = max(len(text), 1)
    scored: list[tuple[int, float, Quote]] = []
    seen: set[str] = set()
    for raw in raws:
        if not raw.key:
            continue
        body = _clean(text[raw.start : raw.end])
        if raw.partial:
            body = body.rstrip(".")
        key = fold(body)
        if not body or key in seen:
            continue
        seen.add(key)
        actor = people.actor_for(raw.speaker) if raw.speaker else None
        speaker = actor.name if actor is not None else raw.speaker
        quote = Quote(
            text=body, speaker=speaker, actor_id=actor.id if actor else None, partial=raw.partial
        )
        salience = (
            min(len(body.split()), 40) / 40
            + (0.6 if speaker else 0.0)
            + (0.3 if not raw.partial else 0.0)
            + 0.3 * (1 - raw.start / total)
        )
        first = 0 if actor is not None and actor.id in priority else 1
        scored.append((first, -salience, quote))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [q for _f, _s, q in scored]
