"""Parsing a list: section paths, entry fields, learned style, section specs; never raises."""

from __future__ import annotations

import random

import pytest

from triagebot.awesome import Document, parse, style_from_example
from triagebot.awesome.document import heading_name
from triagebot.errors import ListError

XAD_SECTIONS = [
    "Explainable 2D Anomaly Detection Methods / Image+Video / Attention-based",
    "Explainable 2D Anomaly Detection Methods / Image+Video / Generative-model-based",
    "Explainable 2D Anomaly Detection Methods / Image / Attention-based",
    "Explainable 2D Anomaly Detection Methods / Image / Input-perturbation-based",
    "Explainable 2D Anomaly Detection Methods / Image / Generative-model-based",
    "Explainable 2D Anomaly Detection Methods / Image / Foundation-model-based",
    "Explainable 2D Anomaly Detection Methods / Video / Attention-based",
    "Explainable 2D Anomaly Detection Methods / Video / Reasoning-based",
    "Explainable 2D Anomaly Detection Methods / Video / Intrinsic interpretable",
    "Explainable 2D Anomaly Detection Methods / Video / Memory-based",
]


@pytest.fixture
def xad(awesome_xad_text: str) -> Document:
    return parse(awesome_xad_text)


def test_sections_are_heading_paths_without_decoration(xad: Document) -> None:
    with_entries = [s.path for s in xad.sections if s.entries]
    assert with_entries == XAD_SECTIONS
    video = xad.section("Video / Reasoning-based")
    assert video.path == "Explainable 2D Anomaly Detection Methods / Video / Reasoning-based"
    assert (video.title, video.level, video.line) == ("Reasoning-based", 4, 73)
    assert xad.section(video.path) is video
    assert [e.acronym for e in video.entries] == ["Scene-Graph", "CTR", "Interpretable", "VADor-w-LSTC"]


def test_unknown_and_ambiguous_sections_list_candidates(xad: Document) -> None:
    with pytest.raises(ListError, match=r"ambiguous section 'Attention-based'.*Image / Attention-based"):
        xad.section("Attention-based")
    with pytest.raises(ListError, match=r"unknown section 'Audio'.*Video / Memory-based"):
        xad.section("Audio")


def test_every_xad_entry_is_parsed_with_its_fields(xad: Document) -> None:
    assert len(xad.entries) == 53
    assert all(e.parsed for e in xad.entries)
    first = xad.entries[0]
    assert (first.line, first.acronym, first.venue, first.year, first.arxiv_id) == (
        16,
        "AD-FactorVAE",
        "CVPR",
        2020,
        "1911.07389",
    )
    assert first.title == "Towards visually explaining variational autoencoders"
    assert first.links == [
        ("pdf", "https://arxiv.org/pdf/1911.07389.pdf"),
        ("code", "https://github.com/liuem607/expVAE"),
    ]
    assert first.raw.endswith("(https://github.com/liuem607/expVAE) ")


def test_wrapped_entry_is_one_entry_over_two_lines(xad: Document) -> None:
    entry = next(e for e in xad.entries if e.acronym == "Mahalanobis")
    assert (entry.line, entry.end_line) == (32, 33)
    assert entry.title == (
        "A Simple Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks"
    )
    assert entry.raw.count("\n") == 1 and (entry.venue, entry.year) == ("NIPS", 2018)


def test_quirky_entries(xad: Document) -> None:
    by_acronym = {e.acronym: e for e in xad.entries}
    assert by_acronym["CLIP-AD"].links == [("pdf", ""), ("code", "")]
    assert by_acronym["CLIP-AD"].arxiv_id is None
    assert by_acronym["LogicAD"].arxiv_id == "2501.01767"
    assert by_acronym["f-AnoGAN"].venue == "Medical Image Analysis"
    assert by_acronym["f-AnoGAN"].arxiv_id is None
    assert by_acronym["Memory AD"].title == "Learning memory-guided normality for anomaly detection"
    assert by_acronym["AnomalyClip"].arxiv_id == by_acronym["AnomalyCLIP"].arxiv_id == "2310.18961"


def test_datasets_paragraphs_are_not_entries(xad: Document) -> None:
    datasets = [s for s in xad.sections if s.path.startswith("Datasets")]
    assert [s.path for s in datasets] == [
        "Datasets",
        "Datasets / Image",
        "Datasets / Image / Classification datasets for semantic anomaly detection and OOD detection",
        "Datasets / Image / Sensory anomaly detection datasets",
        "Datasets / Video",
    ]
    assert not any(s.entries for s in datasets)


def test_style_is_learned_from_the_list(xad: Document) -> None:
    style = xad.style
    assert style.pdf_link_form == "https://arxiv.org/pdf/{id}.pdf"
    assert (style.bullet, style.pdf_label, style.code_label, style.ordering) == (
        "- ",
        "pdf",
        "code",
        "append",
    )
    assert style.canonical_venue("nips") == "NIPS"
    assert style.canonical_venue("neurips") == "NeurIPS"
    assert style.canonical_venue("ARXIV") == "arXiv"
    assert style.canonical_venue("  Medical   image analysis ") == "Medical Image Analysis"
    assert style.canonical_venue("TPAMI") == "TPAMI"
    assert xad.style is xad.style and xad.index is xad.index


def test_other_styles_are_learned_by_inference() -> None:
    links = parse(
        "# L\n\n## A\n\n"
        "* [Deep One-Class Classification](https://arxiv.org/abs/1802.06360v2) - ICML 2018\n"
        "* [Patch SVDD](http://arxiv.org/abs/2006.16067) - ACCV 2020\n"
        "* [PaDiM](https://arxiv.org/abs/2011.08785) - ICPR 2021\n"
    )
    assert links.style.bullet == "* " and links.style.pdf_link_form == "https://arxiv.org/abs/{id}"
    first = links.entries[0]
    assert (first.title, first.venue, first.year, first.arxiv_id, first.acronym) == (
        "Deep One-Class Classification",
        "ICML",
        2018,
        "1802.06360",
        None,
    )
    plain = parse("## P\n- Some title. CVPR 2023. [paper](https://arxiv.org/pdf/2301.00001v3)\n")
    entry = plain.entries[0]
    assert (entry.title, entry.venue, entry.year, entry.arxiv_id) == (
        "Some title",
        "CVPR",
        2023,
        "2301.00001",
    )
    assert plain.style.pdf_link_form == "https://arxiv.org/pdf/{id}"


def test_entries_that_do_not_fit_are_kept_and_marked() -> None:
    text = (
        "## S\n"
        "- **[A]** One. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)\n"
        "- **[B]** Two. | **CVPR 2021** | [[pdf]](https://arxiv.org/pdf/2101.00001.pdf)\n"
        "- see also [this other list](https://github.com/x/awesome) for more, it is great\n"
    )
    doc = parse(text)
    assert [e.parsed for e in doc.entries] == [True, True, False]
    assert (
        doc.entries[2].raw
        == "- see also [this other list](https://github.com/x/awesome) for more, it is great"
    )
    assert doc.render() == text


def test_style_can_be_configured_with_an_example_line() -> None:
    style = style_from_example("1. *Title* (CVPR 2020) [PDF](https://arxiv.org/abs/2001.00001)")
    doc = parse("## S\n1. *Old paper* (ICCV 2019) [PDF](https://arxiv.org/abs/1901.00001)\n", style=style)
    entry = doc.entries[0]
    assert (entry.title, entry.venue, entry.year, entry.parsed) == ("Old paper", "ICCV", 2019, True)


def test_heading_decoration() -> None:
    assert heading_name("[Video]") == "Video"
    assert heading_name("- Reasoning-based") == "Reasoning-based"
    assert heading_name("🔥 **Methods** 🔥") == "Methods"
    assert heading_name("[Links](#links) and `code`") == "Links and code"
    assert (
        heading_name("Awesome-XAD [![Awesome](https://x/badge.svg)](https://github.com/x)") == "Awesome-XAD"
    )
    assert heading_name("C++") == "C++"
    assert heading_name("🚀") == "🚀"


def test_section_specs(xad: Document) -> None:
    specs = xad.section_specs({"Video / Memory-based": "memory of normal prototypes"}, max_examples=2)
    paths = [s.path for s in specs]
    assert paths[:10] == XAD_SECTIONS
    assert "Datasets / Video" in paths and "Explainable 2D Anomaly Detection Methods" not in paths
    memory = specs[9]
    assert memory.description == "memory of normal prototypes"
    assert memory.examples == (
        "Memory AD: Learning memory-guided normality for anomaly detection",
        "DLAN-AC: Dynamic local aggregation network with adaptive clusterer for anomaly detection",
    )
    with pytest.raises(ListError, match="unknown section 'Audio'"):
        xad.section_specs({"Audio": "x"})


def test_table_of_contents_is_not_offered() -> None:
    doc = parse("# T\n## Contents\n- [A](#a)\n## A\n- [P](https://arxiv.org/abs/2001.00001) - CVPR 2020\n")
    assert [s.path for s in doc.section_specs()] == ["A"]
    assert len(doc.entries) == 1


ALPHABET = [
    "#",
    "-",
    "*",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "[",
    "]",
    "(",
    ")",
    "|",
    "`",
    "~",
    "<",
    ">",
    "\\",
    "!",
    "_",
    "=",
    "a",
    "1",
    "2020",
    "é",
    "🚀",
    "\u200b",
    "\x00",
    "\ufeff",
    "https://arxiv.org/abs/2001.00001",
]


def test_parse_never_raises_and_round_trips_on_random_text() -> None:
    rng = random.Random(20250820)
    for _ in range(400):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80)))
        doc = parse(text)
        assert doc.render() == text
        for entry in doc.entries:
            assert entry.raw in text
