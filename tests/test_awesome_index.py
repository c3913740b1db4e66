"""Looking up an entry by arXiv id (any link form, any version) or by a (nearly) identical title."""

from __future__ import annotations

import pytest

from triagebot.awesome import Document, EntryIndex, parse, title_key


@pytest.fixture
def xad(awesome_xad_text: str) -> Document:
    return parse(awesome_xad_text)


@pytest.mark.parametrize(
    "ident",
    [
        "2310.18961",
        "2310.18961v3",
        "arXiv:2310.18961v1",
        "https://arxiv.org/abs/2310.18961",
        "http://arxiv.org/pdf/2310.18961v2.pdf",
        "https://arxiv.org/pdf/2310.18961",
    ],
)
def test_find_by_any_id_form(xad: Document, ident: str) -> None:
    entry = xad.index.find(arxiv_id=ident)
    assert entry is not None and entry.acronym == "AnomalyCLIP" and entry.line == 51


@pytest.mark.parametrize(
    "title",
    [
        "Towards visually explaining variational autoencoders",
        "TOWARDS VISUALLY EXPLAINING VARIATIONAL AUTOENCODERS.",
        "Towards  visually\nexplaining variational auto-encoders",  # spacing and an added dash
        "Towards visually explaining variational autoencoders",
        "Towards visualy explaining variational autoencoders",  # one typo
    ],
)
def test_find_by_normalised_title(xad: Document, title: str) -> None:
    entry = xad.index.find(title=title)
    assert entry is not None and entry.acronym == "AD-FactorVAE"


def test_unicode_dashes_and_accents() -> None:
    assert title_key("Zero\u2013Shot “Anomaly” Détection") == title_key("zero-shot anomaly detection")


@pytest.mark.parametrize(
    "title",
    [
        "Towards visually explaining variational autoencoders for video",
        "Attention guided anomaly localization in videos with transformers",
        "Anomaly detection",
        "",
    ],
)
def test_different_papers_are_not_found(xad: Document, title: str) -> None:
    assert xad.index.find(arxiv_id="2599.99999", title=title) is None


def test_wrapped_entry_is_found_by_its_whole_title(xad: Document) -> None:
    entry = xad.index.find(
        title="A Simple Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks"
    )
    assert entry is not None and entry.acronym == "Mahalanobis"


def test_id_wins_over_title(xad: Document) -> None:
    entry = xad.index.find(
        arxiv_id="2002.11297", title="Towards visually explaining variational autoencoders"
    )
    assert entry is not None and entry.acronym == "Generalized-ODIN"


def test_empty_index() -> None:
    assert EntryIndex([]).find(arxiv_id="2001.00001", title="anything at all here") is None
