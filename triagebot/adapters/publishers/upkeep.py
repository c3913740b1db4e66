"""Where the upkeep PR of ``triagebot verify`` goes: GitHub, a preview folder, or nowhere.

The previews and ``none`` keep no history (nothing was ever declined there); GitHub finds its
upkeep PRs again by branch and marker (:class:`~triagebot.adapters.publishers.github.GitHubUpkeepPublisher`).
"""

from __future__ import annotations

from pathlib import Path

from triagebot.adapters.publishers.directory import DirPublisher
from triagebot.adapters.publishers.factory import parse_spec
from triagebot.adapters.publishers.none import NullPublisher
from triagebot.config import PublishConfig
from triagebot.models import Proposal, PublishResult, PublishStatus, UpkeepHistory
from triagebot.ports import UpkeepPublisher


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
    kind, root = parse_spec(spec)
    if kind == "none":
        return NullUpkeepPublisher()
    if kind == "dir" and root is not None:
        return DirUpkeepPublisher(root, base=config.base_branch)
    from triagebot.adapters.publishers.github import GitHubUpkeepPublisher, repo_relative

    repo_relative(list_path)
    return GitHubUpkeepPublisher.from_config(config)
