"""Pick the arXiv source for a spec: ``arxiv`` (API search), ``rss`` (the nightly feed) or saved files.

A PATH is a saved response file, a directory of them, or several of either joined by the path
separator (``feed.xml:lookups/``). With any saved API response or a directory among them the source
is offline (lookups answered from the saved responses); a saved feed on its own still completes its
ids through the live API.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import requests

from triagebot.adapters.sources.api import ArxivApiSource
from triagebot.adapters.sources.feed import ArxivFeedSource, FeedDocument, feed_url
from triagebot.adapters.sources.http import ResponseHook, Transport, check_api_page, check_feed
from triagebot.adapters.sources.merged import MergedSource
from triagebot.adapters.sources.saved import ResponseRecorder, SavedSource, load_saved
from triagebot.config import ArxivConfig
from triagebot.errors import ConfigError
from triagebot.ports import PaperIndex, Source

logger = logging.getLogger(__name__)


def build_source(
    spec: str,
    config: ArxivConfig,
    *,
    save_dir: Path | None = None,
    transport: Transport | None = None,
) -> Source:
    """The Source for ``spec``. ``save_dir`` saves every live response read (for offline reruns);
    ``transport`` shares one throttle between sources (built from ``config`` when omitted)."""
    spec = spec.strip()
    if not spec:
        raise ConfigError("empty source: use arxiv, rss or a path to saved responses")
    if transport is None:
        transport = Transport.from_config(config)
    if save_dir is not None:
        transport.on_response = _chain(transport.on_response, ResponseRecorder(save_dir))
    if spec == "arxiv":
        return _api(config, transport)
    if spec == "rss":
        url = feed_url(config.resolved_feed_url(), config.categories)
        session = transport.session("feed", check_feed)
        return ArxivFeedSource(
            lambda: [_read_feed(session, url)],
            _api(config, transport),
            announce_types=config.announce_types,
            lookup_batch=config.lookup_batch,
        )
    return _saved(spec, config, transport)


def build_sources(specs: Sequence[str], config: ArxivConfig, *, save_dir: Path | None = None) -> Source:
    """One Source over several specs (one throttle for all), each paper once, first spec first."""
    transport = Transport.from_config(config)
    if save_dir is not None:  # once on the shared transport: each response is saved once
        transport.on_response = _chain(transport.on_response, ResponseRecorder(save_dir))
    sources = [build_source(spec, config, transport=transport) for spec in specs]
    return sources[0] if len(sources) == 1 else MergedSource(sources, list(specs))


def build_index(config: ArxivConfig) -> PaperIndex:
    """arXiv as a catalogue (``triagebot verify``): the API source, for id lookups and title searches."""
    return _api(config, Transport.from_config(config))


def _api(config: ArxivConfig, transport: Transport) -> ArxivApiSource:
    return ArxivApiSource(config, transport.session("api", check_api_page))


def _read_feed(session: requests.Session, url: str) -> FeedDocument:
    return FeedDocument(url, session.get(url).content)


def _saved(spec: str, config: ArxivConfig, transport: Transport) -> Source:
    paths = [Path(part).expanduser() for part in spec.split(os.pathsep) if part.strip()]
    responses = load_saved(paths)
    offline = any(p.is_dir() for p in paths) or any(r.kind == "api" for r in responses)
    if offline:
        return SavedSource(responses, announce_types=config.announce_types, lookup_batch=config.lookup_batch)
    documents = [FeedDocument(r.origin, r.body) for r in responses]
    return ArxivFeedSource(
        lambda: documents,
        _api(config, transport),
        announce_types=config.announce_types,
        lookup_batch=config.lookup_batch,
    )


def _chain(first: ResponseHook | None, second: ResponseHook) -> ResponseHook:
    if first is None:
        return second
    hooks: tuple[Callable[[str, str, int, bytes], None], ...] = (first, second)

    def both(kind: str, url: str, status: int, body: bytes) -> None:
        for hook in hooks:
            hook(kind, url, status, body)

    return both
