"""Deterministic extractors, venue dictionary, and the keyword prefilter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fakes import make_paper
from tests.servers.arxiv_server import labeled_papers
from tests.servers.scripted_model import LABELED, labeled_rows
from triagebot.triage import prefilter
from triagebot.triage.extract import acronym_from, code_url_from, publication_year, valid_acronym, venue_from
from triagebot.triage.venues import normalise_venue, venues_in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Accepted to CVPR 2025", [("CVPR", 2025)]),
        (
            "10 pages. Accepted to the ICCV 2025 Workshop on Vision-based InduStrial InspectiON",
            [("ICCVW", 2025)],
        ),
        ("The paper is accepted by ACM MM' 25", [("ACM MM", 2025)]),
        ("Accepted by IEEE International Conference on Multimedia & Expo (ICME) 2025", [("ICME", 2025)]),
        ("IEEE Transactions on Image Processing, vol. 30, 2021", [("TIP", 2021)]),
        ("NeurIPS 2019 camera ready", [("NeurIPS", 2019)]),
        ("NIPS 2018 Workshop ViGIL", [("NeurIPSW", 2018)]),
        ("Submitted to NeurIPS 2025", []),
        ("Under review at CVPR 2026; 12 pages", []),
        ("9 pages, 4 figures", []),
    ],
)
def test_venues_in_comments(text: str, expected: list[tuple[str, int]]) -> None:
    assert [(v.venue, v.year) for v in venues_in(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cvpr", "CVPR"),
        ("CVPRW", "CVPRW"),
        ("NIPS", "NeurIPS"),
        ("ECCV Workshops", "ECCVW"),
        ("arXiv", "arXiv"),
    ],
)
def test_normalise_venue(text: str, expected: str) -> None:
    assert normalise_venue(text) == expected


def test_unknown_venue_is_none() -> None:
    assert normalise_venue("Journal of Things") is None


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        ("VERA: Explainable Video Anomaly Detection via Verbalized Learning", "", "VERA"),
        ("AA-CLIP: Enhancing Zero-Shot Anomaly Detection", "", "AA-CLIP"),
        ("Towards Training-free Anomaly Detection", "In this paper we propose LogSAD, a method.", "LogSAD"),
        ("A study", "We present a framework, named UniVAD, for few-shot anomaly detection.", "UniVAD"),
        ("A study of things", "We propose a new method for anomaly detection.", None),
        ("CLIP: not ours", "", None),
        (
            "Harnessing Large Language Models for Training-free Video Anomaly Detection",
            "Video anomaly detection (VAD) locates abnormal events. In this paper, we propose "
            "LAnguage-based VAD (LAVAD), a method tackling VAD in a training-free paradigm.",
            "LAVAD",
        ),
        ("A study", "Zero-shot Anomaly Detection (ZSAD) is hard. Our results are strong.", None),
        ("A study", "We propose PatchLens, a training-free method.", "PatchLens"),
        ("A study", "We propose a method built on VAEs for anomaly detection.", None),
    ],
)
def test_acronym_from(title: str, abstract: str, expected: str | None) -> None:
    assert acronym_from(make_paper(title=title, abstract=abstract)) == expected


@pytest.mark.parametrize("name", ["VERA", "AA-CLIP", "SAA+", "X1"])
def test_valid_acronyms(name: str) -> None:
    assert valid_acronym(name)


@pytest.mark.parametrize("name", ["", "Memory AD", "-lead", "A" * 21, "evil<script>", "x/y"])
def test_invalid_acronyms(name: str) -> None:
    assert not valid_acronym(name)


def test_venue_and_code_from_a_comment() -> None:
    paper = make_paper(comment="Accepted at CVPR 2024. Code: https://github.com/lucazanella/lavad")
    match = venue_from(paper)
    assert match is not None and (match.venue, match.year) == ("CVPR", 2024)
    assert code_url_from(paper) == "https://github.com/lucazanella/lavad"


def test_code_url_only_from_code_hosts_in_the_paper() -> None:
    paper = make_paper(
        abstract="Project page http://example.org/proj. Code: https://github.com/a/b.",
        comment="weights at https://huggingface.co/org/model",
    )
    assert code_url_from(paper) == "https://github.com/a/b"
    assert code_url_from(make_paper(abstract="see http://evil.example/x")) is None


def test_venue_from_prefers_journal_ref_and_year_from_dates() -> None:
    paper = make_paper(comment="Accepted to CVPR 2024", journal_ref="IEEE TPAMI 2025")
    match = venue_from(paper)
    assert match is not None and (match.venue, match.year) == ("TPAMI", 2025)
    assert publication_year(make_paper("2503.19357")) == 2025
    assert publication_year(make_paper(published=datetime(2024, 12, 31, tzinfo=UTC))) == 2024


def test_prefilter_keeps_every_labeled_relevant_paper_and_drops_plain_negatives() -> None:
    rows = labeled_rows()
    papers = labeled_papers(LABELED)
    relevant = [p for p in papers if rows[p.arxiv_id]["label"] == "relevant"]
    assert len(relevant) == 25
    assert [p.arxiv_id for p in relevant if not prefilter(p)] == []  # recall 25/25
    dropped = [
        rows[p.arxiv_id]["negative_kind"]
        for p in papers
        if rows[p.arxiv_id]["label"] == "irrelevant" and not prefilter(p)
    ]
    assert len(dropped) >= 30  # generic CV, logs, fraud, time series … never reach the model
    assert "generic-CV" in dropped and "log-or-network-AD" in dropped
    assert "relevant" not in dropped


def test_prefilter_examples() -> None:
    assert not prefilter(make_paper(title="Faster object detection", abstract="We detect cars in images."))
    assert not prefilter(
        make_paper(title="Log anomaly detection", abstract="We parse system logs with LLMs.")
    )
    assert prefilter(
        make_paper(title="Zero-shot anomaly segmentation", abstract="CLIP finds defects in images.")
    )
