"""Rule regexes run on RE2, an engine whose searches take time linear in the text.

A pattern that would need backtracking (backreferences, lookarounds) or an automaton too large
to build (`a{1,100000}`) does not compile, so no accepted pattern can stall a poll: there is no
timeout to tune and nothing to run off the event loop.
"""

from __future__ import annotations

import re2

RE2_MAX_MEM = 8 << 20
"""Memory RE2 may use for one compiled pattern (its default); a larger one is refused."""


def compile_user_regex(pattern: str, *, case_sensitive: bool = False) -> re2._Regexp:
    """Compile a rule's regex on RE2, or raise ValueError with a fix-it message."""
    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False
    options.max_mem = RE2_MAX_MEM
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"regular expression {pattern!r} is not supported ({reason}): rule regexes run on "
            "RE2 in linear time, without backreferences or lookarounds and with repeats up to "
            "{1000}; rewrite it in that syntax"
        ) from None


def check_regex(pattern: str) -> None:
    """Raise ValueError with a fix-it message when `pattern` cannot run as a rule regex."""
    compile_user_regex(pattern)
