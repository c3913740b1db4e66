"""The block structure of a list, from markdown-it-py (CommonMark + GFM tables) and its line maps.

Only block rules run (inline parsing is switched off: a 2.5 MB list takes ~0.25 s instead of ~2 s);
entries are read inline later, one at a time. What GitHub does not show as Markdown content -- HTML
blocks and comments of every form (``<!--``, ``<!---``), fences and indented code -- is recorded as
hidden, so nothing is read from it and nothing is ever written into it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.token import Token

from triagebot.awesome.text import is_paper_url

BlockKind = Literal["item", "paragraph", "row"]

# a link that leaves the page: ](http…), ](./file), <https://…>, <a href="http…">
_OUTSIDE_LINK_RE = re.compile(r"\]\((?!\s*<?#)|<https?://|href=[\"']?(?!#)[^\s\"'>]", re.IGNORECASE)
_PAPER_LINK_RE = re.compile(r"arxiv\.org/|\[\[?`?\[?(?:pdf|paper|arxiv)\b", re.IGNORECASE)
_MAX_SOFT_LINES = 6
_FIRST_LINK_RE = re.compile(r"^\s*(?:[(\[][^()\[\]]{1,30}[)\]]\s*)?\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)")
_ANCHOR_LINK_RE = re.compile(r"\]\(\s*#")
# HTML blocks of CommonMark types 1-5 end at their own closing marker; types 6 and 7 at a blank line
_CLOSED_HTML_RE = re.compile(r"^ {0,3}(?:<!|<\?|<(?:pre|script|style|textarea)(?:\s|>|$))", re.IGNORECASE)
_HARD_BREAK_RE = re.compile(r"(?:<br\s*/?>|  +|\\)[ \t]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Heading:
    line: int  # 0-based
    level: int
    text: str  # the heading's inline source
    lines: int  # 1 (ATX) or 2 (setext)


class Block(NamedTuple):
    """A candidate entry: a list item, a hard-break paragraph, or a table row (0-based lines)."""

    kind: BlockKind
    start: int
    stop: int  # exclusive; trailing blank lines trimmed
    head_stop: int  # end of the entry's own text (an item's first paragraph; nested items follow)
    number: int | None = None  # an ordered item's number
    cells: tuple[str, ...] = ()  # a table row's cells
    header: tuple[str, ...] = ()  # its table's header cells
    loose: bool = False  # the list has blank lines between its items


@dataclass
class Structure:
    headings: list[Heading] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    hidden: list[tuple[int, int]] = field(default_factory=list)  # [start, stop) of non-content
    visible: list[tuple[int, int]] = field(default_factory=list)  # [start, stop) of top-level blocks
    anchors: list[int] = field(default_factory=list)  # lines of items linking within the page only
    # what a top-level block ending before a line (its stop) would do to a line written right after
    # it: "joins" (an HTML block that runs to a blank line, a paragraph) or nothing
    open_ends: dict[int, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("table")
    md.disable("inline")  # blocks only: entries are read inline one by one, later
    return md


def _prepare(lines: Sequence[str]) -> str:
    """The text as markdown-it should see it: same line count, no BOM, no lone CR."""
    text = "".join(lines)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", " ")
    return text.replace("\x00", " ")


def _trim(lines: Sequence[str], start: int, stop: int) -> int:
    while stop > start + 1 and not lines[stop - 1].strip():
        stop -= 1
    return stop


def scan(lines: Sequence[str]) -> Structure:
    """Headings, candidate entries and hidden ranges of the document (``lines`` keep their endings)."""
    tokens = _parser().parse(_prepare(lines))
    out = Structure()
    _walk(tokens, lines, out)
    return out


def _walk(tokens: list[Token], lines: Sequence[str], out: Structure) -> None:  # noqa: C901, PLR0912
    index = 0
    skip_until = -1  # inside an accepted entry: its nested blocks belong to it
    table: tuple[int, tuple[str, ...]] | None = None
    in_item = 0
    while index < len(tokens):
        token = tokens[index]
        kind = token.type
        span = token.map
        if span is not None and token.level == 0:
            out.visible.append((span[0], span[1]))
            if kind == "paragraph_open" or (
                kind == "html_block" and not _CLOSED_HTML_RE.match(token.content)
            ):
                out.open_ends[span[1]] = "paragraph" if kind == "paragraph_open" else "html"
        if kind in ("html_block", "fence", "code_block") and span is not None:
            out.hidden.append((span[0], span[1]))
        elif kind == "list_item_close":
            in_item -= 1
        elif kind == "list_item_open":
            in_item += 1
            if span is None or span[0] < skip_until:
                pass
            elif (block := _item(tokens, index, lines)) is not None:
                out.blocks.append(block)
                skip_until = span[1]
            elif _ANCHOR_LINK_RE.search(_first_inline(tokens, index)):
                out.anchors.append(span[0])
        elif span is not None and span[0] < skip_until:
            pass
        elif kind == "heading_open" and span is not None:
            out.headings.append(
                Heading(span[0], int(token.tag[1]), tokens[index + 1].content, span[1] - span[0])
            )
        elif kind == "paragraph_open" and span is not None and not in_item:
            if (block := _paragraph(tokens, index, lines)) is not None:
                out.blocks.append(block)
        elif kind == "table_open" and span is not None:
            table = (span[0], _inlines(tokens, index, "thead_close"))
        elif kind == "tr_open" and span is not None and table is not None and span[0] > table[0]:
            if (block := _row(tokens, index, table[1])) is not None:
                out.blocks.append(block)
        elif kind == "table_close":
            table = None
        index += 1


def _first_paragraph(tokens: list[Token], index: int) -> int:
    """Position of the paragraph directly inside the item opened at ``index`` when it comes first; -1."""
    depth = tokens[index].level
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.type == "paragraph_open" and token.level == depth + 1:
            return position
        if token.type in ("list_item_close", "bullet_list_open", "ordered_list_open") or token.level <= depth:
            return -1
    return -1


def _first_inline(tokens: list[Token], index: int) -> str:
    position = _first_paragraph(tokens, index)
    return tokens[position + 1].content if position >= 0 else ""


def _item(tokens: list[Token], index: int, lines: Sequence[str]) -> Block | None:
    token = tokens[index]
    assert token.map is not None
    position = _first_paragraph(tokens, index)
    paragraph = tokens[position] if position >= 0 else None
    if paragraph is None or paragraph.map is None:
        return None
    content = tokens[position + 1].content
    if not _OUTSIDE_LINK_RE.search(content):
        return None
    start, stop = token.map
    stop = _trim(lines, start, stop)
    number = int(token.info) if token.info.isdigit() else None
    return Block("item", start, stop, min(paragraph.map[1], stop), number=number, loose=not paragraph.hidden)


def _paragraph(tokens: list[Token], index: int, lines: Sequence[str]) -> Block | None:
    """A paragraph entry: title, authors and links on consecutive lines, linking to a paper.

    Lines joined by hard breaks always; soft-wrapped ones only when the first line opens like a
    title (bold, italic, quoted or a link) and a link points at the paper, so prose is no entry.
    """
    span = tokens[index].map
    assert span is not None
    content = tokens[index + 1].content
    own = lines[span[0] : span[1]]
    if not _OUTSIDE_LINK_RE.search(content):
        return None
    if span[1] - span[0] < 2:
        return Block("paragraph", span[0], span[1], span[1]) if _one_line_entry(content) else None
    hard = all(_HARD_BREAK_RE.search(line.rstrip("\r\n")) for line in own[:-1])
    titled = (
        span[1] - span[0] <= _MAX_SOFT_LINES
        and own[0].lstrip().startswith(("**", "__", "*", "_", "[", '"'))
        and _PAPER_LINK_RE.search(content) is not None
    )
    return Block("paragraph", span[0], span[1], span[1]) if hard or titled else None


def _one_line_entry(content: str) -> bool:
    """A one-line paragraph is an entry when it opens, after at most a short tag such as
    ``(NeurIPS 2024)``, with a link of a title's length to a paper: ``(VENUE) [Title](pdf) by X``.
    Prose that links a paper somewhere, or a run of dataset names, is not."""
    match = _FIRST_LINK_RE.match(content)
    if match is None or len(match.group("label").split()) < 3:
        return False
    return is_paper_url(match.group("url"))


def _inlines(tokens: list[Token], index: int, until: str) -> tuple[str, ...]:
    """The inline contents (a table's cells) after ``tokens[index]``, up to the first ``until`` token."""
    cells: list[str] = []
    for position in range(index + 1, len(tokens)):
        token = tokens[position]
        if token.type == until:
            break
        if token.type == "inline":
            cells.append(token.content)
    return tuple(cells)


def _row(tokens: list[Token], index: int, header: tuple[str, ...]) -> Block | None:
    span = tokens[index].map
    assert span is not None
    cells = _inlines(tokens, index, "tr_close")
    content = " | ".join(cells)
    if not _OUTSIDE_LINK_RE.search(content):
        return None
    return Block("row", span[0], span[1], span[1], cells=cells, header=header)
