"""An awesome list as a document: headings, entries and everything else, every byte kept."""

from __future__ import annotations

import bisect
import dataclasses
import gc
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from triagebot.arxiv_ids import ids_in
from triagebot.awesome.grammar import extract
from triagebot.awesome.index import EntryIndex
from triagebot.awesome.slots import Reading, month_number, read
from triagebot.awesome.structure import Block, Heading, Structure, scan
from triagebot.awesome.style import DEFAULT_EXAMPLE, Style, learn_style
from triagebot.awesome.style import Sample as StyleSample
from triagebot.awesome.template import (
    NewEntry,
    Sample,
    SectionStyle,
    has_code,
    learn_section_style,
    next_marker,
    read_block,
    render,
    usual_code_label,
    venue_spellings,
)
from triagebot.awesome.text import body, dominant_ending, is_paper_url, split_lines
from triagebot.errors import ListError
from triagebot.models import SectionSpec
from triagebot.sections import SEPARATOR, resolve_name

# Heading decoration: images, links, brackets, emphasis, leading bullets, symbols and emoji.
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_TEXT_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG_RE = re.compile(r"<[^>]*>")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|`)")
_LEAD_RE = re.compile(r"^(?:[-*+•·–—]\s+)+")
_EDGE_SYMBOLS_RE = re.compile(r"^[\W_]+|[\W_]+$")


@dataclass(slots=True)
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
    bullet: str = field(default="", compare=False, repr=False)
    kind: str = field(default="item", compare=False, repr=False)  # item | paragraph | row


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


class Document:
    """A parsed list. Immutable: editing is :func:`insert_entry`, string in, string out."""

    def __init__(
        self,
        lines: list[str],
        sections: list[Section],
        entries: list[Entry],
        *,
        structure: Structure,
        samples: dict[int, Sample],
        style: Style | None = None,
    ) -> None:
        self.lines = lines
        self.sections = sections
        self.entries = entries
        self.structure = structure
        self.samples = samples  # entry line -> its block and reading
        self.eol = dominant_ending(lines)
        self._style = style
        self._section_styles: dict[str, SectionStyle | ListError] = {}

    @cached_property
    def style(self) -> Style:
        """The list-wide majority style of its one-line entries (the first-wave grammar)."""
        if self._style is not None:
            return self._style
        samples = []
        for entry in self.entries:
            sample = self.samples[entry.line]
            if entry.bullet and sample.block.kind == "item":
                own = [body(line) for line in self.lines[entry.line - 1 : sample.block.head_stop]]
                content = " ".join(
                    [own[0][len(entry.bullet) :].rstrip(), *(line.strip() for line in own[1:])]
                )
                samples.append(StyleSample(extract(content), entry.bullet, entry.section))
        return learn_style(samples)

    @cached_property
    def venues(self) -> dict[str, str]:
        return venue_spellings(sample.reading for sample in self.samples.values())

    def section_style(self, section: Section) -> SectionStyle:
        """The style of ``section``'s own entries; for an empty section, the list's when it has one.

        Raises ListError (one line) when no style can be learned.
        """
        cached = self._section_styles.get(section.path)
        if cached is None:
            try:
                cached = self._learn(section)
            except ListError as err:
                cached = err
            self._section_styles[section.path] = cached
        if isinstance(cached, ListError):
            raise cached
        return cached

    def _learn(self, section: Section) -> SectionStyle:
        own = [self.samples[e.line] for e in section.entries]
        if own:
            peers = list(self.samples.values()) if len(own) < 3 else []
            style = learn_section_style(own, self.venues, section.path, peers)
            return self._borrow_code_form(style)
        everyone = list(self.samples.values())
        if not everyone and _papers_linked(self.render()) >= _MIN_PAPERS_UNREAD:
            raise ListError(
                f"section {section.path!r}: the list links papers, but no entry of it is in a form the "
                "engine reads, so it has no style to follow (hint: add the paper by hand)"
            )
        if not everyone:
            example = parse(DEFAULT_EXAMPLE + "\n")
            return learn_section_style(list(example.samples.values()), example.venues, "an empty list")
        try:
            return learn_section_style(everyone, self.venues, section.path)
        except ListError:
            raise ListError(
                f"section {section.path!r} has no entries and the list's entries share no one style "
                "(hint: add the first entry of this section by hand)"
            ) from None

    def _borrow_code_form(self, style: SectionStyle) -> SectionStyle:
        """A section none of whose entries has a code link writes one as the list's same-shaped entries do."""
        if any(has_code(t) for t in style.templates):
            return style
        shape = style.templates[0].reading.shape(exact=True)
        label = usual_code_label(list(self.samples.values()))
        found = [
            sample
            for sample in self.samples.values()
            if has_code(sample) and sample.reading.shape(exact=True) == shape
        ]
        found.sort(key=lambda s: not any(link.label.casefold() == label for link in s.reading.links))
        if not found:
            return style
        words = style.common_words
        if words is not None:
            words = words | {w.casefold() for w in label.split()}
        return dataclasses.replace(style, templates=(found[0], *style.templates), common_words=words)

    def plan(self, section_name: str, new: NewEntry) -> tuple[int, str, bool]:
        """Where and what to insert for ``new`` in the section: (0-based line, entry text, blank-separated).

        The entry text has its lines joined by ``\n``. Raises ListError with a one-line reason.
        """
        section = self.section(section_name)
        style = self.section_style(section)
        when = (new.year, new.month or 0) if new.year is not None else None
        index, after = self._position(section, style, when)
        template = style.template(new.code_url is not None)
        number = None
        if template.block.number is not None:  # after the entry it follows, else as the first one is
            previous = self.samples[after.line].block.number if after is not None else None
            first = self.samples[section.entries[0].line].block.number if section.entries else None
            number = previous + 1 if previous is not None else first if first is not None else 1
        marker = next_marker(template.block, template.reading, number)
        return index, render(style, new, marker), style.blank_between

    def _position(
        self, section: Section, style: SectionStyle, when: tuple[int, int] | None
    ) -> tuple[int, Entry | None]:
        """(0-based line to insert before, the entry it follows) for a paper of ``when`` (year, month)."""
        own = [e for e in section.entries if self.samples[e.line].block.kind == style.kind]
        if not own and style.kind == "row":
            raise ListError(
                f"section {section.path!r} has no table to add a row to (hint: add its first entry by hand)"
            )
        if not own:
            return _after_content(self, section), None
        if style.templates[0].block.number is not None:  # numbered: the sequence continues at the end
            return own[-1].end_line, own[-1]
        if when is not None and style.order != "append":
            newest_first = style.order == "newest-first"
            for position, entry in enumerate(own):
                key = self._when(entry)
                if key is not None and (key <= when if newest_first else key > when):
                    return entry.line - 1, own[position - 1] if position else None
        return own[-1].end_line, own[-1]

    def _when(self, entry: Entry) -> tuple[int, int] | None:
        if entry.year is None:
            return None
        date = self.samples[entry.line].reading.date
        return entry.year, month_number(date[0]) if date is not None else 0

    def render(self) -> str:
        return "".join(self.lines)

    @cached_property
    def index(self) -> EntryIndex:
        """Entries by arXiv id and title; also every other place the text links a paper on arXiv
        (prose, dataset lists, commented-out sections), as a mention that is no entry."""
        return EntryIndex(self.entries, mentions=self._mentions())

    def _mentions(self) -> list[Entry]:
        text = self.render()
        if "arxiv" not in text.casefold():
            return []
        known = {e.arxiv_id for e in self.entries if e.arxiv_id}
        starts = list(itertools.accumulate((len(line) for line in self.lines), initial=0))
        section_starts = [s.line for s in self.sections]
        mentions: list[Entry] = []
        for offset, ident in ids_in(text):
            if ident in known:
                continue
            known.add(ident)
            number = bisect.bisect_right(starts, offset)  # 1-based line
            position = bisect.bisect_right(section_starts, number)
            section = self.sections[position - 1].path if position else ""
            raw = body(self.lines[number - 1])
            mentions.append(
                Entry(number, number, raw, section, None, None, None, None, [], ident, False, kind="mention")
            )
        return mentions

    def section(self, name: str) -> Section:
        """The section ``name`` names (full path or unique suffix). Raises ListError otherwise."""
        paths = [s.path for s in self.sections]
        try:
            path = resolve_name(name, paths)
        except ListError as err:
            # a name copied from the heading as GitHub shows it ("🧪 New Setting Papers") names the
            # section its path calls "New Setting Papers": read it as a heading is read
            plain = " / ".join(heading_name(part) for part in name.split("/"))
            if plain == name:
                raise
            try:
                path = resolve_name(plain, paths)
            except ListError:
                raise err from None
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


def _sections(lines: Sequence[str], headings: list[Heading]) -> list[Section]:
    levels = [h.level for h in headings]
    title_index = 0 if headings and headings[0].level == 1 and levels.count(1) == 1 else -1
    sections: list[Section] = []
    stack: list[Section] = []
    for position, heading in enumerate(headings):
        index = heading.line
        name = heading_name(heading.text) or f"(untitled line {index + 1})"
        if position == title_index:
            sections.append(Section(name, name, heading.level, index + 1))
            continue
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        if stack:
            stack[-1].children += 1
        path = SEPARATOR.join([s.title for s in stack] + [name])
        section = Section(path, name, heading.level, index + 1)
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

    ``style`` overrides the inferred list-wide style (configuration for a list with an unusual grammar).
    """
    enabled = gc.isenabled()
    # A list is read into tens of thousands of small objects without cycles; the collector's passes
    # over them cost about as much as the reading itself (measured: 10,000 entries, 1.3 s -> 0.65 s).
    gc.disable()
    try:
        return _parse(text, style)
    finally:
        if enabled:
            gc.enable()


def _parse(text: str, style: Style | None) -> Document:
    lines = split_lines(text)
    structure = scan(lines)
    sections = _sections(lines, structure.headings)
    starts = [s.line for s in sections]
    entries: list[Entry] = []
    samples: dict[int, Sample] = {}
    for block in structure.blocks:
        position = bisect.bisect_right(starts, block.start + 1)
        section = sections[position - 1] if position else None
        reading = read_block(lines, block)
        entry = _entry(lines, block, reading, section.path if section else "")
        entries.append(entry)
        samples[entry.line] = Sample(block, reading)
        if section is not None:
            section.entries.append(entry)
    for line in structure.anchors:
        position = bisect.bisect_right(starts, line + 1)
        if position and not sections[position - 1].entries:
            sections[position - 1].navigation = True
    return Document(lines, sections, entries, structure=structure, samples=samples, style=style)


def parse_list(text: str, path: str) -> Document:
    """Parse the list the bot is to work on. Raises ListError when no entry of ``text`` links a
    paper (arXiv in any form, a DOI, a proceedings or OpenReview page, a PDF): then it is some other
    Markdown file (a project's README taken for the list, say), and its headings must not become
    the taxonomy papers are sorted into."""
    doc = parse(text)
    if not any(entry.arxiv_id or any(is_paper_url(url) for _, url in entry.links) for entry in doc.entries):
        raise ListError(
            f"{path}: has no paper entries (no entry links a paper on arXiv, a DOI, a proceedings page "
            "or a PDF), so it is not the list",
            hint="name the list with --list PATH, or set [list] path in triagebot.toml",
        )
    return doc


def _entry(lines: Sequence[str], block: Block, reading: Reading, section: str) -> Entry:
    raw = body("".join(lines[block.start : block.stop]))
    links = [(link.label, link.url) for link in reading.links]
    arxiv_id = reading.arxiv_id()
    if block.stop > block.head_stop:  # nested lines belong to the entry: their links too
        nested = read("".join(lines[block.head_stop : block.stop]))
        links += [(link.label, link.url) for link in nested.links]
        arxiv_id = arxiv_id or next((link.arxiv for link in nested.links if link.arxiv), None)
    marker = reading.text[reading.marker.start : reading.marker.end] if reading.marker else ""
    return Entry(
        line=block.start + 1,
        end_line=block.stop,
        raw=raw,
        section=section,
        acronym=reading.acronym[0] if reading.acronym else None,
        title=reading.title[0] if reading.title else None,
        venue=(reading.venue.venue if reading.venue else None) or (reading.venue_word or (None,))[0],
        year=reading.year,
        links=links,
        arxiv_id=arxiv_id,
        parsed=reading.title is not None
        and any(link.kind in ("title", "paper", "venue") for link in reading.links),
        bullet=marker,
        kind=block.kind,
    )


_LINK_URL_RE = re.compile(r"\]\(\s*<?([^)\s>]+)|href=[\"']?([^\s\"'>]+)", re.IGNORECASE)


# A list that links this many papers and yet has no entry the engine reads is written in a form it
# does not know: it gets no guessed (house) style. Fewer, in prose, is a list still empty of entries.
_MIN_PAPERS_UNREAD = 3


def _papers_linked(text: str) -> int:
    """How many distinct papers ``text`` links (arXiv, a DOI, proceedings, OpenReview, a PDF)."""
    return len({url for a, b in _LINK_URL_RE.findall(text) if is_paper_url(url := a or b)})


def _after_content(doc: Document, section: Section) -> int:
    """After the last visible block of the section's own text (the heading when it has none)."""
    heading_end = section.line  # 1-based heading line == 0-based index after it
    for heading in doc.structure.headings:
        if heading.line == section.line - 1:
            heading_end = heading.line + heading.lines
    end = section.end_line
    last = heading_end
    for start, stop in doc.structure.visible:
        if heading_end <= start and stop <= end:
            last = max(last, stop)
    while last > heading_end and not doc.lines[last - 1].strip():
        last -= 1
    return last
