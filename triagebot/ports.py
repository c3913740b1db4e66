"""The interfaces between the pipeline and the outside world. Adapters implement them.

Each port is a Protocol so typed fakes (tests/fakes.py) and real adapters are interchangeable.
No SDK type appears here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel

from triagebot.models import (
    Cursor,
    DecisionRecord,
    ExistingPR,
    Paper,
    Proposal,
    PublishResult,
    UpkeepHistory,
    Usage,
)


class Source(Protocol):
    """Where papers come from (arXiv API search, the announcement feed, a saved file)."""

    def papers(self, since: datetime | None, until: datetime | None) -> Iterator[Paper]:
        """Candidate papers announced/submitted in the window. Raises SourceError when arXiv
        fails after retries; papers already yielded stay valid."""
        ...

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        """Full metadata for the given (version-less) ids; unknown ids are left out."""
        ...


@dataclass(frozen=True)
class ModelRequest:
    """One exchange with a model: prompt assembly and validation happen outside the backends."""

    kind: Literal["screen", "classify"]
    paper_ids: tuple[str, ...]
    messages: tuple[dict[str, str], ...]
    schema: type[BaseModel]
    prompt_version: str
    max_output_tokens: int | None = None
    # classify: the section names the answer's section numbers stand for (1 is the first)
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelAnswer:
    parsed: BaseModel | None
    raw: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None
    refusal: str | None = None
    latency_s: float = 0.0


class LLM(Protocol):
    """A model backend. One method; the OpenAI-compatible backend is the only one importing openai."""

    model: str

    def complete(self, request: ModelRequest) -> ModelAnswer:
        """Answer one request with a parsed object of ``request.schema`` (or raise ClassifyError)."""
        ...


class Publisher(Protocol):
    """Where proposals go: GitHub pull requests, a preview folder, or nowhere."""

    def existing(self, arxiv_ids: Sequence[str]) -> dict[str, ExistingPR]:
        """The bot's PRs (open, merged or closed) for these papers, found without local state."""
        ...

    def read_list(self, path: str) -> str:
        """The list text as it is on the base branch now."""
        ...

    def publish(self, proposal: Proposal) -> PublishResult:
        """Open (or find) the pull request for ``proposal``; safe to call again."""
        ...

    def open_count(self) -> int:
        """How many of the bot's pull requests are open now (for the ``max_open_prs`` cap)."""
        ...


class StateStore(Protocol):
    """The append-only decision log and the cursor."""

    def load(self) -> dict[str, DecisionRecord]:
        """The latest record per arXiv id (a truncated last line is ignored)."""
        ...

    def append(self, records: Sequence[DecisionRecord]) -> None:
        """Append and flush; each record is one JSON line."""
        ...

    def cursor(self) -> Cursor | None: ...

    def save_cursor(self, cursor: Cursor) -> None:
        """Atomically replace the cursor (temp file, fsync, rename)."""
        ...


class PaperIndex(Protocol):
    """arXiv as a catalogue, for checking entries already in the list (``triagebot verify``)."""

    def lookup(self, arxiv_ids: Sequence[str]) -> Iterator[Paper]:
        """Full metadata for the given ids (batched); unknown ids are left out. SourceError when
        arXiv fails after retries."""
        ...

    def search(self, query: str, max_results: int) -> list[Paper]:
        """Papers matching an API ``search_query`` (e.g. ``ti:`` terms), best first."""
        ...


class UpkeepPublisher(Protocol):
    """Where the upkeep PR goes (GitHub, a preview folder, nowhere); see adapters/publishers/upkeep."""

    def read_list(self, path: str) -> str:
        """The list text as it is on the base branch now."""
        ...

    def upkeep_history(self, branch: str) -> UpkeepHistory:
        """The open upkeep PR (if any) and the changes closed upkeep PRs declined."""
        ...

    def publish_upkeep(self, proposal: Proposal, history: UpkeepHistory) -> PublishResult:
        """Open the upkeep PR, or update the open one; safe to call again."""
        ...
