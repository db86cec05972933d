"""Refuse regular expressions that could backtrack catastrophically or are invalid."""

from __future__ import annotations

import re

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
    if _NESTED_QUANTIFIER.search(pattern):
        raise ValueError(
            f"regular expression {pattern!r} nests a quantifier inside a repeated group "
            "(like '(a+)+'), which can take exponential time: remove the inner or outer repeat"
        )
