"""`triagebot fetch` in-process, against saved fixtures and a fake arXiv found through the
TRIAGEBOT_ARXIV_* environment overrides."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.servers.arxiv_server import ArxivServer, Fault, labeled_papers
from triagebot.cli import main

PAPERS = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl")
ANNOUNCED = [p.model_copy(update={"announce_type": "new", "categories": ("cs.CV",)}) for p in PAPERS[:4]]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    with ArxivServer(PAPERS, feed=ANNOUNCED) as fake:
        monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", fake.api_url)
        monkeypatch.setenv("TRIAGEBOT_ARXIV_FEED_URL", fake.feed_base("rss"))
        yield fake


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "triagebot.toml"
    path.write_text(
        "[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0\nmax_retries = 1\npage_size = 2\n", encoding="utf-8"
    )
    return path


def test_fetch_lists_the_feed_as_jsonl(
    server: ArxivServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", "--config", str(config), "--source", "rss", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["arxiv_id"] for r in records] == [p.arxiv_id for p in ANNOUNCED]
    assert records[0]["announce_type"] == "new" and records[0]["primary_category"] == "cs.CV"


def test_fetch_reads_a_saved_response_as_a_table(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = FIXTURES / "arxiv" / "arxiv_api_idlist_2104.12255v1.json"
    assert main(["fetch", "--config", str(config), "--source", str(saved)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["2104.12255v1", "2021-04-20", "cs.CR", "-", "0"]
    assert out[-1] == "1 papers"


def test_fetch_merges_sources_without_repeats(
    server: ArxivServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = FIXTURES / "arxiv" / "arxiv_api_idlist_2104.12255v1.json"
    args = ["fetch", "--config", str(config), "--source", "rss", "--source", str(saved), "--source", "rss"]
    assert main(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "5 papers"


def test_fetch_search_window_and_partial_failure(
    server: ArxivServer, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(*[Fault.http(503)] * 2, when=lambda r: r.start == 2)
    args = [
        "fetch",
        "--config",
        str(config),
        "--source",
        "arxiv",
        "--since",
        "2025-08-18",
        "--until",
        "2025-08-19",
    ]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 3  # the first page's two papers, then the count
    assert "submittedDate:[202508180000 TO 202508182359]" in server.requests[0].search_query
    assert "arXiv API failed: HTTP 503 (request: http://127.0.0.1" in captured.err
    assert "start=2" in captured.err


def test_fetch_saves_and_replays(
    server: ArxivServer, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved"
    assert main(["fetch", "--config", str(config), "--source", "rss", "--save", str(saved)]) == 0
    live = capsys.readouterr().out
    assert main(["fetch", "--config", str(config), "--source", str(saved)]) == 0
    assert capsys.readouterr().out == live


def test_fetch_rejects_a_bad_date(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "--config", str(config), "--since", "yesterday"]) == 2
    assert "not a date" in capsys.readouterr().err
