"""The model-facing answer schemas, and the lenient internal form every backend's answer becomes.

The classify schema is built at run time: its ``section`` is an Enum of the list's own (editable)
sections and its ``arxiv_id`` an Enum of the ids in the request, so a structured-output model
cannot invent either. All fields are required (no defaults) as strict structured output demands.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model


class ScreenAnswer(BaseModel):
    """The batched screen: every id of the batch in exactly one of the two lists."""

    model_config = ConfigDict(extra="forbid")

    keep: list[str] = Field(description="ids of papers that may belong in the list")
    drop: list[str] = Field(description="ids of papers that plainly do not")


class RawDecision(BaseModel):
    """One paper's answer as any backend gives it: nothing here is trusted yet."""

    model_config = ConfigDict(extra="ignore")

    arxiv_id: str
    relevant: bool
    section: str | None = None
    runner_up: str | None = None
    acronym: str | None = None
    venue: str | None = None
    code_url: str | None = None
    evidence: list[str] = Field(default_factory=list)
    rationale: str = ""
    confidence: float | None = None
    new_section: str | None = None


def _enum(name: str, values: Sequence[str]) -> Any:
    return StrEnum(name, [(f"v{i}", value) for i, value in enumerate(values)])


def classify_schema(section_names: Sequence[str], paper_ids: Sequence[str]) -> type[BaseModel]:
    """``{"decisions": [PaperDecision, …]}`` with enums of the given section names and paper ids."""
    section: Any = _enum("Section", section_names) | None
    strict = ConfigDict(extra="forbid")
    item: Any = create_model(
        "PaperDecision",
        __config__=strict,
        arxiv_id=(_enum("PaperId", paper_ids), Field(description="the id of the <paper> tag")),
        relevant=(bool, Field(description="does the paper belong in the list")),
        section=(section, Field(description="best section; null when irrelevant or none fits")),
        runner_up=(section, Field(description="second-best section, or null")),
        acronym=(str | None, Field(description="the method's short name as the paper writes it, or null")),
        venue=(str | None, Field(description="venue the comment says it was accepted at, or null")),
        code_url=(str | None, Field(description="code URL quoted from the paper text, or null")),
        evidence=(list[str], Field(description="1-2 short verbatim quotes from the abstract")),
        rationale=(str, Field(description="one sentence: why this section")),
        confidence=(float, Field(description="0 to 1")),
        new_section=(str | None, Field(description="a new section name when it belongs but none fits")),
    )
    model: type[BaseModel] = create_model(
        "ClassifyAnswer", __config__=strict, decisions=(list[item], Field(description="one per paper"))
    )
    return model
