"""No module in bot/ passes 400 lines: one concept per module, small enough to read at once."""

from __future__ import annotations

from pathlib import Path

BOT = Path(__file__).resolve().parents[2] / "bot"
LIMIT = 400


def test_no_module_passes_400_lines() -> None:
    sizes = {
        str(path.relative_to(BOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in BOT.rglob("*.py")
    }
    assert sizes, "no modules found"
    too_long = {name: n for name, n in sizes.items() if n > LIMIT}
    assert too_long == {}, f"split these modules (over {LIMIT} lines): {too_long}"
