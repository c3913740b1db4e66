"""Pick the publisher: ``github`` (pull requests), ``dir:PATH`` (previews on disk) or ``none``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triagebot.awesome import read_list_file
from triagebot.config import PublishConfig
from triagebot.errors import ConfigError
from triagebot.models import ExistingPR, Proposal, PublishResult, PublishStatus
from triagebot.ports import Publisher

SPECS = "github, dir:PATH or none"


class NullPublisher:
    """``none``: decide and record only. Reads the local list; publishes nothing."""

    def read_list(self, path: str) -> str:
        return read_list_file(Path(path))

    def existing(self, arxiv_ids: Sequence[str]) -> dict[str, ExistingPR]:
        return {}

    def open_count(self) -> int:
        return 0

    def publish(self, proposal: Proposal) -> PublishResult:
        return PublishResult(proposal.arxiv_ids, PublishStatus.SKIPPED, message="publishing is off (none)")


def build_publisher(spec: str, config: PublishConfig, *, list_path: Path) -> Publisher:
    """The publisher ``spec`` names. ``list_path`` is the list's path (in the repository for github).

    Raises ConfigError for an unknown spec, or (github) a missing token or repository.
    """
    spec = spec.strip()
    if spec == "none":
        return NullPublisher()
    if spec.startswith("dir:"):
        root = spec.removeprefix("dir:").strip()
        if not root:
            raise ConfigError("publisher 'dir:' needs a folder, e.g. dir:previews")
        from triagebot.adapters.dir_publisher import DirPublisher

        return DirPublisher(Path(root), base=config.base_branch)
    if spec == "github":
        from triagebot.adapters.github_publisher import GitHubPublisher, repo_relative

        repo_relative(list_path)
        return GitHubPublisher.from_config(config)
    raise ConfigError(f"unknown publisher {spec!r}; use {SPECS}")
