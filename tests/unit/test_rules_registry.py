"""Hot reload: replacing rules swaps the matcher atomically and bumps the version."""

from __future__ import annotations

import threading

import pytest

from bot.models import Item
from bot.rules.registry import RuleRegistry
from bot.rules.schema import Actor, Rule

KYIV = Rule.model_validate({"id": "kyiv", "name": "Kyiv", "any": ["Kyiv"]})
ODESA = Rule.model_validate({"id": "odesa", "name": "Odesa", "any": ["Odesa"]})


def rule_ids(registry: RuleRegistry, title: str) -> list[str]:
    result = registry.current().match(Item(feed_id=1, identity="i", title=title))
    return [m.rule_id for m in result.rules]


def test_replace_swaps_rules_and_bumps_version() -> None:
    registry = RuleRegistry([KYIV])
    assert registry.version == 0
    assert rule_ids(registry, "Kyiv and Odessa") == ["kyiv"]
    registry.replace([ODESA], [Actor(id="putin", name="Vladimir Putin")])
    assert registry.version == 1
    assert rule_ids(registry, "Kyiv and Odessa") == ["odesa"]


def test_a_failed_compile_keeps_the_old_matcher() -> None:
    registry = RuleRegistry([KYIV])
    before = registry.current()
    with pytest.raises(AttributeError):
        registry.replace([object()], [])  # type: ignore[list-item]
    assert registry.current() is before
    assert registry.version == 0


def test_concurrent_replaces_each_count_once() -> None:
    registry = RuleRegistry()
    threads = [
        threading.Thread(target=registry.replace, args=([KYIV if i % 2 else ODESA], []))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert registry.version == 8
    assert rule_ids(registry, "Kyiv Odesa") in (["kyiv"], ["odesa"])
