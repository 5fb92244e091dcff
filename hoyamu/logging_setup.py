"""Logging with secrets redacted: the bot token and API keys never reach a log line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

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


# libraries that log routine start-up chatter at INFO: FAISS's AVX512/AVX2 probe, Alembic's
# plugin and migration-context lines, matplotlib's font cache; httpx logs every request URL,
# which contains the bot token
QUIET = ("httpx", "httpcore", "sentence_transformers", "transformers", "apscheduler",
         "faiss", "alembic.runtime.plugins", "alembic.runtime.migration",
         "matplotlib")


def setup_logging(level: str = "INFO", file: Path | None = None) -> None:
    """Log lines to standard error, or to `file` (the console chat keeps its screen for the
    chat). Python warnings become log lines too."""
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.addFilter(RedactSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    for noisy in QUIET:
        logging.getLogger(noisy).setLevel(logging.WARNING)
