"""The image and compose file agree with the CLI: every service's argv (entrypoint + command)
parses with the parser the image runs, settings are real ones, the probe follows the port."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
import yaml

from bot.cli import _parser
from bot.cmd import healthcheck
from bot.config import Settings
from bot.runtime.health import Health
from bot.runtime.ops import Metrics, OpsServer
from tests.paths import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instruction(name: str) -> list[str]:
    match = re.search(rf"^{name} (\[.*\])$", DOCKERFILE, re.MULTILINE)
    assert match, f"Dockerfile has no exec-form {name}"
    return list(json.loads(match.group(1)))


def _services() -> dict[str, dict]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    return {name: s for name, s in compose["services"].items() if s["image"].startswith("newsbot")}


def _argv(command: list[str]) -> list[str]:
    argv = _instruction("ENTRYPOINT") + command
    assert argv[0] == "newsbot", argv
    return argv[1:]


def test_the_image_default_command_parses() -> None:
    args = _parser().parse_args(_argv(_instruction("CMD")))
    assert args.role == "all"


@pytest.mark.parametrize("name", sorted(_services()))
def test_each_compose_service_argv_parses(name: str) -> None:
    service = _services()[name]
    args = _parser().parse_args(_argv(service["command"]))  # SystemExit(2) on a bad argv
    assert args.handler.__name__ == "_run"
    assert args.role == name.split("-")[0]


def test_compose_names_only_real_settings() -> None:
    fields = {f"NEWSBOT_{name.upper()}" for name in Settings.model_fields}
    for name, service in _services().items():
        unknown = {k for k in service["environment"] if k.startswith("NEWSBOT_")} - fields
        assert not unknown, f"{name}: not settings: {unknown}"
        env_file = service["env_file"][0]
        assert env_file == {"path": ".env", "required": False}


def test_the_healthcheck_follows_the_configured_port() -> None:
    assert "9108" not in re.search(r"^HEALTHCHECK .*$", DOCKERFILE, re.MULTILINE).group(0)
    assert healthcheck.probe_url(Settings(metrics_port=9200, metrics_host="0.0.0.0")) == (
        "http://127.0.0.1:9200/healthz"
    )
    assert healthcheck.probe_url(Settings(metrics_port=0)) is None


async def test_the_probe_passes_on_a_serving_bot_and_fails_without_one(monkeypatch) -> None:
    server = OpsServer(Metrics(), Health(), "127.0.0.1", 0)
    await server.start()
    try:
        monkeypatch.setenv("NEWSBOT_METRICS_PORT", str(server.port))
        assert await asyncio.to_thread(healthcheck.main) == 0
    finally:
        await server.stop()
    assert await asyncio.to_thread(healthcheck.main) == 1


def test_the_build_context_leaves_out_the_venv_and_secrets() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".env", ".git", "*.db"} <= set(ignored)


def test_the_image_installs_only_from_the_hashed_locks() -> None:
    runs = re.findall(r"^RUN (.*)$", DOCKERFILE, re.MULTILINE)
    installs = [r for r in runs if "pip install" in r]
    assert installs[0] == (
        "pip install --require-hashes -r requirements.lock -r requirements-build.lock"
    )
    # the package itself: no dependencies, and no isolated build env fetching setuptools unpinned
    assert installs[1].startswith("pip install --no-deps --no-build-isolation .")
    assert len(installs) == 2
    assert (ROOT / "requirements-build.lock").read_text(encoding="utf-8").count("setuptools==") == 1
