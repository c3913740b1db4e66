"""The list engine on real lists it was not built on (tests/golden_unseen/<case>/).

Each case is a short specimen of a real list (heading and a few entries, byte for byte; its README
names the repository and commit): the new paper lands once, in that section's own style, and a
paper the specimen already names is found. Other tests pin the refusals and readings those lists
needed: a day the paper lacks, an emoji heading, a list whose entries the engine cannot read.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.list_helpers import UNSEEN, added_only, cases, load_case, read
from triagebot.awesome import insert_entry, lint, parse
from triagebot.awesome.template import NewEntry
from triagebot.errors import ListError

CASES = cases(UNSEEN)


def test_there_are_cases() -> None:
    assert len(CASES) >= 7
    assert all((c / "README.md").is_file() and (c / "expected.md").is_file() for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_one_entry_in_the_sections_own_style(case: Path) -> None:
    text, args, new_entry = load_case(case)
    assert parse(text).render() == text
    _, entry, _ = parse(text).plan(args["section"], new_entry)
    new = insert_entry(text, args["section"], entry)
    assert new == read(case / "expected.md")
    assert [line for line in added_only(text, new) if line.strip()] == entry.split("\n")
    after = parse(new)
    found = after.index.find(arxiv_id=new_entry.arxiv_id)
    assert found is not None and found.raw == entry and found.parsed
    assert found.section == parse(text).section(args["section"]).path
    assert len(after.entries) == len(parse(text).entries) + 1


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_a_paper_the_specimen_names_is_a_duplicate(case: Path) -> None:
    text, args, _ = load_case(case)
    found = parse(text).index.find(arxiv_id=args["duplicate"])
    assert found is not None and found.kind != "mention" and args["duplicate"] in found.raw


def _entry(case: str) -> str:
    text, args, new_entry = load_case(UNSEEN / case)
    return parse(text).plan(args["section"], new_entry)[1]


def test_one_line_paragraphs_with_closing_authors_are_entries() -> None:
    text, args, _ = load_case(UNSEEN / "paragraph-venue-by-authors")
    entries = parse(text).section(args["section"]).entries
    # 8 paragraphs; the 3 whose title link has no target ("[Title]()") link no paper: not entries
    assert len(entries) == 5 and all(e.parsed for e in entries)
    assert _entry("paragraph-venue-by-authors").endswith(") by Zhang et al.")


def test_an_inline_comment_of_the_template_is_not_copied() -> None:
    assert "<!--" not in _entry("inline-comment-keys")


def test_an_author_year_key_is_written_from_the_paper_not_its_acronym() -> None:
    text, args, _ = load_case(UNSEEN / "author-year-key-emph-venue")
    entries = parse(text).section(args["section"]).entries
    assert {e.acronym for e in entries} == {None}
    assert {e.venue for e in entries} >= {"Arxiv", "NeurIPS"}
    assert _entry("author-year-key-emph-venue").startswith("- [Zhang2024] Holmes-VAD: ")
    no_authors = dataclasses.replace(load_case(UNSEEN / "author-year-key-emph-venue")[2], authors=())
    with pytest.raises(ListError, match="author-year key") as err:
        parse(text).plan(args["section"], no_authors)
    assert "\n" not in str(err.value)


def test_a_date_key_takes_the_papers_month() -> None:
    text, args, new_entry = load_case(UNSEEN / "date-key-italic-authors-venue")
    assert {e.acronym for e in parse(text).entries} == {None}
    assert _entry("date-key-italic-authors-venue").startswith("- [2024/06] **Holmes-VAD")
    with pytest.raises(ListError, match="date"):
        parse(text).plan(args["section"], dataclasses.replace(new_entry, month=None))


@pytest.mark.parametrize("case", ["ordinal-day-dates", "iso-date-table-demo"])
def test_a_day_the_paper_lacks_is_refused_never_copied(case: str) -> None:
    text, args, new_entry = load_case(UNSEEN / case)
    with pytest.raises(ListError, match=r"day|full dates") as err:
        parse(text).plan(args["section"], dataclasses.replace(new_entry, day=None))
    assert "\n" not in str(err.value)


def test_a_demo_on_a_code_host_is_not_the_code_link() -> None:
    row = _entry("iso-date-table-demo")
    assert row.count("](https://github.com/tensorflow/tensor2tensor)") == 1 and row.rstrip().endswith("| - |")
    # the star badge that names the template's code repository names the new paper's instead
    assert "img.shields.io/github/stars/tensorflow/tensor2tensor.svg" in row and "VITA-MLLM" not in row


def test_a_badge_of_the_templates_own_is_left_out() -> None:
    text = (
        "## 🧪 New Setting Papers\n"
        "1. [VERA] **VERA: Explainable Video Anomaly Detection via Verbalized Learning of Vision-Language "
        "Models**  <a id='VERA'></a>&nbsp;&nbsp;&nbsp;![New](https://img.shields.io/badge/New⭐-417FFA) \\\n"
        "![LLM](https://img.shields.io/badge/LLM-FFA500) \\\n"
        "CVPR '25 [[paper](https://arxiv.org/pdf/2412.01095)][[code](https://github.com/vera-framework/VERA)]"
        "[[project](https://vera-framework.github.io)]\n"
    )
    new = NewEntry(
        title="Holmes-VAD: Towards Unbiased and Explainable Video Anomaly Detection via Multi-modal LLM",
        arxiv_id="2406.12235",
        acronym="Holmes-VAD",
        year=2024,
        code_url="https://github.com/pipixin321/HolmesVAD",
    )
    assert parse(text).plan("New Setting Papers", new)[1] == (
        "2. [Holmes-VAD] **Holmes-VAD: Towards Unbiased and Explainable Video Anomaly Detection via "
        "Multi-modal LLM** \\\narXiv '24 [[paper](https://arxiv.org/pdf/2406.12235)]"
        "[[code](https://github.com/pipixin321/HolmesVAD)]"
    )


def test_a_heading_named_with_its_emoji() -> None:
    text = (
        "## 🧪 New Setting Papers\n"
        "1. [TAO] **Track Any Anomalous Object: A Granular Video Anomaly Detection Pipeline** \\\n"
        "CVPR '25 [[paper](https://arxiv.org/pdf/2506.05175)][[code](https://github.com/yu2hi13/TAO)]\n"
    )
    doc = parse(text)
    assert doc.section("🧪 New Setting Papers").path == doc.section("New Setting Papers").path
    with pytest.raises(ListError, match="unknown section '🧪 Old Papers'"):
        doc.section("🧪 Old Papers")


def test_a_list_of_papers_in_an_unread_form_gets_no_house_style() -> None:
    text = (
        "# Reading\n\n## Papers\n\n"
        "We read [one](https://arxiv.org/abs/2101.00001), then [two](https://arxiv.org/abs/2101.00002)\n"
        "and [three](https://arxiv.org/abs/2101.00003) together.\n"
    )
    new = NewEntry(title="A paper", arxiv_id="2406.12235", year=2024)
    with pytest.raises(ListError, match="no entry of it is in a form the engine reads") as err:
        parse(text).plan("Papers", new)
    assert "\n" not in str(err.value)


def test_a_template_number_of_its_own_is_refused() -> None:
    # rob-med/awesome-TS-anomaly-detection (000dd6e2): a software table, not a paper list
    text = (
        "## Anomaly Detection Software\n\n\n"
        "| Name          | Language       | Pitch     | License | Maintained\n"
        "| ------------- |:-------------: | :-------------: |  :-------------:  |  :-------------:     \n"
        "| Arundo's [ADTK](https://github.com/arundo/adtk) | Python | Anomaly Detection Toolkit (ADTK) is a "
        "Python package for unsupervised / rule-based time series anomaly detection. | MPL 2.0 | "
        ":heavy_check_mark:\n"
    )
    new = NewEntry(title="A paper", arxiv_id="2406.12235", year=2024, code_url="https://github.com/o/r")
    with pytest.raises(ListError) as err:
        parse(text).plan("Anomaly Detection Software", new)
    assert "\n" not in str(err.value)


def test_lint_keeps_quiet_about_order_in_a_section_that_keeps_none() -> None:
    def entry(title: str, year: int) -> str:
        url = f"https://arxiv.org/abs/{year % 100:02d}01.0000{len(title)}"
        return f"- [{title} of a paper]({url}), CVPR {year}\n"

    ordered = "".join(entry(t, y) for t, y in (("A", 2019), ("BB", 2020), ("CCC", 2021), ("DDDD", 2022)))
    one_off = "".join(entry(t, y) for t, y in (("E", 2019), ("FF", 2020), ("GGG", 2018), ("HHHH", 2021)))
    unordered = "".join(entry(t, y) for t, y in (("I", 2021), ("JJ", 2019), ("KKK", 2022), ("LLLLL", 2018)))
    # the list keeps years ascending (20 sections do); one section slips once, one keeps no order
    kept = "".join(f"## Kept {n}\n{ordered}\n" for n in range(20))
    text = f"# L\n\n{kept}## Two\n{one_off}\n## Four\n{unordered}"
    lines = [p.line for p in lint(text, "README.md") if p.code == "out-of-order"]
    assert lines == [text.splitlines().index(entry("GGG", 2018).rstrip()) + 1]
