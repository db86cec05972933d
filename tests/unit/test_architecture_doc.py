"""docs/architecture.md and the tree tell the same story: one table line per entry of `ls bot/`,
and the layers the doc states are the import-linter contract's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
NOT_PACKAGES = {"__init__.py", "py.typed", "__pycache__"}


def test_every_entry_of_bot_has_its_line_in_the_package_table() -> None:
    entries = {
        f"bot/{p.name}/" if p.is_dir() else f"bot/{p.name}"
        for p in (ROOT / "bot").iterdir()
        if p.name not in NOT_PACKAGES
    }
    listed = set(re.findall(r"^\| `(bot/[^`]+)` \|", DOC, flags=re.MULTILINE))
    assert entries - listed == set(), "add a line to docs/architecture.md's package table"
    assert listed - entries == set(), "docs/architecture.md lists what bot/ no longer has"


def test_the_layers_line_is_the_contract() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [layers] = [
        c["layers"] for c in contracts["tool"]["importlinter"]["contracts"] if c["type"] == "layers"
    ]
    expected = " > ".join(layer.replace("bot.", "") for layer in layers)
    stated = re.search(r"\*\*Layers\*\*.*?`([^`]*>[^`]*)`", DOC, flags=re.DOTALL)
    assert stated is not None, "docs/architecture.md states no layers line"
    assert " ".join(stated.group(1).split()) == expected
