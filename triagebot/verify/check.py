"""Check the list's entries against arXiv: one :class:`Finding` per thing worth a maintainer's look.

Every arXiv id the entries link is looked up in batched id-list requests; each entry's title is
compared with the linked paper's (:mod:`triagebot.verify.titles`). A mismatch triggers one title
search (``ti:`` terms) for the paper the entry means. Papers whose titles agree are checked for a
venue the list does not show yet (the entry says arXiv) and a code link it lacks, with the same
extractors triage uses. A lookup that fails after the transport's retries makes the entries it
concerned ``unresolved``: named, never guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from triagebot.awesome import Entry
from triagebot.code_hosts import is_repository_url
from triagebot.errors import SourceError
from triagebot.models import Paper
from triagebot.ports import PaperIndex
from triagebot.triage.extract import code_url_from, venue_from
from triagebot.triage.venues import venues_in
from triagebot.verify.titles import normalise, similarity, title_query, titles_agree

log = logging.getLogger(__name__)

SEARCH_RESULTS = 10


class FindingKind(StrEnum):
    WRONG_ARXIV_LINK = "wrong-arxiv-link"  # the linked id is another paper; the right one was found
    TITLE_MISMATCH = "title-mismatch"  # the linked paper's title differs; no better match found
    VENUE_UPDATE = "venue-update"  # the entry says arXiv; the paper's metadata names a venue
    CODE_AVAILABLE = "code-available"  # no code link; the paper's comment or abstract gives one
    UNRESOLVED = "unresolved"  # a lookup failed after retries


class Finding(BaseModel):
    """One finding about one entry; ``line`` is the entry's 1-based first line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    kind: FindingKind
    arxiv_id: str | None
    suggested_arxiv_id: str | None = None
    message: str
    section: str = ""
    entry_title: str | None = None
    arxiv_title: str | None = None  # the linked paper's title (None: arXiv has no such paper)
    suggested_title: str | None = None  # the suggested paper's title
    suggested_venue: str | None = None  # e.g. "CVPR 2025"
    suggested_code_url: str | None = None
    evidence: str | None = None  # the journal reference or comment the suggestion rests on

    def key(self) -> str:
        """The identity of the change this finding proposes (stable across line moves)."""
        target = self.suggested_arxiv_id or self.suggested_venue or self.suggested_code_url or self.line
        return f"{self.kind.value}:{self.arxiv_id or '-'}:{target}"


@dataclass
class CheckResult:
    findings: list[Finding]
    entries_checked: int
    ids_looked_up: int
    title_searches: int


@dataclass
class _Lookups:
    papers: dict[str, Paper] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # id -> why


def has_code_link(entry: Entry) -> bool:
    """A code repository link, or a non-empty link labelled "code" that is not an arXiv page."""
    for label, url in entry.links:
        if url and is_repository_url(url):
            return True
        if "code" in label.casefold() and url.strip() and "arxiv.org" not in url.casefold():
            return True
    return False


class Checker:
    """Checks entries against a :class:`PaperIndex` (the arXiv API through the polite transport)."""

    def __init__(self, index: PaperIndex, *, batch: int = 100, search_results: int = SEARCH_RESULTS) -> None:
        self.index = index
        self.batch = batch
        self.search_results = search_results
        self.title_searches = 0
        self._searched: dict[str, Paper | None] = {}

    def check(self, entries: Iterable[Entry]) -> CheckResult:
        linked = [e for e in entries if e.arxiv_id and e.title]
        ids = list(dict.fromkeys(e.arxiv_id for e in linked if e.arxiv_id))
        lookups = self._lookup(ids)
        findings: list[Finding] = []
        for entry in linked:
            findings.extend(self._check(entry, lookups))
        findings.sort(key=lambda f: (f.line, f.kind.value))
        return CheckResult(findings, len(linked), len(ids), self.title_searches)

    # ------------------------------------------------------------ arXiv

    def _lookup(self, ids: Sequence[str]) -> _Lookups:
        lookups = _Lookups()
        self._lookup_into(ids, lookups)
        missing = [i for i in ids if i not in lookups.papers and i not in lookups.failed]
        if missing:  # arXiv now and then leaves ids out of a batch: ask once more before concluding
            log.info("arXiv left %d id(s) out; asking once more: %s", len(missing), ", ".join(missing[:10]))
            self._lookup_into(missing, lookups)
        return lookups

    def _lookup_into(self, ids: Sequence[str], lookups: _Lookups) -> None:
        for first in range(0, len(ids), self.batch):
            chunk = ids[first : first + self.batch]
            try:
                for paper in self.index.lookup(chunk):
                    lookups.papers[paper.arxiv_id] = paper
            except SourceError as err:
                log.error("arXiv lookup failed for %d id(s): %s", len(chunk), err)
                for arxiv_id in chunk:
                    if arxiv_id not in lookups.papers:
                        lookups.failed[arxiv_id] = str(err)

    def _search(self, title: str, exclude: str) -> Paper | None:
        """The paper arXiv lists under (nearly) this title, other than ``exclude``; None if none."""
        key = normalise(title)
        if key not in self._searched:
            query = title_query(title)
            results: list[Paper] = []
            if query is not None:
                self.title_searches += 1
                results = self.index.search(query, self.search_results)
            agreeing = [p for p in results if titles_agree(title, p.title)]
            agreeing.sort(key=lambda p: similarity(title, p.title), reverse=True)
            self._searched[key] = next(iter(agreeing), None)
        found = self._searched[key]
        if found is None:
            return None
        return found if found.arxiv_id != exclude else None

    # ------------------------------------------------------------ one entry

    def _check(self, entry: Entry, lookups: _Lookups) -> list[Finding]:
        arxiv_id, title = entry.arxiv_id or "", entry.title or ""
        base = {"line": entry.line, "arxiv_id": arxiv_id, "section": entry.section, "entry_title": title}
        if arxiv_id in lookups.failed:
            return [
                Finding(
                    kind=FindingKind.UNRESOLVED,
                    message=f"looking up {arxiv_id} for '{title}' failed after retries: "
                    f"{lookups.failed[arxiv_id]}",
                    **base,
                )
            ]
        paper = lookups.papers.get(arxiv_id)
        if paper is not None and titles_agree(title, paper.title):
            return self._updates(entry, paper, base)
        linked = f"{arxiv_id} is '{paper.title}'" if paper else f"arXiv has no paper {arxiv_id}"
        try:
            right = self._search(title, exclude=arxiv_id)
        except SourceError as err:
            return [
                Finding(
                    kind=FindingKind.UNRESOLVED,
                    arxiv_title=paper.title if paper else None,
                    message=f"{linked}, not '{title}'; the title search failed after retries: {err}",
                    **base,
                )
            ]
        if right is not None:
            return [
                Finding(
                    kind=FindingKind.WRONG_ARXIV_LINK,
                    suggested_arxiv_id=right.arxiv_id,
                    arxiv_title=paper.title if paper else None,
                    suggested_title=right.title,
                    message=f"{linked}, not '{title}'; that paper is {right.arxiv_id} ('{right.title}')",
                    **base,
                )
            ]
        return [
            Finding(
                kind=FindingKind.TITLE_MISMATCH,
                arxiv_title=paper.title if paper else None,
                message=f"{linked}, not '{title}'; a title search found no better match",
                **base,
            )
        ]

    def _updates(self, entry: Entry, paper: Paper, base: dict[str, object]) -> list[Finding]:
        findings: list[Finding] = []
        fields = dict(base, arxiv_title=paper.title)
        if (entry.venue or "").casefold() == "arxiv":
            match = venue_from(paper)
            if match is not None and match.venue.casefold() != "arxiv":
                venue = f"{match.venue} {match.year}" if match.year else match.venue
                evidence = paper.journal_ref if venues_in(paper.journal_ref) else paper.comment
                findings.append(
                    Finding.model_validate(
                        dict(
                            fields,
                            kind=FindingKind.VENUE_UPDATE,
                            suggested_venue=venue,
                            evidence=evidence,
                            message=f"listed as arXiv {entry.year or ''}".rstrip()
                            + f", but arXiv's metadata says {venue}: '{evidence}'",
                        )
                    )
                )
        if not has_code_link(entry):
            url = code_url_from(paper)
            if url is not None:
                findings.append(
                    Finding.model_validate(
                        dict(
                            fields,
                            kind=FindingKind.CODE_AVAILABLE,
                            suggested_code_url=url,
                            evidence=url,
                            message=f"no code link, but the paper's abstract or comment gives {url}",
                        )
                    )
                )
        return findings
