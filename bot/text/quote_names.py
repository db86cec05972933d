"""Names in running text: capitalised runs, titles stripped, bodies and outlets told apart."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.text.quote_lexicon import ORG_WORDS, ROLE_NOUNS, STOP, TITLE_WORDS, TOKEN_RE, fold


def name_runs(text: str) -> list[tuple[int, int, list[str]]]:
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
                TOKEN_RE.fullmatch(core + ("." if token.endswith(".") else ""))
                or TOKEN_RE.fullmatch(core)
            )
            and core.lower() not in STOP
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


def strip_titles(tokens: list[str]) -> tuple[list[str], set[str]]:
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


def is_org(tokens: Sequence[str]) -> bool:
    """A body, not a person: its head word is an organisation word, or it is an acronym."""
    if not tokens:
        return False
    if tokens[-1].lower() in ORG_WORDS:
        return True
    return len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1


def role_of(words: Sequence[str]) -> str | None:
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


def is_outlet(name: str, outlets: frozenset[str]) -> bool:
    folded = fold(name).removeprefix("the ")
    return folded in outlets or any(
        w in outlets for w in folded.split()[:1] if len(folded.split()) == 1
    )
