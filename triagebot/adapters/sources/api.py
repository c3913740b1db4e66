"""arXiv API search and id-list lookup through the ``arxiv`` package.

One ``arxiv.Client`` per source, given our :class:`~triagebot.adapters.sources.http.PoliteSession`
(timeout, shared throttle, retries, body checks); the client's own delay and retries are switched
off so they do not double up. :func:`to_paper` is the one place an ``arxiv.Result`` becomes a
:class:`~triagebot.models.Paper`; no ``arxiv`` type leaves this module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import arxiv
import requests

from triagebot.arxiv_ids import abs_url, pdf_url, split_id
from triagebot.config import ArxivConfig
from triagebot.errors import SourceError
from triagebot.models import Paper, squash, urls_in
from triagebot.timeutil import as_utc, assume_utc

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK = timedelta(days=3)
"""A search with no ``since`` covers this much (a weekend), never the whole archive."""


def to_paper(result: arxiv.Result) -> Paper:
    """The one mapping from an ``arxiv.Result`` to our ``Paper``. ValueError if it is unusable."""
    parts = split_id(result.entry_id)
    if parts is None:
        raise ValueError(f"unrecognised arXiv entry id {result.entry_id!r}")
    arxiv_id, version = parts
    abstract = squash(result.summary or "")
    comment = _clean(result.comment)
    return Paper(
        arxiv_id=arxiv_id,
        version=version or 1,
        title=result.title,
        abstract=abstract,
        authors=tuple(squash(author.name) for author in result.authors),
        primary_category=result.primary_category or None,
        categories=tuple(result.categories),
        comment=comment,
        journal_ref=_clean(result.journal_ref),
        doi=_clean(result.doi),
        published=_when(result.published),
        updated=_when(result.updated),
        abs_url=abs_url(arxiv_id),
        pdf_url=pdf_url(arxiv_id),
        urls=tuple(urls_in(f"{abstract}\n{comment or ''}")),
    )


def _clean(text: str | None) -> str | None:
    return squash(text) or None if text else None


def _when(value: datetime | None) -> datetime | None:
    if value is None or value.year <= 1:  # arxiv.Result's "unknown" default is datetime.min
        return None
    return assume_utc(value)


def _papers(results: Iterator[arxiv.Result]) -> Iterator[Paper]:
    for result in results:
        try:
            yield to_paper(result)
        except ValueError as err:
            logger.warning("skipping an arXiv entry that is not a paper: %s", squash(str(err))[:300])


def submitted_range(since: datetime, until: datetime | None) -> str:
    """The API's ``submittedDate`` clause for the half-open window [since, until), in GMT minutes."""
    start = as_utc(since)
    end = as_utc(until) - timedelta(minutes=1) if until is not None else datetime.now(UTC) + timedelta(days=1)
    return f"submittedDate:[{start:%Y%m%d%H%M} TO {end:%Y%m%d%H%M}]"


def query_url_format(api_url: str) -> str:
    """``arxiv.Client.query_url_format`` for an endpoint (braces escaped for ``str.format``)."""
    escaped = api_url.replace("{", "{{").replace("}", "}}")
    return escaped + ("&{}" if "?" in api_url else "?{}")


def valid_ids(arxiv_ids: Sequence[str]) -> list[str]:
    """Version-less ids, in order, without repeats; malformed ones are dropped with a warning
    (one bad id would make arXiv reject the whole batch with HTTP 400)."""
    seen: dict[str, None] = {}
    for text in arxiv_ids:
        parts = split_id(text)
        if parts is None:
            logger.warning("not an arXiv id, not looked up: %r", text)
            continue
        seen.setdefault(parts[0], None)
    return list(seen)


class ArxivApiSource:
    """Search (``papers``) and id-list lookup (``lookup``) against the arXiv API."""

    def __init__(
        self,
        config: ArxivConfig,
        session: requests.Session,
        *,
        api_url: str | None = None,
        query: str | None = None,
    ) -> None:
        self._query = query if query is not None else config.query
        self._batch = config.lookup_batch
        self._client = arxiv.Client(page_size=config.page_size, delay_seconds=0.0, num_retries=0)
        self._client._session = session  # our transport does the pacing, timeouts and retries
        self._client.query_url_format = query_url_format(api_url or config.resolved_api_url())

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        """Papers matching the configured query, submitted in [since, until), oldest first."""
        if since is None:
            since = (as_utc(until) if until else datetime.now(UTC)) - DEFAULT_LOOKBACK
            logger.info("search: no start given, covering the last %s", DEFAULT_LOOKBACK)
        query = f"({self._query}) AND {submitted_range(since, until)}" if self._query else ""
        search = arxiv.Search(
            query=query or submitted_range(since, until),
            max_results=None,
            sort_by=arxiv.SortCriterion.SubmittedDate,
            sort_order=arxiv.SortOrder.Ascending,
        )
        count = 0
        for paper in self._run(search):
            count += 1
            yield paper
        logger.info("search: %d papers submitted in the window", count)

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        """Full metadata for ``arxiv_ids`` in batched id-list requests; unknown ids are left out."""
        ids = valid_ids(arxiv_ids)
        for first in range(0, len(ids), self._batch):
            batch = ids[first : first + self._batch]
            yield from self._run(arxiv.Search(id_list=batch, max_results=len(batch)))

    def search(self, query: str, max_results: int) -> list[Paper]:
        """Papers matching an API ``search_query`` (``ti:`` terms for a title), by relevance."""
        return list(self._run(arxiv.Search(query=query, max_results=max_results)))

    def _run(self, search: arxiv.Search) -> Iterator[Paper]:
        try:
            yield from _papers(self._client.results(search))
        except arxiv.ArxivError as err:  # only when our transport let something through
            raise SourceError(f"arXiv API: {err.message}", url=err.url, tries=err.retry + 1) from err


# ---------------------------------------------------------------- saved responses


class _EndOfSavedResponse(requests.RequestException):
    """A saved response holds one page: asking for the next one ends the reading."""


class _SavedResponseSession(requests.Session):
    """Serves one saved API body to the real client, so saved and live answers parse alike."""

    def __init__(self, body: bytes, url: str) -> None:
        super().__init__()
        self._body = body
        self._url = url
        self._served = False

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self._served:
            raise _EndOfSavedResponse(f"{self._url} holds a single page")
        self._served = True
        response = requests.Response()
        response.status_code = 200
        response._content = self._body
        response.url = self._url
        return response


def papers_in_response(body: bytes, url: str = "saved:response") -> list[Paper]:
    """The papers in one saved API response (Atom XML), parsed by the real ``arxiv`` client."""
    client = arxiv.Client(page_size=2000, delay_seconds=0.0, num_retries=0)
    client._session = _SavedResponseSession(body, url)
    papers: list[Paper] = []
    try:
        for paper in _papers(client.results(arxiv.Search(max_results=None))):
            papers.append(paper)
    except _EndOfSavedResponse:
        logger.debug("%s: the saved page promises more results than it holds; read what it has", url)
    return papers
