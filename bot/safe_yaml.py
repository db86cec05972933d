"""YAML read with bounds: size, aliases and nesting are capped before anything expands, and a
bad file becomes one ConfigError line that says what to fix (config files and chat rules alike)."""

from __future__ import annotations

import re
from typing import Any

import yaml


class ConfigError(Exception):
    """A config file is missing, unreadable or invalid; the message says what to fix."""


YAML_MAX_BYTES = 1 << 20
"""Config files or chat rules over 1 MiB are refused unread (the seed files are ~10 KB)."""
YAML_MAX_ALIASES = 100
YAML_MAX_DEPTH = 50


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader refusing alias bombs and deep nesting while composing, before any expansion."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > YAML_MAX_ALIASES:
                raise _YamlLimit(f"more than {YAML_MAX_ALIASES} aliases (*name); write values out")
        self._depth += 1
        try:
            if self._depth > YAML_MAX_DEPTH:
                raise _YamlLimit(f"nested too deeply (more than {YAML_MAX_DEPTH} levels)")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _YamlLimit(Exception):
    pass


def parse_yaml(text: str, where: str) -> Any:
    """Parse YAML with bounded size, aliases and depth, or raise ConfigError saying what to fix."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > YAML_MAX_BYTES:
        raise ConfigError(f"{where}: {size:,} bytes is over the {YAML_MAX_BYTES:,}-byte limit")
    if _flow_depth(text) > YAML_MAX_DEPTH:  # PyYAML's scanner is quadratic in `[[[[…` depth
        raise ConfigError(f"{where}: nested too deeply (more than {YAML_MAX_DEPTH} levels)")
    loader = _BoundedLoader(text)
    try:
        return loader.get_single_data()
    except _YamlLimit as exc:
        raise ConfigError(f"{where}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {clip(str(exc), 500)}") from None
    except RecursionError:
        raise ConfigError(f"{where}: nested too deeply") from None
    finally:
        loader.dispose()


def _flow_depth(text: str) -> int:
    """The deepest nesting of `[` and `{` (brackets inside quotes count too: an upper bound)."""
    depth = deepest = 0
    for bracket in _FLOW.findall(text):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


_FLOW = re.compile(r"[\[\]{}]")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
