"""The list as a document: parse, look up, render and insert entries, lint. Pure; no I/O but one reader."""

from __future__ import annotations

from triagebot.awesome.document import Document, Entry, Section, heading_name, parse, parse_list
from triagebot.awesome.files import read_list_file
from triagebot.awesome.grammar import Layout
from triagebot.awesome.index import EntryIndex, title_key
from triagebot.awesome.insert import insert_entry, parse_cached
from triagebot.awesome.lint import Problem, lint
from triagebot.awesome.style import Style, learn_style, render_entry, style_from_example
from triagebot.awesome.template import NewEntry, SectionStyle

__all__ = [
    "Document",
    "Entry",
    "EntryIndex",
    "Layout",
    "NewEntry",
    "Problem",
    "Section",
    "SectionStyle",
    "Style",
    "heading_name",
    "insert_entry",
    "learn_style",
    "lint",
    "parse",
    "parse_cached",
    "parse_list",
    "read_list_file",
    "render_entry",
    "style_from_example",
    "title_key",
]
