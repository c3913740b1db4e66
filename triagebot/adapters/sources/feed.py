"""arXiv's announcement feed (Atom or RSS 2.0) read with ``feedparser``, completed by API lookups.

The feed lists each night's announcements with ``arxiv:announce_type`` (new, cross, replace,
replace-cross) but has no comment, journal reference or primary category, so the kept ids are
completed with batched id-list lookups (:class:`~triagebot.adapters.sources.api.ArxivApiSource`, or
saved responses offline). No ``feedparser`` type leaves this module.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser

from triagebot.arxiv_ids import abs_url, pdf_url, split_id
from triagebot.errors import SourceError
from triagebot.models import Paper, squash, urls_in
from triagebot.ports import Source
from triagebot.timeutil import as_utc, assume_utc

logger = logging.getLogger(__name__)

_SUMMARY_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$",
    re.DOTALL,
)


@dataclass(frozen=True)
class FeedDocument:
    """One feed as read: where from (URL or file) and its bytes."""

    origin: str
    body: bytes


def feed_url(base: str, categories: Sequence[str]) -> str:
    """arXiv serves several categories in one feed: ``<base>/cs.CV+cs.AI``."""
    return f"{base.rstrip('/')}/{'+'.join(categories)}"


def parse_feed(document: FeedDocument) -> list[Paper]:
    """Every entry of a feed as a feed-only Paper (``announce_type`` set, no comment/primary)."""
    # No sanitising: abstracts are plain text, and the sanitiser eats LaTeX such as "$x<y$".
    parsed = feedparser.parse(document.body, sanitize_html=False, resolve_relative_uris=False)
    papers: list[Paper] = []
    for index, entry in enumerate(parsed.entries):
        try:
            papers.append(_entry_to_paper(entry))
        except ValueError as err:
            logger.warning(
                "%s: skipping feed entry %d: %s", document.origin, index + 1, squash(str(err))[:300]
            )
    return papers


def _entry_to_paper(entry: Any) -> Paper:
    summary = str(entry.get("summary", ""))
    match = _SUMMARY_RE.match(summary)
    parts = _entry_id(entry, match)
    if parts is None:
        raise ValueError(f"no arXiv id in entry {entry.get('id', '')!r}")
    arxiv_id, version = parts
    announce = str(entry.get("arxiv_announce_type") or (match.group("type") if match else "")).lower()
    abstract = squash(match.group("abstract") if match else summary)
    return Paper(
        arxiv_id=arxiv_id,
        version=version or 1,
        title=str(entry.get("title", "")),
        abstract=abstract,
        authors=_authors(entry),
        categories=tuple(str(tag.get("term")) for tag in entry.get("tags", []) if tag.get("term")),
        published=_date(entry, "published"),
        updated=_date(entry, "updated"),
        abs_url=abs_url(arxiv_id),
        pdf_url=pdf_url(arxiv_id),
        urls=tuple(urls_in(abstract)),
        announce_type=announce or None,
    )


def _entry_id(entry: Any, match: re.Match[str] | None) -> tuple[str, int | None] | None:
    guid = str(entry.get("id", ""))  # "oai:arXiv.org:2508.13426v1"
    candidates = [guid.rpartition(":")[2], match.group("id") if match else "", str(entry.get("link", ""))]
    for text in candidates:
        parts = split_id(text) if text else None
        if parts is not None:
            return parts
    return None


def _authors(entry: Any) -> tuple[str, ...]:
    """``dc:creator`` holds all names in one comma-separated string."""
    names: list[str] = []
    for author in entry.get("authors", []):
        for name in re.split(r",\s*|\s+and\s+", str(author.get("name", ""))):
            if name.strip():
                names.append(squash(name))
    return tuple(names)


def _date(entry: Any, key: str) -> datetime | None:
    """The entry's date with the feed's own offset kept (the announce day is arXiv's local day)."""
    # dict.get: feedparser maps a missing "updated" to "published" with a DeprecationWarning
    text = str(dict.get(entry, key) or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            logger.warning("unreadable feed date %r", text)
            return None
    return assume_utc(moment)


def in_window(announced: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    """Whole days, both ends inclusive: the feed only shows the latest announcement, so seeing an
    entry twice (dropped later as already decided) beats losing it to a clock edge."""
    if announced is None:
        return True
    day = announced.date()
    if since is not None and day < as_utc(since).date():
        return False
    return not (until is not None and day > as_utc(until).date())


class ArxivFeedSource:
    """The nightly listing: feed entries of the kept announce types, completed by id lookups."""

    def __init__(
        self,
        documents: Callable[[], Iterable[FeedDocument]],
        completer: Source | None,
        *,
        announce_types: Sequence[str] = ("new", "cross"),
        lookup_batch: int = 100,
    ) -> None:
        self._documents = documents
        self._completer = completer
        self._types = frozenset(kind.lower() for kind in announce_types)
        self._batch = lookup_batch

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        seen: set[str] = set()
        for document in self._documents():
            kept = [p for p in self._select(document, since, until) if p.arxiv_id not in seen]
            seen.update(p.arxiv_id for p in kept)
            yield from self._complete(kept)

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        if self._completer is not None:
            yield from self._completer.lookup(arxiv_ids)

    def _select(self, document: FeedDocument, since: datetime | None, until: datetime | None) -> list[Paper]:
        entries = parse_feed(document)
        if not entries:
            logger.info("feed %s has no entries: no announcement today (weekend or holiday)", document.origin)
            return []
        typed = [p for p in entries if p.announce_type in self._types]
        kept = [p for p in typed if in_window(p.published, since, until)]
        logger.info(
            "feed %s: %d entries, %d of type %s, %d in the window",
            document.origin,
            len(entries),
            len(typed),
            "/".join(sorted(self._types)),
            len(kept),
        )
        return kept

    def _complete(self, listed: list[Paper]) -> Iterator[Paper]:
        """Yield each listed paper with full metadata, in feed order. A failed lookup degrades the
        rest to feed-only papers (nothing lost), then raises once everything was yielded."""
        failure: SourceError | None = None
        for first in range(0, len(listed), self._batch):
            batch = listed[first : first + self._batch]
            full: dict[str, Paper] = {}
            if self._completer is not None and failure is None:
                try:
                    full = {p.arxiv_id: p for p in self._completer.lookup([p.arxiv_id for p in batch])}
                except SourceError as err:
                    logger.warning("lookup failed; yielding feed-only metadata for the rest: %s", err)
                    failure = err
            for paper in batch:
                found = full.get(paper.arxiv_id)
                if found is None:
                    if failure is None and self._completer is not None:
                        logger.warning(
                            "%s: not found by id lookup; keeping the feed's metadata", paper.arxiv_id
                        )
                    yield paper
                else:
                    yield found.model_copy(update={"announce_type": paper.announce_type})
        if failure is not None:
            raise failure
