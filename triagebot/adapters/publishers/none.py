"""``--publish none``: decide and record only; nothing is published anywhere."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from triagebot.awesome import read_list_file
from triagebot.models import ExistingPR, Proposal, PublishResult, PublishStatus


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
