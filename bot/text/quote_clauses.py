"""Attribution clauses: who the words before or after a quote say is speaking.

Each function classifies a clause as ("name", X), ("pronoun", he/she) or ("role", noun); turning
that into a person is quote_people's job.
"""

from __future__ import annotations

import re

from bot.text.quote_lexicon import ADVERBS, PARTICIPLES, PRONOUNS, ROLE_NOUNS, VERB_ALT, VERB_RE
from bot.text.quote_names import name_runs, role_of, strip_titles

_AFTER_VERB_FIRST = re.compile(
    rf"^[\s,—–\-]*(?:{ADVERBS})?(?P<verb>{VERB_ALT})\s+(?P<subj>.+)$", re.S
)
_CITED = re.compile(r"\b(?:quoted|cited)\s+(?P<subj>.{1,80}?)\s+as\s+saying\b")


_PARENTHETICAL = re.compile(
    r",\s+(?:who|which|whose|the|a|an|in|at|on|speaking|one|himself|"
    r"herself|also|however|meanwhile)\b"
)


def drop_parenthetical(subj: str) -> str:
    """ "X, the head of …," and "X, who …," before a verb: keep X."""
    subj = subj.rstrip()
    found = _PARENTHETICAL.search(subj)
    return subj[: found.start()] if found and subj.endswith(",") else subj


def subject_speaker(subj: str) -> tuple[str, str] | None:
    """Classify the words before a speech verb: ("name", X) | ("pronoun", he) | ("role", noun)."""
    subj = drop_parenthetical(subj.strip(" —–-\n")).strip(" ,")
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
    if last.lower() in PRONOUNS and len(words) <= 3:
        return ("pronoun", last.lower())
    role = role_of(words)
    if role is not None:
        return ("role", role)
    if last and last[0].islower():
        return None
    runs = name_runs(seg)
    if not runs:
        return None
    _start, end, tokens = runs[-1]
    if seg[end:].strip(" .’'s") not in {""}:
        return None
    return ("name", " ".join(tokens))


def attribute_after(after: str, *, sentence_closed: bool = False) -> tuple[str, str] | None:
    """The speaker named right after a quote ("…,” said X", "…,” X told reporters").

    After a quote that ends its own sentence (“… the Chairman.”), only a short clause can still
    attribute it ("” Amaechi added."): a verb further on belongs to the next sentence, which
    happens to follow once a feed has lost the paragraph breaks.
    """
    after = after.strip()
    if not after or not re.match(r"^[,—–\-]|^[\w]", after):
        return None
    body = after.lstrip(",—–- ")
    m = _CITED.search(body)
    if m and m.start() < 60:
        return subject_speaker(m.group("subj"))
    m = _AFTER_VERB_FIRST.match(body)
    if m:
        subj = m.group("subj")
        if re.match(r"(?:he|she)\b", subj):
            return ("pronoun", subj[:3].strip().lower())
        role = re.match(r"the\s+(?:[\w\-]+\s+){0,4}?(\w+)\b(?!\s+[A-Z])", subj)
        runs = name_runs(subj)
        if runs and runs[0][0] < 40:
            _s, _e, tokens = runs[0]
            return ("name", " ".join(tokens))
        if role and role.group(1).lower() in ROLE_NOUNS:
            return ("role", role.group(1).lower())
        return None
    verb = VERB_RE.search(body)
    reach = 40 if sentence_closed else 160
    if verb is None or verb.start() > reach or verb.group(1) in PARTICIPLES:
        return None
    subj = body[: verb.start()]
    subj = re.sub(rf"\s+{ADVERBS}*$", "", subj.rstrip())
    subj = re.sub(rf"(?:\s*{ADVERBS})+$", "", subj + " ").rstrip()
    return subject_speaker(subj)


def sentence_subject(sentence: str) -> tuple[str, str] | None:
    """The subject a sentence opens with: a pronoun, "the <role> …", or a leading name."""
    sentence = sentence.lstrip()
    pronoun = re.match(r"(He|She)\b", sentence)
    if pronoun:
        return ("pronoun", pronoun.group(1).lower())
    phrase = re.match(
        r"((?:The|the)\s+(?:[\w\-]+\s+){0,5}?)(?:has|had|have|was|is|said|on|in|,)\b", sentence
    )
    if phrase:
        role = role_of(phrase.group(1).split())
        if role is not None:
            return ("role", role)
    runs = name_runs(sentence[:80])
    if runs and runs[0][0] < 3:
        tokens, _roles = strip_titles(runs[0][2])
        return ("name", " ".join(tokens))
    return None


def attribute_before(before: str) -> tuple[str, str] | None:
    m_cited = list(_CITED.finditer(before))
    if m_cited:
        return subject_speaker(m_cited[-1].group("subj"))
    verbs = list(VERB_RE.finditer(before))
    if not verbs:
        return None
    verb = verbs[-1]
    if verb.group(1) in PARTICIPLES:  # "X …, saying …": the sentence's subject speaks
        return sentence_subject(before)
    subj = before[: verb.start()]
    subj = re.sub(rf"(?:\s*{ADVERBS})+$", " ", subj + " ").rstrip()
    subj = drop_parenthetical(subj)
    subj = re.split(r"\b(?:that|and|but|because|while|when)\s+(?=\S)", subj)[-1]
    return subject_speaker(subj)
