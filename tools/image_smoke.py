"""Build the image and run every compose service's argv inside it, where no container engine
runs: `podman build --isolation=chroot` needs neither a daemon nor cgroups.

    python tools/image_smoke.py [--tag newsbot:smoke] [--database-url postgresql://…]

Writes a Containerfile FROM the image the Dockerfile builds: `config check`, `demo`, then each
newsbot service of compose.yaml started with its own argv (ENTRYPOINT + `command:`) and
environment, until its healthcheck (`python -m bot.cmd.healthcheck`) passes, then SIGTERM; the
run fails unless each was healthy and exited 0. The feeds list is emptied for the runs, so no
process fetches anything off this machine; the database is PostgreSQL on the host (`--network
host`). Needs podman (Debian: `apt-get install podman`) and a `python:3.11-slim` image podman
can find (pull it, or import one). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 90


def _entrypoint() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    match = re.search(r"^ENTRYPOINT (\[.*\])$", text, re.MULTILINE)
    if not match:
        raise SystemExit("image_smoke: the Dockerfile has no exec-form ENTRYPOINT")
    return list(json.loads(match[1]))


def _service_step(name: str, argv: list[str], env: dict[str, str]) -> str:
    """One RUN: start the service, wait for its healthcheck, SIGTERM it, demand exit 0."""
    assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    run = f"env {assigns} {shlex.join(argv)}"
    probe = f"env {assigns} python -m bot.cmd.healthcheck >/dev/null 2>&1"
    return (
        f"RUN {run} > /tmp/{name}.log 2>&1 & pid=$!; healthy=no; "
        f"for i in $(seq 1 {WAIT_SECONDS}); do sleep 1; "
        f"if {probe}; then healthy=yes; break; fi; kill -0 $pid 2>/dev/null || break; done; "
        f"kill -TERM $pid; wait $pid; code=$?; "
        f'echo "{name}: {shlex.join(argv)}: healthy=$healthy, exit $code after SIGTERM"; '
        f'tail -3 /tmp/{name}.log; [ "$healthy" = yes ] && [ "$code" = 0 ]'
    )


def containerfile(base: str, database_url: str) -> str:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    steps = [
        f"FROM {base}",
        "RUN id && newsbot config check --no-dns && newsbot demo > /tmp/demo.log "
        "&& tail -1 /tmp/demo.log",
        "RUN cp -r /app/config /tmp/smoke-config && printf 'feeds: []\\n' > "
        "/tmp/smoke-config/feeds.yaml",
    ]
    for name, service in compose["services"].items():
        if not str(service.get("image", "")).startswith("newsbot"):
            continue
        env = {k: str(v) for k, v in service.get("environment", {}).items()}
        env |= {
            "NEWSBOT_DATABASE_URL": database_url,
            "NEWSBOT_CONFIG_DIR": "/tmp/smoke-config",
            "NEWSBOT_METRICS_HOST": "127.0.0.1",
        }
        steps.append(_service_step(name, _entrypoint() + list(service["command"]), env))
    return "\n".join(steps) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="localhost/newsbot:smoke")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/newsbot_smoke"
    )
    args = parser.parse_args(argv)
    build = ["podman", "build", "--isolation=chroot", "--network=host", "--format=docker"]
    subprocess.run([*build, "-t", args.tag, str(ROOT)], check=True)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "Containerfile").write_text(containerfile(args.tag, args.database_url))
        done = subprocess.run([*build, "--no-cache", "-t", f"{args.tag}-ran", folder])
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
