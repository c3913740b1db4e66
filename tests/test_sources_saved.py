"""Saved arXiv responses: the real recorded fixtures, format detection, and record-then-replay offline."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.servers.arxiv_server import ArxivServer, labeled_papers
from triagebot.adapters.sources.factory import build_source
from triagebot.adapters.sources.saved import detect, read_saved, saved_name
from triagebot.config import ArxivConfig
from triagebot.errors import ConfigError

ARXIV = FIXTURES / "arxiv"
QUERY = ARXIV / "arxiv_api_query_all-testing_max10.json"
IDLIST = ARXIV / "arxiv_api_idlist_2104.12255v1.json"
ATOM_FEED = ARXIV / "arxiv_rss_atom_cs.AI_2025-08-20.xml"
RSS_FEED = ARXIV / "arxiv_rss2_cs.CV_2025-03-26.xml"
RSS_LOOKUP = ARXIV / "arxiv_api_idlist_cs.CV_2025-03-26.json"
RSS_EMPTY = ARXIV / "arxiv_rss2_cs.CV_empty_2025-03-29.xml"
OFFLINE = ArxivConfig(api_url="http://127.0.0.1:9/unused", delay_seconds=0, backoff_seconds=0, max_retries=0)


def test_the_recorded_query_response() -> None:
    papers = list(build_source(str(QUERY), OFFLINE).papers(None, None))
    assert len(papers) == 10
    first = papers[0]
    assert first.arxiv_id == "2202.12139" and first.version == 1
    assert (
        first.title
        == "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    )
    assert first.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert first.primary_category == "cs.SE" and first.categories == ("cs.SE", "cs.LG")
    assert first.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert first.journal_ref is not None and first.journal_ref.startswith(
        "Artificial Intelligence in Software"
    )
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.published == datetime(2022, 2, 24, 15, 5, 19, tzinfo=UTC)
    assert first.abs_url == "https://arxiv.org/abs/2202.12139"


def test_the_recorded_lookup_of_a_paper_titled_0() -> None:
    source = build_source(str(IDLIST), OFFLINE)
    (paper,) = source.lookup(["2104.12255"])
    assert paper.title == "0"
    assert paper.primary_category == "cs.CR"
    assert list(source.lookup(["2501.00001"])) == []


def test_the_recorded_feed_completed_from_a_saved_lookup_offline() -> None:
    spec = os.pathsep.join([str(RSS_FEED), str(RSS_LOOKUP)])
    papers = list(build_source(spec, OFFLINE).papers(None, None))
    assert [p.announce_type for p in papers] == ["new", "new", "new", "new", "cross"]
    assert all(p.primary_category for p in papers)
    assert papers[0].urls == ("https://github.com/farzad-bz/DeCo-Diff",)


def test_a_directory_is_offline_and_a_paper_missing_from_it_keeps_feed_metadata(tmp_path: Path) -> None:
    (tmp_path / ATOM_FEED.name).write_bytes(ATOM_FEED.read_bytes())
    papers = list(build_source(str(tmp_path), OFFLINE).papers(None, None))
    assert len(papers) == 7 and all(p.primary_category is None for p in papers)


def test_an_empty_saved_feed_gives_no_papers() -> None:
    assert (
        list(build_source(os.pathsep.join([str(RSS_EMPTY), str(RSS_LOOKUP)]), OFFLINE).papers(None, None))
        == []
    )


def test_a_saved_feed_alone_completes_through_the_api() -> None:
    papers = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl")
    with ArxivServer(papers) as fake:
        config = ArxivConfig(api_url=fake.api_url, delay_seconds=0, backoff_seconds=0)
        got = list(build_source(str(RSS_FEED), config).papers(None, None))
        assert [r.kind for r in fake.requests] == ["api"]
    assert len(got) == 5 and all(p.primary_category for p in got)


@pytest.mark.parametrize("path", [QUERY, IDLIST, ATOM_FEED, RSS_FEED])
def test_formats_are_detected(path: Path) -> None:
    saved = read_saved(path)
    assert saved.kind == ("api" if path.suffix == ".json" else "feed")
    if saved.kind == "api":  # the same answer as raw XML is detected too
        raw = detect(json.loads(path.read_text())["body"].encode(), "raw")
        assert raw.kind == "api" and raw.url is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html><body>busy</body></html>", "HTML page"),
        (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>", "truncated"),
        (b'{"url": "x", "status_code": 503, "body": "<feed/>"}', "HTTP status 503"),
        (b"{not json", "not valid JSON"),
        (b"<note>hi</note>", "root element <note>"),
    ],
)
def test_bad_saved_files_are_one_line_config_errors(tmp_path: Path, body: bytes, message: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(body)
    with pytest.raises(ConfigError, match=message):
        build_source(str(path), OFFLINE)


def test_missing_paths_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        build_source(str(tmp_path / "nope.xml"), OFFLINE)
    with pytest.raises(ConfigError, match="no saved arXiv responses"):
        build_source(str(tmp_path), OFFLINE)


def test_a_live_fetch_saves_what_it_read_and_replays_offline(tmp_path: Path) -> None:
    papers = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl")
    announced = [p.model_copy(update={"announce_type": "new", "categories": ("cs.CV",)}) for p in papers[:5]]
    with ArxivServer(papers, feed=announced) as fake:
        config = ArxivConfig(
            api_url=fake.api_url,
            feed_url=fake.feed_base("rss"),
            delay_seconds=0,
            backoff_seconds=0,
            lookup_batch=3,
        )
        live = list(build_source("rss", config, save_dir=tmp_path).papers(None, None))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and names[0].startswith("api-idlist-") and names[2].startswith("feed-rss-cs.CV-")
    replayed = list(build_source(str(tmp_path), config).papers(None, None))  # the server is gone
    assert replayed == live


def test_saved_names_are_readable_and_keyed_by_request() -> None:
    query = "http://h/api/query?search_query=x&id_list=&start=100&max_results=100"
    assert saved_name("api", query).startswith("api-query-start100-")
    assert saved_name("api", query) == saved_name("api", query.replace("http://h", "https://mirror.example"))
    assert saved_name("feed", "https://rss.arxiv.org/atom/cs.CV+cs.AI").startswith("feed-atom-cs.CV+cs.AI-")


def test_merged_lookup_asks_later_sources_only_for_ids_still_missing() -> None:
    from tests.fakes import FakeSource, make_paper
    from triagebot.adapters.sources.factory import MergedSource

    saved = FakeSource([make_paper("2503.00001")])
    live = FakeSource([make_paper("2503.00001"), make_paper("2503.00002")])
    merged = MergedSource([saved, live], ["saved", "arxiv"])
    assert [p.arxiv_id for p in merged.lookup(["2503.00001", "2503.00002"])] == ["2503.00001", "2503.00002"]
    assert live.lookups == [["2503.00002"]]  # the live API is not asked again for what was saved
