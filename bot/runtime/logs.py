"""Structured logging for the whole process, with secrets scrubbed from every line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

import structlog
from structlog.typing import EventDict

REDACTED = "[redacted]"
WEBHOOK_SECRETS = re.compile(
    r"(/webhooks/\d+/|/services/T[A-Z0-9]+/B[A-Z0-9]+/)[\w-]+", re.IGNORECASE
)
"""The token part of Discord (`/webhooks/<id>/<token>`) and Slack (`/services/T…/B…/<secret>`)
incoming webhook URLs, which subscriptions name as their destinations."""
PATH_SECRETS = re.compile(
    r"(/(?:hooks|webhooks|services|triggers|workflows)/)(?![^\s?#\"'<>]*\[redacted\])[^\s?#\"'<>]+",
    re.IGNORECASE,
)
"""Any other URL whose path carries a token after a hook word: Slack workflow triggers
(`/triggers/T…/…/<secret>`), Mattermost and other `/hooks/<key>` webhooks, odd webhook shapes."""
QUERY_SECRETS = re.compile(
    r"([?&;][\w.-]*(?:token|ticket|key|secret|sig|signature|password|passwd|pwd|auth|"
    r"credential|session|code)[\w.-]*=)[^&;\s#\"'<>]+",
    re.IGNORECASE,
)
"""Query parameters named like a credential (`?token=…`, `&ticket=…`, `api_key=…`)."""
USERINFO = re.compile(r"(://[^/\s:@]*:)[^@/\s]+@")
"""The password of a `scheme://user:password@host` URL."""
CONNECTION_LOGGERS = ("discord.gateway", "discord.client", "discord.shard")
"""Where discord.py says a gateway session connected, resumed or was invalidated: kept at the
root level while the rest of discord.py is quietened to WARNING."""


class SecretFilter(logging.Filter):
    """Replaces any configured secret value, and any token in a URL, in a log record with
    [redacted]. The traceback is kept (for the formatter to render) and scrubbed there."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        text = WEBHOOK_SECRETS.sub(rf"\g<1>{REDACTED}", text)
        text = PATH_SECRETS.sub(rf"\g<1>{REDACTED}", text)
        text = QUERY_SECRETS.sub(rf"\g<1>{REDACTED}", text)
        return USERINFO.sub(rf"\g<1>{REDACTED}@", text)

    def processor(self, _logger: object, _name: str, event: EventDict) -> EventDict:
        """structlog processor: scrub every text value, the rendered traceback included."""
        return {k: self.scrub(v) if isinstance(v, str) else v for k, v in event.items()}


def setup_logging(level: str = "INFO", *, json: bool = False, secrets: Iterable[str] = ()) -> None:
    """Route stdlib and structlog output through one handler on stderr."""
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    scrubber = SecretFilter(secrets)
    formatter = structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,  # the traceback as text, so it can be scrubbed
            scrubber.processor,
            renderer,
        ],
        foreign_pre_chain=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(scrubber)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("alembic", "apscheduler", "aiosqlite", "discord", "slack_bolt", "slack_sdk"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    for connection in CONNECTION_LOGGERS:
        logging.getLogger(connection).setLevel(root.level)
