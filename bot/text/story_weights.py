"""Fitted weights of the same-story score (bot/text/story_match.py), written by
`python -m bench.stories --fit`: logistic regression (C=1.0) on the 305
labelled pairs of tests/data/stories/pairs.jsonl whose earlier entry is before 2022-05-01
(125 same story). THRESHOLD is the lowest logit at which 5-fold cross-validated
precision on those pairs reaches 0.95. The May pairs were not used.
"""

WEIGHTS = {
    "cover_min": 1.272,
    "cover_max": 1.01,
    "text": 0.444,
    "title": 1.165,
    "shared": 1.525,
    "figures": 1.319,
    "days": -1.94,
    "text_same_day": 1.419,
}
BIAS = -5.035
THRESHOLD = 1.0
