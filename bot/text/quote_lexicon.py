"""The words quote attribution knows: speech verbs, titles, roles, bodies, places, outlets.

Kept apart from the code that uses them so the vocabularies read as lists and grow in one place.
"""

from __future__ import annotations

import re
import unicodedata


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
PARTICIPLES = frozenset(
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
STOP = _wordset(
    """
        the a an in on at since under as but and or last this that these those after before when
        while if now earlier later meanwhile however also according for from to of with by yet
        so then there here it its his her their our we i you they he she monday tuesday
        wednesday thursday friday saturday sunday january february march april may june july
        august september october november december speaking asked what why how who where which
        today yesterday read more
        """
)
PRONOUNS = {"he": "he", "she": "she", "him": "he", "her": "she"}
ADVERBS = (
    r"(?:(?:also|later|earlier|then|further|previously|again|once|still|repeatedly|has|had|"
    r"have|was|is|would|will|reportedly|recently|separately|publicly|privately|has\s+also)\s+)"
)
_UPPER = "".join(c for c in map(chr, range(0x41, 0x530)) if c.isupper())
_TOK = rf"(?:[{_UPPER}][\w'’\-]*\.?|[{_UPPER}]\.)"
TOKEN_RE = re.compile(rf"{_TOK}(?=\W|$)")
OPEN = {"“": "”", '"': '"', "«": "»", "„": "“"}
CLOSERS = {"”", '"', "»", "“"}


def fold(text: str) -> str:
    """Case- and accent-insensitive form used to compare names ("Lavrov" = "lavrov")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


VERB_ALT = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
VERB_RE = re.compile(rf"\b({VERB_ALT})\b")


DETERMINERS = frozenset(
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
