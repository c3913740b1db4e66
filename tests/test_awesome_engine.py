"""The list engine on CommonMark: what is content, what entries are, each section's own style."""

from __future__ import annotations

import pytest

from tests.list_helpers import added_only
from triagebot.awesome import insert_entry, lint, parse
from triagebot.awesome.template import NewEntry
from triagebot.errors import ListError

NEW = NewEntry(
    title="A new paper on video anomalies",
    arxiv_id="2406.12235",
    acronym="NEWVAD",
    venue="CVPR",
    year=2025,
    month=6,
    code_url="https://github.com/o/newvad",
    authors=("Ada Lovelace", "Alan Turing"),
)


def _insert(text: str, section: str, new: NewEntry = NEW) -> tuple[str, str]:
    _, entry, _ = parse(text).plan(section, new)
    return entry, insert_entry(text, section, entry)


@pytest.mark.parametrize("opener", ["<!--", "<!---", "<!-- "])
def test_comments_of_every_form_hide_headings_and_entries(opener: str) -> None:
    text = (
        "# L\n\n"
        f"{opener} ## Hidden 2024\n"
        "- [Hidden paper](https://arxiv.org/abs/2401.00001) [[code]](https://github.com/o/h)\n"
        "-->\n\n"
        "## Shown\n"
        "- [Shown paper](https://arxiv.org/abs/2401.00002)\n"
        "<!-- ## Hidden at the end\n"
        "- [Another hidden](https://arxiv.org/abs/2401.00003)\n"
        "-->\n"
    )
    doc = parse(text)
    assert [s.path for s in doc.sections] == ["L", "Shown"]
    assert [e.title for e in doc.entries] == ["Shown paper"]
    with pytest.raises(ListError):
        doc.section("Hidden 2024")
    entry, new = _insert(text, "Shown")
    lines = new.splitlines()
    assert lines.index(entry) == lines.index("- [Shown paper](https://arxiv.org/abs/2401.00002)") + 1
    assert lines.index(entry) < lines.index("<!-- ## Hidden at the end")
    # a paper only named inside a comment is still one the list names
    assert doc.index.find(arxiv_id="2401.00003") is not None


def test_an_inline_html_line_does_not_swallow_the_headings_after_it() -> None:
    text = (
        "# Classification\n"
        '<a name="Classification"></a>\n'
        "1. [2023 ICCV] **First paper here** [[paper]](https://arxiv.org/abs/2301.00001)\n"
        "## Segmentation\n"
        '<a name="Segmentation"></a>\n'
        "1. [2024 CVPR] **Second paper here** [[paper]](https://arxiv.org/abs/2401.00001)\n"
    )
    doc = parse(text)
    # a lone level-1 heading is the list's title: its subsections are named without it
    assert [s.path for s in doc.sections] == ["Classification", "Segmentation"]
    assert [len(s.entries) for s in doc.sections] == [1, 1]


def test_html_blocks_fences_and_details_are_handled_as_commonmark_does() -> None:
    text = (
        "## Papers\n\n"
        '<div align="center">\n'
        "## not a heading inside html\n"
        "- [not an entry](https://arxiv.org/abs/2001.00001)\n"
        "</div>\n\n"
        "```\n## not a heading in a fence\n```\n\n"
        "<details>\n<summary>Older</summary>\n\n"
        "- [Inside details](https://arxiv.org/abs/2001.00002)\n\n"
        "</details>\n"
    )
    doc = parse(text)
    assert [s.path for s in doc.sections] == ["Papers"]
    assert [e.title for e in doc.entries] == ["Inside details"]


def test_setext_headings_are_sections() -> None:
    text = "Methods\n=======\n\nVideo\n-----\n- [A video paper](https://arxiv.org/abs/2001.00001)\n"
    doc = parse(text)
    assert [s.path for s in doc.sections] == ["Methods", "Video"]
    assert doc.section("Video").entries[0].title == "A video paper"


def test_bom_crlf_and_no_final_newline_survive_a_multi_line_insertion() -> None:
    text = (
        "\ufeff## Others\r\n\r\n"
        "**First paper title.**<br>\r\n*Ann Author, Bob Author.*<br>\r\nCVPR 2022. [[PDF](https://arxiv.org/abs/2201.00001)]\r\n\r\n"
        "**Second paper title.**<br>\r\n*Cy Author, Di Author.*<br>\r\nECCV 2021. [[PDF](https://arxiv.org/abs/2101.00001)]\r\n\r\n"
        "**Third paper title.**<br>\r\n*Ed Author.*<br>\r\nICCV 2019. [[PDF](https://arxiv.org/abs/1901.00001)]"
    )
    entry, new = _insert(text, "Others")
    assert new.startswith("\ufeff## Others\r\n") and new.count("\n") == new.count("\r\n")
    assert entry.split("\n") == [
        "**A new paper on video anomalies.**<br>",
        "*Ada Lovelace, Alan Turing.*<br>",
        "CVPR 2025. [[PDF](https://arxiv.org/abs/2406.12235)]",
    ]
    # newest first: before the 2022 paper, a blank line between entries, nothing else changed
    assert new.index("A new paper") < new.index("First paper title")
    assert [line for line in added_only(text, new) if line.strip()] == entry.split("\n")
    assert not new.endswith("\n")


def test_numbered_items_continue_their_sequence() -> None:
    text = (
        "## Papers\n"
        "1. [2023 ICCV] **First paper title** [[paper]](https://arxiv.org/abs/2301.00001)\n"
        "2. [2024 CVPR] **Second paper title** [[paper]](https://arxiv.org/abs/2401.00001)\n"
        "3) [2024 CVPR] **Third paper title** [[paper]](https://arxiv.org/abs/2402.00001)\n"
    )
    assert not [p for p in lint(text, "x.md") if p.code == "bullet" and "2." in p.message]
    entry, new = _insert(text, "Papers")
    assert entry.startswith("4) [2025 CVPR] **A new paper on video anomalies** [[paper]](")
    assert new.endswith(entry + "\n")


def test_table_rows_are_entries_and_new_rows_fill_the_tables_columns() -> None:
    badge = "[![arXiv](https://img.shields.io/badge/arXiv-b31b1b.svg)]"
    text = (
        "### Video Understanding\n\n"
        "| Title | arXiv | Code | Date |\n|---|---|---|---|\n"
        f"| [Paper one title](https://arxiv.org/abs/2403.00001) | {badge}(https://arxiv.org/abs/2403.00001)"
        " | - | Mar., 2024 |\n"
        f"| [Paper two title](https://arxiv.org/abs/2402.00001) | {badge}(https://arxiv.org/abs/2402.00001)"
        " | [![Star](https://img.shields.io/github/stars/o/two.svg)](https://github.com/o/two)"
        " | Feb., 2024 |\n"
        f"| [Paper three title](https://arxiv.org/abs/2312.00001) | {badge}(https://arxiv.org/abs/2312.00001)"
        " | - | Dec., 2023 |\n"
    )
    doc = parse(text)
    assert [e.title for e in doc.entries] == ["Paper one title", "Paper two title", "Paper three title"]
    assert doc.index.find(arxiv_id="2402.00001") is doc.entries[1]
    entry, new = _insert(text, "Video Understanding", NewEntry(**{**NEW.__dict__, "code_url": None}))
    assert entry == (
        "| [A new paper on video anomalies](https://arxiv.org/abs/2406.12235) | "
        f"{badge}(https://arxiv.org/abs/2406.12235) | - | Jun., 2025 |"
    )
    assert new.splitlines()[4] == entry  # newest first: the first row


def test_nested_sub_bullets_belong_to_their_parent() -> None:
    text = (
        "## Papers\n"
        "- [Parent paper title](https://arxiv.org/abs/2001.00001)\n"
        "  - [code](https://github.com/o/parent)\n"
        "  - [Slides of the talk](https://arxiv.org/abs/2001.00009)\n"
        "- [Next paper title](https://arxiv.org/abs/2001.00002)\n"
    )
    doc = parse(text)
    assert [(e.title, e.line, e.end_line) for e in doc.entries] == [
        ("Parent paper title", 2, 4),
        ("Next paper title", 5, 5),
    ]
    assert ("code", "https://github.com/o/parent") in doc.entries[0].links


def test_code_span_titles_and_venues_are_read() -> None:
    doc = parse(
        "## P\n- `Deep One-Class Classification` [pdf](https://arxiv.org/abs/1801.00001) `ICML 2018`\n"
    )
    (entry,) = doc.entries
    assert (entry.title, entry.venue, entry.year) == ("Deep One-Class Classification", "ICML", 2018)
    assert doc.index.find(title="Deep one-class classification") is entry


def test_escaping_is_minimal() -> None:
    text = "## P\n- [Some paper title](https://arxiv.org/abs/2001.00001) - CVPR 2020\n"
    new = NewEntry(
        title="VERA: Explainable Vision-Language anomaly detection", arxiv_id="2412.01095", year=2025
    )
    _, entry, _ = parse(text).plan("P", new)
    link = "[VERA: Explainable Vision-Language anomaly detection](https://arxiv.org/abs/2412.01095)"
    assert entry == f"- {link} - arXiv 2025"


def test_a_section_without_a_common_style_is_refused_in_one_line() -> None:
    text = (
        "## Mixed\n"
        "- [One paper title](https://arxiv.org/abs/2001.00001) - CVPR 2020\n"
        "- **[TWO]** Two paper title. | **ICCV 2021** | [[pdf]](https://arxiv.org/abs/2101.00001)\n"
        "- Three paper title [[ECCV 2022]](https://arxiv.org/abs/2201.00001)\n"
        "- `Four paper title` [paper](https://arxiv.org/abs/2301.00001) (2023)\n"
    )
    with pytest.raises(ListError, match=r"section 'Mixed': its 4 entries share no one style") as err:
        parse(text).plan("Mixed", NEW)
    assert "\n" not in str(err.value)


def test_an_acronym_equal_after_latex_is_flagged() -> None:
    doc = parse(
        "## P\n- **[SLA$^2$P]** Self-supervised anomaly. | **TNNLS 2021** | [[pdf]](https://arxiv.org/abs/2111.00001)\n"
    )
    found = doc.index.find_acronym("SLA2P")
    assert found is not None and found.line == 2


def test_arxiv_links_in_every_form_are_one_paper() -> None:
    text = (
        "## P\n"
        "- One paper title | [pdf](https://arxiv.org/ftp/arxiv/papers/2101/2101.12382.pdf)\n"
        "- Two paper title | [pdf](https://arxiv.org/pdf/2102.00001v3.pdf)\n"
        "- Three paper title | [pdf](http://export.arxiv.org/abs/2103.00001)\n"
        "\nSome prose that links [a dataset](https://arxiv.org/abs/1708.07747).\n"
    )
    index = parse(text).index
    assert all(index.find(arxiv_id=i) for i in ("2101.12382", "2102.00001", "2103.00001", "1708.07747"))


THREE = ("First paper title here", "Second paper title here", "Third paper title here")


def _section(lines: list[str]) -> str:
    return "# L\n\n## S\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        (
            "anchor-prefix",
            [
                '- <span id="p1"></span>[First paper title here](https://arxiv.org/abs/2101.00001)'
                " (CVPR 2021)",
                '- <a id="p2"></a>[Second paper title here](https://arxiv.org/abs/2102.00001) (ICCV 2021)',
                '- <a id="p3"></a>[Third paper title here](https://arxiv.org/abs/2103.00001) (ECCV 2022)',
            ],
            "- [A new paper on video anomalies](https://arxiv.org/abs/2406.12235) (CVPR 2025)",
        ),
        (
            "emoji",
            [
                "- :star: **First paper title here** [[paper]](https://arxiv.org/abs/2101.00001) "
                "[[code]](https://github.com/a/b)",
                "- 🔥 **Second paper title here** [[paper]](https://arxiv.org/abs/2102.00001)",
                "- **Third paper title here** [[paper]](https://arxiv.org/abs/2103.00001)",
            ],
            "- **A new paper on video anomalies** [[paper]](https://arxiv.org/abs/2406.12235) "
            "[[code]](https://github.com/o/newvad)",
        ),
        (
            "venue-first",
            [
                "- (CVPR 2021) [First paper title here](https://arxiv.org/abs/2101.00001)",
                "- (ICCV 2021) [Second paper title here](https://arxiv.org/abs/2102.00001)",
                "- (ECCV 2022) [Third paper title here](https://arxiv.org/abs/2103.00001)",
            ],
            "- (CVPR 2025) [A new paper on video anomalies](https://arxiv.org/abs/2406.12235)",
        ),
        (
            "plain-authors",
            [
                "* **First paper title here** - A. Author, B. Author. *CVPR 2021*. "
                "[[Paper]](https://arxiv.org/abs/2101.00001) [[Code]](https://github.com/a/b)",
                "* **Second paper title here** - C. Author. *ICCV 2021*. "
                "[[Paper]](https://arxiv.org/abs/2102.00001)",
                "* **Third paper title here** - D. Author, E. Author. *ECCV 2022*. "
                "[[Paper]](https://arxiv.org/abs/2103.00001)",
            ],
            "* **A new paper on video anomalies** - Ada Lovelace, Alan Turing. *CVPR 2025*. "
            "[[Paper]](https://arxiv.org/abs/2406.12235) [[Code]](https://github.com/o/newvad)",
        ),
        (
            "year-and-venue-columns",
            [
                "| Year | Venue | Title | Code |",
                "|---|---|---|---|",
                "| 2021 | ICCV | [First paper title here](https://arxiv.org/abs/2101.00001) "
                "| [code](https://github.com/a/b) |",
                "| 2021 | ICCV | [Second paper title here](https://arxiv.org/abs/2102.00001) | - |",
                "| 2022 | ECCV | [Third paper title here](https://arxiv.org/abs/2103.00001) | - |",
            ],
            "| 2025 | CVPR | [A new paper on video anomalies](https://arxiv.org/abs/2406.12235) "
            "| [code](https://github.com/o/newvad) |",
        ),
        (
            "venue-link-first",
            [
                "- [[CVPR 2021](https://arxiv.org/abs/2101.00001)] First paper title here",
                "- [[ICCV 2021](https://arxiv.org/abs/2102.00001)] Second paper title here",
                "- [[ECCV 2022](https://arxiv.org/abs/2103.00001)] Third paper title here",
            ],
            "- [[CVPR 2025](https://arxiv.org/abs/2406.12235)] A new paper on video anomalies",
        ),
        (
            "quoted-numbered",
            [
                '1) "First paper title here", CVPR 2021. [pdf](https://arxiv.org/pdf/2101.00001)',
                '2) "Second paper title here", ICCV 2021. [pdf](https://arxiv.org/pdf/2102.00001)',
                '3) "Third paper title here", ECCV 2022. [pdf](https://arxiv.org/pdf/2103.00001)',
            ],
            '4) "A new paper on video anomalies", CVPR 2025. [pdf](https://arxiv.org/pdf/2406.12235)',
        ),
    ],
)
def test_other_common_forms(name: str, lines: list[str], expected: str) -> None:
    doc = parse(_section(lines))
    assert [e.title for e in doc.entries] == list(THREE), name
    if name != "emoji":
        assert [e.year for e in doc.entries] == [2021, 2021, 2022]
    _, entry, _ = doc.plan("S", NEW)
    assert entry == expected


def test_words_of_one_entry_never_reach_a_new_one() -> None:
    lines = [
        "- [First paper title here](https://arxiv.org/abs/2101.00001) CVPR 2021, oral by Smith",
        "- [Second paper title here](https://arxiv.org/abs/2102.00001) ICCV 2021, poster by Jones",
        "- [Third paper title here](https://arxiv.org/abs/2103.00001) ECCV 2022, spotlight by Wu",
    ]
    with pytest.raises(ListError, match="hold text of their own that the bot cannot fill"):
        parse(_section(lines)).plan("S", NEW)


def test_an_entry_after_an_html_block_is_not_swallowed_by_it() -> None:
    text = (
        "# L\n\n## Papers\n"
        "- [A paper title here](https://arxiv.org/abs/2001.00001) - CVPR 2020\n\n"
        "## Empty\n"
        '<p align="center">\n  <img src="x.png">\n</p>\n\n'
        "## Next\n"
    )
    entry, new = _insert(text, "Empty")
    assert (
        "</p>\n\n- [A new paper on video anomalies](https://arxiv.org/abs/2406.12235) - CVPR 2025\n\n## Next"
        in new
    )
    assert parse(new).section("Empty").entries[0].raw == entry


def test_soft_wrapped_paragraph_entries_but_not_prose() -> None:
    papers = "".join(
        f"**{name} paper title.**\n*Ann Author, Bob Author.*\n{venue}. [[PDF](https://arxiv.org/abs/{ident})]\n\n"
        for name, venue, ident in (
            ("First", "CVPR 2022", "2201.00001"),
            ("Second", "ECCV 2021", "2101.00001"),
            ("Third", "ICCV 2019", "1901.00001"),
        )
    )
    prose = "This list is kept by [me](https://github.com/me) and\nupdated weekly from [arXiv](https://arxiv.org/list/cs.CV).\n"
    doc = parse("## Others\n\n" + papers + prose)
    assert [(e.title, e.year) for e in doc.entries] == [
        ("First paper title", 2022),
        ("Second paper title", 2021),
        ("Third paper title", 2019),
    ]
    _, entry, blank = doc.plan("Others", NEW)
    assert blank and entry.split("\n") == [
        "**A new paper on video anomalies.**",
        "*Ada Lovelace, Alan Turing.*",
        "CVPR 2025. [[PDF](https://arxiv.org/abs/2406.12235)]",
    ]
