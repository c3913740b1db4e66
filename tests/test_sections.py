from __future__ import annotations

import pytest

from triagebot.errors import ListError
from triagebot.sections import resolve_name, shortest_unique_suffix

PATHS = [
    "Methods / Image+Video / Attention-based",
    "Methods / Image / Attention-based",
    "Methods / Video / Reasoning-based",
    "Datasets",
]


def test_full_path_and_unique_suffix_name_the_same_section() -> None:
    assert resolve_name("Methods / Video / Reasoning-based", PATHS) == PATHS[2]
    assert resolve_name("Video / Reasoning-based", PATHS) == PATHS[2]
    assert resolve_name("reasoning-based", PATHS) == PATHS[2]
    assert resolve_name("Video/Reasoning-based", PATHS) == PATHS[2]


def test_ambiguous_name_lists_candidates() -> None:
    with pytest.raises(ListError, match=r"ambiguous.*Image / Attention-based"):
        resolve_name("Attention-based", PATHS)


def test_unknown_name_lists_sections() -> None:
    with pytest.raises(ListError, match=r"unknown section 'Audio'.*Datasets"):
        resolve_name("Audio", PATHS)


def test_shortest_unique_suffix() -> None:
    assert shortest_unique_suffix(PATHS[2], PATHS) == "Reasoning-based"
    assert shortest_unique_suffix(PATHS[1], PATHS) == "Image / Attention-based"


def test_a_protected_name_is_matched_part_by_part_like_a_section_name() -> None:
    """One rule for triage, eval and verify: '/' inside a heading splits like the path separator."""
    from triagebot.sections import is_protected

    path = "Methods / Zero-/Few-Shot / Datasets"
    assert is_protected(path, ["Zero-/Few-Shot"])
    assert is_protected(path, ["datasets"]) and is_protected(path, ["few-shot/datasets"])
    assert not is_protected(path, ["Shot"]) and not is_protected(path, [])
