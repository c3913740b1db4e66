"""Add one entry to a section: the diff against the old text is the entry's lines (and a blank line
where the section separates its entries by one), nothing else."""

from __future__ import annotations

from functools import lru_cache

from triagebot.awesome.document import Document, Section, _after_content, parse
from triagebot.awesome.slots import MARKER_RE, month_number, read
from triagebot.awesome.text import ending
from triagebot.errors import ListError


def insert_entry(text: str, section_name: str, entry: str) -> str:
    """``text`` with ``entry`` (one or more lines joined by ``\\n``) added to the section.

    The section's own order puts it (newest first or last by year, else appended). Pure. Every
    other byte is kept: line endings (CRLF stays CRLF) and a missing final newline included.
    Raises ListError for an unknown or ambiguous section, or an empty entry.
    """
    if "\r" in entry or not entry.strip() or any(not line.strip() for line in entry.split("\n")):
        raise ListError("an entry to insert must be non-empty lines without blank lines")
    doc = parse_cached(text)
    section = doc.section(section_name)
    index, blank = insertion_index(doc, section, entry)
    return _insert(doc, text, index, entry.split("\n"), blank, beside_entries=bool(section.entries))


@lru_cache(maxsize=4)
def parse_cached(text: str) -> Document:
    """Documents are immutable: a list being edited several times in a run is parsed once per text."""
    return parse(text)


def insertion_index(doc: Document, section: Section, entry: str) -> tuple[int, bool]:
    """(0-based index of the line the new entry goes before, whether a blank line separates entries)."""
    try:
        style = doc.section_style(section)
    except ListError:
        if not section.entries:
            return _after_content(doc, section), False
        return section.entries[-1].end_line, False
    reading = read(entry)
    year = reading.year
    month = month_number(reading.date[0]) if reading.date is not None else 0
    index, _ = doc._position(section, style, (year, month) if year is not None else None)
    return index, style.blank_between


def _interrupts(line: str) -> bool:
    """Whether ``line`` may start right after a paragraph: a bullet, or an ordered item numbered 1."""
    match = MARKER_RE.match(line)
    return match is not None and (match.group(2) is not None or match.group(3) == "1")


def _insert(
    doc: Document, text: str, index: int, new: list[str], blank: bool, *, beside_entries: bool
) -> str:
    """``new`` lines before line ``index``; blank lines where the section separates its entries, and
    where the entry would otherwise run into other content (a paragraph or an HTML block before it
    would swallow it)."""
    lines = doc.lines
    eol = ending(lines[index - 1]) if index > 0 and ending(lines[index - 1]) else doc.eol
    block = list(new)
    previous = lines[index - 1].strip() if index > 0 else ""
    following = lines[index].strip() if index < len(lines) else ""
    joins = doc.structure.open_ends.get(index)
    if previous and (blank or joins == "html" or (joins == "paragraph" and not _interrupts(new[0]))):
        block.insert(0, "")
    if following and (blank or not beside_entries):
        block.append("")
    if index == len(lines) and lines and not ending(lines[-1]):
        return text + doc.eol + doc.eol.join(block)
    return "".join(lines[:index]) + eol.join(block) + eol + "".join(lines[index:])
