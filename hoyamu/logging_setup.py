"""Logging with secrets redacted: the bot token and API keys never reach a log line."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}\b")


class RedactSecrets(logging.Filter):
    """Replaces Telegram bot tokens and registered secrets in every record."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN.sub("[token]", message)
        for secret in self.secrets:
            if secret:
                redacted = redacted.replace(secret, "[secret]")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def register_secret(*values: str | None) -> None:
    RedactSecrets.secrets.update(v for v in values if v and len(v) >= 6)


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL, which contains the bot token
    for noisy in ("httpx", "httpcore", "sentence_transformers", "transformers", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
