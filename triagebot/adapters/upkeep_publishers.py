"""Where the upkeep PR of ``triagebot verify`` goes: GitHub, a preview folder, or nowhere.

The previews and ``none`` keep no history (nothing was ever declined there); GitHub finds its
upkeep PRs again by branch and marker (:class:`~triagebot.adapters.github_publisher.GitHubUpkeepPublisher`).
"""

from __future__ import annotations

from pathlib import Path

from triagebot.adapters.dir_publisher import DirPublisher
from triagebot.adapters.publishers import SPECS, NullPublisher
from triagebot.config import PublishConfig
from triagebot.errors import ConfigError
from triagebot.models import Proposal, PublishResult, PublishStatus
from triagebot.verify.upkeep import UpkeepHistory, UpkeepPublisher


class NullUpkeepPublisher(NullPublisher):
    """``none``: report only."""

    def upkeep_history(self, branch: str) -> UpkeepHistory:
        return UpkeepHistory()

    def publish_upkeep(self, proposal: Proposal, history: UpkeepHistory) -> PublishResult:
        return PublishResult(proposal.arxiv_ids, PublishStatus.SKIPPED, message="publishing is off (none)")


class DirUpkeepPublisher(DirPublisher):
    """``dir:PATH``: the upkeep PR as a preview folder (``pr.json`` and ``changes.diff``)."""

    def upkeep_history(self, branch: str) -> UpkeepHistory:
        return UpkeepHistory()

    def publish_upkeep(self, proposal: Proposal, history: UpkeepHistory) -> PublishResult:
        return self.publish(proposal)


def build_upkeep_publisher(spec: str, config: PublishConfig, *, list_path: Path) -> UpkeepPublisher:
    """The upkeep publisher ``spec`` names; ConfigError for an unknown spec, a missing token or repo."""
    spec = spec.strip()
    if spec == "none":
        return NullUpkeepPublisher()
    if spec.startswith("dir:"):
        root = spec.removeprefix("dir:").strip()
        if not root:
            raise ConfigError("publisher 'dir:' needs a folder, e.g. dir:previews")
        return DirUpkeepPublisher(Path(root), base=config.base_branch)
    if spec == "github":
        from triagebot.adapters.github_publisher import GitHubUpkeepPublisher, repo_relative

        repo_relative(list_path)
        return GitHubUpkeepPublisher.from_config(config)
    raise ConfigError(f"unknown publisher {spec!r}; use {SPECS}")
