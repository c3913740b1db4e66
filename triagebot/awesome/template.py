"""Each section's own entry style, and a new entry written in it by filling a template entry.

The template is one of the section's own entries, of its most common shape (see
:meth:`Reading.shape`); a new entry is that entry's raw text with every slot refilled from
validated fields, and the slots the paper has nothing for (a code link, a project page, authors)
left out. The result is read back through the same reader and must give the same title, paper
link, venue and year, or the entry is refused with a one-line reason.

Hand-written on purpose: no Markdown library writes an entry "like the others"; what is learned
here is a list's convention, and the only Markdown it needs (block structure, re-reading the new
entry) comes from markdown-it-py through structure.py.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from triagebot.arxiv_ids import link_form, normalize_id
from triagebot.awesome.grammar import squash_venue
from triagebot.awesome.slots import (
    ISO_DATE_RE,
    KEY_DATE_RE,
    MARKER_RE,
    MONTH_NAMES,
    LinkSlot,
    Reading,
    Span,
    VenueSlot,
    read,
    venue_of,
)
from triagebot.awesome.structure import Block, scan
from triagebot.awesome.style import learn_venues
from triagebot.awesome.text import clean_text, clean_title, escape_title, mask, safe_url, split_lines
from triagebot.errors import ListError

Order = Literal["newest-first", "newest-last", "append"]

_FULL_MONTHS = frozenset(name.casefold() for name in MONTH_NAMES)
_OWNER_REPO_RE = re.compile(r"^https?://(?:www\.)?github\.com/([^/\s?#]+/[^/\s?#]+)", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_MIN_PEERS = 3
# what a template may keep that holds digits which are no fact of the entry: link targets, image
# sources and badges, HTML tags and entities, and inline comments (dropped from a new entry anyway)
_KEPT_NOISE_RE = re.compile(
    r"\]\(\s*[^)\s]*\)|\(\s*(?:https?://|\.{0,2}/|#)[^)\s]*\)|<!--.*?-->|<[^>\n]*>|&#?\w+;|!\[[^\]]*\]",
    re.DOTALL,
)
_ORDINAL_BEFORE_RE = re.compile(r"(?<![\w])(?P<day>[0-3]?\d(?:st|nd|rd|th))[ ]+$")
_DIGITS_RE = re.compile(r"\w*\d\w*")
# an entry's own marks, never a new entry's: a badge that is no link (``![New](img)``, ``![LLM](img)``)
# with the spacing before it, and an anchor (``<a id='VERA'></a>``)
_OWN_MARKS_RE = re.compile(
    r"(?:[ \t]|&nbsp;|&#160;)*(?:(?<!\[)!\[[^\]\n]*\]\([^)\s]*\)"
    r"|<a\s+(?:id|name)\s*=\s*[\"']?[^\"'>]*[\"']?\s*>\s*</a>)",
    re.IGNORECASE,
)
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE_COMMENT_RE = re.compile(r"[ \t]*<!--.*?-->", re.DOTALL)
_TITLE_HEADERS = ("title", "paper", "name", "method")  # in this order of preference
_VENUE_HEADERS = ("venue", "conference", "journal")
_MIN_SHARE = 0.3  # the most common shape of a section must cover this share of its entries
_MAX_OUT_OF_ORDER = 0.1


class Sample(NamedTuple):
    """One entry as the style learner sees it."""

    block: Block
    reading: Reading


@dataclass(frozen=True)
class SectionStyle:
    """How one section writes its entries: a template entry, the paper link form, order, spacing."""

    kind: str  # item | paragraph | row
    templates: tuple[Sample, ...]  # of the majority shape: with a code link first when there is one
    paper_form: str  # "https://arxiv.org/abs/{id}"
    order: Order
    blank_between: bool  # entries are separated by a blank line
    venues: dict[str, str]  # casefold -> the spelling the section (or list) uses
    placeholder: str = "-"  # an empty table cell
    common_words: frozenset[str] | None = None  # words most entries share (None: too few to tell)
    month_dot: bool = False  # abbreviated months are written with a dot (``Dec.``)
    code_label: str = ""  # the label most of the section's code links carry, as written (``Github``)

    def template(self, with_code: bool) -> Sample:
        for sample in self.templates:
            if has_code(sample) == with_code:
                return sample
        return self.templates[0]


def _raw(lines: Sequence[str], start: int, stop: int) -> str:
    return "".join(lines[start:stop]).rstrip("\r\n").replace("\r\n", "\n")


def read_block(lines: Sequence[str], block: Block) -> Reading:
    """The reading of a block's own text (an item's first paragraph, a row's line)."""
    text = _raw(lines, block.start, block.head_stop)
    if block.kind != "row":
        return read(text)
    cells = cell_spans(text)
    column, venue = _header_columns(block.header)
    if column is None:  # the header names no title column: the first cell with a (non-badge) link
        column = next((i for i, cell in enumerate(block.cells) if "](" in cell and "![" not in cell), 0)
    title_cell = cells[column] if column < len(cells) else None
    venue_cell = cells[venue] if venue is not None and venue < len(cells) else None
    return read(text, title_cell=title_cell, cells=cells, venue_cell=venue_cell)


@lru_cache(maxsize=64)
def _header_columns(header: tuple[str, ...]) -> tuple[int | None, int | None]:
    """(title column, venue column) as a table's header names them (None: not named); read once a table."""
    names = [clean_text(h).casefold() for h in header]
    title = next((i for wanted in _TITLE_HEADERS for i, name in enumerate(names) if wanted in name), None)
    venue = next((i for i, name in enumerate(names) if any(w in name for w in _VENUE_HEADERS)), None)
    return title, venue


def cell_spans(row: str) -> tuple[Span, ...]:
    """Spans of a table row's cells, inside the pipes (escaped pipes and code spans respected)."""
    masked = mask(row)
    depth = 0
    cuts: list[int] = []
    for position, char in enumerate(masked):
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(0, depth - 1)
        elif char == "|" and depth == 0:
            cuts.append(position)
    spans: list[Span] = []
    lead = len(masked) - len(masked.lstrip())
    edges = cuts if cuts and cuts[0] == lead else [lead - 1, *cuts]
    end = len(masked.rstrip())
    if not edges or edges[-1] != end - 1:
        edges = [*edges, end]
    for left, right in itertools.pairwise(edges):
        spans.append(Span(left + 1, right))
    return tuple(spans)


def learn_section_style(
    samples: Sequence[Sample], venues: dict[str, str], section: str, peers: Sequence[Sample] = ()
) -> SectionStyle:
    """The style of a section's own entries. Raises ListError when they share none.

    ``peers``: entries of the whole list, to tell the words of the style (``Code``, ``et al.``) from
    one entry's own words when the section has fewer than three entries.
    """
    usable = [s for s in samples if s.reading.title is not None]
    if not usable:
        raise ListError(f"section {section!r}: no entry to learn its style from (hint: add one by hand)")
    kinds = Counter(s.block.kind for s in usable)
    kind = kinds.most_common(1)[0][0]
    usable = [s for s in usable if s.block.kind == kind]
    shape_of = [s.reading.shape() for s in usable]
    shape, count = Counter(shape_of).most_common(1)[0]
    if len(usable) >= 3 and count / len(usable) < _MIN_SHARE:
        raise ListError(
            f"section {section!r}: its {len(usable)} entries share no one style "
            f"(the most common is used by {count}); add the paper by hand"
        )
    chosen = [s for s, own in zip(usable, shape_of, strict=True) if own == shape]
    code_labels = _code_labels(usable) or _code_labels(peers)
    code_label = code_labels.most_common(1)[0][0] if code_labels else ""
    common = _common_words(usable if len(usable) >= _MIN_PEERS else [*usable, *peers], code_label)
    # newest entries first: their style is the current one; fewest "other" links first, and fewest
    # words of their own outside the slots ("Local Demo" in a table cell) that a new entry cannot keep
    exact_of = [s.reading.shape(exact=True) for s in chosen]
    exact = Counter(exact_of)
    ranked = sorted(
        zip(chosen, exact_of, strict=True),
        key=lambda pair: (
            -exact[pair[1]],
            _own_words(pair[0].reading, common),
            len(_OWN_MARKS_RE.findall(pair[0].reading.text)),
            _others(pair[0].reading),
            -pair[0].block.start,
        ),
    )
    chosen = [s for s, _ in ranked]
    with_code = [s for s in chosen if has_code(s)]
    with_code.sort(
        key=lambda s: (
            not any(link.label.casefold() == code_label for link in s.reading.links),
            len(_OWN_MARKS_RE.findall(s.reading.text)),  # fewest badges of its own to leave out
        )
    )
    without = [s for s in chosen if not has_code(s)]
    forms = Counter(
        form
        for s in usable
        for link in s.reading.links
        if link.kind in ("title", "paper", "venue") and (form := link_form(link.url))
    )
    local = venue_spellings(s.reading for s in samples)
    return SectionStyle(
        kind=kind,
        templates=tuple(with_code[:1] + without[:1] + chosen[:1]),
        paper_form=forms.most_common(1)[0][0] if forms else "https://arxiv.org/abs/{id}",
        order=_order([s.reading for s in usable]),
        blank_between=kind == "paragraph" or (kind == "item" and _loose(usable)),
        venues={**venues, **local},
        placeholder=_placeholder(usable),
        common_words=common,
        month_dot=_month_dot(usable),
        code_label=_written_label(usable or peers, code_label),
    )


def has_code(sample: Sample) -> bool:
    """Whether the entry has a code link."""
    return any(link.kind == "code" for link in sample.reading.links)


def _code_labels(samples: Sequence[Sample]) -> Counter[str]:
    return Counter(
        link.label.casefold()
        for s in samples
        for link in s.reading.links
        if link.kind == "code" and not link.image
    )


def usual_code_label(samples: Sequence[Sample]) -> str:
    counts = _code_labels(samples)
    return counts.most_common(1)[0][0] if counts else ""


def _common_words(samples: Sequence[Sample], code_label: str) -> frozenset[str] | None:
    """Words in at least half of the entries, and of the usual code link label: the style's own words."""
    same = [s for s in samples if s.reading.title is not None]
    if len(same) < _MIN_PEERS:
        return None
    counts: Counter[str] = Counter()
    for sample in same:
        counts.update({w.casefold() for w in _WORD_RE.findall(sample.reading.text)})
    common = {w for w, n in counts.items() if n * 2 >= len(same)}
    return frozenset(common | {w.casefold() for w in _WORD_RE.findall(code_label)})


def _written_label(samples: Sequence[Sample], label: str) -> str:
    """How the section writes the code link label ``label`` (casefolded), as raw Markdown."""
    written = Counter(
        s.reading.text[link.label_span.start : link.label_span.end]
        for s in samples
        for link in s.reading.links
        if link.kind == "code" and not link.image and link.label.casefold() == label
    )
    return written.most_common(1)[0][0] if written else ""


def _month_dot(samples: Sequence[Sample]) -> bool:
    """Whether most of the section's abbreviated month names end with a dot."""
    written = [s.reading.date[0] for s in samples if s.reading.date is not None]
    short = [w for w in written if w.rstrip(".").casefold() not in _FULL_MONTHS]
    return sum(w.endswith(".") for w in short) * 2 > len(short)


def _own_words(reading: Reading, common: frozenset[str] | None) -> int:
    """How many words of ``reading`` outside its title, authors, acronym and links the style lacks."""
    if common is None:
        return 0
    text = reading.text
    spans = [slot[1] for slot in (reading.title, reading.authors, reading.acronym) if slot is not None]
    spans += [link.outer for link in reading.links]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return sum(1 for w in _WORD_RE.findall(text) if w.casefold() not in common)


def _others(reading: Reading) -> int:
    authors_linked = reading.authors is None and any(
        link.kind == "other" and link.outer.start < (reading.title[1].start if reading.title else 0)
        for link in reading.links
    )
    return sum(1 for link in reading.links if link.kind == "other") + (5 if authors_linked else 0)


def _loose(samples: Sequence[Sample]) -> bool:
    return sum(1 for s in samples if s.block.loose) * 2 > len(samples)


def venue_spellings(readings: Iterable[Reading]) -> dict[str, str]:
    """casefold -> the spelling of each venue the readings use most."""
    return learn_venues(reading.venue.venue for reading in readings if reading.venue is not None)


def _order(readings: Sequence[Reading]) -> Order:
    years = [r.year for r in readings if r.year is not None]
    if len(years) < 3 or len(set(years)) < 2:
        return "append"
    allowed = int(len(years) * _MAX_OUT_OF_ORDER)
    down = sum(1 for a, b in itertools.pairwise(years) if b > a)
    up = sum(1 for a, b in itertools.pairwise(years) if b < a)
    if down <= allowed and down < up:
        return "newest-first"
    if up <= allowed and up < down:
        return "newest-last"
    return "append"


def _placeholder(samples: Sequence[Sample]) -> str:
    counts = Counter(
        cell.strip() for s in samples for cell in s.block.cells if cell.strip() and "](" not in cell
    )
    dashes = [c for c, _ in counts.most_common() if c in ("-", "—", "–", "N/A", "n/a", "/", "x")]
    return dashes[0] if dashes else "-"


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class NewEntry:
    """Validated fields of a paper, ready to be written."""

    title: str
    arxiv_id: str
    acronym: str | None = None
    venue: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None  # of the arXiv submission, for lists that show the full date
    code_url: str | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Fill:
    """What goes into a template's slots."""

    ident: str
    title: str
    paper_url: str
    code: str | None
    venue: str
    new: NewEntry
    strict: bool  # also escape the punctuation a venue or separator could be read from
    month_dot: bool = False  # the section abbreviates months with a dot (``Dec.``)
    code_label: str = ""  # the section's usual code link label, as written


def render(style: SectionStyle, new: NewEntry, marker: str) -> str:
    """The new entry's text (lines joined by ``\\n``) in the section's style. Raises ListError."""
    ident = normalize_id(new.arxiv_id)
    if ident is None:
        raise ListError(f"not an arXiv id: {new.arxiv_id!r}")
    title = clean_title(new.title)
    if not title:
        raise ListError(f"{ident}: empty title")
    code = safe_url(new.code_url) if new.code_url else None
    sample = style.template(code is not None)
    paper_url = style.paper_form.format(id=ident)
    venue = _venue_name(style, new.venue)
    problem = ""
    for strict in (False, True):
        fill = _Fill(ident, title, paper_url, code, venue, new, strict, style.month_dot, style.code_label)
        out, kept = _fill(sample.reading, fill, marker, style.placeholder)
        problem = _foreign_words(style, kept, ident) or _check(style, out, fill, sample.reading)
        if not problem:
            return out
    raise ListError(problem)


def _foreign_words(style: SectionStyle, kept: str, ident: str) -> str:
    """A template's own words (an author, a note) must not reach a new entry: refuse instead."""
    digits = _DIGITS_RE.findall(_KEPT_NOISE_RE.sub(" ", kept))
    if digits:
        return (
            f"{ident}: the section's entries hold numbers of their own that the bot cannot fill "
            f"({', '.join(repr(d) for d in digits[:3])}: a day, a date or a count); add the paper by hand"
        )
    if style.common_words is None:
        return ""
    foreign = sorted({w for w in _WORD_RE.findall(kept) if w.casefold() not in style.common_words})
    if not foreign:
        return ""
    shown = ", ".join(repr(w) for w in foreign[:3])
    return (
        f"{ident}: the section's entries hold text of their own that the bot cannot fill ({shown}); "
        "add the paper by hand"
    )


def _fill(reading: Reading, fill: _Fill, marker: str, placeholder: str) -> tuple[str, str]:
    """(the new entry, the template's text that it keeps verbatim)."""
    text = reading.text
    pipes = "|" in text
    new = fill.new
    edits: list[tuple[int, int, str]] = []
    if reading.marker is not None:
        edits.append((reading.marker.start, reading.marker.end, marker))
    if reading.acronym is not None:
        acronym = escape_title(clean_text(new.acronym or ""), pipes=pipes, strict=fill.strict)
        edits.append(_fill_or_drop(text, reading.acronym[1], acronym))
    if reading.authors is not None:
        authors = _authors(new.authors, text, reading.authors[1])
        edits.append(_fill_or_drop(text, reading.authors[1], authors))
    if reading.title is not None:
        start, end = reading.title[1]
        if text[start - 1 : start] == "`":  # inside a code span nothing is markup; a backtick would end it
            title = fill.title.replace("`", "'")
        else:
            title = escape_title(fill.title, pipes=pipes, strict=fill.strict)
        edits.append((start, end, title))
    if reading.venue is not None and not _inside_link(reading.venue.span, reading.links):
        shown = _venue_text(reading.venue, fill.venue, new.year)
        edits.append((reading.venue.span.start, reading.venue.span.end, shown))
    edits.extend(_date_edits(reading, fill))
    if reading.venue_word is not None:
        edits.append((reading.venue_word[1].start, reading.venue_word[1].end, fill.venue))
    edits.extend(_own_edits(reading, fill))
    for link in reading.links:
        edits.extend(_link_edits(reading, link, fill))
    lines = _apply(text, edits, placeholder).rstrip(" \t").split("\n")
    # a line that held only the template's badges goes; a hard break that now ends the entry too
    lines = [line for n, line in enumerate(lines) if n == 0 or line.strip(" \t\\")]
    if len(lines) > 1 or reading.marker is not None:
        lines[-1] = lines[-1].rstrip(" \t\\") if lines[-1].rstrip(" \t").endswith("\\") else lines[-1]
    return "\n".join(_tidy(line) for line in lines), _kept(text, edits)


def _own_edits(reading: Reading, fill: _Fill) -> list[tuple[int, int, str]]:
    """What of the template is its entry's own and is left out: inline notes, badges, anchors."""
    text = reading.text
    edits: list[tuple[int, int, str]] = []
    for comment in _INLINE_COMMENT_RE.finditer(text):  # a note (a bibtex key) of that entry alone
        edits.append((comment.start(), comment.end(), ""))
    stars = _star_swap(reading, fill)
    for own in _OWN_MARKS_RE.finditer(text):  # its badges (![LLM](img)) and anchors are its own
        mark = own.group()
        swapped = next((mark.replace(old, new) for old, new in stars if old in mark), None)
        edits.append((own.start(), own.end(), swapped or ""))
    for span in reading.decorations:  # an anchor or emoji belongs to the entry it opens
        decoration = text[span.start : span.end]
        if stars and (any(old in decoration for old, _ in stars) or _BR_RE.fullmatch(decoration.strip())):
            continue  # the code's star badge, rewritten for the new code above, and the break after it
        end = span.end
        while end < len(text) and text[end] in " \t":
            end += 1
        edits.append((span.start, end, ""))
    return edits


def _star_swap(reading: Reading, fill: _Fill) -> list[tuple[str, str]]:
    """(template repository, new repository) when a badge that is no link names the template's
    GitHub code repository (``![Star](img.shields.io/github/stars/owner/repo.svg)``) and the new
    paper's code is on GitHub too: that badge is the code's, and is rewritten, not left out."""
    new_repo = _github_repo(fill.code) if fill.code else None
    if new_repo is None:
        return []
    for link in reading.links:
        old_repo = _github_repo(link.url) if link.kind == "code" else None
        if old_repo is not None:
            return [(old_repo, new_repo)]
    return []


def _github_repo(url: str) -> str | None:
    """``owner/repo`` of a GitHub URL, else None."""
    match = _OWNER_REPO_RE.match(url)
    return match.group(1) if match is not None else None


def _badge_repo(reading: Reading, link: LinkSlot) -> str | None:
    """The GitHub repository a badge link names in its image (a star badge), else None."""
    repo = _github_repo(link.url) if link.image else None
    label = reading.text[link.label_span.start : link.label_span.end]
    return repo if repo is not None and repo in label else None


def _date_edits(reading: Reading, fill: _Fill) -> list[tuple[int, int, str]]:
    """An opening ``[2023/05]`` or ``[Dou2020]`` key, a date, and the ordinal day before it."""
    edits: list[tuple[int, int, str]] = []
    if reading.key is not None:
        edits.append((reading.key[1].start, reading.key[1].end, _key_text(reading.key[0], fill)))
    if reading.date is not None:
        span = reading.date[1].span
        edits.append((span.start, span.end, _date_text(reading.date, fill.new, fill.ident, fill.month_dot)))
        ordinal = _ORDINAL_BEFORE_RE.search(reading.text, 0, span.start)
        if ordinal is not None:  # "[7th Dec., 2023]": the day of the month
            edits.append((ordinal.start("day"), ordinal.end("day"), _ordinal(fill.new.day, fill.ident)))
    return edits


def _kept(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The parts of ``text`` no edit touches."""
    pieces: list[str] = []
    position = 0
    for start, end, _ in sorted(edits):
        if start > position:
            pieces.append(text[position:start])
        position = max(position, end)
    pieces.append(text[position:])
    return " ".join(pieces)


def _tidy(line: str) -> str:
    """A line without a stray trailing space; two or more (a hard break) stay."""
    stripped = line.rstrip(" \t")
    return stripped if len(line) - len(stripped) < 2 else line


def _venue_name(style: SectionStyle, venue: str | None) -> str:
    squashed = squash_venue(clean_text(venue or "") or "arXiv")
    return style.venues.get(squashed.casefold(), squashed)


def _inside_link(span: Span, links: Sequence[LinkSlot]) -> bool:
    return any(link.label_span.start <= span.start and span.end <= link.label_span.end for link in links)


def _fill_or_drop(text: str, inner: Span, value: str) -> tuple[int, int, str]:
    if value:
        return inner.start, inner.end, value
    start, end = inner.start, inner.end
    while start > 0 and text[start - 1] in "[*_":
        start -= 1
    while end < len(text) and text[end] in "]*_.":
        end += 1
    while end < len(text) and text[end] in " \t":
        end += 1
    return start, end, ""


def _authors(authors: Sequence[str], text: str, span: Span) -> str:
    names = [clean_text(a) for a in authors if clean_text(a)]
    if not names:
        return ""
    raw = text[span.start : span.end]
    etal = re.search(r"(?<![A-Za-z])[_*]?et\.?\s*al", raw, re.IGNORECASE)
    if etal is not None:
        # "Liu et al." names the first author by surname, "Haotian Liu et al." in full
        full = len(raw[: etal.start()].strip(" ,*_").split()) >= 2
        first = names[0] if full else names[0].split()[-1]
        return escape_title(first, pipes=False) + " " + raw[etal.start() :].lstrip()
    joined = ", ".join(escape_title(n, pipes=False) for n in names)
    return joined + ("." if raw.rstrip().endswith(".") else "")


def _venue_text(slot: VenueSlot, venue: str, year: int | None) -> str:
    if year is None:
        return ""
    shown = f"{year % 100:02d}" if slot.digits == 2 else str(year)
    if slot.venue is None:
        return shown
    venue = f"{slot.emph}{venue}{slot.emph}"
    return f"{shown}{slot.sep}{venue}" if slot.first else f"{venue}{slot.sep}{shown}"


def _key_text(written: str, fill: _Fill) -> str:
    """``[2023/05]`` or ``[Dou2020]`` for the new paper; ListError when it lacks what they show."""
    new = fill.new
    date = KEY_DATE_RE.fullmatch(written)
    if date is not None:
        if new.year is None or new.month is None:
            raise ListError(
                f"{fill.ident}: the section's entries open with a date ({written}) the paper has none for"
            )
        return f"{new.year}{date.group('sep')}{new.month:02d}"
    names = [clean_text(a) for a in new.authors if clean_text(a)]
    if not names or new.year is None:
        raise ListError(
            f"{fill.ident}: the section's entries open with an author-year key ({written}); "
            "the paper has no first author or year"
        )
    surname = re.sub(r"[^A-Za-z'\-]", "", names[0].split()[-1])
    if not surname or not surname[0].isalpha():
        raise ListError(f"{fill.ident}: no author-year key can be written for {names[0]!r}")
    return f"{surname[0].upper()}{surname[1:]}{new.year}"


def _ordinal(day: int | None, ident: str) -> str:
    if day is None:
        raise ListError(f"{ident}: the section's entries show the day of the month, and the paper has none")
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_text(date: tuple[str, VenueSlot], new: NewEntry, ident: str, month_dot: bool = False) -> str:
    written, slot = date
    if new.year is None:
        return ""
    if ISO_DATE_RE.fullmatch(written):
        if new.month is None or new.day is None:
            raise ListError(
                f"{ident}: the section's entries show full dates ({written}), and the paper has none"
            )
        return f"{new.year}-{new.month:02d}-{new.day:02d}"
    if new.month is None:
        return str(new.year)
    name = MONTH_NAMES[new.month - 1]
    bare = written.rstrip(".")
    shown = name if len(bare) > 4 else name[:4] if len(bare) == 4 and name[:4] == bare else name[:3]
    # "May" or "June" shows no abbreviation: the section's other dates tell whether one takes a dot
    abbreviated = bool(bare) and bare.casefold() not in _FULL_MONTHS
    dot = written.endswith(".") if abbreviated else month_dot
    if dot and shown != name:
        shown += "."
    return f"{shown}{slot.sep}{new.year}"


def _link_edits(reading: Reading, link: LinkSlot, fill: _Fill) -> list[tuple[int, int, str]]:
    text = reading.text
    url = (link.url_span.start, link.url_span.end)
    label = text[link.label_span.start : link.label_span.end]
    if link.kind in ("title", "paper"):
        edits = [(*url, fill.paper_url)]
        old = link.arxiv
        if link.image and old and old in label:
            edits.append((link.label_span.start, link.label_span.end, label.replace(old, fill.ident)))
        return edits
    if link.kind == "venue":
        return [
            (link.label_span.start, link.label_span.end, _venue_label(label, fill)),
            (*url, fill.paper_url),
        ]
    if link.kind == "code" and fill.code is not None:
        edits = [(*url, fill.code)]
        usual = fill.code_label
        if usual and not link.image and clean_text(usual).casefold() != link.label.casefold():
            # "[Hugging Face](url)" in a template: the new code link is labelled as the section's are
            edits.append((link.label_span.start, link.label_span.end, usual))
        old_repo = _badge_repo(reading, link)
        if old_repo is not None:
            new_repo = _github_repo(fill.code)
            if new_repo is None:  # a GitHub star badge cannot show another host's repository
                return [_drop(text, link.outer, reading)]
            edits.append((link.label_span.start, link.label_span.end, label.replace(old_repo, new_repo)))
        return edits
    return [_drop(text, link.outer, reading)]


def _venue_label(label: str, fill: _Fill) -> str:
    """``CVPR 2025`` -> the new paper's venue and year, written the same way."""
    core = label.strip("`*_ []")
    shift = label.find(core)
    slot = venue_of(core)
    year = fill.new.year
    if slot is not None:
        shown = _venue_text(slot, fill.venue, year)
        return label[: shift + slot.span.start] + shown + label[shift + slot.span.end :]
    return label.replace(core, str(year)) if year is not None else label


def _drop(text: str, span: Span, reading: Reading) -> tuple[int, int, str]:
    """Remove a link, the separator before it, or its whole line when it stands alone."""
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start : span.start]
    after = text[span.end : line_end]
    if not before.strip() and not after.strip() and line_start > 0:
        return line_start - 1, line_end, ""  # the line and the newline before it
    if reading.cells and any(c.start <= span.start and span.end <= c.end for c in reading.cells):
        return span.start, span.end, "\x00cell\x00"
    start = span.start
    while start > line_start and text[start - 1] in " \t":
        start -= 1
    if start > line_start and text[start - 1] in "|,;·":
        start -= 1
        while start > line_start and text[start - 1] in " \t":
            start -= 1
    if start == line_start or not before.strip():
        start = span.start
        end = span.end
        while end < line_end and text[end] in " \t":
            end += 1
        return start, end, ""
    return start, span.end, ""


def _apply(text: str, edits: list[tuple[int, int, str]], placeholder: str) -> str:
    out = text
    taken: list[tuple[int, int]] = []
    for start, end, value in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        out = out[:start] + value + out[end:]
    if "\x00cell\x00" in out:
        out = _fill_cells(out, placeholder)
    return out


def _fill_cells(row: str, placeholder: str) -> str:
    parts = row.split("|")
    for index, part in enumerate(parts):
        if "\x00cell\x00" in part:
            rest = part.replace("\x00cell\x00", "")
            parts[index] = f" {placeholder} " if not rest.strip() else rest
    return "|".join(parts)


def _check(style: SectionStyle, out: str, fill: _Fill, template: Reading) -> str:
    """Why ``out`` would not read back, through the same engine, as what was meant ("" when it does)."""
    ident = fill.ident
    if "\r" in out:
        return f"{ident}: the rendered entry holds a carriage return"
    header = rule = ""
    if style.kind == "row":
        sample = style.templates[0].block
        header = "| " + " | ".join(sample.header) + " |\n"
        rule = "|" + "---|" * len(sample.header) + "\n"
    whole = split_lines(header + rule + out + "\n")
    structure = scan(whole)
    blocks = structure.blocks
    if structure.headings or structure.hidden or len(blocks) != 1 or blocks[0].kind != style.kind:
        return f"{ident}: the rendered entry would not read as one entry of its section: {out!r}"
    reading = read_block(whole, blocks[0])
    got = (reading.title[0] if reading.title else None, reading.arxiv_id())
    if got not in ((fill.title, ident), (fill.title.replace("`", "'"), ident)):
        return f"{ident}: the rendered entry would read back as {got}, not {(fill.title, ident)}: {out!r}"
    if template.year is not None and fill.new.year is not None and reading.year != fill.new.year:
        return f"{ident}: the rendered entry would read back with the year {reading.year}: {out!r}"
    named = template.venue is not None and template.venue.venue is not None and fill.new.year is not None
    if named and (reading.venue is None or reading.venue.venue != fill.venue):
        shown = reading.venue.venue if reading.venue else None
        return f"{ident}: the rendered entry would read back with the venue {shown!r}: {out!r}"
    wants_code = fill.code is not None and any(_keeps(template, link, fill.code) for link in template.links)
    if wants_code and not any(link.url == fill.code for link in reading.links):
        return f"{ident}: the rendered entry would lose its code link: {out!r}"
    if style.kind == "item" and MARKER_RE.match(out) is None:
        return f"{ident}: the rendered entry lost its list marker: {out!r}"
    return ""


def _keeps(template: Reading, link: LinkSlot, code: str) -> bool:
    """Whether the template's code ``link`` is rewritten for ``code`` (a GitHub badge needs GitHub)."""
    if link.kind != "code":
        return False
    return _badge_repo(template, link) is None or _github_repo(code) is not None


def next_marker(sample: Block, reading: Reading, number: int | None) -> str:
    """The marker text of a new item: the template's indentation and spacing, the next number."""
    if reading.marker is None:
        return ""
    written = reading.text[reading.marker.start : reading.marker.end]
    match = MARKER_RE.match(written)
    if match is None or match.group(3) is None:
        return written
    shown = str(number if number is not None else int(match.group(3)))
    return f"{match.group(1)}{shown}{match.group(4)}{match.group(5)}"
