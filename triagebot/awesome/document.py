"""An awesome list as a document: headings, entries and everything else, every byte kept."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from triagebot.arxiv_ids import normalize_id
from triagebot.awesome.grammar import Fields, Layout, extract
from triagebot.awesome.index import EntryIndex
from triagebot.awesome.style import Sample, Style, bullet_of, learn_style, paper_urls
from triagebot.awesome.text import body, dominant_ending, split_lines
from triagebot.errors import ListError
from triagebot.models import SectionSpec
from triagebot.sections import SEPARATOR, resolve_name

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HTML_RE = re.compile(r"^ {0,3}<(!--|/?[A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)")
_RAW_HTML = ("pre", "script", "style", "textarea")
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ANCHOR_RE = re.compile(r"\]\(\s*#")
_LINK_HINT_RE = re.compile(r"\]\(")
# Heading decoration: images, links, brackets, emphasis, leading bullets, symbols and emoji.
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_TEXT_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG_RE = re.compile(r"<[^>]*>")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|`)")
_LEAD_RE = re.compile(r"^(?:[-*+•·–—]\s+)+")
_EDGE_SYMBOLS_RE = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(frozen=True)
class Entry:
    """One entry of the list, as written (``raw``) and as understood (the fields)."""

    line: int  # 1-based first line
    end_line: int  # 1-based last line (an entry wrapped onto two lines spans both)
    raw: str  # verbatim, without the final line ending
    section: str  # path of the section it sits in ("" before any heading)
    acronym: str | None
    title: str | None
    venue: str | None
    year: int | None
    links: list[tuple[str, str]]  # (label, url); a title link has its title as label
    arxiv_id: str | None
    parsed: bool  # fits the list's grammar
    layout: Layout | None = field(default=None, compare=False, repr=False)
    bullet: str = field(default="", compare=False, repr=False)
    run_labels: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass
class Section:
    path: str  # heading path, decoration stripped, joined by " / "
    title: str  # the heading's own name
    level: int
    line: int  # 1-based line of the heading
    entries: list[Entry] = field(default_factory=list)
    end_line: int = 0  # last line before the next heading
    children: int = 0
    navigation: bool = False  # holds only links within the page (a table of contents)


def heading_name(text: str) -> str:
    """``[Video]`` -> ``Video``, ``- Reasoning-based`` -> ``Reasoning-based``, emoji and badges dropped."""
    name = _IMAGE_RE.sub("", text)
    name = _LINK_TEXT_RE.sub(r"\1", name)
    name = _TAG_RE.sub("", name)
    name = _EMPHASIS_RE.sub("", name)
    name = name.replace("[", " ").replace("]", " ")
    name = " ".join(name.split())
    name = _LEAD_RE.sub("", name)
    stripped = _EDGE_SYMBOLS_RE.sub("", name)
    # keep a closing bracket/parenthesis or symbol that belongs to the name, e.g. "C++" or "(2D)"
    if stripped and name.startswith(stripped) and name[len(stripped) :] in ("+", "++", ")", "?"):
        stripped = name
    return stripped or " ".join(text.split())


@dataclass
class _Item:
    start: int  # 0-based line index
    stop: int  # exclusive


@dataclass
class _Scan:
    """Line kinds from one pass: headings (index -> (level, text, lines)), items, everything else."""

    headings: dict[int, tuple[int, str, int]] = field(default_factory=dict)
    items: list[_Item] = field(default_factory=list)


def _html_end(opener: str, lines: Sequence[str], start: int) -> int:
    """Index after the HTML block opening at ``start``."""
    name = opener.lower()
    closing = "-->" if name == "!--" else f"</{name}>" if name in _RAW_HTML else None
    index = start
    while index < len(lines):
        text = body(lines[index])
        if closing is not None:
            if closing in text.lower():
                return index + 1
        elif not text.strip():
            return index
        index += 1
    return index


def _fence_end(fence: str, lines: Sequence[str], start: int) -> int:
    close = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for index in range(start + 1, len(lines)):
        if close.match(body(lines[index])):
            return index + 1
    return len(lines)


def _is_block_start(text: str) -> bool:
    return bool(
        not text.strip()
        or _ATX_RE.match(text)
        or bullet_of(text)
        or _FENCE_RE.match(text)
        or _HTML_RE.match(text)
        or _HR_RE.match(text)
    )


def _scan(lines: Sequence[str]) -> _Scan:
    scan = _Scan()
    index = 0
    paragraph_start = -1  # index of a one-line paragraph that a setext underline may turn into a heading
    while index < len(lines):
        text = body(lines[index]).lstrip("\ufeff") if index == 0 else body(lines[index])
        setext = _SETEXT_RE.match(text)
        if setext and paragraph_start == index - 1 and paragraph_start >= 0:
            level = 1 if setext.group(1)[0] == "=" else 2
            scan.headings[paragraph_start] = (level, body(lines[paragraph_start]).strip(), 2)
            paragraph_start, index = -1, index + 1
            continue
        paragraph_start = -1
        if (fence := _FENCE_RE.match(text)) is not None:
            index = _fence_end(fence.group(1), lines, index)
        elif (html := _HTML_RE.match(text)) is not None:
            index = max(_html_end(html.group(1), lines, index), index + 1)
        elif (atx := _ATX_RE.match(text)) is not None:
            scan.headings[index] = (len(atx.group(1)), atx.group(2) or "", 1)
            index += 1
        elif _HR_RE.match(text):
            index += 1
        elif bullet_of(text):
            stop = index + 1
            while stop < len(lines) and not _is_block_start(body(lines[stop])):
                stop += 1
            scan.items.append(_Item(index, stop))
            index = stop
        else:
            previous_blank = index == 0 or not body(lines[index - 1]).strip() or (index - 1) in scan.headings
            if text.strip() and previous_blank:
                paragraph_start = index
            index += 1
    return scan


def _item_content(lines: Sequence[str], item: _Item) -> tuple[str, str]:
    """(bullet, content on one line) of an item: continuation lines joined by one space."""
    first = body(lines[item.start])
    bullet = bullet_of(first)
    rest = [body(line).strip() for line in lines[item.start + 1 : item.stop]]
    return bullet, " ".join([first[len(bullet) :].rstrip(), *rest]) if rest else first[len(bullet) :]


def _is_entry(content: str, fields: Fields) -> bool:
    """An item is an entry when it links somewhere outside the page (a table of contents does not)."""
    if not _LINK_HINT_RE.search(content):
        return False
    return any(not link.url.startswith("#") for link in fields.links) or (
        not fields.links and not _ANCHOR_RE.search(content)
    )


class Document:
    """A parsed list. Immutable: editing is :func:`insert_entry`, string in, string out."""

    def __init__(self, lines: list[str], sections: list[Section], entries: list[Entry], style: Style) -> None:
        self.lines = lines
        self.sections = sections
        self.entries = entries
        self.style = style
        self.eol = dominant_ending(lines)

    def render(self) -> str:
        return "".join(self.lines)

    @cached_property
    def index(self) -> EntryIndex:
        return EntryIndex(self.entries)

    def section(self, name: str) -> Section:
        """The section ``name`` names (full path or unique suffix). Raises ListError otherwise."""
        path = resolve_name(name, [s.path for s in self.sections])
        return next(s for s in self.sections if s.path == path)

    def section_specs(
        self, descriptions: Mapping[str, str] | None = None, max_examples: int = 3
    ) -> list[SectionSpec]:
        """Sections a paper can go to (those holding entries, and leaves), with examples.

        ``descriptions`` are keyed by section name or unique suffix; an unknown key is a ListError.
        A leaf that is only a table of contents (links within the page) is not offered.
        """
        paths = [s.path for s in self.sections]
        described = {resolve_name(name, paths): text for name, text in (descriptions or {}).items()}
        specs: list[SectionSpec] = []
        seen: set[str] = set()
        for section in self.sections:
            offered = section.entries or (section.children == 0 and not section.navigation)
            if section.path in seen or not offered:
                continue
            seen.add(section.path)
            examples = tuple(
                f"{e.acronym}: {e.title}" if e.acronym else e.title
                for e in section.entries[:max_examples]
                if e.title
            )
            specs.append(SectionSpec(section.path, described.get(section.path, ""), examples))
        return specs


def _sections(lines: Sequence[str], scan: _Scan) -> list[Section]:
    levels = [level for level, _, _ in scan.headings.values()]
    first = min(scan.headings) if scan.headings else -1
    title_index = first if first >= 0 and scan.headings[first][0] == 1 and levels.count(1) == 1 else -1
    sections: list[Section] = []
    stack: list[Section] = []
    for index in sorted(scan.headings):
        level, text, _ = scan.headings[index]
        name = heading_name(text) or f"(untitled line {index + 1})"
        if index == title_index:
            sections.append(Section(name, name, level, index + 1))
            continue
        while stack and stack[-1].level >= level:
            stack.pop()
        if stack:
            stack[-1].children += 1
        path = SEPARATOR.join([s.title for s in stack] + [name])
        section = Section(path, name, level, index + 1)
        sections.append(section)
        stack.append(section)
    if title_index >= 0 and len(sections) > 1:
        sections[0].children = len(sections) - 1
    for current, following in itertools.pairwise(sections):
        current.end_line = following.line - 1
    if sections:
        sections[-1].end_line = len(lines)
    return sections


def parse(text: str, *, style: Style | None = None) -> Document:
    """Parse any Markdown list. Never raises; ``parse(text).render() == text``.

    ``style`` overrides the inferred one (configuration for a list with an unusual grammar).
    """
    lines = split_lines(text)
    scan = _scan(lines)
    sections = _sections(lines, scan)
    starts = [s.line for s in sections]
    candidates: list[_Candidate] = []
    position = 0
    for item in scan.items:
        while position < len(starts) and starts[position] <= item.start + 1:
            position += 1
        section = sections[position - 1].path if position else ""
        bullet, content = _item_content(lines, item)
        fields = extract(content)
        if _is_entry(content, fields):
            candidates.append(_Candidate(item, bullet, fields, section))
        elif position and _ANCHOR_RE.search(content):
            sections[position - 1].navigation = True
    learned = style or learn_style([Sample(c.fields, c.bullet, c.section) for c in candidates])
    entries = [_entry(lines, candidate, learned) for candidate in candidates]
    by_line = {s.line: s for s in sections}
    owner = sorted(by_line)
    position = 0
    for entry in entries:
        while position < len(owner) and owner[position] <= entry.line:
            position += 1
        if position:
            by_line[owner[position - 1]].entries.append(entry)
    return Document(lines, sections, entries, learned)


def parse_list(text: str, path: str) -> Document:
    """Parse the list the bot is to work on. Raises ListError when no entry of ``text`` links an
    arXiv paper: then it is some other Markdown file (a project's README taken for the list, say),
    and its headings must not become the taxonomy papers are sorted into."""
    doc = parse(text)
    if not any(entry.arxiv_id for entry in doc.entries):
        raise ListError(
            f"{path}: has no paper entries (no list item links an arXiv paper), so it is not the list",
            hint="name the list with --list PATH, or set [list] path in triagebot.toml",
        )
    return doc


def _arxiv_id(url: str) -> str | None:
    return normalize_id(url) if "arxiv" in url.casefold() else None


@dataclass(frozen=True)
class _Candidate:
    item: _Item
    bullet: str
    fields: Fields
    section: str


def _entry(lines: Sequence[str], candidate: _Candidate, style: Style) -> Entry:
    item, fields = candidate.item, candidate.fields
    layout = fields.layout
    arxiv_id = next((i for url in paper_urls(fields, style.code_label) if (i := _arxiv_id(url))), None)
    if arxiv_id is None:
        arxiv_id = next((i for link in fields.links if (i := _arxiv_id(link.url))), None)
    raw = "".join(lines[item.start : item.stop])
    return Entry(
        line=item.start + 1,
        end_line=item.stop,
        raw=body(raw),
        section=candidate.section,
        acronym=fields.acronym,
        title=fields.title,
        venue=fields.venue,
        year=fields.year,
        links=[(link.label, link.url) for link in fields.links],
        arxiv_id=arxiv_id,
        parsed=bool(fields.title) and not fields.stray_links and layout.fits(style.layout),
        layout=layout,
        bullet=candidate.bullet,
        run_labels=tuple(link.label for link in fields.run),
    )
