"""Secrets never reach a log line, a report or an error message, whatever an SDK decides to print.

The values redacted are those of the environment variables that can hold secrets: any name ending
in ``_TOKEN``, ``_KEY``, ``_SECRET`` or ``PASSWORD`` (``GITHUB_TOKEN``, ``OPENAI_API_KEY``,
``TRIAGEBOT_TOKEN``, …), read when redaction is set up.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

SECRET_SUFFIXES = ("_TOKEN", "_KEY", "_SECRET", "PASSWORD")
MIN_SECRET_LENGTH = 6  # shorter values ("1", "true") would redact ordinary text
MASK = "***"


def secret_values(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The secret values in ``environ`` (default: the process environment), longest first."""
    env = os.environ if environ is None else environ
    values = {
        value.strip()
        for name, value in env.items()
        if name.upper().endswith(SECRET_SUFFIXES) and len(value.strip()) >= MIN_SECRET_LENGTH
    }
    return tuple(sorted(values, key=len, reverse=True))


def redact(text: str, secrets: tuple[str, ...] | None = None) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for value in secret_values() if secrets is None else secrets:
        text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Renders each record's message once and masks the secrets in it (and in its traceback)."""

    def __init__(self, secrets: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.secrets = secret_values() if secrets is None else secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = redact(record.getMessage(), self.secrets)
            record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                formatter = logging.Formatter()
                record.exc_text = redact(formatter.formatException(record.exc_info), self.secrets)
                record.exc_info = None
        return True
