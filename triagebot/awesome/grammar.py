"""Entry grammar of the first wave: the fields of one list item, and the layout they sit in.

Kept for :class:`~triagebot.awesome.style.Style` (``Document.style``, ``render_entry``,
``style_from_example``): the list-wide one-line grammar, for callers of ``render_entry``. Reading
entries and writing new ones per section is slots.py and template.py.

Nothing here knows a particular list. An item's content is cut into up to four parts, each with
its decoration and the separator before it:

- ``acronym``: a bracketed tag at the start, ``[X]`` or ``**[X]**``;
- ``title``: plain text, or a link whose text is the title (``[Title](url)``);
- ``venue``: ``VENUE YEAR`` (or a year alone), bold/italic/parenthesised, or after a ``|``/``.``/``-``/``,``;
- ``links``: the run of links that ends the item (``[[pdf]](url) [[code]](url)``).

The literal text around the fields is the item's :class:`Layout`; a list's majority layout is its
grammar, used to render new entries and to tell which entries fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from triagebot.awesome.slots import LINK_RE
from triagebot.awesome.text import clean_text, mask, unescape

_ACRONYM_RE = re.compile(r"\*\*\[(?P<a>[^\[\]\n*]{1,60})\]\*\*|\[(?P<b>[^\[\]\n]{1,60})\](?![(\[])")
_VENUE_YEAR_RE = re.compile(
    r"(?:(?P<venue>[A-Za-z][^|*()\[\]\n]{0,60}?)[ ,]+)?(?P<year>(?:19|20)\d{2})",
)
_SEPARATOR_RE = re.compile(r"\s*\|\s*|[.;,]\s+|\s+[-–—]\s+")
_RUN_GAP_RE = re.compile(r"[\s|,;/·•-]*")
_DECORATIONS = (("**", "**"), ("__", "__"), ("(", ")"), ("[", "]"), ("*", "*"), ("_", "_"))
_TITLE_WRAPS = (("**", "**"), ("__", "__"), ("*", "*"), ("_", "_"), ('"', '"'), ("“", "”"))
_MAX_VENUE_WORDS = 8
PLACEHOLDERS = ("acronym", "title", "url", "venue", "year", "links")

Span = tuple[int, int]


class Link(NamedTuple):
    label: str  # without brackets: "pdf" for ``[[pdf]](…)``
    url: str
    start: int
    end: int
    double: bool  # written ``[[label]](url)``
    label_span: Span = (0, 0)
    url_span: Span = (0, 0)


class Part(NamedTuple):
    """One field of an item: its outer span (decoration included) and named inner spans."""

    name: str  # acronym | title | venue | links
    outer: Span
    inner: tuple[tuple[str, Span], ...]


@dataclass(frozen=True)
class Layout:
    """The literal text of an item around its fields: ``(field, format)`` pairs and a tail.

    Each format holds the text between the previous field and the end of this one, with the
    field's values as ``{placeholders}``, e.g. ``(("acronym", "**[{acronym}]**"), ("title", " {title}"),
    ("venue", ". | **{venue} {year}**"), ("links", " | {links}"))``.
    """

    parts: tuple[tuple[str, str], ...]
    tail: str = ""
    link_format: str = "[{label}]({url})"
    link_separator: str = " "

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.parts)

    @cached_property
    def key(self) -> tuple[tuple[str, str], ...]:
        """What two layouts must share to be the same grammar (spacing and periods aside)."""
        return (*((name, _loose(fmt)) for name, fmt in self.parts), ("tail", _loose(self.tail)))

    def fits(self, grammar: Layout) -> bool:
        """True when this item uses the grammar's parts in its order and forms.

        The acronym and the venue may be absent; the links may not when the grammar has them.
        """
        mine = self.key
        theirs = grammar.key
        if mine[-1] != theirs[-1] or not self.parts:
            return False
        position = 0
        for part in mine[:-1]:
            while position < len(theirs) - 1 and theirs[position] != part:
                position += 1
            if position >= len(theirs) - 1:
                return False
            position += 1
        return "links" in self.names() or "links" not in grammar.names()

    def fmt(self, name: str) -> str | None:
        return next((fmt for part, fmt in self.parts if part == name), None)

    def render(self, values: dict[str, str]) -> str:
        """Fill the formats whose placeholders all have values; drop the other parts."""
        out: list[str] = []
        for _name, fmt in self.parts:
            wanted = [p for p in PLACEHOLDERS if "{" + p + "}" in fmt]
            if all(values.get(p) for p in wanted):
                text = fmt.format_map({p: values[p] for p in wanted})
                out.append(text.lstrip() if not out else text)
        return "".join(out) + self.tail


_LOOSE_RE = re.compile(r"[\s.]")


def _loose(fmt: str) -> str:
    return _LOOSE_RE.sub("", fmt)


@dataclass(frozen=True)
class Fields:
    """What one item says, and where (spans index ``text``, the item's content on one line)."""

    text: str
    parts: tuple[Part, ...]
    acronym: str | None
    title: str | None
    venue: str | None
    year: int | None
    links: tuple[Link, ...]
    run: tuple[Link, ...]  # the links of the trailing run (title link excluded)
    stray_links: bool = False  # a plain title with links inside: not an entry of this grammar

    @cached_property
    def layout(self) -> Layout:
        pieces: list[tuple[str, str]] = []
        previous = 0
        for part in self.parts:
            pieces.append((part.name, _format(self.text, previous, part)))
            previous = part.outer[1]
        link_format = "[[{label}]]({url})" if self.run and self.run[0].double else "[{label}]({url})"
        separator = self.text[self.run[0].end : self.run[1].start] if len(self.run) > 1 else " "
        return Layout(tuple(pieces), self.text[previous:].rstrip(), link_format, separator)


def _literal(text: str) -> str:
    if "{" not in text and "}" not in text:
        return text
    return text.replace("{", "{{").replace("}", "}}")


def _format(text: str, start: int, part: Part) -> str:
    out: list[str] = []
    position = start
    for name, (lo, hi) in part.inner:
        out.append(_literal(text[position:lo]))
        out.append("{" + name + "}")
        position = hi
    out.append(_literal(text[position : part.outer[1]]))
    return "".join(out)


def find_links(masked: str, text: str) -> list[Link]:
    links: list[Link] = []
    for match in LINK_RE.finditer(masked):
        raw_label = text[match.start("label") : match.end("label")]
        double = raw_label.startswith("[") and raw_label.endswith("]")
        label = raw_label[1:-1] if double else raw_label
        url = text[match.start("url") : match.end("url")]
        shift = 1 if double else 0
        label_span = (match.start("label") + shift, match.end("label") - shift)
        link = Link(
            clean_text(unescape(label)),
            url,
            match.start(),
            match.end(),
            double,
            label_span,
            match.span("url"),
        )
        links.append(link)
    return links


def extract(text: str) -> Fields:
    """Cut one item's content (bullet removed, on one line) into its fields. Never raises."""
    masked = mask(text)
    end = len(masked.rstrip())
    links = find_links(masked, text)
    parts: list[Part] = []
    start = len(masked) - len(masked.lstrip())
    acronym: str | None = None
    match = _ACRONYM_RE.match(masked, start)
    if match:
        group = "a" if match.group("a") is not None else "b"
        acronym = clean_text(unescape(text[match.start(group) : match.end(group)])) or None
        if acronym:
            parts.append(Part("acronym", match.span(), (("acronym", match.span(group)),)))
            start = match.end()
    title_link = _title_link(masked, links, start)
    run = _trailing_run(masked, [link for link in links if link is not title_link], end)
    run_start = run[0].start if run else end
    lo = title_link.end if title_link else start
    venue_part = _find_venue(masked, lo, run_start)
    title_end = venue_part.outer[0] if venue_part else run_start
    title_part = _title_part(masked, start, title_end, title_link)
    title: str | None = None
    stray = False
    if title_part is not None:
        parts.append(title_part)
        lo, hi = dict(title_part.inner)["title"]
        title = clean_text(unescape(text[lo:hi])) or None
        stray = title_link is None and any(lo <= link.start < hi for link in links)
    venue: str | None = None
    year: int | None = None
    if venue_part is not None:
        parts.append(venue_part)
        inner = dict(venue_part.inner)
        if "venue" in inner:
            venue = squash_venue(text[inner["venue"][0] : inner["venue"][1]])
        year = int(text[inner["year"][0] : inner["year"][1]])
    if run:
        parts.append(Part("links", (run[0].start, run[-1].end), (("links", (run[0].start, run[-1].end)),)))
    return Fields(text, tuple(parts), acronym, title, venue, year, tuple(links), tuple(run), stray)


def squash_venue(text: str) -> str:
    return " ".join(text.replace(",", " ").split())


def _title_link(masked: str, links: list[Link], start: int) -> Link | None:
    """The first link when it opens the item (after decoration) and is not a ``[[label]]`` link."""
    if not links or links[0].double:
        return None
    first = links[0]
    lead = masked[start : first.start].strip()
    return first if lead in ("", "**", "*", "__", "_", '"', "“") else None


def _trailing_run(masked: str, links: list[Link], end: int) -> list[Link]:
    run: list[Link] = []
    position = end
    for link in reversed(links):
        if link.end > position or not _RUN_GAP_RE.fullmatch(masked, link.end, position):
            break
        run.append(link)
        position = link.start
    run.reverse()
    return run


def _find_venue(masked: str, lo: int, hi: int) -> Part | None:
    end = hi
    while end > lo and masked[end - 1] in " \t|,;:.-–—":
        end -= 1
    if end <= lo:
        return None
    for opening, closing in _DECORATIONS:
        if masked.endswith(closing, lo, end) and not (closing == "*" and masked.endswith("**", lo, end)):
            start = masked.rfind(opening, lo, end - len(closing))
            if start < 0 or (opening == "*" and masked.startswith("**", start - 1)):
                return None
            if start > lo and not masked[start - 1].isspace() and masked[start - 1] not in "|.,;:-–—":
                return None
            return _venue_part(masked, start, end, start + len(opening), end - len(closing))
    separators = list(_SEPARATOR_RE.finditer(masked, lo, end))
    if not separators:
        return None
    inner_start = separators[-1].end()
    return _venue_part(masked, inner_start, end, inner_start, end)


def _venue_part(masked: str, start: int, end: int, inner_start: int, inner_end: int) -> Part | None:
    match = _VENUE_YEAR_RE.fullmatch(masked, inner_start, inner_end)
    if match is None:
        return None
    inner: list[tuple[str, Span]] = []
    venue = match.group("venue")
    if venue is not None:
        if len(venue.split()) > _MAX_VENUE_WORDS or ". " in venue:
            return None
        inner.append(("venue", match.span("venue")))
    inner.append(("year", match.span("year")))
    return Part("venue", (start, end), tuple(inner))


def _title_part(masked: str, lo: int, hi: int, title_link: Link | None) -> Part | None:
    while hi > lo and masked[hi - 1] in " \t|,;:-–—":
        hi -= 1
    if hi > lo and masked[hi - 1] == "." and title_link is None:
        hi -= 1
    while hi > lo and masked[hi - 1].isspace():
        hi -= 1
    while lo < hi and masked[lo].isspace():
        lo += 1
    if hi <= lo:
        return None
    if title_link is not None:
        outer_end = max(hi, title_link.end)
        return Part(
            "title", (lo, outer_end), (("title", title_link.label_span), ("url", title_link.url_span))
        )
    inner_lo, inner_hi = lo, hi
    for opening, closing in _TITLE_WRAPS:
        size = len(opening)
        if (
            hi - lo > size + len(closing)
            and masked.startswith(opening, lo)
            and masked.endswith(closing, lo, hi)
            and opening not in masked[lo + size : hi - len(closing)]
        ):
            inner_lo, inner_hi = lo + size, hi - len(closing)
            break
    return Part("title", (lo, hi), (("title", (inner_lo, inner_hi)),))
