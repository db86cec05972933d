"""Write or check the hashed lock files that `make`, the Dockerfile and CI install from.

`python tools/lockfile.py write` resolves pyproject.toml with uv into requirements.lock (what
the bot needs) and requirements-dev.lock (that plus the `dev` extra, at the same versions),
and requirements-build.lock (the build backend, `[build-system] requires`, so `pip install
--no-build-isolation .` builds with pinned, hashed setuptools too), each stamped with a digest
of the dependency lists it was made from. `check` (standard library only, offline) fails with
one line when pyproject.toml changed since: run `make lock` then.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BUILD = "build-system"
LOCKS = {
    "requirements.lock": (),
    "requirements-dev.lock": ("dev",),
    "requirements-build.lock": (BUILD,),
}
"""Each lock file and the extras it carries beside the project's own dependencies (the build
lock carries the build backend's requirements instead)."""
STAMP = "# pyproject.toml dependencies sha256:"
OLDEST_PYTHON = "3.11"


def _project(pyproject: Path) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return project


def build_requirements(pyproject: Path) -> list[str]:
    """`[build-system] requires`: what building the package needs."""
    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get(BUILD, {})
    return list(table.get("requires", []))


def requirements(pyproject: Path, extras: tuple[str, ...]) -> list[str]:
    """The requirement strings a lock with these extras is resolved from."""
    if extras == (BUILD,):
        return build_requirements(pyproject)
    project = _project(pyproject)
    found = list(project.get("dependencies", []))  # type: ignore[call-overload]
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})  # type: ignore[assignment]
    for extra in extras:
        found += optional[extra]
    return found


def digest(pyproject: Path, extras: tuple[str, ...]) -> str:
    """What a lock was made from: its requirements (order-free) and requires-python."""
    project = _project(pyproject)
    basis = {
        "requires": sorted(" ".join(r.split()) for r in requirements(pyproject, extras)),
        "python": project.get("requires-python"),
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _name(requirement: str) -> str:
    """The normalised project name of a requirement string (PEP 503)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return re.sub(r"[-_.]+", "-", match.group(1) if match else requirement).lower()


def pinned(lock_text: str) -> set[str]:
    """Normalised names of the packages a lock file pins (`name==version`)."""
    return {_name(line) for line in lock_text.splitlines() if re.match(r"[A-Za-z0-9]", line)}


def problems(root: Path = ROOT) -> list[str]:
    """One line per lock file that does not match pyproject.toml; empty when all agree."""
    pyproject = root / "pyproject.toml"
    out = []
    for name, extras in LOCKS.items():
        lock = root / name
        if not lock.exists():
            out.append(f"{name} is missing; run `make lock` and commit it")
            continue
        text = lock.read_text(encoding="utf-8")
        if f"{STAMP} {digest(pyproject, extras)}" in text:
            continue
        missing = sorted(
            {_name(r) for r in requirements(pyproject, extras)} - pinned(text) - {"newsbot"}
        )
        detail = f" (not in it: {', '.join(missing)})" if missing else ""
        out.append(
            f"{name} is out of date with pyproject.toml{detail}; "
            "run `make lock` and commit the requirements*.lock files"
        )
    return out


def write(uv: str, root: Path = ROOT, upgrade: bool = False) -> None:
    """Resolve both locks with uv; the dev lock is held to the runtime lock's versions."""
    pyproject = root / "pyproject.toml"
    for name, extras in LOCKS.items():
        source = "pyproject.toml"
        if extras == (BUILD,):
            source = "build/build-requirements.in"
            (root / "build").mkdir(exist_ok=True)
            (root / source).write_text("\n".join(build_requirements(pyproject)) + "\n")
        extra_args = [arg for extra in extras if extra != BUILD for arg in ("--extra", extra)]
        command = [uv, "pip", "compile", source, "--universal", "--generate-hashes"]
        command += ["--python-version", OLDEST_PYTHON, "--quiet", "-o", name, *extra_args]
        if extra_args:
            command += ["-c", "requirements.lock"]
        if upgrade:
            command.append("--upgrade")
        subprocess.run(command, cwd=root, check=True)
        lock = root / name
        body = lock.read_text(encoding="utf-8")
        lock.write_text(f"{STAMP} {digest(pyproject, extras)}\n{body}", encoding="utf-8")
        print(f"wrote {name}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        found = problems()
        for line in found:
            print(f"lock check: {line}", file=sys.stderr)
        return 1 if found else 0
    if argv[:1] == ["write"] and len(argv) >= 2:
        write(argv[1], upgrade="--upgrade" in argv[2:])
        return 0
    print("usage: lockfile.py check | write UV [--upgrade]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
