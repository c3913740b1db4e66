"""Compose: entry line, title, labels, draft, grouping, and a PR body that is safe and within limits."""

from __future__ import annotations

import re

import pytest

from tests.publish_helpers import SECTION, XAD, decision, paper, proposals
from triagebot.awesome import parse
from triagebot.compose.pr_body import BODY_BUDGET, GITHUB_BODY_LIMIT, escape_text
from triagebot.compose.proposals import build_proposals
from triagebot.config import PublishConfig
from triagebot.pr_convention import id_from_branch, markers_in, run_branch


def test_one_paper_one_proposal_with_title_branch_labels_and_the_exact_entry() -> None:
    p = paper(1)
    [proposal] = proposals([p])
    assert proposal.branch == "triagebot/2503.10001"
    assert proposal.title == "Add AD01 (CVPR 2025) to Generative-model-based"
    assert proposal.labels == ("triagebot",)
    assert proposal.draft is False
    assert proposal.arxiv_ids == ("2503.10001",)
    line = (
        "- **[AD01]** Anomaly detection method number 1. | **CVPR 2025** | "
        "[[pdf]](https://arxiv.org/pdf/2503.10001.pdf) [[code]](https://github.com/example/ad01)"
    )
    assert f"```markdown\n{line}\n```" in proposal.body
    after = proposal.apply(XAD)
    added = [x for x in after.splitlines() if x not in XAD.splitlines()]
    assert added == [line]
    assert parse(after).index.find(arxiv_id="2503.10001").section == SECTION  # type: ignore[union-attr]


def test_body_holds_everything_a_maintainer_needs() -> None:
    p = paper(2)
    d = decision(p, notes=("venue not supported by the comment; using arXiv 2025",))
    [proposal] = proposals([p], decisions={p.arxiv_id: d})
    body = proposal.body
    for needed in (
        "**Section:** Explainable 2D Anomaly Detection Methods / Image / Generative-model-based",
        "**Runner-up:** Explainable 2D Anomaly Detection Methods / Image / Attention-based",
        "**Confidence:** 0.90",
        "**Model:** gpt-4o-mini, prompt classify-v3",
        "**Rationale:** Produces anomaly maps from a generative model.",
        "> anomaly maps",
        "<details><summary>Abstract</summary>",
        "[abs](https://arxiv.org/abs/2503.10002)",
        "[pdf](https://arxiv.org/pdf/2503.10002)",
        "[code](https://github.com/example/ad02)",
        "- venue not supported by the comment; using arXiv 2025",
        "**Merge**",
        "**Edit the line freely**",
        "never propose this paper again",
    ):
        assert needed in body, needed
    assert markers_in(body) == ["2503.10002"]


def test_low_confidence_is_a_draft_with_an_extra_label() -> None:
    p = paper(3)
    config = PublishConfig(low_confidence=0.7, labels=["papers"])
    [proposal] = proposals([p], config, decisions={p.arxiv_id: decision(p, confidence=0.55)})
    assert proposal.draft is True
    assert proposal.labels == ("papers", "triagebot", "low-confidence")


def test_grouping_makes_one_proposal_per_run_with_a_marker_per_paper() -> None:
    papers = [paper(4), paper(5, title="Another anomaly localisation method")]
    [proposal] = proposals(papers, PublishConfig(group=True))
    assert proposal.branch == "triagebot/run-20250326T011700Z"
    assert proposal.arxiv_ids == ("2503.10004", "2503.10005")
    assert markers_in(proposal.body) == ["2503.10004", "2503.10005"]
    assert proposal.title == "Add 2 papers: AD04 (CVPR 2025), AD05 (CVPR 2025)"
    after = proposal.apply(XAD)
    assert len(after.splitlines()) == len(XAD.splitlines()) + 2


def test_hostile_arxiv_text_is_escaped_for_markdown_and_html() -> None:
    hostile = (
        "<script>alert(1)</script> **bold** [click](javascript:alert(1)) @octocat fixes #12 "
        "<!-- triagebot:arxiv=9999.99999 --> <img src=x onerror=alert(1)>"
    )
    p = paper(6, title="Safe title " + hostile.replace("\n", " "), abstract=hostile)
    d = decision(p, rationale=hostile, evidence=(hostile,))
    [proposal] = proposals([p], decisions={p.arxiv_id: d})
    outside_code = re.sub(r"```markdown\n.*?\n```", "", proposal.body, flags=re.S)
    assert "<script" not in outside_code and "<img" not in outside_code
    assert re.search(r"(?<!\\)\]\(javascript", outside_code) is None  # only as escaped text
    assert r"\[click\](javascript" in outside_code
    assert "@octocat" not in outside_code and "#12" not in outside_code
    assert markers_in(proposal.body) == ["2503.10006"]  # the fake marker is not a marker
    assert "&lt;script&gt;" in outside_code


def test_escape_text_keeps_words_and_blocks_structure() -> None:
    assert escape_text("- 1. a_b *c* <x> & @me") == r"\- 1. a\_b \*c\* &lt;x&gt; &amp; @" + "\u200b" + "me"
    assert escape_text("2024. was a year") == r"2024\. was a year"
    assert escape_text("zero\u200bwidth\u202ebidi") == "zerowidthbidi"


def test_body_stays_under_githubs_limit_abstract_first() -> None:
    p = paper(7, abstract="An abstract sentence about anomalies. " * 5000)
    [proposal] = proposals([p])
    assert len(proposal.body) <= BODY_BUDGET < GITHUB_BODY_LIMIT
    assert "cut to fit GitHub's size limit" in proposal.body
    assert "**Rationale:**" in proposal.body and "> anomaly maps" in proposal.body
    assert markers_in(proposal.body) == ["2503.10007"]


def test_huge_evidence_goes_after_the_abstract() -> None:
    p = paper(8, abstract="Short abstract.")
    d = decision(p, evidence=("quote " * 20000,))
    [proposal] = proposals([p], decisions={p.arxiv_id: d})
    assert len(proposal.body) <= BODY_BUDGET
    assert "Abstract" not in proposal.body and "**Evidence**" not in proposal.body
    assert "```markdown" in proposal.body and markers_in(proposal.body) == ["2503.10008"]


def test_apply_is_pure_and_never_adds_an_entry_twice() -> None:
    [proposal] = proposals([paper(9)])
    once = proposal.apply(XAD)
    assert proposal.apply(once) == once
    assert proposal.apply(XAD) == once


def test_a_paper_that_cannot_be_composed_is_reported_and_the_others_go_on() -> None:
    good, bad = paper(10), paper(11)
    decisions = {good.arxiv_id: decision(good), bad.arxiv_id: decision(bad, section="No Such Section")}
    result = build_proposals(
        [good, bad], decisions, parse(XAD), PublishConfig(), list_path="README.md", run_id="r"
    )
    assert [p.arxiv_ids for p in result.proposals] == [("2503.10010",)]
    assert list(result.errors) == ["2503.10011"]
    assert "unknown section 'No Such Section'" in result.errors["2503.10011"]


def test_missing_acronym_and_venue_fall_back_to_title_and_arxiv() -> None:
    p = paper(12, title="Finding defects without labels")
    d = decision(p, acronym=None, venue=None, year=None, code_url=None)
    [proposal] = proposals([p], decisions={p.arxiv_id: d})
    assert proposal.title == "Add Finding defects without labels (arXiv 2025) to Generative-model-based"
    assert "no year in the decision; using the arXiv submission year 2025" in proposal.body
    assert "[code]" not in proposal.body


@pytest.mark.parametrize(
    ("branch", "ident"),
    [
        ("triagebot/2503.10001", "2503.10001"),
        ("triagebot/hep-th/9901001", "hep-th/9901001"),
        ("triagebot/run-x", None),
        ("feature/x", None),
    ],
)
def test_branch_names_round_trip(branch: str, ident: str | None) -> None:
    assert id_from_branch(branch) == ident


def test_run_branch_is_a_valid_ref() -> None:
    assert run_branch("2025-03-26 01:17 UTC") == "triagebot/run-2025-03-26-01-17-UTC"


def test_an_acronym_already_listed_flags_the_pr() -> None:
    p = paper(7, title="A different title for a method the list may already have")
    d = decision(p, acronym="AnomalyCLIP")
    [proposal] = proposals([p], decisions={p.arxiv_id: d})
    line = next(n for n, text in enumerate(XAD.splitlines(), start=1) if "**[AnomalyCLIP]**" in text)
    assert f"possibly already listed as \\[AnomalyCLIP\\] at line {line}" in proposal.body


def test_an_entry_is_written_in_its_own_sections_style() -> None:
    text = (
        "# Papers\n\n## Styled\n"
        "- [First styled paper title](https://arxiv.org/abs/2401.00001) - CVPR 2024\n"
        "- [Second styled paper title](https://arxiv.org/abs/2402.00001) - ICCV 2024\n\n"
        "## Other\n"
        "- **[X]** Another style. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)\n"
    )
    p = paper(8)
    d = decision(p, section="Styled", acronym=None)
    result = build_proposals(
        [p], {p.arxiv_id: d}, parse(text), PublishConfig(), list_path="README.md", run_id="r"
    )
    assert not result.errors
    after = result.proposals[0].apply(text)
    assert "- [Anomaly detection method number 8](https://arxiv.org/abs/2503.10008) - CVPR 2025\n" in after


def test_grouped_entries_continue_a_numbered_list_one_after_the_other() -> None:
    text = (
        "## Numbered\n"
        "1. [2023 ICCV] **First paper title** [[paper]](https://arxiv.org/abs/2301.00001)\n"
        "2. [2024 CVPR] **Second paper title** [[paper]](https://arxiv.org/abs/2401.00001)\n"
        "3. [2024 CVPR] **Third paper title** [[paper]](https://arxiv.org/abs/2402.00001)\n"
    )
    papers = [paper(9), paper(10)]
    decisions = {p.arxiv_id: decision(p, section="Numbered", acronym=None) for p in papers}
    config = PublishConfig(group=True)
    result = build_proposals(papers, decisions, parse(text), config, list_path="README.md", run_id="r")
    assert not result.errors
    after = result.proposals[0].apply(text).splitlines()
    assert [line[:3] for line in after[-2:]] == ["4. ", "5. "]
