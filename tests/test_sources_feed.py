"""The announcement feed (Atom and RSS 2.0) read with the real ``feedparser``, completed by API
lookups through the real ``arxiv`` client, against a fake arXiv on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FIXTURES
from tests.servers.arxiv_server import DEFAULT_FEED_DATE, ArxivServer, Fault, labeled_papers
from triagebot.adapters.sources.factory import build_source
from triagebot.adapters.sources.feed import FeedDocument, in_window, parse_feed
from triagebot.adapters.sources.http import RetryPolicy, Throttle, Transport
from triagebot.config import ArxivConfig
from triagebot.errors import SourceError
from triagebot.models import Paper

PAPERS = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl")
KINDS = ["new", "new", "cross", "replace", "replace-cross", "new", "cross", "new"]
ANNOUNCED = [
    p.model_copy(
        update={"announce_type": kind, "categories": ("cs.CV",), "version": 1 if "replace" not in kind else 2}
    )
    for p, kind in zip(PAPERS, KINDS, strict=False)
]
KEPT = [p.arxiv_id for p in ANNOUNCED if p.announce_type in ("new", "cross")]


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(PAPERS, feed=ANNOUNCED) as fake:
        yield fake


def config_for(server: ArxivServer, flavour: str = "rss", **overrides: object) -> ArxivConfig:
    values: dict[str, object] = {
        "api_url": server.api_url,
        "feed_url": server.feed_base(flavour),  # type: ignore[arg-type]
        "delay_seconds": 0.0,
        "backoff_seconds": 0.0,
        "max_retries": 2,
        "lookup_batch": 100,
    }
    values.update(overrides)
    return ArxivConfig.model_validate(values)


@pytest.mark.parametrize("flavour", ["rss", "atom"])
def test_nightly_listing_keeps_new_and_cross_and_completes_them(server: ArxivServer, flavour: str) -> None:
    papers = list(build_source("rss", config_for(server, flavour)).papers(None, None))
    assert [p.arxiv_id for p in papers] == KEPT
    assert [p.announce_type for p in papers] == ["new", "new", "cross", "new", "cross", "new"]
    by_id = {p.arxiv_id: p for p in PAPERS}
    for paper in papers:  # completed from the API: comment and primary category present
        assert paper.comment == by_id[paper.arxiv_id].comment
        assert paper.primary_category == "cs.CV"
    assert [r.kind for r in server.requests] == ["feed", "api"]
    assert server.requests[0].path == f"/{flavour}/cs.CV"
    assert server.requests[1].id_list == KEPT


def test_announce_types_are_configurable_and_lookups_batched(server: ArxivServer) -> None:
    config = config_for(server, announce_types=["new"], lookup_batch=2)
    papers = list(build_source("rss", config).papers(None, None))
    new = [p.arxiv_id for p in ANNOUNCED if p.announce_type == "new"]
    assert [p.arxiv_id for p in papers] == new
    assert [r.id_list for r in server.requests_of("api")] == [new[:2], new[2:]]


def test_several_categories_are_one_feed(server: ArxivServer) -> None:
    list(build_source("rss", config_for(server, categories=["cs.CV", "cs.AI"])).papers(None, None))
    assert server.requests[0].path == "/rss/cs.CV+cs.AI"


def test_an_empty_feed_is_normal_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with ArxivServer(PAPERS, feed=[]) as fake:
        caplog.set_level(logging.INFO, logger="triagebot")
        assert list(build_source("rss", config_for(fake)).papers(None, None)) == []
        assert [r.kind for r in fake.requests] == ["feed"]
    assert "no announcement today (weekend or holiday)" in caplog.text


def test_the_window_filters_by_announce_day(server: ArxivServer) -> None:
    source = build_source("rss", config_for(server))
    day = DEFAULT_FEED_DATE.astimezone(UTC)
    assert len(list(source.papers(day + timedelta(days=1), None))) == 0
    assert len(list(source.papers(day - timedelta(days=1), day + timedelta(hours=1)))) == len(KEPT)


def test_window_is_whole_days_inclusive() -> None:
    announced = datetime(2025, 8, 20, tzinfo=DEFAULT_FEED_DATE.tzinfo)
    early_run = datetime(2025, 8, 20, 2, tzinfo=UTC)  # before the 04:00Z stamp, after the announcement
    assert in_window(announced, early_run - timedelta(days=1), early_run)
    assert not in_window(announced, datetime(2025, 8, 21, tzinfo=UTC), None)
    assert in_window(None, early_run, early_run)


@pytest.mark.parametrize(
    "fault", [Fault.http(503), Fault(html=True), Fault(truncate=0.5), Fault(reset=True)], ids=lambda f: f.name
)
def test_feed_faults_are_retried(server: ArxivServer, fault: Fault) -> None:
    server.script(fault, kind="feed")
    papers = list(build_source("rss", config_for(server)).papers(None, None))
    assert [p.arxiv_id for p in papers] == KEPT
    assert [r.kind for r in server.requests] == ["feed", "feed", "api"]


def test_feed_failing_beyond_retries_names_the_feed(server: ArxivServer) -> None:
    server.script(*[Fault.http(503)] * 3, kind="feed")
    with pytest.raises(
        SourceError, match=r"arXiv feed failed: HTTP 503 \(request: http://127\.0\.0\.1:\d+/rss/cs\.CV"
    ):
        list(build_source("rss", config_for(server)).papers(None, None))


def test_a_failed_lookup_keeps_every_listed_paper_then_raises(server: ArxivServer) -> None:
    server.script(*[Fault.http(503)] * 3, kind="api")
    got: list[Paper] = []
    with pytest.raises(SourceError, match="arXiv API failed") as caught:
        got.extend(build_source("rss", config_for(server)).papers(None, None))
    assert [p.arxiv_id for p in got] == KEPT  # nothing lost: feed-only metadata
    assert all(p.primary_category is None for p in got)
    assert caught.value.url is not None and "id_list=" in caught.value.url


def test_feed_and_api_share_one_throttle(server: ArxivServer) -> None:
    clock = FakeClock()
    transport = Transport(
        RetryPolicy(backoff=0.0), Throttle(3.0, clock=clock, sleep=clock.sleep), sleep=clock.sleep
    )
    config = config_for(server, lookup_batch=2)
    list(build_source("rss", config, transport=transport).papers(None, None))
    assert len(server.requests) == 4  # feed + 3 lookups
    assert transport.throttle.waits == [3.0, 3.0, 3.0]


class FakeClock:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_latex_and_unicode_in_feeds_are_kept() -> None:
    tricky = PAPERS[0].model_copy(
        update={
            "title": "$\\alpha$-Net: Über naïve <anomaly> & “detection”",
            "abstract": "We show $x<y$ and $z>w$ with $\\mathcal{O}(n^2)$; 异常检测 — Zürich.",
            "authors": ("Zoë Ångström", "李雷"),
            "announce_type": "new",
            "categories": ("cs.CV",),
        }
    )
    for flavour in ("rss", "atom"):
        with ArxivServer([], feed=[tricky]) as fake:
            session = Transport.from_config(config_for(fake)).session("feed", lambda _u, _b: None)
            body = session.get(f"{fake.feed_base(flavour)}/cs.CV").content
        (paper,) = parse_feed(FeedDocument(flavour, body))
        assert paper.title == tricky.title
        assert paper.abstract == tricky.abstract
        assert paper.authors == tricky.authors


def test_the_real_atom_feed_fixture() -> None:
    body = (FIXTURES / "arxiv" / "arxiv_rss_atom_cs.AI_2025-08-20.xml").read_bytes()
    papers = parse_feed(FeedDocument("fixture", body))
    assert [(p.arxiv_id, p.announce_type) for p in papers][:2] == [
        ("2508.13426", "cross"),
        ("2508.13428", "cross"),
    ]
    assert [p.announce_type for p in papers].count("new") == 2
    first = papers[0]
    assert first.authors == ("Chunhua Liu", "Kabir Manandhar Shrestha", "Sukai Huang")
    assert first.categories == ("cs.CL", "cs.AI")
    assert first.abstract.startswith("As large language models (LLMs) increasingly mediate")
    assert first.published == datetime(2025, 8, 20, 4, tzinfo=UTC)


def test_the_rss2_fixture_skips_replacements() -> None:
    body = (FIXTURES / "arxiv" / "arxiv_rss2_cs.CV_2025-03-26.xml").read_bytes()
    papers = parse_feed(FeedDocument("fixture", body))
    assert [p.announce_type for p in papers] == [
        "new",
        "new",
        "new",
        "new",
        "cross",
        "replace",
        "replace-cross",
    ]
    assert [p.version for p in papers][-2:] == [2, 3]
    assert papers[2].title.startswith("ViP$^2$-CLIP")
