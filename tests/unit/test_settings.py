"""Settings: environment, secret files, and secrets kept out of reprs and logs."""

from __future__ import annotations

import logging

import pytest

from bot.config import ConfigError, load_settings
from bot.runtime.logs import REDACTED, SecretFilter

TOKEN = "MTE0.fake-discord-token.abcdef"


def test_tokens_come_from_secret_files(tmp_path, monkeypatch):
    (tmp_path / "newsbot_discord_token").write_text(TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("NEWSBOT_SECRETS_DIR", str(tmp_path))
    monkeypatch.delenv("NEWSBOT_DISCORD_TOKEN", raising=False)
    settings = load_settings()
    assert settings.discord_token is not None
    assert settings.discord_token.get_secret_value() == TOKEN  # trailing newline dropped
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())


def test_a_missing_secrets_dir_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_SECRETS_DIR", str(tmp_path / "nope"))
    with pytest.raises(ConfigError, match="is not a directory"):
        load_settings()


def test_webhook_tokens_never_reach_the_log():
    hooks = (
        "discord-webhook:https://discord.com/api/webhooks/123456/SECRETtoken_abc-def",
        "slack-webhook:https://hooks.slack.com/services/T0AB12/B0CD34/XyZsecret123",
    )
    for hook in hooks:
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, "to %s failed", (hook,), None)
        SecretFilter([]).filter(record)
        assert "secret" not in record.getMessage().lower() and REDACTED in record.getMessage()
        assert "/123456/" in record.getMessage() or "/B0CD34/" in record.getMessage()


def test_secret_filter_scrubs_messages_and_tracebacks():
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "login with %s failed", (TOKEN,), None
    )
    try:
        raise RuntimeError(f"401 for token {TOKEN}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    SecretFilter([TOKEN]).filter(record)
    assert record.getMessage() == f"login with {REDACTED} failed"
    assert TOKEN not in (record.exc_text or "") and REDACTED in (record.exc_text or "")


def test_socket_tickets_never_reach_the_log():
    url = "wss://wss-primary.slack.com/link/?ticket=0f1e2d3c-4b5a&app_id=A0NEWS"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "refused %s", (url,), None)
    SecretFilter([]).filter(record)
    assert "0f1e2d3c" not in record.getMessage() and "app_id=A0NEWS" in record.getMessage()


def test_connection_events_pass_at_info_while_the_sdks_stay_quiet():
    from bot.runtime.logs import setup_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging("INFO")
        assert logging.getLogger("discord.gateway").isEnabledFor(logging.INFO)
        assert logging.getLogger("bot.chat.slack.socket").isEnabledFor(logging.INFO)
        assert not logging.getLogger("discord.http").isEnabledFor(logging.INFO)
        assert not logging.getLogger("slack_sdk").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
