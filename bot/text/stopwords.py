"""The one list of English function words the text stages drop, and the words of news furniture.

Summaries, quote ranking, story fingerprints and the same-story score all compare content
words; one list keeps them agreeing on what a content word is. `NEWS_WORDS` are words a
headline carries about itself ("Live", "Watch", "Latest") rather than about the event: the
story stages drop them too, the summary does not (they are real words in a sentence).
"""

from __future__ import annotations


def wordset(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list (keeps long vocabularies readable)."""
    return frozenset(text.split())


STOPWORDS = wordset(
    """
        a an the and or but if of to in on at by for with from as is are was were be been being
        it its this that these those he she they we you i his her their our your not no so than
        then there here has have had do does did will would can could should may might must
        shall also into over after before about against between during without within while
        which who whom whose what when where why how said says say told
        """
)
NEWS_WORDS = wordset(
    "new news live latest update updates breaking video watch report reports amid analysis"
)
