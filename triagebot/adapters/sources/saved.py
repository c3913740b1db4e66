"""Saved arXiv responses: read them back as a Source (format detected), and save what a live
fetch read, so every run can be reproduced offline.

Formats read: an API response as raw Atom XML or wrapped as JSON ``{"url", "status_code", "body"}``
(the form of the recorded fixtures), and the announcement feed as Atom or RSS 2.0. A live fetch
saves API answers in the JSON wrapper and feeds as raw XML, one file per request, named by a
readable prefix and a short hash of the request (host left out, so a mirror records the same names).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from triagebot.adapters.sources.api import papers_in_response, valid_ids
from triagebot.adapters.sources.feed import ArxivFeedSource, FeedDocument
from triagebot.adapters.sources.http import BodyProblem, inspect_xml, page_start
from triagebot.errors import ConfigError
from triagebot.fsutil import atomic_write
from triagebot.models import Paper
from triagebot.timeutil import as_utc

logger = logging.getLogger(__name__)

Kind = Literal["api", "feed"]
SAVED_SUFFIXES = (".json", ".xml", ".atom", ".rss")


@dataclass(frozen=True)
class SavedResponse:
    kind: Kind
    origin: str  # the file it was read from
    body: bytes
    url: str | None = None  # the request, when the file records it


def detect(body: bytes, origin: str) -> SavedResponse:
    """Tell an API response from a feed; unwrap the JSON wrapper. ConfigError when it is neither."""
    url: str | None = None
    if body.lstrip().startswith(b"{"):
        body, url = _unwrap(body, origin)
    try:
        shape = inspect_xml(body)
    except BodyProblem as err:
        raise ConfigError(f"{origin}: not a saved arXiv response: {err}") from None
    if shape.root == "feed" and shape.total_results is not None:
        return SavedResponse("api", origin, body, url)
    if shape.root in ("feed", "rss", "RDF"):
        return SavedResponse("feed", origin, body, url)
    raise ConfigError(f"{origin}: not a saved arXiv response: root element <{shape.root}>")


def _unwrap(body: bytes, origin: str) -> tuple[bytes, str | None]:
    try:
        wrapper = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(f"{origin}: not valid JSON: {err}") from None
    if not isinstance(wrapper, dict) or not isinstance(wrapper.get("body"), str):
        raise ConfigError(f"{origin}: a JSON response wrapper needs a string 'body'")
    status = wrapper.get("status_code", 200)
    if status != 200:
        raise ConfigError(f"{origin}: the saved response has HTTP status {status}, not 200")
    url = wrapper.get("url")
    return wrapper["body"].encode("utf-8"), url if isinstance(url, str) else None


def read_saved(path: Path) -> SavedResponse:
    try:
        body = path.read_bytes()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read saved response: {err.strerror or err}") from None
    return detect(body, str(path))


def saved_files(path: Path) -> list[Path]:
    """``path`` itself, or the saved responses in a directory (sorted)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in SAVED_SUFFIXES and p.is_file())
        if not files:
            raise ConfigError(f"{path}: no saved arXiv responses ({', '.join(SAVED_SUFFIXES)}) in directory")
        return files
    if not path.exists():
        raise ConfigError(f"{path}: no such file or directory")
    return [path]


def load_saved(paths: Sequence[Path]) -> list[SavedResponse]:
    return [read_saved(file) for path in paths for file in saved_files(path)]


def _in_range(paper: Paper, since: datetime | None, until: datetime | None) -> bool:
    if paper.published is None:
        return True
    when = as_utc(paper.published)
    return (since is None or when >= as_utc(since)) and (until is None or when < as_utc(until))


def _is_search(url: str | None) -> bool:
    """A saved API search (not an id-list lookup), known from the request the file recorded."""
    if not url:
        return False
    query = parse_qs(urlsplit(url).query)
    return bool(query.get("search_query", [""])[0]) and not query.get("id_list", [""])[0]


class SavedSource:
    """Papers from saved responses only; never touches the network.

    With feeds among them, ``papers`` is the nightly listing, completed from the saved API
    responses (a paper missing there keeps the feed's metadata), followed by the papers of saved
    API *searches* (a run that also caught up a missed night). Without feeds, it is every paper of
    the saved API responses submitted in the window. ``lookup`` answers from the saved API responses.
    """

    def __init__(
        self,
        responses: Sequence[SavedResponse],
        *,
        announce_types: Sequence[str] = ("new", "cross"),
        lookup_batch: int = 100,
    ) -> None:
        self._index: dict[str, Paper] = {}
        self._searched: set[str] = set()
        for response in responses:
            if response.kind == "api":
                for paper in papers_in_response(response.body, response.url or response.origin):
                    known = self._index.get(paper.arxiv_id)
                    if known is None or paper.version >= known.version:
                        self._index[paper.arxiv_id] = paper
                    if _is_search(response.url):
                        self._searched.add(paper.arxiv_id)
        feeds = [FeedDocument(r.origin, r.body) for r in responses if r.kind == "feed"]
        self._feed = (
            ArxivFeedSource(lambda: feeds, self, announce_types=announce_types, lookup_batch=lookup_batch)
            if feeds
            else None
        )

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        if self._feed is None:
            yield from (p for p in self._index.values() if _in_range(p, since, until))
            return
        listed: set[str] = set()
        for paper in self._feed.papers(since, until):
            listed.add(paper.arxiv_id)
            yield paper
        for arxiv_id in sorted(self._searched - listed):
            if _in_range(self._index[arxiv_id], since, until):
                yield self._index[arxiv_id]

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        for arxiv_id in valid_ids(arxiv_ids):
            if arxiv_id in self._index:
                yield self._index[arxiv_id]


# ---------------------------------------------------------------- saving


def request_key(url: str) -> str:
    """A short stable hash of the request (path and query; the host is left out)."""
    parts = urlsplit(url)
    return hashlib.sha256(f"{parts.path}?{parts.query}".encode()).hexdigest()[:10]


def saved_name(kind: str, url: str) -> str:
    """A readable file name for one saved response, e.g. ``api-idlist-3f2a9c1b2d.json``."""
    key = request_key(url)
    if kind == "feed":
        path = urlsplit(url).path.strip("/").split("/")
        flavour, categories = (path[-2] if len(path) > 1 else "feed"), (path[-1] or "all")
        safe = "".join(c if c.isalnum() or c in ".-+" else "_" for c in f"{flavour}-{categories}")
        return f"feed-{safe}-{key}.xml"
    query = parse_qs(urlsplit(url).query)
    if query.get("id_list", [""])[0]:
        return f"api-idlist-{key}.json"
    return f"api-query-start{page_start(url)}-{key}.json"


class ResponseRecorder:
    """A transport hook that saves every response it passed, for offline reruns."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.saved: list[Path] = []

    def __call__(self, kind: str, url: str, status: int, body: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / saved_name(kind, url)
        if kind == "feed":
            data = body
        else:
            wrapper = {"url": url, "status_code": status, "body": body.decode("utf-8", "replace")}
            data = (json.dumps(wrapper, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
        atomic_write(target, data)
        self.saved.append(target)
        logger.debug("saved %s to %s", url, target)
