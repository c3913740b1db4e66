"""Shared test setup: the network guard, the --live switch, and typed fakes of every port."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.netguard import install
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

FIXTURES = Path(__file__).parent / "fixtures"

# ---------------------------------------------------------------- network guard


class NetworkBlocked(RuntimeError):
    pass


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="also run tests that reach real services")


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--live"):
        install(NetworkBlocked)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="needs --live (reaches real services)")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clean_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's real endpoints or secrets (live tests need them)."""
    if "live" in request.keywords:
        return
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_STEP_SUMMARY",
        "TRIAGEBOT_ARXIV_API_URL",
        "TRIAGEBOT_ARXIV_FEED_URL",
    ):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- typed fakes of the ports


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


@pytest.fixture
def awesome_xad_text() -> str:
    """The real Awesome-XAD README, quirks included."""
    return (FIXTURES / "awesome-xad-README.md").read_text(encoding="utf-8")
