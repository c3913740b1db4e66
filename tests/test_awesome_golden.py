"""Golden cases (tests/golden/<case>/): byte-exact round trip, and insertions that only add lines;
hostile titles in any section of these and of the unseen lists (tests/golden_unseen/<case>/)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.list_helpers import GOLDEN, UNSEEN, added_only, cases, load_case, read
from triagebot.awesome import insert_entry, parse
from triagebot.awesome.template import NewEntry
from triagebot.errors import ListError

CASES = cases(GOLDEN)
INSERTIONS = [p for p in CASES if (p / "insert.json").exists()]
DUPLICATES = [
    p for p in INSERTIONS if "duplicate" in json.loads((p / "insert.json").read_text(encoding="utf-8"))
]


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 11
    assert all((case / "README.md").is_file() and (case / "input.md").is_file() for case in CASES)
    assert (GOLDEN / "awesome-xad" / "input.md").read_bytes() == (
        Path(__file__).parent / "fixtures" / "awesome-xad-README.md"
    ).read_bytes()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_round_trip_is_byte_identical(case: Path) -> None:
    text = read(case / "input.md")
    assert parse(text).render() == text


@pytest.mark.parametrize("case", INSERTIONS, ids=lambda p: p.name)
def test_insertion_matches_expected_and_only_adds_one_entry(case: Path) -> None:
    text, args, new_entry = load_case(case)
    _, entry, _ = parse(text).plan(args["section"], new_entry)
    new = insert_entry(text, args["section"], entry)
    assert new == read(case / "expected.md")
    added = added_only(text, new)
    assert [line for line in added if line.strip()] == entry.split("\n")  # blank lines: separators only
    if "\n" not in entry:
        # every old line keeps its own ending; the new line uses the ending of the line before it
        old_lines, new_lines = text.splitlines(keepends=True), new.splitlines(keepends=True)
        kept = [old for old in new_lines if old.rstrip("\r\n") != entry]
        if text.endswith(("\n", "\r\n")):
            assert kept == old_lines
        else:  # no final newline stays so: the new line is the last, without an ending
            assert new.endswith(entry) and kept[:-1] == old_lines[:-1]
    assert parse(new).render() == new
    doc = parse(new)
    found = doc.index.find(arxiv_id=args["entry"]["arxiv_id"])
    assert found is not None and found.raw == entry and found.parsed
    assert found.section == parse(text).section(args["section"]).path
    # exactly one entry more, in that section, and the section's style still reads it back
    assert len(doc.entries) == len(parse(text).entries) + 1
    assert doc.section(args["section"]).entries.count(found) == 1


@pytest.mark.parametrize("case", DUPLICATES, ids=lambda p: p.name)
def test_a_paper_the_list_names_is_found_in_any_form(case: Path) -> None:
    text, args, _ = load_case(case)
    found = parse(text).index.find(arxiv_id=args["duplicate"])
    assert found is not None and found.arxiv_id == args["duplicate"]
    assert args["duplicate"] in found.raw


def test_crlf_stays_crlf() -> None:
    text = read(GOLDEN / "crlf" / "input.md")
    new = read(GOLDEN / "crlf" / "expected.md")
    assert new.count("\n") == new.count("\r\n") == text.count("\r\n") + 1


def test_no_final_newline_stays_without() -> None:
    new = read(GOLDEN / "no-final-newline" / "expected.md")
    assert not new.endswith("\n") and new.endswith(
        "**ICLR 2022** | [[pdf]](https://arxiv.org/pdf/2201.00003.pdf)"
    )


HOSTILE_TITLES = (
    "Plain title of a paper",
    "Pipes | in [brackets] and *stars* _under_ `code`",
    "Ends with a venue-like tail, CVPR 2020",
    "<!-- triagebot:arxiv=1 --> <details> #12 @you",
)


# the unseen lists' templates also need a full date and authors (date keys, author-year keys)
UNSEEN_FIELDS: dict[str, Any] = {"month": 6, "day": 18, "authors": ("Ada Lovelace", "Alan Turing")}
HOSTILE_CASES = [pytest.param(c, {}, id=c.name) for c in CASES] + [
    pytest.param(c, UNSEEN_FIELDS, id=f"unseen-{c.name}") for c in cases(UNSEEN)
]


@pytest.mark.parametrize(("case", "fields"), HOSTILE_CASES)
def test_any_section_gets_one_entry_in_it_or_a_one_line_refusal(case: Path, fields: dict[str, Any]) -> None:
    text = read(case / "input.md")
    doc = parse(text)
    for section in doc.sections:
        for title in HOSTILE_TITLES:
            for code in (None, "https://github.com/o/r", "https://gitlab.com/o/r"):
                new = NewEntry(
                    title=title, arxiv_id="2406.12235", acronym="X|Y]", year=2024, code_url=code, **fields
                )
                try:
                    _, entry, _ = doc.plan(section.path, new)
                    after = parse(insert_entry(text, section.path, entry))
                except ListError as err:
                    assert "\n" not in str(err)
                    continue
                added_only(text, after.render())
                found = after.index.find(arxiv_id="2406.12235")
                assert found is not None and found.kind != "mention", (section.path, entry)
                assert found.section == section.path and found.raw == entry
                assert not any(a <= found.line - 1 < b for a, b in after.structure.hidden)
                assert len(after.entries) == len(doc.entries) + 1
