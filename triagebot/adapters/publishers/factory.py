"""Pick the publisher: ``github`` (pull requests), ``dir:PATH`` (previews on disk) or ``none``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from triagebot.adapters.publishers.none import NullPublisher
from triagebot.config import PublishConfig
from triagebot.errors import ConfigError
from triagebot.ports import Publisher

SPECS = "github, dir:PATH or none"


def parse_spec(spec: str) -> tuple[Literal["none", "dir", "github"], Path | None]:
    """The kind of publisher ``spec`` names, and the folder of ``dir:PATH``. ConfigError otherwise."""
    spec = spec.strip()
    if spec == "none":
        return "none", None
    if spec.startswith("dir:"):
        root = spec.removeprefix("dir:").strip()
        if not root:
            raise ConfigError("publisher 'dir:' needs a folder, e.g. dir:previews")
        return "dir", Path(root)
    if spec == "github":
        return "github", None
    raise ConfigError(f"unknown publisher {spec!r}; use {SPECS}")


def build_publisher(spec: str, config: PublishConfig, *, list_path: Path) -> Publisher:
    """The publisher ``spec`` names. ``list_path`` is the list's path (in the repository for github).

    Raises ConfigError for an unknown spec, or (github) a missing token or repository.
    """
    kind, root = parse_spec(spec)
    if kind == "none":
        return NullPublisher()
    if kind == "dir" and root is not None:
        from triagebot.adapters.publishers.directory import DirPublisher

        return DirPublisher(root, base=config.base_branch)
    from triagebot.adapters.publishers.github import GitHubPublisher, repo_relative

    repo_relative(list_path)
    return GitHubPublisher.from_config(config)
