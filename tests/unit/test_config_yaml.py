"""Hostile YAML (alias bombs, deep nesting, huge files) ends in one short line, bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import YAML_MAX_BYTES, ConfigError, load_yaml_model, parse_yaml
from bot.rules.schema import RuleSet


def _one_line(exc: pytest.ExceptionInfo[ConfigError]) -> str:
    message = str(exc.value)
    assert len(message) < 1000 and "\n" not in message.strip(), message[:300]
    return message


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    big = "x" * 100_000
    refs = "\n".join("  - *big" for _ in range(10_000))
    path = tmp_path / "rules.yaml"
    path.write_text(f"anchor: &big {big}\nrules:\n{refs}\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, RuleSet)
    assert "aliases" in _one_line(exc)


def test_deep_nesting_is_one_line_not_a_recursion_traceback() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_yaml("[" * 10_000 + "]" * 10_000, "rule")
    assert "nested too deeply" in _one_line(exc)
    with pytest.raises(ConfigError) as exc:
        parse_yaml("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 200)), "rule")
    assert "nested too deeply" in _one_line(exc)


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n" + "# padding\n" * (YAML_MAX_BYTES // 10 + 1))
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, RuleSet)
    assert "limit" in _one_line(exc)


def test_a_huge_wrong_value_is_clipped_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: " + "[" + "1, " * 100_000 + "1]\n")
    with pytest.raises(ConfigError) as exc:
        load_yaml_model(path, RuleSet)
    assert len(str(exc.value)) < 2000


def test_ordinary_anchors_and_the_seed_rules_still_load() -> None:
    assert parse_yaml("a: &x [1, 2]\nb: *x\n", "t") == {"a": [1, 2], "b": [1, 2]}
    root = Path(__file__).resolve().parents[2]
    assert load_yaml_model(root / "config" / "rules.yaml", RuleSet).rules
