"""The pure parts of ``triagebot verify``: title agreement (near misses both ways) and the in-place
arXiv id edit on every link form."""

from __future__ import annotations

import pytest

from tests.verify_world import original_list
from triagebot.awesome import parse
from triagebot.verify.links import links_to, replace_arxiv_id
from triagebot.verify.titles import title_query, titles_agree

AGREE = [
    # case, punctuation, final period
    ("Eval: Explainable video anomaly localization.", "EVAL: Explainable Video Anomaly Localization"),
    # the list drops arXiv's "NAME:" prefix
    (
        "Real-time unsupervised anomaly detection with localization via conditional normalizing flows.",
        "CFLOW-AD: Real-time Unsupervised Anomaly Detection with Localization via Conditional "
        "Normalizing Flows",
    ),
    # hyphenation
    (
        "Towards visually explaining variational autoencoders.",
        "Towards Visually Explaining Variational Auto-Encoders",
    ),
    # a typo
    (
        "Backpropogated gradient representations for anomaly detection.",
        "Backpropagated Gradient Representations for Anomaly Detection",
    ),
    # shortened: the list keeps the main title, arXiv has a subtitle
    (
        "Segment Any Anomaly without Training",
        "Segment Any Anomaly without Training via Hybrid Prompt Regularization",
    ),
    # an older version's title: one word changed in a long title
    (
        "Toward generalist anomaly detection via in-context residual learning with few-shot prompts",
        "Toward Generalist Anomaly Detection via In-context Residual Learning with Few-shot Sample Prompts",
    ),
    # LaTeX in arXiv's title
    ("Diffusion models for medical anomaly detection", "Diffusion Models for Medical Anomaly Detection$^{}$"),
]

DISAGREE = [
    # same field, many shared words: real Awesome-XAD neighbours
    (
        "Towards Zero-Shot Anomaly Detection and Reasoning with Multimodal Large Language Models.",
        "Towards Training-free Anomaly Detection with Vision and Language Foundation Models",
    ),
    (
        "Likelihood Ratios for Out-of-Distribution Detection.",
        "Likelihood Regret: An Out-of-Distribution Detection Score For Variational Auto-encoder",
    ),
    (
        "AnomalyGPT: Detecting Industrial Anomalies Using Large Vision-Language Models.",
        "Myriad: Large Multimodal Model by Applying Vision Experts for Industrial Anomaly Detection",
    ),
    # one decisive word differs in a short title
    ("Zero-shot anomaly detection with CLIP", "Few-shot anomaly detection with CLIP"),
    # only the acronym left: too little to agree on
    ("FastFlow: Unsupervised Anomaly Detection and Localization via 2D Normalizing Flows.", "FastFlow"),
    # arXiv's record whose title is literally "0" (a real recording)
    ("Attention guided anomaly localization in images.", "0"),
]


@pytest.mark.parametrize(("listed", "arxiv"), AGREE)
def test_titles_that_name_the_same_paper_agree(listed: str, arxiv: str) -> None:
    assert titles_agree(listed, arxiv)
    assert titles_agree(arxiv, listed)


@pytest.mark.parametrize(("listed", "arxiv"), DISAGREE)
def test_titles_of_different_papers_do_not_agree(listed: str, arxiv: str) -> None:
    assert not titles_agree(listed, arxiv)
    assert not titles_agree(arxiv, listed)


def test_title_query_uses_ti_terms_of_content_words() -> None:
    assert title_query("Likelihood Ratios for Out-of-Distribution Detection.") == (
        "ti:likelihood AND ti:ratios AND ti:out AND ti:distribution AND ti:detection"
    )
    long = "A very long title with many many distinctive words about anomaly detection in industrial images"
    assert (title_query(long) or "").count("ti:") == 8
    assert title_query("A of the") is None


# ------------------------------------------------------------------ the in-place id edit

FORMS = [
    ("https://arxiv.org/pdf/1911.07389.pdf", "https://arxiv.org/pdf/2001.01234.pdf"),
    ("https://arxiv.org/pdf/1911.07389", "https://arxiv.org/pdf/2001.01234"),
    ("https://arxiv.org/pdf/1911.07389v2.pdf", "https://arxiv.org/pdf/2001.01234.pdf"),
    ("https://arxiv.org/abs/1911.07389", "https://arxiv.org/abs/2001.01234"),
    ("http://arxiv.org/abs/1911.07389v3", "http://arxiv.org/abs/2001.01234"),
    ("https://export.arxiv.org/abs/1911.07389", "https://export.arxiv.org/abs/2001.01234"),
    ("https://www.arxiv.org/html/1911.07389v1", "https://www.arxiv.org/html/2001.01234"),
    ("arxiv.org/abs/1911.07389", "arxiv.org/abs/2001.01234"),
    (
        "https://arxiv.org/ftp/arxiv/papers/1911/1911.07389.pdf",
        "https://arxiv.org/ftp/arxiv/papers/2001/2001.01234.pdf",
    ),
]


@pytest.mark.parametrize(("before", "after"), FORMS)
def test_every_link_form_gets_the_new_id_and_keeps_its_form(before: str, after: str) -> None:
    line = f"- **[X]** Title. | **CVPR 2020** | [[pdf]]({before}) [[code]](https://github.com/a/b) \r\n"
    assert replace_arxiv_id(line, "1911.07389", "2001.01234") == line.replace(before, after)


def test_other_ids_labels_and_longer_ids_are_left_alone() -> None:
    line = (
        "* [arXiv:1911.07389](https://arxiv.org/abs/1911.07389) "
        "[other](https://arxiv.org/abs/1911.07380) [longer](https://arxiv.org/abs/1911.073891)\n"
    )
    edited = replace_arxiv_id(line, "1911.07389", "2001.01234")
    assert edited == line.replace("abs/1911.07389)", "abs/2001.01234)")
    assert links_to(edited, "2001.01234") == 1 and links_to(edited, "1911.07380") == 1


def test_old_style_ids_are_replaced_too() -> None:
    line = "- [Old](https://arxiv.org/abs/hep-th/9901001v1)"
    assert (
        replace_arxiv_id(line, "hep-th/9901001", "2001.01234") == "- [Old](https://arxiv.org/abs/2001.01234)"
    )
    with pytest.raises(ValueError, match="not arXiv ids"):
        replace_arxiv_id(line, "nonsense", "2001.01234")


def test_every_awesome_xad_entry_line_changes_only_in_its_id() -> None:
    text = original_list()
    for entry in parse(text).entries:
        if not entry.arxiv_id or "/" in entry.arxiv_id:
            continue
        edited = replace_arxiv_id(entry.raw, entry.arxiv_id, "2999.99999")
        assert edited.replace("2999.99999", entry.arxiv_id) == entry.raw
        assert links_to(edited, entry.arxiv_id) == 0
