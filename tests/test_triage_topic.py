"""The topic is configuration: prefilter terms (whole words) and the prompts' scope, for any list."""

from __future__ import annotations

import json

import pytest

from tests.fakes import ScriptedLLM, make_paper
from triagebot.config import LLMConfig
from triagebot.models import SectionSpec
from triagebot.ports import ModelRequest
from triagebot.triage import Triage
from triagebot.triage.prefilter import Prefilter, compile_terms, prefilter

FAST = {"requests_per_minute": 1_000_000}


@pytest.mark.parametrize(
    ("term", "text", "matches"),
    [
        ("frame", "video frames are scored", True),
        ("frame", "a unified framework for anomalies", False),
        ("vision", "computer vision", True),
        ("vision", "vision-language models", True),
        ("vision", "across business divisions", False),
        ("anomal*", "anomalous events", True),
        ("anomal*", "nonanomalous", False),
        ("time series", "multivariate time-series data", True),
        ("log", "system logs", True),
        ("log", "a logical constraint", False),
        ("CT", "CT scans", True),
        ("CT", "object detection", False),
        ("GAN", "two GANs", True),
        ("GAN", "organ segmentation", False),
    ],
)
def test_terms_are_whole_words(term: str, text: str, matches: bool) -> None:
    pattern = compile_terms((term,))
    assert pattern is not None and bool(pattern.search(text)) is matches


def test_framework_and_divisions_no_longer_rescue_off_topic_papers() -> None:
    paper = make_paper(
        title="Log anomaly detection across divisions",
        abstract="We propose a framework that parses system logs to find anomalies.",
    )
    assert not prefilter(paper)
    why = Prefilter.from_config(LLMConfig()).why_not(paper)
    assert why is not None and "'log'" in why.lower()


def test_no_terms_means_nothing_is_prefiltered() -> None:
    config = LLMConfig(prefilter_terms=[], prefilter_off_topic=[], prefilter_on_topic=[])
    assert prefilter(make_paper(title="Faster object detection", abstract="Cars in images."), config)
    assert prefilter(make_paper(title="Anything"), LLMConfig(prefilter=False))


# ------------------------------------------------------------------ a CLIP list, by its own scope

CLIP_SECTIONS = [
    SectionSpec("Papers / Image-Text Retrieval", "CLIP-style retrieval between images and text", ("ALIGN",)),
    SectionSpec("Papers / Zero-shot Classification", "prompting CLIP for unseen classes", ("CoOp: …",)),
]
CLIP = LLMConfig(
    **FAST,
    topic="CLIP and contrastive vision-language pre-training",
    in_scope="methods that train, adapt or apply CLIP-style image-text models",
    out_of_scope="text-only language models; image generation without an image-text encoder",
    prefilter_terms=["CLIP", "vision-language", "image-text", "contrastive language-image"],
    prefilter_off_topic=[],
    prefilter_on_topic=[],
)


def test_a_clip_list_is_triaged_by_its_own_scope() -> None:
    clip = make_paper(
        "2501.00900",
        title="Better prompts for CLIP zero-shot classification",
        abstract="We learn prompts for CLIP that transfer to unseen classes.",
    )
    anomaly = make_paper(
        "2501.00901",
        title="Anomaly maps from diffusion models",
        abstract="We localise defects in industrial images with a diffusion model.",
    )

    def script(request: ModelRequest) -> str:
        if request.kind == "screen":
            return json.dumps({"keep": list(request.paper_ids), "drop": []})
        items = [
            {
                "arxiv_id": i, "relevant": True, "section": 2, "runner_up": None, "acronym": None,
                "venue": None, "code_url": None, "evidence": [], "rationale": "prompting CLIP",
                "confidence": 0.9, "new_section": None,
            }
            for i in request.paper_ids
        ]  # fmt: skip
        return json.dumps({"decisions": items})

    llm = ScriptedLLM(script)
    report = Triage(llm, CLIP_SECTIONS, CLIP).run([clip, anomaly])
    assert report.verdicts[anomaly.arxiv_id].kind == "prefiltered"  # not this list's topic
    verdict = report.verdicts[clip.arxiv_id]
    assert verdict.kind == "relevant" and verdict.decision is not None
    assert verdict.decision.section == "Papers / Zero-shot Classification"
    for request in llm.requests:
        system = request.messages[0]["content"]
        assert "CLIP and contrastive vision-language pre-training" in system
        assert "Out of scope: text-only language models" in system
        assert "anomal" not in system.lower() and "images or video" not in system
    classify = next(r for r in llm.requests if r.kind == "classify")
    assert "In scope: methods that train, adapt or apply CLIP-style" in classify.messages[0]["content"]
    assert "2) Papers / Zero-shot Classification: prompting CLIP" in classify.messages[0]["content"]
