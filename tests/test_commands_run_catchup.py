"""`triagebot run` against a fake arXiv: a missed night is covered (when the last completed run is
older than one announcement day, the API is searched over the gap as well as reading tonight's
feed), and a live run saves what it read so it can be replayed offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.servers.arxiv_server import ArxivServer, labeled_papers
from triagebot.adapters.state.jsonl import JsonlStateStore
from triagebot.cli import main
from triagebot.models import Cursor

NOW = datetime.now(UTC)
# Submitted over the last two days; the feed announces only the last three of them.
PAPERS = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl", start=NOW - timedelta(days=2))[:8]
TONIGHT = [p.model_copy(update={"announce_type": "new", "categories": ("cs.CV",)}) for p in PAPERS[-3:]]


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    with ArxivServer(PAPERS, feed=TONIGHT, feed_date=NOW) as fake:
        monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", fake.api_url)
        monkeypatch.setenv("TRIAGEBOT_ARXIV_FEED_URL", fake.feed_base("rss"))
        yield fake


def _run(tmp_path: Path, last_run: datetime, *extra: str) -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    JsonlStateStore(tmp_path / "state").save_cursor(Cursor(until=last_run, run_id="before"))
    config = tmp_path / "triagebot.toml"
    config.write_text("[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0\n", encoding="utf-8")
    decisions = tmp_path / "none.jsonl"
    decisions.write_text("", encoding="utf-8")
    (tmp_path / "README.md").write_bytes((FIXTURES / "awesome-xad-README.md").read_bytes())
    args = ["run", "--config", str(config), "--list", str(tmp_path / "README.md")]
    args += ["--llm", f"fixture:{decisions}", "--publish", "none"]
    args += ["--state", str(tmp_path / "state"), "--report", str(tmp_path / "r.json"), *extra]
    code = main(args)
    assert code == 0
    return json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


def test_after_a_missed_night_the_gap_is_searched(arxiv: ArxivServer, tmp_path: Path) -> None:
    report = _run(tmp_path, last_run=NOW - timedelta(days=3))
    assert report["fetched"] == len(PAPERS)  # tonight's feed plus the two days it no longer lists
    assert any(r.search_query for r in arxiv.requests)


def test_a_regular_night_reads_only_the_feed(arxiv: ArxivServer, tmp_path: Path) -> None:
    report = _run(tmp_path, last_run=NOW - timedelta(hours=20))
    assert {p["arxiv_id"] for p in report["papers"]} == {p.arxiv_id for p in TONIGHT}
    assert not any(r.search_query for r in arxiv.requests)


def test_a_live_run_saves_what_it_read_and_replays_it_offline(arxiv: ArxivServer, tmp_path: Path) -> None:
    live = _run(tmp_path / "live", NOW - timedelta(days=3), "--save", str(tmp_path / "saved"))
    arxiv.stop()  # from here on, only the saved responses
    replay = _run(tmp_path / "replay", NOW - timedelta(days=3), "--source", str(tmp_path / "saved"))
    assert {p["arxiv_id"] for p in replay["papers"]} == {p["arxiv_id"] for p in live["papers"]}
    assert replay["fetched"] == len(PAPERS)
