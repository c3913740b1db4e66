"""Argument helpers shared by the commands."""

from __future__ import annotations

import argparse
import os
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

from triagebot.arxiv_ids import normalize_id
from triagebot.config import Config, LLMConfig, load_config
from triagebot.errors import ConfigError
from triagebot.fsutil import atomic_write
from triagebot.redact import redact, secret_values
from triagebot.timeutil import assume_utc

DEFAULT_CONFIG = Path("triagebot.toml")

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    from triagebot.ports import LLM

Args = TypeVar("Args", bound="DataclassInstance")

if TYPE_CHECKING:  # what ``register(subparsers)`` of each command receives
    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="PATH",
        help=f"configuration file (default: ./{DEFAULT_CONFIG} when present)",
    )


def add_lookup_arguments(parser: argparse.ArgumentParser) -> None:
    """``--list`` and ``--source``: the list, and where the papers' metadata is looked up."""
    parser.add_argument("--list", type=Path, metavar="PATH", help="the awesome list (default: list.path)")
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="arxiv|PATH",
        help="where the papers are looked up: arxiv (default) or saved responses; repeatable",
    )


def add_llm_arguments(parser: argparse.ArgumentParser) -> None:
    """``--llm``, ``--record-dir`` and ``--audit``: the model options of every command that asks it."""
    parser.add_argument(
        "--llm", metavar="openai|replay|fixture:PATH", help="the model backend (default: [llm] backend)"
    )
    parser.add_argument("--record-dir", type=Path, metavar="DIR", help="record every model exchange here")
    parser.add_argument(
        "--audit", type=Path, metavar="PATH", help="append one JSON line per model exchange here"
    )


def args_from_namespace(cls: type[Args], ns: argparse.Namespace) -> Args:
    """The dataclass ``cls`` of a command's arguments, each field taken from the parsed ``ns``; a field
    whose default is a tuple (a repeatable option) takes the list given as a tuple, none given: ()."""
    values: dict[str, object] = {}
    for f in fields(cls):
        value = getattr(ns, f.name)
        values[f.name] = tuple(value or ()) if isinstance(f.default, tuple) else value
    return cls(**values)


def build_llm_arg(spec: str | None, record_dir: Path | None, config: LLMConfig) -> LLM:
    """The model backend ``--llm`` names (default ``[llm] backend``), recording into ``--record-dir``."""
    from triagebot.adapters.llm.factory import build_llm

    if record_dir is not None:
        config = config.model_copy(update={"record_dir": str(record_dir)})
    return build_llm(spec or config.backend, config)


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
    return assume_utc(moment)


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


class Report(Protocol):
    """What a command reports: a pydantic model that also reads as Markdown."""

    def model_dump_json(self, *, indent: int | None = None) -> str: ...

    def to_markdown(self) -> str: ...


def emit_report(
    report: Report, text: str, *, json_path: Path | None, markdown_path: Path | None = None
) -> None:
    """Every command's report goes out the same ways, secrets masked in each: JSON to ``json_path``
    (``--report``), its Markdown appended to the Actions step summary (and to ``markdown_path``),
    and ``text`` on stdout."""
    secrets = secret_values()
    markdown = redact(report.to_markdown(), secrets)
    if json_path is not None:
        write_report(json_path, redact(report.model_dump_json(indent=2) + "\n", secrets))
    if markdown_path is not None:
        write_report(markdown_path, markdown)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(markdown)
    print(redact(text, secrets), end="")
