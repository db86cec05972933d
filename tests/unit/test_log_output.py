"""What the log handler really writes: tracebacks kept, tokens in URLs redacted."""

from __future__ import annotations

import json
import logging

import pytest

from bot.runtime.logs import REDACTED, setup_logging

TOKEN = "MTE0.fake-discord-token.abcdef"
URLS = [
    "https://hooks.slack.com/triggers/T0AB12/1234567890/a1b2c3d4e5f6secretsecret",
    "https://hooks.slack.com/workflows/T0AB12/A0CD34/123456/secretsecretsecret",
    "https://chat.example.org/hooks/xq8secretsecretsecretabc",
    "https://discord.com/api/webhooks/123456/SECRETtoken_abc-def",
    "https://hooks.slack.com/services/T0AB12/B0CD34/XyZsecret123",
    "https://example.com/feed?ticket=secretsecret1&page=2",
    "https://example.com/feed?page=2&token=secretsecret2",
    "https://example.com/feed?api_key=secretsecret3",
    "https://user:secretsecret4@example.com/feed",
]


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def _fail(url: str) -> None:
    try:
        raise RuntimeError(f"401 from {url} with {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("delivery to %s failed", url)


@pytest.mark.parametrize("as_json", [False, True])
def test_tracebacks_are_rendered_and_scrubbed(capsys, restore_logging, as_json):
    setup_logging("INFO", json=as_json, secrets=[TOKEN])
    _fail(URLS[0])
    err = capsys.readouterr().err
    text = json.loads(err)["exception"] if as_json else err
    assert "Traceback (most recent call last)" in text and "RuntimeError: 401 from" in text
    assert "in _fail" in text  # the frame that raised
    assert TOKEN not in err and "secret" not in err.lower() and REDACTED in err


@pytest.mark.parametrize("url", URLS)
def test_tokens_in_url_paths_and_queries_are_redacted(capsys, restore_logging, url):
    setup_logging("INFO", secrets=[])
    logging.getLogger("bot.test").warning("posting to %s failed", url)
    err = capsys.readouterr().err
    assert "secret" not in err.lower() and REDACTED in err
    assert "page=2" in err or "page" not in url  # harmless parameters stay readable
