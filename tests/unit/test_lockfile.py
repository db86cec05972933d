"""The lock check: a lock made from pyproject.toml passes; a dependency added since fails it
with one line naming what is missing and the command that fixes it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from tests.paths import ROOT

_spec = importlib.util.spec_from_file_location("lockfile", ROOT / "tools" / "lockfile.py")
assert _spec is not None and _spec.loader is not None
lockfile = importlib.util.module_from_spec(_spec)
sys.modules["lockfile"] = lockfile
_spec.loader.exec_module(lockfile)

PYPROJECT = """
[build-system]
requires = [{build}]
[project]
name = "newsbot"
requires-python = ">=3.11"
dependencies = [{deps}]
[project.optional-dependencies]
dev = ["pytest>=8"]
"""


def _project(tmp_path: Path, deps: str, build: str = '"setuptools>=69"') -> None:
    text = PYPROJECT.format(deps=deps, build=build)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")


def _lock(tmp_path: Path, name: str, extras: tuple[str, ...], pins: list[str]) -> None:
    stamp = f"{lockfile.STAMP} {lockfile.digest(tmp_path / 'pyproject.toml', extras)}"
    body = "".join(f"{pin} \\\n    --hash=sha256:{'0' * 64}\n" for pin in pins)
    (tmp_path / name).write_text(f"{stamp}\n{body}", encoding="utf-8")


def test_locks_made_from_the_pyproject_pass(tmp_path: Path) -> None:
    _project(tmp_path, '"PyYAML>=6", "lxml_html_clean>=0.4"')
    _lock(tmp_path, "requirements.lock", (), ["pyyaml==6.0.4", "lxml-html-clean==0.4.6"])
    _lock(tmp_path, "requirements-dev.lock", ("dev",), ["pyyaml==6.0.4", "pytest==9.0"])
    _lock(tmp_path, "requirements-build.lock", (lockfile.BUILD,), ["setuptools==84.2.1"])
    assert lockfile.problems(tmp_path) == []


def test_a_dependency_added_after_locking_fails_with_one_line(tmp_path: Path) -> None:
    _project(tmp_path, '"PyYAML>=6"')
    _lock(tmp_path, "requirements.lock", (), ["pyyaml==6.0.4"])
    _lock(tmp_path, "requirements-dev.lock", ("dev",), ["pyyaml==6.0.4", "pytest==9.0"])
    _lock(tmp_path, "requirements-build.lock", (lockfile.BUILD,), ["setuptools==84.2.1"])
    _project(tmp_path, '"PyYAML>=6", "PyStemmer>=2.2"')
    found = lockfile.problems(tmp_path)
    assert found == [
        "requirements.lock is out of date with pyproject.toml (not in it: pystemmer); run "
        "`make lock` and commit the requirements*.lock files",
        "requirements-dev.lock is out of date with pyproject.toml (not in it: pystemmer); run "
        "`make lock` and commit the requirements*.lock files",
    ]


def test_a_changed_bound_or_a_missing_lock_is_caught(tmp_path: Path) -> None:
    _project(tmp_path, '"PyYAML>=6"')
    _lock(tmp_path, "requirements.lock", (), ["pyyaml==6.0.4"])
    _project(tmp_path, '"PyYAML>=6.1"')
    found = lockfile.problems(tmp_path)
    assert found[0].startswith("requirements.lock is out of date with pyproject.toml; run")
    assert found[1] == "requirements-dev.lock is missing; run `make lock` and commit it"


def test_the_build_backend_is_locked_too(tmp_path: Path) -> None:
    _project(tmp_path, '"PyYAML>=6"')
    _lock(tmp_path, "requirements.lock", (), ["pyyaml==6.0.4"])
    _lock(tmp_path, "requirements-dev.lock", ("dev",), ["pyyaml==6.0.4", "pytest==9.0"])
    _lock(tmp_path, "requirements-build.lock", (lockfile.BUILD,), ["setuptools==84.2.1"])
    _project(tmp_path, '"PyYAML>=6"', build='"setuptools>=69", "wheel"')
    [found] = lockfile.problems(tmp_path)
    assert found.startswith("requirements-build.lock is out of date with pyproject.toml")
    assert "(not in it: wheel)" in found


def test_the_repository_locks_agree_with_its_pyproject() -> None:
    assert lockfile.problems(ROOT) == []
