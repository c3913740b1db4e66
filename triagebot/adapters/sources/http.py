"""The polite transport every arXiv request goes through (API search, id lookups and the feed).

arXiv asks for one request every three seconds on one connection, and its API is known to answer
with 429s, 5xx, HTML error pages, truncated documents and empty pages even when used politely. This
module gives every request:

- one shared :class:`Throttle` ("one request every N seconds", across every source built on the
  same :class:`Transport`), measured from the end of the previous request;
- a timeout (the ``arxiv`` client sets none);
- retries with exponential backoff on 429, 5xx, connection errors and timeouts, honouring
  ``Retry-After``;
- a body check: an HTML page, a truncated or malformed document, or an empty page where results
  were promised is a failure to retry, never "no papers".

When the retries run out it raises :class:`~triagebot.errors.SourceError` naming the request.
:class:`PoliteSession` is a ``requests.Session`` that applies all of this, so the ``arxiv`` client
can use it as its own session.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.parsers import expat

import requests

from triagebot import __version__
from triagebot.config import ArxivConfig
from triagebot.errors import SourceError
from triagebot.models import squash
from triagebot.timeutil import assume_utc, utc_now

logger = logging.getLogger(__name__)

USER_AGENT = f"triagebot/{__version__} (arXiv intake; polite: 1 request per 3 s)"
_OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
_ENTRY_NAMES = frozenset({"entry", "item"})
_FEED_ROOTS = frozenset({"feed", "rss", "RDF"})


class BodyProblem(Exception):
    """A 200 response whose body is not the document asked for. Retryable."""


Validator = Callable[[str, bytes], None]
"""Checks ``(url, body)`` of a 200 response; raises :class:`BodyProblem` when it is unusable."""

ResponseHook = Callable[[str, str, int, bytes], None]
"""Called with ``(kind, url, status, body)`` for every response that passed its check."""


# ---------------------------------------------------------------- body checks


@dataclass(frozen=True)
class XmlShape:
    """What a well-formed XML document looks like from a distance."""

    root: str  # local name of the root element
    entries: int  # <entry>/<item> elements
    total_results: int | None  # opensearch:totalResults, when present


@dataclass
class _ShapeReader:
    root: str = ""
    entries: int = 0
    in_total: bool = False
    total_text: list[str] = field(default_factory=list)

    def start(self, name: str, _attrs: Any) -> None:
        namespace, _, local = name.rpartition(" ")
        if not self.root:
            self.root = local
        if local in _ENTRY_NAMES:
            self.entries += 1
        self.in_total = namespace == _OPENSEARCH and local == "totalResults"

    def end(self, _name: str) -> None:
        self.in_total = False

    def text(self, data: str) -> None:
        if self.in_total:
            self.total_text.append(data)


def _refuse_entities(*_args: Any) -> None:
    raise BodyProblem("the document declares XML entities (refused)")


def _looks_like_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:300]


def inspect_xml(body: bytes) -> XmlShape:
    """Check that ``body`` is one complete XML document and describe it; raise BodyProblem if not."""
    if not body.strip():
        raise BodyProblem("an empty response body")
    if _looks_like_html(body):
        raise BodyProblem("an HTML page instead of XML")
    reader = _ShapeReader()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.EntityDeclHandler = _refuse_entities
    try:
        parser.Parse(body, True)
    except expat.ExpatError as err:
        if reader.root == "html":
            raise BodyProblem("an HTML page instead of XML") from None
        reason = expat.errors.messages[err.code] if err.code else str(err)
        raise BodyProblem(f"a truncated or malformed XML document ({reason} at line {err.lineno})") from None
    if reader.root == "html":
        raise BodyProblem("an HTML page instead of XML")
    total_text = "".join(reader.total_text).strip()
    total = int(total_text) if total_text.isdigit() else None
    return XmlShape(root=reader.root, entries=reader.entries, total_results=total)


def page_start(url: str) -> int:
    """The ``start`` parameter of an API URL (0 when absent)."""
    values = parse_qs(urlsplit(url).query).get("start", ["0"])
    return int(values[0]) if values[0].isdigit() else 0


def check_api_page(url: str, body: bytes) -> None:
    """An API answer must be a complete Atom feed; an empty page is suspect unless nothing matched."""
    shape = inspect_xml(body)
    if shape.root != "feed":
        raise BodyProblem(f"an XML document with root <{shape.root}> instead of an Atom <feed>")
    if shape.entries:
        return
    start = page_start(url)
    if start > 0:
        raise BodyProblem(f"an empty page of results at start={start}")
    if shape.total_results:
        raise BodyProblem(f"an empty first page although totalResults={shape.total_results}")


def check_feed(url: str, body: bytes) -> None:
    """A feed must be a complete Atom/RSS document; an empty one is normal (weekend, holiday)."""
    shape = inspect_xml(body)
    if shape.root not in _FEED_ROOTS:
        raise BodyProblem(f"an XML document with root <{shape.root}> instead of a feed")


# ---------------------------------------------------------------- pacing


class Throttle:
    """At most one request every ``interval`` seconds, counted from the end of the previous one.

    The lock is held for the whole request, so requests sharing a throttle never overlap either.
    """

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.waits: list[float] = []
        self._clock = clock
        self._sleep = sleep
        self._last_end: float | None = None
        self._lock = threading.Lock()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._lock:
            if self._last_end is not None:
                wait = self._last_end + self.interval - self._clock()
                if wait > 0:
                    logger.debug("throttle: waiting %.2fs", wait)
                    self.waits.append(wait)
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last_end = self._clock()


@dataclass(frozen=True)
class RetryPolicy:
    timeout: float = 30.0  # seconds, for connect and for each read
    max_retries: int = 4  # retries after the first try
    backoff: float = 5.0  # first wait after a failure; doubles on each retry
    backoff_cap: float = 120.0
    retry_after_cap: float = 600.0  # a longer Retry-After gives up at once

    def backoff_for(self, retry: int) -> float:
        """The wait before retry number ``retry`` (1-based) when the server gave no Retry-After."""
        return float(min(self.backoff * 2 ** (retry - 1), self.backoff_cap))


@dataclass(frozen=True)
class Pause:
    """A wait between tries, kept so callers (and tests) can see what the transport did."""

    seconds: float
    reason: str  # "backoff" or "retry-after"
    url: str


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        logger.warning("ignoring unreadable Retry-After header %r", value)
        return None
    return max(0.0, (assume_utc(when) - (now or utc_now())).total_seconds())


# ---------------------------------------------------------------- the transport


@dataclass(frozen=True)
class _Retry:
    problem: str
    wait: float
    reason: str


_RETRYABLE_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_SUMMARY_RE = re.compile(rb"<summary[^>]*>(.*?)</summary>", re.DOTALL)


def _is_retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def _error_detail(body: bytes) -> str:
    """arXiv explains a 400 in an Atom entry's summary; show it when present."""
    match = _SUMMARY_RE.search(body[:4096])
    return f": {squash(match.group(1).decode('utf-8', 'replace'))[:200]}" if match else ""


def _describe(err: requests.RequestException, timeout: float) -> str:
    if isinstance(err, requests.exceptions.Timeout) and not isinstance(
        err, requests.exceptions.ConnectionError
    ):
        return f"no answer within the {timeout:g}s timeout"
    text = squash(str(err))
    return f"{type(err).__name__}: {text[:200]}"


class Transport:
    """Timeout, throttle, retries and body checks for every arXiv request; shared by all sources."""

    def __init__(
        self,
        policy: RetryPolicy,
        throttle: Throttle,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_response: ResponseHook | None = None,
    ) -> None:
        self.policy = policy
        self.throttle = throttle
        self.pauses: list[Pause] = []
        self.on_response = on_response
        self._sleep = sleep

    @classmethod
    def from_config(
        cls,
        config: ArxivConfig,
        *,
        sleep: Callable[[float], None] = time.sleep,
        on_response: ResponseHook | None = None,
    ) -> Transport:
        policy = RetryPolicy(
            timeout=config.timeout, max_retries=config.max_retries, backoff=config.backoff_seconds
        )
        return cls(policy, Throttle(config.delay_seconds, sleep=sleep), sleep=sleep, on_response=on_response)

    def session(self, kind: str, validate: Validator) -> PoliteSession:
        """A requests session whose every request goes through this transport."""
        return PoliteSession(self, kind=kind, validate=validate)

    def send(
        self, kind: str, url: str, attempt: Callable[[], requests.Response], validate: Validator
    ) -> requests.Response:
        """Run ``attempt`` until it gives a response that passes ``validate``; else SourceError."""
        what = "arXiv API" if kind == "api" else f"arXiv {kind}"
        tries = 0
        problem = "no try made"
        while tries <= self.policy.max_retries:
            tries += 1
            with self.throttle.slot():
                outcome = self._try_once(what, url, attempt, validate, tries)
            if isinstance(outcome, requests.Response):
                if self.on_response is not None:
                    self.on_response(kind, url, outcome.status_code, outcome.content)
                return outcome
            problem = outcome.problem
            logger.warning("%s answered %s (try %d); request: %s", what, problem, tries, url)
            if tries > self.policy.max_retries:
                break
            self.pauses.append(Pause(outcome.wait, outcome.reason, url))
            if outcome.wait > 0:
                self._sleep(outcome.wait)
        raise SourceError(
            f"{what} failed: {problem}",
            url=url,
            tries=tries,
            hint="arXiv may be overloaded; the next run retries the same window",
        )

    def _try_once(
        self,
        what: str,
        url: str,
        attempt: Callable[[], requests.Response],
        validate: Validator,
        tries: int,
    ) -> requests.Response | _Retry:
        backoff = self.policy.backoff_for(tries)
        try:
            response = attempt()
        except _RETRYABLE_ERRORS as err:
            return _Retry(_describe(err, self.policy.timeout), backoff, "backoff")
        except requests.RequestException as err:
            raise SourceError(
                f"{what} request failed: {_describe(err, self.policy.timeout)}", url=url
            ) from err
        status = response.status_code
        if _is_retryable_status(status):
            return self._retry_for_status(what, url, response, backoff, tries)
        if status != 200:
            detail = _error_detail(response.content)
            raise SourceError(f"{what} answered HTTP {status}{detail}", url=url, tries=tries)
        try:
            validate(url, response.content)
        except BodyProblem as err:
            return _Retry(str(err), backoff, "backoff")
        return response

    def _retry_for_status(
        self, what: str, url: str, response: requests.Response, backoff: float, tries: int
    ) -> _Retry:
        problem = f"HTTP {response.status_code}"
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is None:
            return _Retry(problem, backoff, "backoff")
        if asked > self.policy.retry_after_cap:
            raise SourceError(
                f"{what} answered {problem} and asked to wait {asked:g}s "
                f"(more than the {self.policy.retry_after_cap:g}s we wait)",
                url=url,
                tries=tries,
            )
        return _Retry(f"{problem} (Retry-After: {asked:g}s)", asked, "retry-after")


class PoliteSession(requests.Session):
    """A ``requests.Session`` whose requests go through a :class:`Transport` and a body check."""

    def __init__(self, transport: Transport, *, kind: str, validate: Validator) -> None:
        super().__init__()
        self.headers["User-Agent"] = USER_AGENT
        self.transport = transport
        self.kind = kind
        self.validate = validate

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        """Every request: our timeout and User-Agent, the shared throttle, retries and the body check."""
        kwargs.setdefault("timeout", self.transport.policy.timeout)
        kwargs["headers"] = {
            key: value
            for key, value in (kwargs.get("headers") or {}).items()
            if str(key).lower() != "user-agent"
        }
        text_method = method.decode() if isinstance(method, bytes) else method
        text_url = url.decode() if isinstance(url, bytes) else url

        def attempt() -> requests.Response:
            return super(PoliteSession, self).request(text_method, text_url, *args, **kwargs)

        return self.transport.send(self.kind, text_url, attempt, self.validate)
