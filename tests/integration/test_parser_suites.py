"""gofeed's and rss-parser's own suites (../shared): per-field agreement with their expected
results, printed beside bare feedparser's (`pytest -s`); every listed convention still applies,
and on every field newsbot agrees at least as often as bare feedparser (both with conventions)."""

import pytest

from tests.parser_suites import SUITES, all_cases, listed, report, table


@pytest.mark.skipif(not SUITES.is_dir(), reason=f"parser suites not found at {SUITES}")
def test_other_parsers_suites():
    tallies = report(all_cases())
    for suite, pair in tallies.items():
        print(f"\n{suite}\n{table(pair)}")
        for o in pair["newsbot"].errors:
            print("  disagrees:", *o.key, repr(o.expected)[:80], "->", repr(o.got)[:80])
    accepted = {o.key for pair in tallies.values() for o, _ in pair["newsbot"].conventions}
    stale = sorted(set(listed()) - accepted)
    assert not stale, f"listed as conventions but no longer such disagreements: {stale[:5]}"
    assert sum(pair["newsbot"].compared["item_title"] for pair in tallies.values()) > 1000
    for suite, pair in tallies.items():
        ours, bare = pair["newsbot"], pair["feedparser"]
        for name, agreed in ours.counted.items():
            assert agreed >= bare.counted[name], f"{suite} {name}: below bare feedparser"
