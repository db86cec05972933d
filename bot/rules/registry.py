"""Hot reload: a thread-safe holder of the current compiled matcher, swapped atomically."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from bot.rules.compile import CompiledMatcher, compile_rules
from bot.rules.schema import Actor, Rule


class RuleRegistry:
    """Readers get the current matcher without locking; `replace` compiles first, then swaps.

    A failed compile (say, a bad rule) leaves the old matcher in place and raises.
    """

    def __init__(self, rules: Sequence[Rule] = (), actors: Sequence[Actor] = ()) -> None:
        self._lock = threading.Lock()
        self._state: tuple[CompiledMatcher, int] = (compile_rules(rules, actors), 0)

    def current(self) -> CompiledMatcher:
        """The matcher to use for the next item (one attribute read: atomic)."""
        return self._state[0]

    @property
    def version(self) -> int:
        """Bumped by every successful `replace`; 0 for the matcher built at start."""
        return self._state[1]

    def replace(self, rules: Sequence[Rule], actors: Sequence[Actor]) -> None:
        """Compile the new rules and actors, then make them current for every reader."""
        matcher = compile_rules(rules, actors)
        with self._lock:
            self._state = (matcher, self._state[1] + 1)
