"""Live checks against the real services: skipped unless `python -m pytest --live -m live`.

They prove the recorded formats still match what arXiv and the model endpoint serve today. Run
them by hand before re-recording fixtures (`triagebot fetch --save DIR`, `python -m
tests.tools.make_offline_bundle`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from triagebot.adapters.sources.factory import build_sources
from triagebot.config import ArxivConfig, LLMConfig

pytestmark = pytest.mark.live


def test_live_arxiv_search_returns_recent_anomaly_detection_papers() -> None:
    config = ArxivConfig(page_size=20)
    until = datetime.now(UTC)
    papers = list(build_sources(["arxiv"], config).papers(until - timedelta(days=7), until))
    assert papers, "a week of arXiv without one anomaly-detection paper is suspicious"
    assert all(p.arxiv_id and p.title and p.pdf_url for p in papers)


def test_live_announcement_feed_parses() -> None:
    papers = list(build_sources(["rss"], ArxivConfig()).papers(None, None))
    # weekends and holidays have empty feeds; a weekday one has papers with full metadata
    assert all(p.primary_category for p in papers)


def test_live_model_classifies_one_paper() -> None:
    if not os.environ.get("OPENAI_API_KEY"):
        pytest.skip("OPENAI_API_KEY is not set")
    from tests.conftest import FIXTURES
    from tests.fakes import make_paper
    from triagebot.adapters.llm.factory import build_llm
    from triagebot.awesome import parse
    from triagebot.triage import Triage

    specs = parse((FIXTURES / "awesome-xad-README.md").read_text(encoding="utf-8")).section_specs()
    llm = LLMConfig(model=os.environ.get("TRIAGEBOT_LIVE_MODEL", "gpt-4o-mini"))
    paper = make_paper(
        "2303.14814",
        title="WinCLIP: Zero-/Few-Shot Anomaly Classification and Segmentation",
        abstract="Visual anomaly classification and segmentation are vital for automating industrial "
        "quality inspection. We propose window-based CLIP (WinCLIP) for zero-shot anomaly "
        "classification and segmentation.",
    )
    report = Triage(build_llm("openai", llm), specs, llm).run([paper], skip_screen=True)
    assert report.verdicts[paper.arxiv_id].kind in ("relevant", "irrelevant")
