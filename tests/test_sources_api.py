"""arXiv API search and lookup through the real ``arxiv`` client against a fake arXiv on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import FIXTURES
from tests.fakes import api_source
from tests.servers.arxiv_server import ArxivServer, Fault, labeled_papers
from triagebot.adapters.sources.api import ArxivApiSource, submitted_range
from triagebot.adapters.sources.http import Transport
from triagebot.errors import SourceError
from triagebot.models import Paper

START = datetime(2025, 3, 24, 17, tzinfo=UTC)
PAPERS = labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl", start=START, step=timedelta(minutes=30))
SINCE, UNTIL = START, START + timedelta(minutes=30 * 25)  # the first 25 papers
IN_WINDOW = [p.arxiv_id for p in PAPERS[:25]]


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(PAPERS) as fake:
        yield fake


def make_source(server: ArxivServer, **overrides: object) -> tuple[ArxivApiSource, Transport, list[float]]:
    return api_source(server, **{"page_size": 10, "lookup_batch": 3, **overrides})


def ids(papers: list[Paper]) -> list[str]:
    return [p.arxiv_id for p in papers]


def test_search_pages_through_the_submission_window(server: ArxivServer) -> None:
    source, transport, _ = make_source(server)
    papers = list(source.papers(SINCE, UNTIL))
    assert ids(papers) == IN_WINDOW
    api = server.requests_of("api")
    assert [r.start for r in api] == [0, 10, 20]
    assert all("submittedDate:[202503241700 TO 202503250529]" in r.search_query for r in api)
    assert transport.pauses == []
    first = papers[0]
    assert first.title == PAPERS[0].title  # wrapped over lines by the server, normalised back
    assert first.abstract == PAPERS[0].abstract
    assert first.urls == ("https://github.com/farzad-bz/DeCo-Diff",)
    assert first.primary_category == "cs.CV"
    assert first.published == START


def test_submitted_range_is_half_open_in_gmt_minutes() -> None:
    since = datetime(2025, 8, 19, 2, 0, tzinfo=UTC)
    assert submitted_range(since, since + timedelta(days=1)) == "submittedDate:[202508190200 TO 202508200159]"


@pytest.mark.parametrize(
    "fault",
    [
        Fault.http(503),
        Fault.http(500),
        Fault(html=True),
        Fault(truncate=0.6),
        Fault(short_read=True),
        Fault(reset=True),
        Fault(empty_page=True),
    ],
    ids=lambda f: f.name,
)
def test_a_fault_on_the_first_page_is_retried(server: ArxivServer, fault: Fault) -> None:
    server.script(fault)
    source, transport, sleeps = make_source(server)
    assert ids(list(source.papers(SINCE, UNTIL))) == IN_WINDOW
    api = server.requests_of("api")
    assert [r.start for r in api] == [0, 0, 10, 20]
    assert api[0].fault == fault
    assert [p.reason for p in transport.pauses] == ["backoff"]
    assert sleeps == [0.5]


def test_an_empty_later_page_is_retried_not_taken_as_the_end(server: ArxivServer) -> None:
    server.script(Fault(empty_page=True), when=lambda r: r.start == 10)
    source, _, _ = make_source(server)
    assert ids(list(source.papers(SINCE, UNTIL))) == IN_WINDOW
    assert [r.start for r in server.requests_of("api")] == [0, 10, 10, 20]


def test_429_retry_after_is_honoured(server: ArxivServer) -> None:
    server.script(Fault.http(429, retry_after="7"))
    source, transport, sleeps = make_source(server)
    assert ids(list(source.papers(SINCE, UNTIL))) == IN_WINDOW
    assert transport.pauses[0].reason == "retry-after"
    assert transport.pauses[0].seconds == 7.0
    assert sleeps == [7.0]


def test_backoff_doubles_between_retries(server: ArxivServer) -> None:
    server.script(Fault.http(502), Fault.http(504))
    source, _, sleeps = make_source(server)
    assert ids(list(source.papers(SINCE, UNTIL))) == IN_WINDOW
    assert sleeps == [0.5, 1.0]


def test_a_slow_server_times_out_and_is_retried(server: ArxivServer) -> None:
    server.script(Fault(delay=1.0))
    source, transport, _ = make_source(server, timeout=0.05)
    assert ids(list(source.papers(SINCE, UNTIL))) == IN_WINDOW
    assert len(transport.pauses) == 1


def test_a_fault_beyond_retries_names_the_request_and_keeps_fetched_papers(server: ArxivServer) -> None:
    server.script(*[Fault.http(503)] * 3, when=lambda r: r.start == 20)
    source, _, _ = make_source(server)
    fetched: list[Paper] = []
    with pytest.raises(SourceError) as caught:
        fetched.extend(source.papers(SINCE, UNTIL))
    assert ids(fetched) == IN_WINDOW[:20]
    err = caught.value
    assert err.tries == 3
    assert err.url is not None and "start=20" in err.url
    assert "HTTP 503" in str(err) and err.url in str(err) and "after 3 tries" in str(err)


def test_a_retry_after_beyond_the_cap_fails_at_once(server: ArxivServer) -> None:
    server.script(Fault.http(429, retry_after="86400"))
    source, _, sleeps = make_source(server)
    with pytest.raises(SourceError, match="asked to wait 86400s"):
        list(source.papers(SINCE, UNTIL))
    assert sleeps == []


def test_a_client_error_is_not_retried_and_shows_arxivs_reason(server: ArxivServer) -> None:
    error_feed = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        b"<id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
        b"<summary>incorrect id format for 1234</summary></entry></feed>"
    )
    server.script(Fault(status=400, body=error_feed))
    source, _, _ = make_source(server)
    with pytest.raises(SourceError, match="HTTP 400: incorrect id format for 1234") as caught:
        list(source.lookup(["2503.19357"]))
    assert caught.value.tries == 1
    assert len(server.requests) == 1


def test_lookup_batches_ids_and_leaves_unknown_and_malformed_ids_out(server: ArxivServer) -> None:
    source, _, _ = make_source(server)
    wanted = [*IN_WINDOW[:4], "2501.99999", "not-an-id", f"{IN_WINDOW[0]}v2"]
    papers = list(source.lookup(wanted))
    assert ids(papers) == IN_WINDOW[:4]
    assert [r.id_list for r in server.requests_of("api")] == [IN_WINDOW[:3], [IN_WINDOW[3], "2501.99999"]]


def test_an_empty_result_is_not_an_error(server: ArxivServer) -> None:
    source, transport, _ = make_source(server)
    later = START + timedelta(days=400)
    assert list(source.papers(later, later + timedelta(days=1))) == []
    assert len(server.requests) == 1 and transport.pauses == []


def test_latex_and_unicode_survive_the_round_trip() -> None:
    tricky = Paper(
        arxiv_id="2508.00001",
        version=2,
        title="$\\alpha$-AD: Über   naïve\n  anomaly <detection> & “scores”",
        abstract="We bound $\\mathcal{O}(n^2)$ with $x<y$ & $z>w$; 异常检测 in Zürich — see https://github.com/a/b.",
        authors=("Zoë Ångström", "李雷"),
        primary_category="cs.CV",
        categories=("cs.CV", "cs.LG"),
        comment="ICCV 2025. Code: https://github.com/a/b-c.",
        journal_ref="Proc. ICCV 2025",
        doi="10.1109/ICCV.2025.00001",
        published=START,
        updated=START + timedelta(days=2),
        abs_url="https://arxiv.org/abs/2508.00001",
        pdf_url="https://arxiv.org/pdf/2508.00001",
    )
    with ArxivServer([tricky]) as fake:
        source, _, _ = make_source(fake)
        (paper,) = source.lookup(["2508.00001"])
    assert paper.title == "$\\alpha$-AD: Über naïve anomaly <detection> & “scores”"
    assert paper.abstract == tricky.abstract
    assert paper.authors == tricky.authors
    assert paper.version == 2
    assert (paper.comment, paper.journal_ref, paper.doi) == (tricky.comment, tricky.journal_ref, tricky.doi)
    assert paper.urls == ("https://github.com/a/b", "https://github.com/a/b-c")
    assert paper.updated == START + timedelta(days=2)
