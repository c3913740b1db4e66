"""Typed values that flow between the stages. Pure: no I/O, no SDK types."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

_URL_RE = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
_TRAILING = ".,;:!?"


def urls_in(text: str | None) -> list[str]:
    """URLs in free text, trailing punctuation stripped, in order, without repeats."""
    found: dict[str, None] = {}
    for match in _URL_RE.finditer(text or ""):
        found.setdefault(match.group(0).rstrip(_TRAILING), None)
    return list(found)


def squash(text: str) -> str:
    """Collapse all runs of whitespace (newlines included) to one space."""
    return " ".join(text.split())


class Paper(BaseModel):
    """One arXiv paper, as arXiv describes it. Everything the list shows comes from here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arxiv_id: str = Field(description="version-less id, e.g. 2503.19357")
    version: int = 1
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    abs_url: str
    pdf_url: str
    urls: tuple[str, ...] = Field(default=(), description="URLs found in the abstract and comment")
    announce_type: str | None = Field(default=None, description="new/cross/replace when from the feed")

    @field_validator("title")
    @classmethod
    def _normalise_title(cls, value: str) -> str:
        return squash(value)


class Outcome(StrEnum):
    """The final word on one paper in one run; every fetched paper gets exactly one."""

    PROPOSED = "proposed"  # accepted by triage, composed, not yet published (dry run / none)
    PUBLISHED = "published"  # a PR exists for it (opened now or found open/merged)
    PENDING = "pending"  # deferred by a cap or budget; retried next run
    REJECTED_BY_MODEL = "rejected_by_model"
    REJECTED_BY_MAINTAINER = "rejected_by_maintainer"  # its bot PR was closed without merge
    DUPLICATE = "duplicate"  # already in the list
    ERROR = "error"  # failed at some stage; retried next run


class Decision(BaseModel):
    """A validated triage decision. Built by code from the model's answer, never trusted raw."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    arxiv_id: str
    relevant: bool
    section: str | None = Field(default=None, description="full section path of the list")
    runner_up: str | None = None
    acronym: str | None = None
    venue: str | None = Field(default=None, description="venue as the list spells it, e.g. CVPR; arXiv")
    year: int | None = None
    code_url: str | None = None
    evidence: tuple[str, ...] = ()
    rationale: str = ""
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    new_section: str | None = None
    model: str = ""
    prompt_version: str = ""
    notes: tuple[str, ...] = Field(default=(), description="what validation changed or dropped, and why")


@dataclass(frozen=True)
class Usage:
    """Token usage of one model exchange (estimated as characters/4 when the API gives none)."""

    input_tokens: int = 0
    output_tokens: int = 0
    estimated: bool = False
    cached_input_tokens: int = 0  # of input_tokens, served from the provider's prompt cache

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.estimated or other.estimated,
            self.cached_input_tokens + other.cached_input_tokens,
        )


class PRState(StrEnum):
    OPEN = "open"
    MERGED = "merged"
    CLOSED = "closed"  # closed without merge: a maintainer said no
    PREVIEW = "preview"  # the dry-run twin's preview folder: nothing was published


@dataclass(frozen=True)
class ExistingPR:
    arxiv_id: str
    number: int
    state: PRState
    url: str
    branch: str


@dataclass(frozen=True)
class Proposal:
    """One pull request to open: pure data plus the pure edit that produces the new list text.

    ``apply`` takes the list text as it is on the base branch *now* and returns the edited text,
    so a publisher can re-read the base and recompose without reverting anyone's edits.
    """

    branch: str
    title: str
    body: str
    labels: tuple[str, ...]
    draft: bool
    arxiv_ids: tuple[str, ...]
    list_path: str
    apply: Callable[[str], str] = field(compare=False, repr=False)
    base: str | None = None  # None: the repository's default branch


class PublishStatus(StrEnum):
    OPENED = "opened"
    EXISTS_OPEN = "exists_open"
    MERGED = "merged"
    REJECTED = "rejected"  # closed without merge earlier: never proposed again
    PREVIEWED = "previewed"  # dir: publisher wrote a preview folder
    SKIPPED = "skipped"  # none: publisher
    NO_CHANGE = "no_change"  # the base already holds the entry
    PENDING = "pending"  # held back by max_open_prs / max_new_prs: published on a later run
    FAILED = "failed"  # this proposal failed (``message`` says why); retried next run


@dataclass(frozen=True)
class PublishResult:
    arxiv_ids: tuple[str, ...]
    status: PublishStatus
    url: str | None = None
    number: int | None = None
    message: str = ""


class DecisionRecord(BaseModel):
    """One line of the append-only decision log."""

    model_config = ConfigDict(extra="ignore")

    arxiv_id: str
    outcome: Outcome
    run_id: str
    time: datetime
    section: str | None = None
    confidence: float | None = None
    model: str | None = None
    prompt_version: str | None = None
    reason: str | None = None
    stage: str | None = None
    pr_url: str | None = None
    decision: Decision | None = None
    attempts: int = Field(default=1, description="consecutive runs that ended in this outcome (for errors)")


class Cursor(BaseModel):
    """The last window that ran to completion; the next run starts where it ended."""

    until: datetime
    run_id: str


@dataclass(frozen=True)
class SectionSpec:
    """What triage needs to know about one section of the list: its name, and how to recognise it."""

    path: str  # "Explainable 2D Anomaly Detection Methods / Video / Reasoning-based"
    description: str = ""  # optional one-liner from the config
    examples: tuple[str, ...] = ()  # titles (with acronyms) of entries already in it, for few-shot


@dataclass(frozen=True)
class UpkeepHistory:
    """What the bot's earlier upkeep PRs say, found on GitHub (or nothing, for previews)."""

    open_number: int | None = None
    open_url: str | None = None
    open_keys: frozenset[str] = frozenset()
    rejected: dict[str, int] = field(default_factory=dict)  # change key -> closed PR number
