"""Logging with secrets redacted: the bot token and API keys never reach a log line."""

from __future__ import annotations

import logging
import re

# a bot token: <bot id>:<35 characters>; in URLs it follows "bot" (.../bot123:AA.../getMe)
_TOKEN = re.compile(r"(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}")
_TRACEBACKS = logging.Formatter()


def redact(text: str) -> str:
    """Text with bot tokens and registered secrets replaced."""
    text = _TOKEN.sub("[token]", text)
    for secret in sorted(RedactSecrets.secrets, key=len, reverse=True):
        text = text.replace(secret, "[secret]")
    return text


class RedactSecrets(logging.Filter):
    """Replaces Telegram bot tokens and registered secrets in every record: its message, and the
    traceback of an exception logged with it (an error's text may hold a URL with the token)."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
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
