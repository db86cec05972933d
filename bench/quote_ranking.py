"""What an alert shows of a real article: do its top three quotes hold the key quotes?

    .venv/bin/python -m bench.quote_ranking [-v]

For each hand-labelled article in tests/data/articles (quotes marked `key` are the statements the
story is about), the alert is built as the pipeline builds it: the live rules and actors of
config/ match the item, `enrich` picks the summary and the top three quotes. Printed per split
("dev" was looked at while tuning the ranking; "heldout" articles were labelled before the quote
finder ever ran on them and were not looked at while tuning):
- key@3: the share of key quotes among the alert's three quotes (target ≥ 0.8);
- wrong speaker: quotes shown with a speaker other than the labelled one (target 0);
- repeats: quotes whose words the summary already gives (target 0).
"""

from __future__ import annotations

import sys

from tests.unit.quote_eval import alert_tallies


def main(verbose: bool = False) -> None:
    for name, tally in alert_tallies(verbose).items():
        print(tally.line(name))


if __name__ == "__main__":
    main(verbose="-v" in sys.argv)
