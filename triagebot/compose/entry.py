"""Entry rendering: from a paper and its validated decision, the entry line in the style of its
section, and the pure edit that adds it to the list.

Every character of the entry comes from :meth:`Document.plan` (arXiv metadata and validated fields).
"""

from __future__ import annotations

from dataclasses import dataclass

from triagebot.awesome import Document, NewEntry, insert_entry, parse_cached
from triagebot.awesome.text import clean_text
from triagebot.models import Decision, Paper
from triagebot.sections import SEPARATOR


def leaf(section: str) -> str:
    return section.rsplit(SEPARATOR, maxsplit=1)[-1]


@dataclass(frozen=True)
class Insertion:
    arxiv_id: str
    section: str
    line: str


@dataclass(frozen=True)
class InsertEntries:
    """The pure edit of a proposal: add each entry to its section unless the list already has it."""

    insertions: tuple[Insertion, ...]

    def __call__(self, text: str) -> str:
        for item in self.insertions:
            if parse_cached(text).index.find(arxiv_id=item.arxiv_id) is None:  # insert_entry reuses it
                text = insert_entry(text, item.section, item.line)
        return text


# ---------------------------------------------------------------- one paper


@dataclass(frozen=True)
class Composed:
    """One paper, composed: its entry line and what the PR says about it."""

    paper: Paper
    decision: Decision
    section: str
    venue: str
    year: int | None
    line: str
    notes: tuple[str, ...] = ()
    acronym_needed: bool = False  # the list's entries all carry an acronym, and this one has none

    @property
    def label(self) -> str:
        """``DeCo-Diff (CVPR 2025)``: how titles name the paper."""
        name = clean_text(self.decision.acronym or "") or shorten(self.paper.title, 60)
        when = f"{self.venue} {self.year}" if self.year else self.venue
        return f"{name} ({when})"


def shorten(text: str, size: int) -> str:
    text = clean_text(text)
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def acronyms_expected(doc: Document, section: str | None = None) -> bool:
    """True when every entry of ``section`` (or of the list) carries an acronym: then an entry
    without one is flagged."""
    pool = doc.section(section).entries if section else doc.entries
    entries = [e for e in pool if e.parsed]
    return bool(entries) and all(e.acronym for e in entries)


def compose_entry(
    paper: Paper, decision: Decision, doc: Document, *, acronym_expected: bool | None = None
) -> Composed:
    """Render ``paper``'s entry in the style of its section of ``doc``. Raises ListError when it cannot.

    ``acronym_expected`` (default: every entry of that section has one) flags an entry without one.
    """
    if not decision.relevant or not decision.section:
        raise ValueError(f"{paper.arxiv_id}: only relevant decisions with a section can be composed")
    notes = list(decision.notes)
    year = decision.year
    if year is None and paper.published is not None:
        year = paper.published.year
        notes.append(f"no year in the decision; using the arXiv submission year {year}")
    new = NewEntry(
        title=paper.title,
        arxiv_id=paper.arxiv_id,
        acronym=decision.acronym,
        venue=decision.venue,
        year=year,
        month=paper.published.month if paper.published is not None else None,
        day=paper.published.day if paper.published is not None else None,
        code_url=decision.code_url,
        authors=paper.authors,
    )
    _, line, _ = doc.plan(decision.section, new)
    venue = clean_text(decision.venue or "") or "arXiv"
    venue = doc.venues.get(venue.casefold(), venue)
    similar = doc.index.find_acronym(decision.acronym) if decision.acronym else None
    if similar is not None and similar.arxiv_id != paper.arxiv_id:
        notes.append(f"possibly already listed as [{similar.acronym}] at line {similar.line}")
    if acronym_expected is None:
        acronym_expected = acronyms_expected(doc, decision.section)
    needed = acronym_expected and not clean_text(decision.acronym or "")
    return Composed(paper, decision, decision.section, venue, year, line, tuple(notes), needed)
