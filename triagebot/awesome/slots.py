"""Read one entry in any common form into slots (spans of its raw text), and write a new entry
by filling another entry's slots: the section's own entries are the template.

Hand-written on purpose: markdown-it-py finds the blocks (see structure.py), but what a paper
list means by "title", "venue" or "code link" inside one item is a convention of these lists,
not Markdown. The reader works on the raw text (bullet, badges and all) with code spans and
backslash escapes masked, so every slot is a span that a new entry can be written into.

Slots: ``marker`` (``- ``, ``3. ``), ``acronym`` (``**[X]**``), ``authors`` (``*A, B.*``,
``[Name _et. al._]``), ``title`` (plain, bold, bracketed, or a link's text), ``venue``
(``CVPR 2025``, ``CVPR'25``, ``CVPR' 20``, ``2025 CVPR``, a year alone), ``date`` (``Mar., 2024``)
and links, each of a kind: ``title`` (the title is its text), ``paper``, ``venue`` (its label is the
venue), ``code``, ``other`` (project pages, scholar searches: a new paper has none).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from triagebot.arxiv_ids import normalize_id
from triagebot.awesome.text import MASK, clean_text, mask, mask_escapes, unescape
from triagebot.code_hosts import is_code_url

LinkKind = Literal["title", "paper", "venue", "code", "other"]

# a link, its label holding one level of brackets (badges: [![alt](img)](url)); possessive: no backtracking
LINK_RE = re.compile(
    r"(?<!!)\[(?P<label>(?:[^\[\]\n]++|\[[^\[\]\n]*+\])*+)\]"
    r"\((?P<url>[^\s()]*+(?:\([^\s()]*+\)[^\s()]*+)*+)\)"
)
MARKER_RE = re.compile(r"^([ \t]*)(?:([-*+])|(\d{1,9})([.)]))([ \t]+|$)")
_ACRONYM_RE = re.compile(
    r"\*\*\[(?P<a>[^\[\]\n*]{1,40})\]\*\*|\[(?P<b>[^\[\]\n]{1,40})\](?!\()(?!\[[^\[\]\n]*\](?!\())"
)
_ETAL_RE = re.compile(r"(?<![A-Za-z])et\.?\s*al(?![A-Za-z])", re.IGNORECASE)
_BRACKET_RE = re.compile(r"\[(?P<inner>[^\[\]\n]{1,400})\](?![(\[])")
_EMPH_RE = re.compile(r"(?P<o>\*\*|__|\*|_)(?P<inner>[^*_\n][^\n]*?)(?P=o)(?!\w)")
_WORD = r"[A-Za-z][A-Za-z0-9&+\-]*?"
_VENUE_RE = re.compile(
    rf"(?<![\w'/.-])(?P<venue>{_WORD}(?:[ ]{_WORD}){{0,3}}?)"
    r"(?P<sep>[ ]?'[ ]?|,?[ ]|)(?P<year>(?:19|20)\d\d|\d\d)(?![\w/-]|\.\w)"
)
# the venue in emphasis: ``in *CIKM*, 2020`` (tried only where a venue-year has no plain match)
_EMPH_VENUE_RE = re.compile(
    rf"(?<![\w'/.-])(?P<emph>[*_]{{1,2}})(?P<venue>{_WORD}(?:[ ]{_WORD}){{0,3}}?)(?P=emph)"
    r"(?P<sep>,?[ ])(?P<year>(?:19|20)\d\d)(?![\w/-]|\.\w)"
)
_VENUE_FIRST_RE = re.compile(
    rf"(?<![\w'/.-])(?P<year>(?:19|20)\d\d)(?P<sep>[ ])(?P<venue>{_WORD})(?![\w/-]|\.\w)"
)
_DATE_RE = re.compile(
    r"(?<![\w/.-])(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*(?P<dot>\.?)"
    r"(?P<sep>,?[ ])(?P<year>(?:19|20)\d\d)(?![\w/-]|\.\w)"
)
_YEARISH_RE = re.compile(r"(?:19|20)\d\d|'[ ]?\d\d")
_VENUE_WINDOW = 48
_DATE_WINDOW = 14
_ALT_RE = re.compile(r"\s*!\[([^\]]*)\]")
_YEAR_RE = re.compile(r"(?<![\w/.:#=?&-])(?P<year>(?:19|20)\d\d)(?![\w/-]|\.\w)")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS = tuple(name[:3].casefold() for name in MONTH_NAMES)  # "jan" .. "dec"
_MAX_LEADS = 6
_NAME = (
    r"[A-Z][\w'\-]*\.?(?:[ ](?:(?:van|von|der|den|de|da|del|di|du|le|la|dos|ter)[ ])?[A-Z][\w'\-]*\.?){0,3}"
)
_NAME_LIST = rf"{_NAME}(?:,?[ ](?:and[ ])?{_NAME})*(?:,?[ ]et\.?[ ]?al\.?)?"
_NAME_LIST_RE = re.compile(rf"{_NAME_LIST}\.?")
_NAMES_RE = re.compile(
    rf"^[*_\s]*(?:[-–—:,.|][ ]*)?[*_]*(?P<names>{_NAME_LIST})"
    r"[*_]*[.,]?[*_\s|,.-]*$"
)
_NAMES_VENUE_RE = re.compile(
    rf"(?P<names>{_NAME_LIST})[ ]?(?P<venue>(?!et\b)[A-Za-z][A-Za-z0-9&+\-]*(?:\([A-Za-z]+\))?)\.?[ ]*"
)
_BY_NAMES_RE = re.compile(rf"^[ \t]*[,;.]?[ \t]*by[ ]+(?P<names>{_NAME_LIST})\.?[ \t]*$")
_LEAD_TAG_RE = re.compile(r"</?(?:a|span|img|sup|sub|b|i|strong|em|br)\b[^>\n]*>", re.IGNORECASE)
_SHORTCODE_RE = re.compile(r":[a-z0-9_+\-]{1,30}:")
_IMAGE_RE = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)")
# an opening bracket that is no acronym: a date ``[2023/05]`` or an author-year key ``[Dou2020]``
KEY_DATE_RE = re.compile(r"(?P<year>(?:19|20)\d\d)(?P<sep>[/.\-])(?P<month>0[1-9]|1[0-2])")
KEY_AUTHOR_RE = re.compile(r"(?P<name>[A-Z][A-Za-z'\-]+)(?P<year>(?:19|20)\d\d)(?P<suffix>[a-z]?)")


# a full date as tables write it: ``2025-03-17``
ISO_DATE_RE = re.compile(
    r"(?<![\w/.-])(?P<year>(?:19|20)\d\d)-(?P<month>0[1-9]|1[0-2])-(?P<day>[0-3]\d)(?![\w/-])"
)


def _is_key(value: str) -> bool:
    if not value[-2:].rstrip("abcdefghijklmnopqrstuvwxyz")[-1:].isdigit():  # both end in a digit
        return False
    return bool(KEY_DATE_RE.fullmatch(value) or KEY_AUTHOR_RE.fullmatch(value))


def key_year(value: str) -> int | None:
    match = KEY_DATE_RE.fullmatch(value) or KEY_AUTHOR_RE.fullmatch(value)
    return int(match.group("year")) if match is not None else None


_PAREN_RE = re.compile(r"\((?P<inner>[^()\n]{1,60})\)")
# a demo or a project page on a code host (a Hugging Face space, GitHub Pages) is no code link: a new
# entry must not show its code under such a label
_NOT_CODE_LABELS = frozenset(
    {
        "demo",
        "project",
        "project page",
        "page",
        "website",
        "homepage",
        "home page",
        "dataset",
        "data",
        "video",
        "slides",
        "blog",
        "annotation",
        "supp",
        "supplementary",
        "leaderboard",
        "poster",
    }
)
_PAPERISH = frozenset({"title", "paper", "venue"})
_PAPER_LABELS = frozenset({"pdf", "paper", "arxiv", "abs", "link", "article", "openreview", "doi"})
_NOT_VENUE = frozenset({"the", "a", "an", "and", "of", "in", "for", "with", "to", "on", "via", "by"})
_TITLE_STOP_RE = re.compile(r"\s*\|\s*|\s\[|\[\[|<br", re.IGNORECASE)
_HARD_BREAK_RE = re.compile(r"(?:<br\s*/?>|  |\x00)[ \t]*$", re.IGNORECASE)
_VENUE_LEAD_RE = re.compile(r"(?:\s[-–—]|[.,;]|\sin)\s*[*_(\[]*$")


class Span(NamedTuple):
    start: int
    end: int


class LinkSlot(NamedTuple):
    kind: LinkKind
    label: str  # clean label ("pdf", "CVPR 2025", the title; an image's alt text)
    url: str
    outer: Span  # the whole link, with brackets that wrap it: ``[[code](url)]``
    label_span: Span
    url_span: Span
    image: bool  # a badge: ``[![alt](img)](url)``
    arxiv: str | None = None  # the arXiv id its URL names


class VenueSlot(NamedTuple):
    span: Span  # the whole ``CVPR' 20``
    venue: str | None  # "CVPR" (None: a year alone)
    year: int
    digits: int  # 4, or 2 for ``'20``
    sep: str  # between venue and year
    first: bool  # year before venue (``2025 CVPR``)
    emph: str = ""  # the emphasis around the venue name: ``*CIKM*, 2020``


class Reading(NamedTuple):
    """What one entry says, and where each thing sits in ``text``."""

    text: str
    marker: Span | None = None
    acronym: tuple[str, Span] | None = None
    authors: tuple[str, Span] | None = None
    title: tuple[str, Span] | None = None
    venue: VenueSlot | None = None
    date: tuple[str, VenueSlot] | None = None  # (month text as written, its year slot)
    links: tuple[LinkSlot, ...] = ()
    cells: tuple[Span, ...] = ()  # a table row's cell spans (inside the pipes)
    decorations: tuple[Span, ...] = ()  # anchors, emoji that open this entry (not a new one's)
    venue_word: tuple[str, Span] | None = None  # a table's venue column without a year: ``CVPR``
    key: tuple[str, Span] | None = None  # an opening ``[2023/05]`` or author-year ``[Dou2020]``

    @property
    def year(self) -> int | None:
        if self.venue is not None:
            return self.venue.year
        if self.date is not None:
            return self.date[1].year
        return key_year(self.key[0]) if self.key is not None else None

    def arxiv_id(self) -> str | None:
        first = next((link.arxiv for link in self.links if link.arxiv and link.kind in _PAPERISH), None)
        return first or next((link.arxiv for link in self.links if link.arxiv), None)

    def shape(self, *, exact: bool = False) -> tuple[str, ...]:
        """What entries of one style share: the order of their slots and their literal separators."""
        spans: list[tuple[int, int, str]] = []
        named = (
            ("acronym", self.acronym),
            ("authors", self.authors),
            ("title", self.title),
            ("key", self.key),
        )
        for name, slot in named:
            if slot is not None:
                spans.append((slot[1].start, slot[1].end, name))
        if self.venue is not None:
            spans.append((self.venue.span.start, self.venue.span.end, "venue" + str(self.venue.digits)))
        if self.date is not None:
            spans.append((self.date[1].span.start, self.date[1].span.end, "date"))
        for link in self.links:
            if link.kind in ("title", "paper", "venue"):
                spans.append((link.outer.start, link.outer.end, "link-" + link.kind))
        spans.sort()
        # links a new paper may not have (code, project pages) are no part of the shape
        optional = [link.outer for link in self.links if link.kind in ("code", "other")]
        out: list[str] = []
        position = self.marker.end if self.marker else 0
        for start, end, name in spans:
            if start < position:
                continue
            literal = _without(self.text, position, start, optional)
            out.append(_SPACES_RE.sub(" ", literal) if exact else _loose(_SHAPE_NOISE_RE.sub("", literal)))
            out.append(name)
            position = end
        return tuple(out)


def _without(text: str, start: int, end: int, spans: list[Span]) -> str:
    """``text[start:end]`` without the parts that ``spans`` cover."""
    pieces: list[str] = []
    position = start
    for span in spans:
        if span.end <= position or span.start >= end:
            continue
        pieces.append(text[position : max(position, span.start)])
        position = max(position, span.end)
    pieces.append(text[position:end])
    return "".join(pieces)


_SPACES_RE = re.compile(r"\s+")
_LOOSE_RE = re.compile(r"[^|*_\[\]()<>`'\n]")


# what varies from entry to entry of one style: its own badges (``![LLM](img)``), anchors and
# spacing entities, and whether they took a line of their own
_SHAPE_NOISE_RE = re.compile(r"(?<!\[)!\[[^\]\n]*\]\([^)\s]*\)|<[^>\n]*>|&\w+;")
_NEWLINES_RE = re.compile(r"\n+")


def _loose(text: str) -> str:
    """Separators without their words and spacing: what two entries of one style share."""
    return _NEWLINES_RE.sub("\n", _LOOSE_RE.sub("", text))


def month_number(written: str) -> int:
    """``Mar.`` -> 3, ``2025-03-17`` -> 3; 0 when it names no month."""
    iso = ISO_DATE_RE.fullmatch(written)
    if iso is not None:
        return int(iso.group("month"))
    key = written.strip(". ").casefold()[:3]
    return _MONTHS.index(key) + 1 if key in _MONTHS else 0


def arxiv_id_of(url: str) -> str | None:
    return normalize_id(url) if "arxiv" in url.casefold() else None


def venue_of(label: str) -> VenueSlot | None:
    """``CVPR 2025`` / ``CVPR'25`` / ``2025 CVPR`` as a whole label, else None."""
    text = label.strip()
    for regex, first in ((_VENUE_RE, False), (_VENUE_FIRST_RE, True)):
        match = regex.fullmatch(text)
        if match is not None and (slot := _venue_slot(match, 0, first)) is not None:
            return slot
    return None


def _venue_slot(match: re.Match[str], shift: int, first: bool) -> VenueSlot | None:
    venue = match.group("venue")
    sep = match.group("sep")
    digits = len(match.group("year"))
    if digits == 2 and "'" not in sep and not (sep == " " and venue.isupper() and venue.isalpha()):
        return None
    if not sep and not (venue.isupper() and venue.isalpha()):
        return None
    words = venue.split()
    if words[0].casefold() in _NOT_VENUE or (words[0].casefold()[:3] in _MONTHS and len(words[0]) <= 5):
        return None
    if not any(ch.isupper() for ch in venue) and (len(words) > 1 or len(venue) < 2):
        return None
    year = int(match.group("year"))
    if digits == 2:
        year += 2000 if year < 70 else 1900
    start, end = match.span()
    emph = match.group("emph") if match.re is _EMPH_VENUE_RE else ""
    return VenueSlot(Span(start + shift, end + shift), venue, year, digits, sep, first, emph)


def _blank(masked: str, spans: list[Span]) -> str:
    out = masked
    for start, end in spans:
        if end > start:
            out = out[:start] + MASK * (end - start) + out[end:]
    return out


def _links(text: str, masked: str) -> list[LinkSlot]:
    found: list[LinkSlot] = []
    for match in LINK_RE.finditer(masked):
        raw_label = text[match.start("label") : match.end("label")]
        image = raw_label.lstrip().startswith("![")
        double = raw_label.startswith("[") and raw_label.endswith("]")
        shift = 1 if double else 0
        label_span = Span(match.start("label") + shift, match.end("label") - shift)
        label = _label(text[label_span.start : label_span.end], image)
        start, end = match.span()
        if start > 0 and masked[start - 1] == "[" and masked[end : end + 1] == "]":
            start, end = start - 1, end + 1
        url = text[match.start("url") : match.end("url")].strip("<>")
        found.append(
            LinkSlot(
                "other",
                label,
                url,
                Span(start, end),
                label_span,
                Span(*match.span("url")),
                image,
                arxiv_id_of(url),
            )
        )
    return found


@lru_cache(maxsize=4096)
def _label(raw: str, image: bool) -> str:
    """A link's label as text: ``[pdf]`` -> ``pdf``, a badge -> its alt text."""
    if image:
        alt = _ALT_RE.match(raw)
        raw = alt.group(1) if alt else ""
    return clean_text(unescape(raw.strip("`*_ ").strip("[]").strip("`*_ ")))


@lru_cache(maxsize=4096)
def _venue_label(label: str) -> bool:
    return venue_of(label) is not None or _YEAR_RE.fullmatch(label) is not None


def _kind(link: LinkSlot) -> LinkKind:
    if not link.image and _venue_label(link.label):
        return "venue"
    if link.arxiv:
        return "paper"
    if is_code_url(link.url) and link.label.casefold().strip("[]`*_ ") not in _NOT_CODE_LABELS:
        return "code"
    if link.label.casefold().strip("[]` ") in _PAPER_LABELS:
        return "paper"
    return "other"


def _retag(link: LinkSlot, kind: LinkKind) -> LinkSlot:
    return link._replace(kind=kind)


def _skip_space(masked: str, position: int, stop: int) -> int:
    while position < stop and masked[position] in " \t":
        position += 1
    return position


def read(
    text: str,
    *,
    title_cell: Span | None = None,
    cells: tuple[Span, ...] = (),
    venue_cell: Span | None = None,
) -> Reading:
    """The slots of one entry's raw text (one or more lines). Never raises.

    ``title_cell``: for a table row, the cell that holds the title.
    """
    masked = mask(text)
    marker_match = MARKER_RE.match(masked)
    marker = Span(0, marker_match.end()) if marker_match and not cells else None
    position = marker.end if marker else 0
    stop = len(masked)
    if title_cell is not None:
        position, stop = title_cell.start, title_cell.end
        position = _skip_space(masked, position, stop)
    links = [_retag(link, _kind(link)) for link in _links(text, masked)]
    lead, decorations, position = _leads(text, masked, links, position, stop)
    acronym, authors, venue, key = lead.acronym, lead.authors, lead.venue, lead.key
    position = _skip_space(masked, position, stop)
    title, title_link = _title(text, masked, links, position, stop, in_cell=title_cell is not None)
    if title_link is not None:
        links = [_retag(link, "title") if link is title_link else link for link in links]
    # what is left may hold the venue or a date: never inside the title, a URL or a badge
    hidden = [link.url_span for link in links] + [link.label_span for link in links if link.image]
    hidden += [slot[1] for slot in (title, acronym, authors, key) if slot is not None]
    hidden += [marker] if marker is not None else []
    rest = _blank(_code_spans_open(text, masked), hidden)
    date = _date(rest, iso_dates=bool(cells))
    if venue is None:
        venue = _venue(rest, date) or next(
            (slot for link in links if link.kind == "venue" and (slot := _label_venue(text, link))), None
        )
    closing_venue: tuple[str, Span] | None = None
    if authors is None and venue is None:
        authors, closing_venue = _italic_authors_venue(text, masked, title)
    if authors is None:
        later = [slot.span.start for slot in (venue, date[1] if date else None) if slot is not None]
        authors = (
            _italic_authors(text, masked, title)
            or _plain_authors(text, masked, title, links, later)
            or _closing_authors(text, masked, title, links)
        )
    venue_word = _venue_word(text, venue_cell, venue) if venue_cell is not None else closing_venue
    return Reading(
        text,
        marker,
        acronym,
        authors,
        title,
        venue,
        date,
        tuple(links),
        cells,
        tuple(decorations),
        venue_word,
        key,
    )


def _label_venue(text: str, link: LinkSlot) -> VenueSlot | None:
    """The venue and year a link's label gives (``[[CVPR 2025]](url)``), spanned in ``text``."""
    raw = text[link.label_span.start : link.label_span.end]
    core = raw.strip("`*_ []")
    shift = link.label_span.start + raw.find(core)
    slot = venue_of(core)
    if slot is not None:
        return slot._replace(span=Span(slot.span.start + shift, slot.span.end + shift))
    year = _YEAR_RE.fullmatch(core)
    if year is None:
        return None
    return VenueSlot(Span(shift, shift + len(core)), None, int(year.group("year")), 4, "", False)


def _plain_authors(
    text: str,
    masked: str,
    title: tuple[str, Span] | None,
    links: list[LinkSlot],
    later: list[int],
) -> tuple[str, Span] | None:
    """Names written as plain text right after the title: ``Title - A. Author, B. Author. CVPR 2021``.

    ``later``: where the slots after the title (venue, date) start.
    """
    if title is None:
        return None
    start = title[1].end
    title_link = next((link for link in links if link.kind == "title"), None)
    if title_link is not None:
        start = max(start, title_link.outer.end)
    ends = [link.outer.start for link in links if link.outer.start >= start]
    ends += [position for position in later if position >= start]
    end = min([*ends, masked.find("\n", start) % (len(masked) + 1)])
    segment = masked[start:end]
    match = _NAMES_RE.search(segment)
    if match is None or not ("," in match.group("names") or _ETAL_RE.search(match.group("names"))):
        return None
    lo, hi = start + match.start("names"), start + match.end("names")
    return clean_text(text[lo:hi]), Span(lo, hi)


def _closing_authors(
    text: str, masked: str, title: tuple[str, Span] | None, links: list[LinkSlot]
) -> tuple[str, Span] | None:
    """Names closing the entry after its links: ``[Title](pdf) [[Code]](url) by A. Author et al.``"""
    if title is None:
        return None
    start = max([title[1].end, *(link.outer.end for link in links)])
    line_end = masked.find("\n", start)
    end = len(masked) if line_end < 0 else line_end
    match = _BY_NAMES_RE.match(masked[start:end])
    if match is None or not (
        "," in match.group("names")
        or " and " in match.group("names")
        or _ETAL_RE.search(match.group("names"))
        or len(match.group("names").split()) >= 2
    ):
        return None
    lo, hi = start + match.start("names"), start + match.end("names")
    return clean_text(text[lo:hi]), Span(lo, hi)


def _venue_word(text: str, cell: Span, venue: VenueSlot | None) -> tuple[str, Span] | None:
    """A table's venue cell holding a venue name only (its year in another column)."""
    if venue is not None and cell.start <= venue.span.start < cell.end:
        return None
    raw = text[cell.start : cell.end]
    value = clean_text(raw).strip("*_` ")
    if not value or any(ch.isdigit() for ch in value) or len(value.split()) > 4 or "](" in raw:
        return None
    start = cell.start + raw.find(value)
    return value, Span(start, start + len(value))


@dataclass
class _Lead:
    """Slots found before the title."""

    acronym: tuple[str, Span] | None
    authors: tuple[str, Span] | None
    venue: VenueSlot | None
    key: tuple[str, Span] | None = None


def _leads(
    text: str, masked: str, links: list[LinkSlot], position: int, stop: int
) -> tuple[_Lead, list[Span], int]:
    """What opens an entry: anchors, emoji, badges, [Name et al.], [2025 CVPR], (CVPR 2021), [ACRONYM].

    Returns the slots found, the decorations (not a new entry's), and where the title may start.
    """
    lead = _Lead(acronym=None, authors=None, venue=None)
    decorations: list[Span] = []
    for _ in range(_MAX_LEADS):
        position = _skip_space(masked, position, stop)
        skipped = _skip_decoration(masked, links, position, stop)
        if skipped > position:
            if not any(link.outer.start == position for link in links):
                decorations.append(Span(position, skipped))
            position = skipped
            continue
        end = _leading_slot(text, masked, position, lead)
        if end <= position:
            break
        position = end
    return lead, decorations, position


def _skip_decoration(masked: str, links: list[LinkSlot], position: int, stop: int) -> int:
    """After an anchor tag, an emoji, a badge or a venue link that opens an entry; ``position`` if none."""
    if position >= stop:
        return position
    match = _LEAD_TAG_RE.match(masked, position) or _SHORTCODE_RE.match(masked, position)
    if match is not None and match.end() <= stop:
        return match.end()
    char = masked[position]
    if (not char.isascii() and unicodedata.category(char)[0] == "S") or char in "\ufe0f\u200d":
        return position + 1
    for link in links:
        if link.outer.start == position and (link.image or link.kind == "venue"):
            return link.outer.end
    image = _IMAGE_RE.match(masked, position)
    return image.end() if image is not None else position


def _leading_slot(text: str, masked: str, position: int, lead: _Lead) -> int:
    """After a leading ``[Name et al.]``, ``[2025 CVPR]``, ``(CVPR 2021)`` or ``[ACRONYM]``, else at
    ``position``."""
    match = (
        _ACRONYM_RE.match(masked, position)
        or _BRACKET_RE.match(masked, position)
        or _PAREN_RE.match(masked, position)
    )
    if match is None:
        return position
    group = next(g for g in ("inner", "a", "b") if g in match.groupdict() and match.group(g) is not None)
    inner = Span(*match.span(group))
    value = clean_text(unescape(text[inner.start : inner.end]))
    paren = masked[position] == "("
    if _ETAL_RE.search(value) and lead.authors is None and not paren:
        lead.authors = (value, inner)
    elif _is_key(value) and lead.key is None and not paren:
        lead.key = (value, inner)
    elif (slot := venue_of(value)) is not None and lead.venue is None:
        shift = inner.start
        lead.venue = slot._replace(span=Span(slot.span.start + shift, slot.span.end + shift))
    elif lead.acronym is None and lead.authors is None and len(value.split()) <= 2 and value and not paren:
        lead.acronym = (value, inner)
    else:
        return position
    return match.end()


def _title(
    text: str, masked: str, links: list[LinkSlot], position: int, stop: int, *, in_cell: bool = False
) -> tuple[tuple[str, Span] | None, LinkSlot | None]:
    lead_ok = ("", "**", "*", "__", "_", '"', "“")
    for link in links:
        if link.outer.start < position or link.outer.start >= stop or (in_cell and link.image):
            continue
        lead = masked[position : link.outer.start].strip()
        if (
            (lead in lead_ok or in_cell)
            and not link.image
            and link.kind != "venue"
            and (len(link.label.split()) >= 2 or link.kind == "paper")
        ):
            return _clean(text, link.label_span, masked), link
        break
    emph = _EMPH_RE.match(masked, position)
    if emph is not None and emph.end() <= stop and len(emph.group("inner").split()) >= 2:
        return _clean(text, Span(*emph.span("inner")), masked), None
    bracket = _BRACKET_RE.match(masked, position)
    if bracket is not None and bracket.end() <= stop and len(bracket.group("inner").split()) >= 2:
        return _clean(text, Span(*bracket.span("inner")), masked), None
    return _clean(text, Span(position, _plain_title_end(masked, links, position, stop)), masked), None


def _plain_title_end(masked: str, links: list[LinkSlot], position: int, stop: int) -> int:
    """Where a plain title ends: a separator, a hard line break, or a venue that closes its run."""
    end = stop
    cut = _TITLE_STOP_RE.search(masked, position, stop)
    if cut is not None:
        end = cut.start()
    newline = masked.find("\n", position, end)
    while newline >= 0:  # a soft line break continues the title; a hard one ends it
        if _HARD_BREAK_RE.search(masked, position, newline):
            end = newline
            break
        newline = masked.find("\n", newline + 1, end)
    hidden = _hide_urls(masked, links)
    if any(_venue_slot(m, 0, f) is not None for m, f in _venue_matches(hidden, end, stop)):
        return end  # the venue comes later: all of this is title
    for match, _ in _venue_matches(masked, position, end):
        if match.end() < end - 2 and masked[match.end() : end].strip(" .*_)]") != "":
            continue  # not at the end of the run: part of the title
        lead = _VENUE_LEAD_RE.search(masked, position, match.start())
        if lead is not None and lead.start() > position and _venue_slot(match, 0, False) is not None:
            return lead.start()
    return end


def _clean(text: str, span: Span, masked: str) -> tuple[str, Span] | None:
    """The title in ``span`` without edge decoration or a final period (escaped characters stay)."""
    start, end = span.start, span.end
    while end > start and masked[end - 1] in " \t|,;:-–—*_":
        end -= 1
    if end > start and masked[end - 1] == ".":
        end -= 1
    while start < end and masked[start] in " \t*_":
        start += 1
    while end > start and masked[end - 1] in " \t*_":
        end -= 1
    if end - start > 2 and masked[start] in '"“' and masked[end - 1] in '"”':
        start, end = start + 1, end - 1  # a quoted title: the quotes are the list's, not the title's
    if text.startswith("`", start):  # a title in a code span: its text, without the backticks
        run = len(text[start:end]) - len(text[start:end].lstrip("`"))
        if end - start > 2 * run and text[end - run : end] == "`" * run:
            start, end = start + run, end - run
            code = clean_text(text[start:end])
            return (code, Span(start, end)) if code else None
    value = clean_text(unescape(text[start:end]))
    return (value, Span(start, end)) if value else None


def _code_spans_open(text: str, masked: str) -> str:
    """``masked`` with the content of code spans visible again (a venue may be written as code)."""
    return mask_escapes(text) if "`" in text else masked


def _hide_urls(masked: str, links: list[LinkSlot]) -> str:
    return _blank(masked, [link.url_span for link in links])


def _date(rest: str, *, iso_dates: bool = False) -> tuple[str, VenueSlot] | None:
    """A month and year (``Mar. 2023``); with ``iso_dates`` (a table row) also ``2023-03-17``."""
    match = None
    for year in _YEARISH_RE.finditer(rest):
        found = _DATE_RE.search(rest, max(0, year.start() - _DATE_WINDOW), year.end() + 1)
        if found is not None and found.end() == year.end():
            match = found
            break
    if match is None:
        iso = ISO_DATE_RE.search(rest) if iso_dates else None
        if iso is None:
            return None
        return iso.group(), VenueSlot(Span(*iso.span()), None, int(iso.group("year")), 4, "-", False)
    year_span = Span(*match.span())
    slot = VenueSlot(year_span, None, int(match.group("year")), 4, match.group("sep"), False)
    return match.group("month") + match.group("dot"), slot


def _venue_matches(masked: str, lo: int, hi: int) -> list[tuple[re.Match[str], bool]]:
    """Venue-year matches in ``masked[lo:hi]``, found from their years (cheap on long text)."""
    found: list[tuple[re.Match[str], bool]] = []
    for year in _YEARISH_RE.finditer(masked, lo, hi):
        end = year.end()
        window = max(lo, year.start() - _VENUE_WINDOW)
        for match in _VENUE_RE.finditer(masked, window, min(hi, end + 2)):
            if match.end() == end:
                found.append((match, False))
                break
        else:
            emph = None
            if masked[max(0, year.start() - 3) : year.start()].rstrip(", ")[-1:] in ("*", "_"):
                emph = next(
                    (m for m in _EMPH_VENUE_RE.finditer(masked, window, min(hi, end + 2)) if m.end() == end),
                    None,
                )
            first = _VENUE_FIRST_RE.match(masked, year.start(), hi)
            if emph is not None:
                found.append((emph, False))
            elif first is not None:
                found.append((first, True))
    return found


def _venue(rest: str, date: tuple[str, VenueSlot] | None) -> VenueSlot | None:
    for match, first in _venue_matches(rest, 0, len(rest)):
        if date is not None and match.start() < date[1].span.end and match.end() > date[1].span.start:
            continue
        slot = _venue_slot(match, 0, first)
        if slot is not None:
            return slot
    if date is None and (year := _YEAR_RE.search(rest)) is not None:
        return VenueSlot(Span(*year.span()), None, int(year.group("year")), 4, "", False)
    return None


def _italic_authors_venue(
    text: str, masked: str, title: tuple[str, Span] | None
) -> tuple[tuple[str, Span] | None, tuple[str, Span] | None]:
    """``*A. Author et al. arXiv.*``: names and a venue without a year, in one emphasis."""
    for match in _EMPH_RE.finditer(masked):
        inner = Span(*match.span("inner"))
        if title is not None and inner.start <= title[1].start < inner.end:
            continue
        found = _NAMES_VENUE_RE.fullmatch(masked, inner.start, inner.end)
        if found is None or not _ETAL_RE.search(found.group("names")):
            continue
        names = Span(*found.span("names"))
        venue = Span(*found.span("venue"))
        return (
            (clean_text(unescape(text[names.start : names.end])).rstrip("."), names),
            (text[venue.start : venue.end], venue),
        )
    return None, None


def _italic_authors(text: str, masked: str, title: tuple[str, Span] | None) -> tuple[str, Span] | None:
    """``*A. Author, B. Author.*``: a list of names in emphasis (not the title)."""
    for match in _EMPH_RE.finditer(masked):
        inner = Span(*match.span("inner"))
        if title is not None and inner.start <= title[1].start < inner.end:
            continue
        value = text[inner.start : inner.end]
        if ("," in value or _ETAL_RE.search(value)) and _NAME_LIST_RE.fullmatch(value.strip()):
            return clean_text(unescape(value)).rstrip("."), inner
    return None
