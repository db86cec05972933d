"""Where config comes from: the packaged seed equals config/, the search order, `newsbot init`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cmd.init import STARTER, write_starter
from bot.config import config_search, find_config_dir, load_config, packaged_config_dir
from tests.paths import ROOT


@pytest.mark.parametrize("name", STARTER)
def test_the_packaged_seed_is_the_checkout_config(name: str) -> None:
    packaged = packaged_config_dir() / name
    assert packaged.read_bytes() == (ROOT / "config" / name).read_bytes(), (
        f"bot/default_config/{name} differs from config/{name}; it must be a symlink to it"
    )


def test_search_order_first_existing_wins(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cwd = tmp_path / "work"
    cwd.mkdir()
    labels = [p.label for p in config_search(None, cwd=cwd)]
    assert labels == ["./config", "user config dir", "packaged default"]
    assert find_config_dir(None, cwd=cwd).label == "packaged default"
    (tmp_path / "xdg" / "newsbot").mkdir(parents=True)
    assert find_config_dir(None, cwd=cwd).path == tmp_path / "xdg" / "newsbot"
    (cwd / "config").mkdir()
    assert find_config_dir(None, cwd=cwd).path == cwd / "config"
    chosen = find_config_dir(tmp_path / "nowhere", "--config", cwd=cwd)
    assert (chosen.label, chosen.path) == ("--config", tmp_path / "nowhere")


def test_init_writes_a_config_that_loads_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    lines = write_starter(None)
    target = tmp_path / "xdg" / "newsbot"
    assert lines[0].endswith(f"to {target}")
    assert "finds it as the user config dir" in lines[1]
    bundle = load_config(target)
    assert {r.id for r in bundle.rules.rules} >= {"peace-talks", "donbas-offensive"}
    with pytest.raises(FileExistsError, match=r"feeds\.yaml exists; .* --force"):
        write_starter(None)
    (target / "feeds.yaml").write_text("feeds: []\n", encoding="utf-8")
    write_starter(None, force=True)
    assert (target / "feeds.yaml").read_bytes() == (ROOT / "config" / "feeds.yaml").read_bytes()


def test_init_elsewhere_says_how_to_point_newsbot_at_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    lines = write_starter(tmp_path / "mine")
    assert f"--config {tmp_path / 'mine'}" in lines[1]
    assert "comes first in the search order" in lines[1]
