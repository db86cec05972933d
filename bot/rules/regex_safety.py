"""Refuse regular expressions that could backtrack catastrophically or are invalid.

The check reads the pattern's parse tree: a repeated group that holds another repeat, at any
depth (`(a+)+`, `((\\w|\\s)+)+`), is refused. What it cannot see (overlapping alternatives such
as `(a|a)*`) is stopped at match time: every regex search has a timeout (rules.evaluate).
"""

from __future__ import annotations

import re
from typing import Any

try:  # CPython's own regex parser; private, so the check falls back to a cruder one without it
    import re._constants as sre  # type: ignore[import-not-found]
    import re._parser as sre_parser  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    sre_parser = None

_NESTED_QUANTIFIER = re.compile(r"\([^()]*[+*}][^()]*\)\s*[+*{]")


def check_regex(pattern: str) -> None:
    """Raise ValueError with a fix-it message when `pattern` is unsafe or invalid."""
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    if re.search(r"\\[1-9]|\(\?[=!<]", pattern):
        raise ValueError(
            f"regular expression {pattern!r} uses a backreference or lookaround; "
            "these can take exponential time: rewrite it without them"
        )
    if _nested_repeat(pattern):
        raise ValueError(
            f"regular expression {pattern!r} nests a quantifier inside a repeated group "
            "(like '(a+)+'), which can take exponential time: remove the inner or outer repeat"
        )


def _nested_repeat(pattern: str) -> bool:
    """Whether a repeat that can run more than once contains a repeat of varying length."""
    if sre_parser is None:  # pragma: no cover
        return bool(_NESTED_QUANTIFIER.search(pattern))  # cruder: any quantifier in the group
    repeats = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            if op in repeats:
                low, high, sub = av
                if inside and high != low:
                    return True
                if walk(sub, inside or high is sre.MAXREPEAT or high > 1):
                    return True
            elif op is sre.SUBPATTERN:
                if walk(av[-1], inside):
                    return True
            elif op is sre.BRANCH:
                if any(walk(branch, inside) for branch in av[1]):
                    return True
            elif op is sre.ATOMIC_GROUP and walk(av, inside):
                return True
        return False

    return walk(sre_parser.parse(pattern).data, False)
