"""A model that answers only relevance and section still yields complete entries, through the real
pipeline: the real ``openai`` client against a local server, compose, and a publisher fake.

Acronym, venue and code link come from the paper's own metadata (a parenthetical definition, a
title prefix or "we propose NAME"; "Accepted at CVPR 2024"; "Code: https://github.com/…"); a list
whose entries all carry an acronym flags a PR whose paper names none.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes import FakePublisher, FakeSource, FakeStateStore, make_paper
from tests.servers.openai_server import OpenAIServer, Reply, SeenRequest, structured
from tests.servers.scripted_model import paper_ids, section_names
from triagebot.adapters.llm.openai import OpenAILLM
from triagebot.compose.proposals import ACRONYM_NEEDED_LABEL
from triagebot.config import Config, LLMConfig
from triagebot.models import Outcome, Paper
from triagebot.pipeline import RunOptions, RunPlan, run_pipeline

LIST = (Path(__file__).parent / "fixtures" / "awesome-xad-README.md").read_text(encoding="utf-8")

LAVAD = make_paper(
    "2404.01014",
    title="Harnessing Large Language Models for Training-free Video Anomaly Detection",
    abstract=(
        "Video anomaly detection (VAD) aims to temporally locate abnormal events in a video. Existing "
        "works mostly rely on training deep models to learn the distribution of normality. In this "
        "paper, we propose LAnguage-based VAD (LAVAD), a method tackling VAD in a novel, training-free "
        "paradigm, exploiting the capabilities of pre-trained large language models (LLMs) and existing "
        "vision-language models (VLMs) to describe each frame and explain the anomaly in words."
    ),
    comment="Accepted at CVPR 2024. Code: https://github.com/lucazanella/lavad",
)
VERA = make_paper(
    "2412.01095",
    title="VERA: Explainable Video Anomaly Detection via Verbalized Learning of Vision-Language Models",
    abstract="We explain video anomalies in words with a vision-language model that learns questions.",
    comment="Accepted to CVPR 2025; code at https://github.com/vera-framework/VERA",
)
UNIVAD = make_paper(
    "2505.30001",
    title="Training-free unified visual anomaly detection across domains",
    abstract=(
        "Anomaly detection across industrial, logical and medical images usually needs one model per "
        "domain. We propose PatchLens, a training-free method that localises anomalies in images of any "
        "domain from a few normal samples."
    ),
    comment="CVPR 2025. Code: https://github.com/example-lab/PatchLens",
)
NAMELESS = make_paper(
    "2501.02000",
    title="Seeing what is wrong: reasoning about unusual events in surveillance video",
    abstract="A large multimodal model describes the unusual events of surveillance video and explains "
    "why each anomaly is one, so an operator can check it at a glance.",
)
SECTION = {
    LAVAD.arxiv_id: "Video / Reasoning-based",
    VERA.arxiv_id: "Video / Reasoning-based",
    UNIVAD.arxiv_id: "Image / Foundation-model-based",
    NAMELESS.arxiv_id: "Video / Reasoning-based",
}


def relevance_and_section_only(request: SeenRequest) -> Reply:
    """A terse model: every field it may leave out is null (strict output still has every key)."""
    if request.schema_name == "ScreenAnswer":
        return structured({"keep": paper_ids(request), "drop": []})
    names = section_names(request)
    decisions = [
        {
            "arxiv_id": i, "relevant": True, "section": names.index(SECTION[i]) + 1, "runner_up": None,
            "acronym": None, "venue": None, "code_url": None, "evidence": [], "rationale": "",
            "confidence": 0.9, "new_section": None,
        }
        for i in paper_ids(request)
    ]  # fmt: skip
    return structured({"decisions": decisions})


def added_line(text: str) -> str:
    added = [
        line[1:]
        for line in difflib.unified_diff(LIST.splitlines(), text.splitlines(), lineterm="", n=0)
        if line.startswith("+") and not line.startswith("+++")
    ]
    assert len(added) == 1, added
    return added[0]


@pytest.fixture(scope="module")
def proposals() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """arXiv id -> (the entry line the PR adds, the PR body, its labels), after one real run (shared
    by the tests of this module, which only read it)."""
    papers: list[Paper] = [LAVAD, VERA, UNIVAD, NAMELESS]
    publisher = FakePublisher(LIST)
    with pytest.MonkeyPatch.context() as env, OpenAIServer(relevance_and_section_only) as server:
        env.setenv("OPENAI_API_KEY", "sk-test")
        env.delenv("OPENAI_BASE_URL", raising=False)  # as conftest's _clean_env, which runs per test
        llm = LLMConfig(base_url=server.base_url, requests_per_minute=1_000_000, max_retries=0)
        report = run_pipeline(
            RunPlan(
                config=Config(llm=llm),
                options=RunOptions(
                    run_id="r1", list_path="README.md", until=datetime(2025, 4, 1, tzinfo=UTC)
                ),
                source=FakeSource(papers),
                llm=OpenAILLM(llm),
                publisher=publisher,
                state=FakeStateStore(),
            )
        )
    assert [p.outcome for p in report.papers] == [Outcome.PUBLISHED] * len(papers)
    return {p.arxiv_ids[0]: (added_line(p.apply(LIST)), p.body, tuple(p.labels)) for p in publisher.published}


@pytest.mark.parametrize(
    ("paper", "acronym", "venue", "code"),
    [
        (LAVAD, "LAVAD", "CVPR 2024", "https://github.com/lucazanella/lavad"),  # parenthetical definition
        (VERA, "VERA", "CVPR 2025", "https://github.com/vera-framework/VERA"),  # title prefix
        (UNIVAD, "PatchLens", "CVPR 2025", "https://github.com/example-lab/PatchLens"),  # "we propose NAME"
    ],
)
def test_entries_are_complete_from_metadata(
    proposals: dict[str, tuple[str, str, tuple[str, ...]]], paper: Paper, acronym: str, venue: str, code: str
) -> None:
    line, body, labels = proposals[paper.arxiv_id]
    assert line.startswith(f"- **[{acronym}]** ")
    assert f"| **{venue}** |" in line
    assert f"[[code]]({code})" in line and f"https://arxiv.org/pdf/{paper.arxiv_id}" in line
    assert ACRONYM_NEEDED_LABEL not in labels and "Acronym needed" not in body


def test_a_paper_without_an_acronym_is_flagged_in_a_list_where_every_entry_has_one(
    proposals: dict[str, tuple[str, str, tuple[str, ...]]],
) -> None:
    line, body, labels = proposals[NAMELESS.arxiv_id]
    assert not line.startswith("- **[")
    assert ACRONYM_NEEDED_LABEL in labels and "**Acronym needed:**" in body


def test_evidence_quoted_by_code_ends_on_a_word(
    proposals: dict[str, tuple[str, str, tuple[str, ...]]],
) -> None:
    _, body, _ = proposals[LAVAD.arxiv_id]
    quote = re.search(r"^> (.+)$", body, re.MULTILINE)
    assert quote is not None
    words = set(re.findall(r"[A-Za-z]+", LAVAD.abstract))
    last = re.findall(r"[A-Za-z]+", quote.group(1))[-1]
    assert last in words  # a whole word of the abstract, never a cut one
