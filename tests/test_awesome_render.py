"""Rendering a new entry in the list's own style: hostile titles read back as one entry, unchanged."""

from __future__ import annotations

import pytest

from triagebot.awesome import Style, parse, render_entry
from triagebot.awesome.text import clean_title
from triagebot.errors import ListError

HOSTILE = [
    "Pipes | in | the **title** | **CVPR 2020**",
    "Brackets ] and [ and [[pdf]](https://evil.example) links",
    "Stars ** and * and __under__ and _lone_ and snake_case",
    "<script>alert('x')</script> & <b>bold</b>",
    "Backticks `code` and ``double``",
    "Newlines\nin\r\nthe title\tand tabs",
    "Right-to-left \u202eevil\u202c and zero\u200bwidth\u200d joiners\ufeff",
    "Arabic كشف الشذوذ and Hebrew זיהוי חריגות",
    "Ends with a venue-like tail, CVPR 2020",
    "Ends with parentheses (ICCV 2021)",
    "Backslash \\ and escaped \\| pipe",
    "Ellipsis at the end...",
    "Control \x07 characters \x1b[31m",
    "{braces} and {title} placeholders",
    "~~strike~~ and $x^2$ math",
]


@pytest.fixture
def style(awesome_xad_text: str) -> Style:
    return parse(awesome_xad_text).style


def test_renders_in_the_list_majority_style(style: Style) -> None:
    line = render_entry(
        style,
        title="Correcting Deviations from Normality",
        arxiv_id="https://arxiv.org/abs/2503.19357v2",
        acronym="DeCo-Diff",
        venue="cvpr",
        year=2025,
        code_url="https://github.com/farzad-bz/DeCo-Diff",
    )
    assert line == (
        "- **[DeCo-Diff]** Correcting Deviations from Normality. | **CVPR 2025** | "
        "[[pdf]](https://arxiv.org/pdf/2503.19357.pdf) [[code]](https://github.com/farzad-bz/DeCo-Diff)"
    )


def test_missing_fields_drop_their_part(style: Style) -> None:
    line = render_entry(
        style, title="T", arxiv_id="2401.00001", acronym=None, venue=None, year=2024, code_url=None
    )
    assert line == "- T. | **arXiv 2024** | [[pdf]](https://arxiv.org/pdf/2401.00001.pdf)"


@pytest.mark.parametrize("title", HOSTILE)
@pytest.mark.parametrize(
    ("acronym", "venue", "year"), [("X|Y]", "CVPR", 2024), (None, None, 2023), (None, None, None)]
)
def test_hostile_titles_parse_back_as_one_entry(
    style: Style, title: str, acronym: str | None, venue: str | None, year: int | None
) -> None:
    line = render_entry(
        style, title=title, arxiv_id="2401.00001", acronym=acronym, venue=venue, year=year, code_url=None
    )
    assert "\n" not in line and "\r" not in line and "\u202e" not in line and "\u200b" not in line
    doc = parse("## S\n" + line + "\n")
    assert len(doc.entries) == 1
    entry = doc.entries[0]
    assert entry.parsed
    assert entry.title == clean_title(title)
    assert (entry.acronym, entry.year, entry.arxiv_id) == (acronym, year, "2401.00001")
    assert entry.venue == (style.canonical_venue(venue or "arXiv") if year else None)


@pytest.mark.parametrize("title", HOSTILE[:6])
def test_hostile_titles_in_another_style(title: str) -> None:
    style = parse("## S\n* [A paper](https://arxiv.org/abs/2001.00001) - ICML 2018\n").style
    line = render_entry(
        style, title=title, arxiv_id="2401.00001", acronym=None, venue="NeurIPS", year=2024, code_url=None
    )
    entry = parse("## S\n" + line + "\n").entries[0]
    assert (entry.title, entry.venue, entry.year, entry.arxiv_id, entry.parsed) == (
        clean_title(title),
        "NeurIPS",
        2024,
        "2401.00001",
        True,
    )


def test_code_url_cannot_break_the_line(style: Style) -> None:
    line = render_entry(
        style,
        title="T",
        arxiv_id="2401.00001",
        acronym=None,
        venue="CVPR",
        year=2024,
        code_url="https://github.com/a/b) [[x]](https://evil.example",
    )
    entry = parse("## S\n" + line + "\n").entries[0]
    assert entry.links == [
        ("pdf", "https://arxiv.org/pdf/2401.00001.pdf"),
        ("code", "https://github.com/a/b%29%20%5B%5Bx%5D%5D%28https://evil.example"),
    ]


def test_bad_input_is_a_list_error(style: Style) -> None:
    with pytest.raises(ListError, match="not an arXiv id"):
        render_entry(style, title="T", arxiv_id="nope", acronym=None, venue=None, year=None, code_url=None)
    with pytest.raises(ListError, match="empty title"):
        render_entry(
            style,
            title=" \u200b\n ",
            arxiv_id="2401.00001",
            acronym=None,
            venue=None,
            year=None,
            code_url=None,
        )


def test_an_empty_list_renders_in_a_default_style() -> None:
    style = parse("").style
    line = render_entry(
        style, title="T", arxiv_id="2401.00001", acronym="A", venue="CVPR", year=2024, code_url=None
    )
    entry = parse(line).entries[0]
    assert (entry.acronym, entry.title, entry.venue, entry.year, entry.arxiv_id) == (
        "A",
        "T",
        "CVPR",
        2024,
        "2401.00001",
    )
