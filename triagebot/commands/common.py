"""Argument helpers shared by the commands."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from triagebot.arxiv_ids import normalize_id
from triagebot.config import Config, load_config
from triagebot.errors import ConfigError
from triagebot.fsutil import atomic_write

DEFAULT_CONFIG = Path("triagebot.toml")

if TYPE_CHECKING:  # what ``register(subparsers)`` of each command receives
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help=f"configuration file (default: ./{DEFAULT_CONFIG} when present)",
    )


def load_config_arg(path: Path | None) -> Config:
    """The config named by --config, else ./triagebot.toml when present, else the defaults."""
    if path is None and DEFAULT_CONFIG.is_file():
        path = DEFAULT_CONFIG
    return load_config(path)


def parse_date(text: str) -> datetime:
    """A date (``2025-08-20``, midnight UTC) or an ISO date-time; naive times are UTC."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD or ISO 8601)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_ids(text: str) -> list[str]:
    """Comma-separated arXiv ids or links, version-less, in order, without repeats."""
    ids: dict[str, None] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        arxiv_id = normalize_id(part)
        if arxiv_id is None:
            raise argparse.ArgumentTypeError(f"not an arXiv id: {part!r}")
        ids.setdefault(arxiv_id, None)
    if not ids:
        raise argparse.ArgumentTypeError("no arXiv id given")
    return list(ids)


def write_report(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same folder, then rename)."""
    try:
        atomic_write(path, text)
    except OSError as err:
        raise ConfigError(f"{path}: cannot write: {err.strerror or err}") from None
