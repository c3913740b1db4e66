"""Shared setup of the publish tests: papers, decisions and proposals against the real Awesome-XAD list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from tests.conftest import FIXTURES
from tests.fakes import make_paper
from tests.servers.github_server import GitHubServer
from triagebot.adapters.publishers.github import GitHubPublisher, Tuning
from triagebot.awesome import parse
from triagebot.compose.proposals import build_proposals
from triagebot.config import PublishConfig
from triagebot.models import Decision, Paper, Proposal

XAD = (FIXTURES / "awesome-xad-README.md").read_text(encoding="utf-8")
SECTION = "Explainable 2D Anomaly Detection Methods / Image / Generative-model-based"
# Every wait off: no throttling, no backoff, Retry-After capped at 0 s.
FAST = Tuning(
    seconds_between_requests=0,
    seconds_between_writes=0,
    retries=2,
    backoff_factor=0,
    secondary_rate_wait=0,
    max_wait=0,
    timeout=5,
)


def paper(n: int, **fields: Any) -> Paper:
    values: dict[str, Any] = {
        "title": f"Anomaly detection method number {n}",
        "abstract": f"We propose method {n} for visual anomaly detection with anomaly maps.",
        "published": datetime(2025, 3, 1, tzinfo=UTC),
    }
    values.update(fields)
    return make_paper(f"2503.{10000 + n}", **values)


def decision(p: Paper, **fields: Any) -> Decision:
    values: dict[str, Any] = {
        "arxiv_id": p.arxiv_id,
        "relevant": True,
        "section": SECTION,
        "runner_up": "Explainable 2D Anomaly Detection Methods / Image / Attention-based",
        "acronym": f"AD{p.arxiv_id[-2:]}",
        "venue": "CVPR",
        "year": 2025,
        "code_url": f"https://github.com/example/ad{p.arxiv_id[-2:]}",
        "evidence": ("anomaly maps",),
        "rationale": "Produces anomaly maps from a generative model.",
        "confidence": 0.9,
        "model": "gpt-4o-mini",
        "prompt_version": "classify-v3",
    }
    values.update(fields)
    return Decision(**values)


def proposals(
    papers: Sequence[Paper],
    config: PublishConfig | None = None,
    text: str = XAD,
    decisions: dict[str, Decision] | None = None,
) -> list[Proposal]:
    config = config or PublishConfig()
    decisions = decisions or {p.arxiv_id: decision(p) for p in papers}
    result = build_proposals(
        papers, decisions, parse(text), config, list_path="README.md", run_id="20250326T011700Z"
    )
    assert result.errors == {}
    return result.proposals


def publisher(server: GitHubServer, **kwargs: Any) -> GitHubPublisher:
    return GitHubPublisher(
        token=server.token, repo=server.full_name, api_url=server.base_url, tuning=FAST, **kwargs
    )
