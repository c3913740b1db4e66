"""Several arXiv sources read as one (``--source rss --source arxiv``, a feed plus a catch-up search)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from triagebot.errors import SourceError
from triagebot.models import Paper
from triagebot.ports import Source

logger = logging.getLogger(__name__)


class MergedSource:
    """Papers from several sources in turn. One failing source does not stop the others; its
    error is raised after the rest were read, so every paper fetched is kept."""

    def __init__(self, sources: Sequence[Source], names: Sequence[str]) -> None:
        self._sources = list(zip(names, sources, strict=True))

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        return self._merge(lambda source, _seen: source.papers(since, until))

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        """Each source is asked only for the ids the sources before it did not have."""
        return self._merge(lambda source, seen: source.lookup([i for i in arxiv_ids if i not in seen]))

    def _merge(self, read: Callable[[Source, set[str]], Iterator[Paper]]) -> Iterator[Paper]:
        seen: set[str] = set()
        failures: list[SourceError] = []
        for name, source in self._sources:
            try:
                for paper in read(source, seen):
                    if paper.arxiv_id not in seen:
                        seen.add(paper.arxiv_id)
                        yield paper
            except SourceError as err:
                logger.error("%s: %s", name, err)
                failures.append(err)
        if failures:
            raise failures[0]
