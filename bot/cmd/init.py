"""`newsbot init [DIR]`: write the seed config somewhere to edit, and say how newsbot finds it."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from bot.config import Settings, config_search, packaged_config_dir, user_config_dir

STARTER = ("feeds.yaml", "rules.yaml", "actors.yaml", "subscriptions.example.yaml")


def write_starter(folder: Path | None, *, force: bool = False) -> list[str]:
    """Copy the packaged seed config into `folder` (default: the user config dir) and return
    the lines to print; raise FileExistsError naming a file it would overwrite."""
    target = folder if folder is not None else user_config_dir()
    source = packaged_config_dir()
    taken = [name for name in STARTER if (target / name).exists()]
    if taken and not force:
        raise FileExistsError(
            f"{target / taken[0]} exists; edit it, pick another folder, or pass --force"
        )
    target.mkdir(parents=True, exist_ok=True)
    for name in STARTER:
        shutil.copyfile(source / name, target / name)
    lines = [f"wrote {', '.join(STARTER)} to {target}"]
    lines += _how_found(target)
    lines.append(
        "next: edit feeds.yaml and rules.yaml, copy subscriptions.example.yaml to "
        "subscriptions.yaml or set a chat token, then `newsbot config check`"
    )
    return lines


def _how_found(target: Path) -> list[str]:
    """Whether the search order reaches `target`, or what to set so it does."""
    resolved = target.resolve()
    for place in config_search(None):
        if place.path.resolve() == resolved:
            return [f"newsbot finds it as the {place.label} when NEWSBOT_CONFIG_DIR is unset"]
        if place.exists:
            return [
                f"note: {place.path} ({place.label}) comes first in the search order; use "
                f"--config {target} or NEWSBOT_CONFIG_DIR={target}"
            ]
    return [f"use it with --config {target} or NEWSBOT_CONFIG_DIR={target}"]


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `newsbot init [DIR] [--force]` to the command line."""
    init = sub.add_parser("init", help="write a starter config (the seed) to edit")
    init.add_argument("dir", nargs="?", type=Path, help=f"where (default: {user_config_dir()})")
    init.add_argument("--force", action="store_true", help="overwrite files already there")
    init.set_defaults(handler=_init)


async def _init(args: argparse.Namespace, _settings: Settings) -> int:
    try:
        lines = write_starter(args.dir, force=args.force)
    except (FileExistsError, OSError) as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0
