"""A fake arXiv on 127.0.0.1 for tests: the API (search and id-list) and the announcement feeds,
served from in-memory papers, with faults scripted per request.

    with ArxivServer(papers, feed=announced) as server:
        server.script(Fault.http(503), Fault.http(429, retry_after="7"), kind="api")
        server.script(Fault(empty_page=True), kind="api", when=lambda r: r.start > 0)
        config = ArxivConfig(api_url=server.api_url, feed_url=server.feed_base("rss"), ...)
        ...
        assert [r.fault for r in server.requests] == [...]

Endpoints:
- ``/api/query?search_query=…&id_list=…&start=…&max_results=…&sortOrder=…``: ``id_list`` answers
  those papers (any version suffix ignored); otherwise every paper, filtered by a
  ``submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]`` clause when present (other terms are ignored),
  sorted by ``published``, paged with totalResults; a query with ``ti:WORD`` terms answers the
  papers whose title has every such word (title search, as ``triagebot verify`` uses it).
- ``/atom/<cat>[+<cat>…]`` and ``/rss/<cat>[+<cat>…]``: the announced papers in any of the
  categories, in arXiv's Atom or RSS 2.0 form, dated ``feed_date``.

Faults (:class:`Fault`) are queued with :meth:`ArxivServer.script` and each is used by exactly one
matching request, in order; requests with no fault left are answered normally. Every request is
recorded (:attr:`ArxivServer.requests`) with its arrival time and the fault it got.

The renderers (:func:`api_xml`, :func:`atom_feed_xml`, :func:`rss_feed_xml`) are public so
fixtures and benchmarks can produce the same documents.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from textwrap import wrap
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from tests.servers.loopback import LoopbackServer
from triagebot.arxiv_ids import split_id
from triagebot.awesome.index import title_key
from triagebot.models import Paper

EASTERN = timezone(timedelta(hours=-4))
DEFAULT_FEED_DATE = datetime(2025, 8, 20, tzinfo=EASTERN)
_DEFAULT_PUBLISHED = datetime(2025, 8, 18, 17, 59, 46, tzinfo=UTC)
_TITLE_TERM = re.compile(r"\bti:(\"[^\"]*\"|[^\s()]+)")
_DATE_RANGE = re.compile(r"submittedDate:\[(\d{12})\s+TO\s+(\d{12})\]")
_HTML_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>arXiv is busy</title></head>"
    b"<body><h1>Service temporarily unavailable</h1><p>Please try again later.</p></body></html>\n"
)

Kind = Literal["api", "feed", "other"]


# ---------------------------------------------------------------- faults and records


@dataclass(frozen=True)
class Fault:
    """What to do to one request instead of (or before) answering it normally."""

    status: int | None = None  # answer with this HTTP status (and a short HTML body)
    retry_after: str | None = None  # Retry-After header value
    html: bool = False  # 200 with an HTML page
    truncate: float | None = None  # 200, the document cut to this fraction (Content-Length agrees)
    short_read: bool = False  # Content-Length of the whole document, half sent, connection closed
    empty_page: bool = False  # 200, a well-formed page without entries (totalResults kept)
    reset: bool = False  # close the connection with a TCP reset, no answer
    delay: float = 0.0  # seconds to wait before answering
    body: bytes | None = None  # answer this body (with ``status`` or 200)

    @classmethod
    def http(cls, status: int, retry_after: str | None = None) -> Fault:
        return cls(status=status, retry_after=retry_after)

    @property
    def name(self) -> str:
        parts = [
            f"http {self.status}" if self.status else "",
            f"retry-after {self.retry_after}" if self.retry_after else "",
            "html" if self.html else "",
            f"truncate {self.truncate}" if self.truncate is not None else "",
            "short read" if self.short_read else "",
            "empty page" if self.empty_page else "",
            "reset" if self.reset else "",
            f"delay {self.delay}" if self.delay else "",
            "body" if self.body is not None else "",
        ]
        return ", ".join(p for p in parts if p) or "none"


@dataclass(frozen=True)
class Request:
    """One request as the server saw it."""

    time: float  # time.monotonic() on arrival
    path: str
    query: dict[str, str]
    kind: Kind
    fault: Fault | None

    @property
    def start(self) -> int:
        return int(self.query.get("start", "0") or 0)

    @property
    def id_list(self) -> list[str]:
        return [i for i in self.query.get("id_list", "").split(",") if i]

    @property
    def search_query(self) -> str:
        return self.query.get("search_query", "")


@dataclass
class _Scripted:
    fault: Fault
    kind: Kind | None
    when: Callable[[Request], bool] | None

    def matches(self, request: Request) -> bool:
        if self.kind is not None and request.kind != self.kind:
            return False
        return self.when is None or self.when(request)


# ---------------------------------------------------------------- renderers


def _stamp(moment: datetime | None) -> str:
    return (moment or _DEFAULT_PUBLISHED).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wrapped(text: str) -> str:
    """arXiv's API wraps long titles and abstracts over indented lines."""
    return "\n  ".join(wrap(text, 76)) or text


def api_entry_xml(paper: Paper) -> str:
    versioned = f"{paper.arxiv_id}v{paper.version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{versioned}</id>",
        f"    <title>{escape(_wrapped(paper.title))}</title>",
        f"    <updated>{_stamp(paper.updated or paper.published)}</updated>",
        f'    <link href="https://arxiv.org/abs/{versioned}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{versioned}" rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(_wrapped(paper.abstract))}</summary>",
    ]
    lines += [
        f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
        for c in paper.categories
    ]
    lines.append(f"    <published>{_stamp(paper.published)}</published>")
    if paper.comment:
        lines.append(f"    <arxiv:comment>{escape(paper.comment)}</arxiv:comment>")
    primary = paper.primary_category or (paper.categories[0] if paper.categories else "cs.CV")
    lines.append(f"    <arxiv:primary_category term={quoteattr(primary)}/>")
    if paper.journal_ref:
        lines.append(f"    <arxiv:journal_ref>{escape(paper.journal_ref)}</arxiv:journal_ref>")
    for author in paper.authors:
        lines += ["    <author>", f"      <name>{escape(author)}</name>", "    </author>"]
    if paper.doi:
        lines.append(f"    <arxiv:doi>{escape(paper.doi)}</arxiv:doi>")
        lines.append(
            f'    <link rel="related" href={quoteattr("https://doi.org/" + paper.doi)} title="doi"/>'
        )
    lines.append("  </entry>")
    return "\n".join(lines)


def api_xml(
    papers: Sequence[Paper], *, total: int | None = None, start: int = 0, per_page: int = 100
) -> bytes:
    """An API answer (Atom 1.0 with opensearch paging) holding ``papers``."""
    total = len(papers) if total is None else total
    head = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">',
        "  <id>https://arxiv.org/api/fake</id>",
        f"  <title>arXiv Query: start={start}&amp;max_results={per_page}</title>",
        "  <updated>2025-08-20T00:00:00Z</updated>",
        '  <link href="https://arxiv.org/api/query" type="application/atom+xml"/>',
        f"  <opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>",
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>",
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>",
    ]
    body = head + [api_entry_xml(p) for p in papers] + ["</feed>", ""]
    return "\n".join(body).encode("utf-8")


def _feed_summary(paper: Paper) -> str:
    announce = paper.announce_type or "new"
    return f"arXiv:{paper.arxiv_id}v{paper.version} Announce Type: {announce} \nAbstract: {paper.abstract}"


def atom_feed_xml(
    papers: Sequence[Paper], categories: Sequence[str], date: datetime = DEFAULT_FEED_DATE
) -> bytes:
    """The announcement feed in arXiv's Atom form (rss.arxiv.org/atom/<cats>)."""
    cats = "+".join(categories)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">',
        f"  <id>http://rss.arxiv.org/atom/{cats}</id>",
        f"  <title>{escape(cats)} updates on arXiv.org</title>",
        f"  <updated>{date.astimezone(UTC).isoformat()}</updated>",
        f'  <link href="http://rss.arxiv.org/atom/{cats}" rel="self" type="application/atom+xml"/>',
        f"  <subtitle>{escape(cats)} updates on the arXiv.org e-print archive.</subtitle>",
    ]
    for paper in papers:
        lines += [
            "  <entry>",
            f"    <id>oai:arXiv.org:{paper.arxiv_id}v{paper.version}</id>",
            f"    <title>{escape(paper.title)}</title>",
            f"    <updated>{date.astimezone(UTC).isoformat()}</updated>",
            f'    <link href="https://arxiv.org/abs/{paper.arxiv_id}" rel="alternate" type="text/html"/>',
            f"    <summary>{escape(_feed_summary(paper))}</summary>",
            *[f"    <category term={quoteattr(c)}/>" for c in paper.categories],
            f"    <published>{date.isoformat()}</published>",
            f"    <arxiv:announce_type>{paper.announce_type or 'new'}</arxiv:announce_type>",
            "    <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
            f"    <dc:creator>{escape(', '.join(paper.authors))}</dc:creator>",
            "  </entry>",
        ]
    lines += ["</feed>", ""]
    return "\n".join(lines).encode("utf-8")


def rss_feed_xml(
    papers: Sequence[Paper], categories: Sequence[str], date: datetime = DEFAULT_FEED_DATE
) -> bytes:
    """The announcement feed in arXiv's RSS 2.0 form (rss.arxiv.org/rss/<cats>)."""
    cats = "+".join(categories)
    stamp = format_datetime(date)
    lines = [
        "<?xml version='1.0' encoding='UTF-8'?>",
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'version="2.0">',
        "  <channel>",
        f"    <title>{escape(cats)} updates on arXiv.org</title>",
        f"    <link>http://rss.arxiv.org/rss/{cats}</link>",
        f"    <description>{escape(cats)} updates on the arXiv.org e-print archive.</description>",
        f'    <atom:link href="http://rss.arxiv.org/rss/{cats}" rel="self" type="application/rss+xml"/>',
        "    <docs>http://www.rssboard.org/rss-specification</docs>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{stamp}</lastBuildDate>",
        "    <managingEditor>rss-help@arxiv.org</managingEditor>",
        f"    <pubDate>{stamp}</pubDate>",
        "    <skipDays>",
        "      <day>Saturday</day>",
        "      <day>Sunday</day>",
        "    </skipDays>",
    ]
    for paper in papers:
        lines += [
            "    <item>",
            f"      <title>{escape(paper.title)}</title>",
            f"      <link>https://arxiv.org/abs/{paper.arxiv_id}</link>",
            f"      <description>{escape(_feed_summary(paper))}</description>",
            f'      <guid isPermaLink="false">oai:arXiv.org:{paper.arxiv_id}v{paper.version}</guid>',
            *[f"      <category>{escape(c)}</category>" for c in paper.categories],
            f"      <pubDate>{stamp}</pubDate>",
            f"      <arxiv:announce_type>{paper.announce_type or 'new'}</arxiv:announce_type>",
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>",
            f"      <dc:creator>{escape(', '.join(paper.authors))}</dc:creator>",
            "    </item>",
        ]
    lines += ["  </channel>", "</rss>", ""]
    return "\n".join(lines).encode("utf-8")


def labeled_papers(
    path: Path, *, start: datetime = _DEFAULT_PUBLISHED, step: timedelta = timedelta(hours=1)
) -> list[Paper]:
    """Papers built from ``arxiv-papers-labeled.jsonl`` (real titles, abstracts, comments);
    ``published`` is synthetic (``start``, then one ``step`` apart) since the records have none."""
    papers: list[Paper] = []
    for index, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        record = json.loads(line)
        arxiv_id = record["arxiv_id"]
        papers.append(
            Paper(
                arxiv_id=arxiv_id,
                title=record["title"],
                abstract=record["abstract"],
                authors=tuple(record["authors"]),
                primary_category=record["primary_category"],
                categories=(record["primary_category"],),
                comment=record.get("comments"),
                published=start + index * step,
                updated=start + index * step,
                abs_url=f"https://arxiv.org/abs/{arxiv_id}",
                pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
            )
        )
    return papers


# ---------------------------------------------------------------- the server


def _minute(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)


class ArxivServer(LoopbackServer):
    """The fake arXiv. Use as a context manager (or :meth:`start`/:meth:`stop`)."""

    def __init__(
        self,
        papers: Iterable[Paper] = (),
        *,
        feed: Iterable[Paper] = (),
        feed_date: datetime = DEFAULT_FEED_DATE,
    ) -> None:
        self.papers = list(papers)
        self.feed = list(feed)
        self.feed_date = feed_date
        self.requests: list[Request] = []
        self._script: list[_Scripted] = []
        self._lock = threading.Lock()
        super().__init__(_handler_for(self), "fake-arxiv")

    # -- addresses

    @property
    def base_url(self) -> str:
        return self.address

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/query"

    def feed_base(self, flavour: Literal["atom", "rss"] = "atom") -> str:
        return f"{self.base_url}/{flavour}"

    # -- scripting and records

    def script(
        self, *faults: Fault, kind: Kind | None = "api", when: Callable[[Request], bool] | None = None
    ) -> None:
        """Queue faults; each is used by the next request of ``kind`` (None: any) that ``when`` accepts."""
        with self._lock:
            self._script.extend(_Scripted(f, kind, when) for f in faults)

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return [s.fault for s in self._script]

    def requests_of(self, kind: Kind) -> list[Request]:
        return [r for r in self.requests if r.kind == kind]

    def _arrive(self, path: str, query: dict[str, str]) -> Request:
        kind: Kind = (
            "api"
            if path.endswith("/api/query")
            else "feed"
            if path.startswith(("/atom/", "/rss/"))
            else "other"
        )
        probe = Request(time.monotonic(), path, query, kind, None)
        with self._lock:
            chosen = next((s for s in self._script if s.matches(probe)), None)
            if chosen is not None:
                self._script.remove(chosen)
            request = Request(probe.time, path, query, kind, chosen.fault if chosen else None)
            self.requests.append(request)
        return request

    # -- answers

    def answer(self, request: Request, *, empty: bool = False) -> tuple[int, str, bytes]:
        """The normal answer ``(status, content type, body)`` to a request."""
        if request.kind == "api":
            return 200, "application/atom+xml; charset=utf-8", self._api_answer(request, empty=empty)
        if request.kind == "feed":
            flavour, _, cats = request.path.strip("/").partition("/")
            categories = [c for c in cats.split("+") if c]
            announced = [] if empty else [p for p in self.feed if set(p.categories) & set(categories)]
            if flavour == "rss":
                return (
                    200,
                    "application/rss+xml; charset=utf-8",
                    rss_feed_xml(announced, categories, self.feed_date),
                )
            return (
                200,
                "application/atom+xml; charset=utf-8",
                atom_feed_xml(announced, categories, self.feed_date),
            )
        return 404, "text/plain", b"not found\n"

    def _api_answer(self, request: Request, *, empty: bool) -> bytes:
        per_page = int(request.query.get("max_results", "10") or 10)
        if request.id_list:
            wanted = [split_id(i) for i in request.id_list]
            by_id = {p.arxiv_id: p for p in self.papers}
            matches = [by_id[w[0]] for w in wanted if w is not None and w[0] in by_id]
        else:
            matches = self._search(
                request.search_query, descending=request.query.get("sortOrder") == "descending"
            )
        page = [] if empty else matches[request.start : request.start + per_page]
        return api_xml(page, total=len(matches), start=request.start, per_page=per_page)

    def _search(self, query: str, *, descending: bool) -> list[Paper]:
        found = self.papers
        terms = [t.strip('"').casefold() for t in _TITLE_TERM.findall(query)]
        if terms:  # ti:word AND ti:word …: every word among the title's words, in catalogue order
            return [p for p in found if set(terms) <= set(title_key(p.title).split())]
        window = _DATE_RANGE.search(query)
        if window:
            low, high = _minute(window.group(1)), _minute(window.group(2)) + timedelta(seconds=59)
            found = [p for p in found if p.published is not None and low <= p.published <= high]
        return sorted(found, key=lambda p: p.published or _DEFAULT_PUBLISHED, reverse=descending)


# ---------------------------------------------------------------- the handler


def _handler_for(server: ArxivServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        arxiv = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    arxiv: ArxivServer
    server_version = "FakeArxiv/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ValueError):
            return  # the client hung up (a timeout on its side): nothing to answer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = self.arxiv._arrive(parts.path, query)
        fault = request.fault or Fault()
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset:
            self._reset()
            return
        status, content_type, body = self._faulty_answer(request, fault)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if fault.retry_after is not None:
            self.send_header("Retry-After", fault.retry_after)
        if fault.short_read:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _faulty_answer(self, request: Request, fault: Fault) -> tuple[int, str, bytes]:
        if fault.body is not None:
            return fault.status or 200, "application/atom+xml; charset=utf-8", fault.body
        if fault.status is not None:
            return fault.status, "text/html; charset=utf-8", _HTML_PAGE
        if fault.html:
            return 200, "text/html; charset=utf-8", _HTML_PAGE
        status, content_type, body = self.arxiv.answer(request, empty=fault.empty_page)
        if fault.truncate is not None:
            body = body[: int(len(body) * fault.truncate)]
        return status, content_type, body

    def _reset(self) -> None:
        """Close with a TCP reset (SO_LINGER 0), as a dropped connection looks to the client."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
