"""Typed fakes of the ports, defined once: each implements the real interface (no ``Mock()``) and
keeps what it was asked, like a test double of llm's ``MockModel``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from tests.servers.arxiv_server import ArxivServer
from triagebot.adapters.sources.api import ArxivApiSource
from triagebot.adapters.sources.http import Transport, check_api_page
from triagebot.config import ArxivConfig
from triagebot.models import (
    Cursor,
    DecisionRecord,
    ExistingPR,
    Paper,
    Proposal,
    PRState,
    PublishResult,
    PublishStatus,
)
from triagebot.ports import ModelAnswer, ModelRequest


def make_paper(arxiv_id: str = "2501.00001", **fields: Any) -> Paper:
    """A Paper with sensible defaults; override any field."""
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "title": f"Paper {arxiv_id}",
        "abstract": "We study visual anomaly detection.",
        "abs_url": f"https://arxiv.org/abs/{arxiv_id}",
        "pdf_url": f"https://arxiv.org/pdf/{arxiv_id}",
    }
    values.update(fields)
    return Paper(**values)


def api_source(server: ArxivServer, **overrides: object) -> tuple[ArxivApiSource, Transport, list[float]]:
    """The real arXiv API source against the fake arXiv ``server``: no delay between requests, 0.5 s
    backoff, 2 retries (override any ArxivConfig field); returns it, its transport and the sleeps taken."""
    values: dict[str, object] = {
        "api_url": server.api_url,
        "delay_seconds": 0.0,
        "backoff_seconds": 0.5,
        "timeout": 5.0,
        "max_retries": 2,
    }
    values.update(overrides)
    config = ArxivConfig.model_validate(values)
    sleeps: list[float] = []
    transport = Transport.from_config(config, sleep=sleeps.append)
    return ArxivApiSource(config, transport.session("api", check_api_page)), transport, sleeps


class FakeSource:
    """A Source serving fixed papers; records the windows and lookups it was asked for."""

    def __init__(self, papers: Sequence[Paper] = (), fail_after: int | None = None) -> None:
        self._papers = list(papers)
        self._fail_after = fail_after
        self.windows: list[tuple[datetime | None, datetime | None]] = []
        self.lookups: list[list[str]] = []

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        from triagebot.errors import SourceError

        self.windows.append((since, until))
        for index, paper in enumerate(self._papers):
            if self._fail_after is not None and index >= self._fail_after:
                raise SourceError("fake source failed", url="http://127.0.0.1/fake", tries=3)
            yield paper

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        self.lookups.append(list(arxiv_ids))
        wanted = set(arxiv_ids)
        yield from (p for p in self._papers if p.arxiv_id in wanted)


class FakeLLM:
    """A LLM answering from a queue of canned answers; keeps the requests it saw."""

    def __init__(self, answers: Sequence[ModelAnswer | Exception] = (), model: str = "fake-model") -> None:
        self.model = model
        self._answers = list(answers)
        self.requests: list[ModelRequest] = []

    def complete(self, request: ModelRequest) -> ModelAnswer:
        self.requests.append(request)
        if not self._answers:
            raise AssertionError(f"FakeLLM has no answer left for {request.kind} {request.paper_ids}")
        answer = self._answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakePublisher:
    """A Publisher that keeps proposals in memory, with a preset list text and existing PRs."""

    def __init__(self, list_text: str = "", existing: dict[str, ExistingPR] | None = None) -> None:
        self.list_text = list_text
        self._existing = dict(existing or {})
        self.published: list[Proposal] = []

    def existing(self, arxiv_ids: Sequence[str]) -> dict[str, ExistingPR]:
        return {i: self._existing[i] for i in arxiv_ids if i in self._existing}

    def read_list(self, path: str) -> str:
        return self.list_text

    def publish(self, proposal: Proposal) -> PublishResult:
        self.published.append(proposal)
        return PublishResult(proposal.arxiv_ids, PublishStatus.OPENED, url=f"fake://{proposal.branch}")

    def open_count(self) -> int:
        return sum(1 for pr in self._existing.values() if pr.state is PRState.OPEN) + len(self.published)


class FakeStateStore:
    """A StateStore in memory."""

    def __init__(self) -> None:
        self.records: list[DecisionRecord] = []
        self._cursor: Cursor | None = None

    def load(self) -> dict[str, DecisionRecord]:
        return {r.arxiv_id: r for r in self.records}

    def append(self, records: Sequence[DecisionRecord]) -> None:
        self.records.extend(records)

    def cursor(self) -> Cursor | None:
        return self._cursor

    def save_cursor(self, cursor: Cursor) -> None:
        self._cursor = cursor


def answer_for(schema: Any, raw: str, model: str = "fake-model") -> ModelAnswer:
    """A ModelAnswer parsed with ``schema`` the way a structured-output backend would."""
    return ModelAnswer(parsed=schema.model_validate_json(raw), raw=raw, model=model)


class ScriptedLLM:
    """A LLM whose answers are raw strings (or errors) from a script, parsed with the
    request's own schema like a structured-output backend; keeps every request it saw."""

    def __init__(self, script: Any, model: str = "fake-model") -> None:
        self.script = script  # Callable[[ModelRequest], str | Exception]
        self.model = model
        self.requests: list[Any] = []

    def complete(self, request: Any) -> ModelAnswer:
        from pydantic import ValidationError

        from triagebot.errors import InvalidAnswerError

        self.requests.append(request)
        raw = self.script(request)
        if isinstance(raw, Exception):
            raise raw
        try:
            return answer_for(request.schema, raw, self.model)
        except ValidationError as err:
            raise InvalidAnswerError(f"does not match the schema: {err}", raw=raw, usage=(10, 5)) from None
