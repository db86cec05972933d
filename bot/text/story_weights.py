"""Fitted weights of the same-story score (bot/text/story_match.py), written by
`python -m bench.stories --fit`: logistic regression (C=1.0) on the 383
labelled pairs of tests/data/stories/pairs.jsonl whose earlier entry is before 2022-05-01
(166 same story). THRESHOLD is the lowest logit at which the follow-ups the story window
makes on April's entries (each entry joined to the oldest entry of another outlet within 48 h
that scores at least the threshold) are right at least 0.95 of the time, judged by
hand (those merges are labelled pairs too). The May pairs were not used.
"""

WEIGHTS = {
    "cover_min": 1.301,
    "cover_max": 1.378,
    "text": 0.436,
    "title": 1.066,
    "shared": 1.72,
    "figures": 0.826,
    "days": -1.883,
    "text_same_day": 1.6,
}
BIAS = -5.788
THRESHOLD = 1.0
