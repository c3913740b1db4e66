"""Add one entry line to a section: the diff against the old text is that one added line."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from triagebot.awesome.document import Document, Entry, Section, parse
from triagebot.awesome.grammar import extract
from triagebot.awesome.style import bullet_of
from triagebot.awesome.text import body, ending
from triagebot.errors import ListError


def insert_entry(text: str, section_name: str, entry_line: str) -> str:
    """``text`` with ``entry_line`` added to the section, where the list's ordering puts it.

    Pure. Every other byte is kept: line endings (CRLF stays CRLF) and a missing final newline
    included. Raises ListError for an unknown or ambiguous section, or a line that is not one line.
    """
    if "\n" in entry_line or "\r" in entry_line or not entry_line.strip():
        raise ListError("an entry to insert must be one non-empty line")
    doc = _parsed(text)
    section = doc.section(section_name)
    index = insertion_index(doc, section, entry_line)
    lines = doc.lines
    if index == len(lines) and lines and not ending(lines[-1]):
        return text + doc.eol + entry_line
    eol = ending(lines[index - 1]) if index > 0 and ending(lines[index - 1]) else doc.eol
    return "".join(lines[:index]) + entry_line + eol + "".join(lines[index:])


@lru_cache(maxsize=4)
def _parsed(text: str) -> Document:
    """Documents are immutable: a list being edited several times in a run is parsed once per text."""
    return parse(text)


def insertion_index(doc: Document, section: Section, entry_line: str) -> int:
    """0-based index of the line the new entry goes before (``len(lines)`` for the end)."""
    own = section.entries
    if not own:
        return _after_content(doc.lines, section)
    fields = extract(entry_line[len(bullet_of(entry_line)) :])
    style = doc.style
    if style.ordering == "year" and fields.year is not None:
        year = fields.year
        later = (
            (e for e in own if e.year is not None and e.year < year)
            if style.year_descending
            else (e for e in own if e.year is not None and e.year > year)
        )
        first = next(later, None)
        if first is not None:
            return first.line - 1
    elif style.ordering == "alpha":
        key = (fields.acronym or fields.title or "").casefold()
        first = next((e for e in own if (e.acronym or e.title or "").casefold() > key), None)
        if first is not None:
            return first.line - 1
    return _after_entry(doc.lines, own[-1], section)


def _after_entry(lines: Sequence[str], entry: Entry, section: Section) -> int:
    """After the entry and any indented lines that belong to it (nested notes)."""
    index = entry.end_line
    while index < section.end_line and body(lines[index]).strip() and body(lines[index])[:1] in " \t":
        index += 1
    return index


def _after_content(lines: Sequence[str], section: Section) -> int:
    """After the last non-blank line of the section's own text (the heading when it has none)."""
    index = section.end_line
    while index > section.line and not body(lines[index - 1]).strip():
        index -= 1
    return index
