"""The list's house style, learned from its entries, and new entries rendered in it."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from triagebot.arxiv_ids import link_form, normalize_id, split_id
from triagebot.awesome.grammar import Fields, Layout, extract, squash_venue
from triagebot.awesome.slots import MARKER_RE
from triagebot.awesome.text import clean_text, clean_title, escape_markdown, safe_url
from triagebot.code_hosts import is_code_url
from triagebot.errors import ListError

Ordering = Literal["append", "year", "alpha"]

_MIN_SECTION_SIZE = 3
_VOTERS = 1000
_MAX_OUT_OF_ORDER = 0.1
# Used when a list has no entry to learn from (an empty list); one line of each part.
DEFAULT_EXAMPLE = (
    "- **[ACRONYM]** A title. | **Venue 2020** | [[pdf]](https://arxiv.org/abs/2001.00001) "
    "[[code]](https://github.com/owner/repo)"
)


@dataclass(frozen=True)
class Style:
    """How this list writes an entry: layout, bullet, paper link form, link labels, venues, ordering."""

    layout: Layout
    bullet: str = "- "
    pdf_link_form: str = "https://arxiv.org/abs/{id}"
    pdf_label: str = "pdf"
    code_label: str | None = "code"
    venues: Mapping[str, str] = field(default_factory=dict)  # casefold -> the list's spelling
    ordering: Ordering = "append"
    year_descending: bool = False

    def canonical_venue(self, venue: str) -> str:
        """The list's own spelling of ``venue`` when it has one, else ``venue`` (whitespace squashed)."""
        squashed = squash_venue(venue)
        return self.venues.get(squashed.casefold(), squashed)

    def paper_url(self, arxiv_id: str) -> str:
        return self.pdf_link_form.format(id=arxiv_id)


@dataclass(frozen=True)
class Sample:
    """One item as the learner sees it: its fields, its bullet, and its section."""

    fields: Fields
    bullet: str
    section: str


def bullet_of(line: str) -> str:
    match = MARKER_RE.match(line)
    return match.group(0) if match else ""


def paper_urls(fields: Fields, code_label: str | None) -> list[str]:
    """URLs of the item that point at the paper itself (the title link and non-code labelled links)."""
    run = set(fields.run)
    urls = [link.url for link in fields.links if link not in run]
    urls += [link.url for link in fields.run if link.label.casefold() != (code_label or "").casefold()]
    return urls


def _majority(counter: Counter[str], default: str) -> str:
    return counter.most_common(1)[0][0] if counter else default


def learn_style(samples: Sequence[Sample]) -> Style:
    """The majority style of ``samples`` (items with a title); the default style when there are none."""
    everyone = [s for s in samples if s.fields.title]
    if not everyone:
        return style_from_example(DEFAULT_EXAMPLE)
    # the majority form is the same on an even sample; venues and ordering look at every entry
    usable = everyone[:: max(1, len(everyone) // _VOTERS)]
    layouts = Counter(s.fields.layout.key for s in usable)
    best_key = layouts.most_common(1)[0][0]
    chosen = [s for s in usable if s.fields.layout.key == best_key]
    layout = Counter(s.fields.layout for s in chosen).most_common(1)[0][0]
    run_links = [link for s in usable for link in s.fields.run]
    code_labels = Counter(link.label for link in run_links if is_code_url(link.url))
    code_label = _majority(code_labels, "") or None
    pdf_labels = Counter(link.label for link in run_links if split_id(link.url) is not None)
    forms = Counter(
        form
        for s in usable
        for url in paper_urls(s.fields, code_label)
        if (form := link_form(url)) is not None
    )
    ordering, descending = infer_ordering(everyone)
    return Style(
        layout=layout,
        bullet=_majority(Counter(s.bullet.lstrip() for s in usable), "- "),
        pdf_link_form=_majority(forms, "https://arxiv.org/abs/{id}"),
        pdf_label=_majority(pdf_labels, "pdf"),
        code_label=code_label,
        venues=learn_venues(s.fields.venue for s in everyone),
        ordering=ordering,
        year_descending=descending,
    )


def learn_venues(venues: Iterable[str | None]) -> dict[str, str]:
    """casefold -> the spelling the list uses most for it."""
    spellings: dict[str, Counter[str]] = {}
    for venue in venues:
        if venue:
            spellings.setdefault(venue.casefold(), Counter())[venue] += 1
    return {key: counts.most_common(1)[0][0] for key, counts in spellings.items()}


def infer_ordering(samples: Sequence[Sample]) -> tuple[Ordering, bool]:
    """How sections keep their entries: by year (up or down), alphabetically, or appended.

    An order is claimed only when (nearly) every section with at least three entries obeys it.
    """
    groups: dict[str, list[Fields]] = {}
    for sample in samples:
        groups.setdefault(sample.section, []).append(sample.fields)
    sized = [g for g in groups.values() if len(g) >= _MIN_SECTION_SIZE]
    if len(sized) < 2:
        return "append", False
    allowed = int(len(sized) * _MAX_OUT_OF_ORDER)
    checks: list[tuple[Ordering, bool, Callable[[Fields], tuple[int, str]]]] = [
        ("year", False, lambda f: (f.year or 0, "")),
        ("year", True, lambda f: (-(f.year or 0), "")),
        ("alpha", False, lambda f: (0, (f.acronym or f.title or "").casefold())),
    ]
    for ordering, descending, key in checks:
        keyed = [[key(f) for f in group] for group in sized]
        broken = sum(1 for k in keyed if any(a > b for a, b in itertools.pairwise(k)))
        varied = sum(1 for k in keyed if len(set(k)) > 1)
        if broken <= allowed and varied:
            return ordering, descending
    return "append", False


def style_from_example(line: str) -> Style:
    """A style from one example entry line (configuration for a list that has no entries yet)."""
    bullet = bullet_of(line) or "- "
    fields = extract(line[len(bullet_of(line)) :])
    if not fields.title:
        raise ListError(f"the example entry has no title: {line!r}")
    code = next((link.label for link in fields.run if is_code_url(link.url)), None)
    pdf = next((link.label for link in fields.run if link.label != code), "pdf")
    form = next(
        (f for url in paper_urls(fields, code) if (f := link_form(url))), "https://arxiv.org/abs/{id}"
    )
    return Style(
        layout=fields.layout, bullet=bullet.lstrip(), pdf_link_form=form, pdf_label=pdf, code_label=code
    )


def render_entry(
    style: Style,
    *,
    title: str,
    arxiv_id: str,
    acronym: str | None,
    venue: str | None,
    year: int | None,
    code_url: str | None,
) -> str:
    """One entry line (no line ending) in the list's style; parses back to the same fields.

    Characters that would break the grammar are escaped; control, zero-width and bidi characters
    are dropped. A paper without a venue is shown as the list's spelling of ``arXiv``. Raises
    ListError when the line would not read back as given (e.g. an empty title).
    """
    ident = normalize_id(arxiv_id)
    if ident is None:
        raise ListError(f"not an arXiv id: {arxiv_id!r}")
    clean = clean_title(title)
    if not clean:
        raise ListError(f"{ident}: empty title")
    shown_acronym = clean_text(acronym or "") or None
    shown_venue = style.canonical_venue(clean_text(venue or "") or "arXiv")
    links = _render_links(style, ident, code_url)
    want = (shown_acronym, clean, shown_venue if year else None, year)
    problem = ""
    for strict in (False, True):  # strict: also escape what a venue could be read from
        values = {
            "acronym": escape_markdown(shown_acronym or "", strict=strict),
            "title": escape_markdown(clean, strict=strict),
            "url": style.paper_url(ident),
            "venue": escape_markdown(shown_venue) if year else "",
            "year": str(year) if year else "",
            "links": links,
        }
        line = style.bullet + style.layout.render(values)
        problem = _round_trip_problem(line, style, ident, want)
        if not problem:
            return line
    raise ListError(f"{ident}: {problem}")


def _render_links(style: Style, ident: str, code_url: str | None) -> str:
    title_fmt = style.layout.fmt("title") or ""
    pairs: list[tuple[str, str]] = []
    if "{url}" not in title_fmt:
        pairs.append((style.pdf_label, style.paper_url(ident)))
    if code_url:
        pairs.append((style.code_label or "code", safe_url(code_url)))
    fmt = style.layout.link_format
    return style.layout.link_separator.join(
        fmt.format(label=escape_markdown(lbl), url=url) for lbl, url in pairs
    )


def _round_trip_problem(
    line: str, style: Style, ident: str, want: tuple[str | None, str, str | None, int | None]
) -> str:
    """Why ``line`` would not read back as ``want`` (acronym, title, venue, year); "" when it does."""
    if "\n" in line or "\r" in line:
        return "the rendered entry spans lines"
    fields = extract(line[len(bullet_of(line)) :])
    got = (fields.acronym, fields.title, fields.venue, fields.year)
    ids = {normalize_id(link.url) for link in fields.links} - {None}
    fits = fields.layout.fits(style.layout) and not fields.stray_links
    if got != want or (ids and ids != {ident}) or not fits:
        return f"the rendered entry would read back as {got}, not {want}: {line!r}"
    return ""
