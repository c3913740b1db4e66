"""The model-facing answer schemas, the lenient internal form every answer becomes, and salvage.

The classify schema is the same for every request of a run (so providers' prompt caching applies
to it): ``section`` and ``runner_up`` are an integer enum of the numbered sections the prompt
lists (one copy of the taxonomy per request, and a structured-output model cannot invent one);
``arxiv_id`` is a string that code matches against the batch. No field descriptions: the prompt
says what each field means. All fields are required (no defaults) as strict structured output
demands.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model


def _lean(schema: dict[str, Any]) -> None:
    """No titles in the JSON schema the model reads: they only repeat the field names."""
    schema.pop("title", None)
    for value in schema.get("properties", {}).values():
        value.pop("title", None)


LEAN = ConfigDict(extra="forbid", json_schema_extra=_lean)


class ScreenAnswer(BaseModel):
    """The batched screen: every id of the batch in exactly one of the two lists."""

    model_config = LEAN

    keep: list[str]
    drop: list[str]


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


def classify_schema(section_count: int) -> type[BaseModel]:
    """``{"decisions": [PaperDecision, …]}`` whose sections are the numbers 1..``section_count``."""
    members = {f"s{n}": n for n in range(1, max(1, section_count) + 1)}
    numbers: Any = IntEnum("Section", members)  # type: ignore[misc]  # members known at run time only
    item: Any = create_model(
        "PaperDecision",
        __config__=LEAN,
        arxiv_id=(str, ...),
        relevant=(bool, ...),
        section=(numbers | None, ...),
        runner_up=(numbers | None, ...),
        acronym=(str | None, ...),
        venue=(str | None, ...),
        code_url=(str | None, ...),
        evidence=(list[str], ...),
        rationale=(str, ...),
        confidence=(float, ...),
        new_section=(str | None, ...),
    )
    model: type[BaseModel] = create_model("ClassifyAnswer", __config__=LEAN, decisions=(list[item], ...))
    return model


def decode_decision(item: Any, section_names: Sequence[str]) -> RawDecision | None:
    """One answered item as a RawDecision (section numbers turned into names); None if unusable."""
    if not isinstance(item, dict):
        return None
    values = dict(item)
    for key in ("section", "runner_up"):
        number = values.get(key)
        if isinstance(number, IntEnum):
            number = int(number)
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if isinstance(number, int) and not isinstance(number, bool):
            values[key] = section_names[number - 1] if 1 <= number <= len(section_names) else str(number)
    try:
        return RawDecision.model_validate(values)
    except ValidationError:
        return None


_ITEM_START = re.compile(r'\{\s*"arxiv_id"\s*:')
_SCREEN_LIST = re.compile(r'"(keep|drop)"\s*:\s*(\[[^\]]*\])')


def salvage_decisions(raw: str) -> Iterator[Any]:
    """Every complete decision object in an answer that is not valid as a whole.

    A model that slips mid-answer (prose around the JSON, a broken or cut-off item) has usually
    answered most papers well: those answers are kept, and only the rest are asked again.
    """
    decoder = json.JSONDecoder()
    for found in _ITEM_START.finditer(raw):
        try:
            value, _ = decoder.raw_decode(raw, found.start())
        except ValueError:
            continue
        yield value


def salvage_screen(raw: str) -> tuple[list[str], list[str]]:
    """The complete ``keep`` and ``drop`` lists of a screen answer that is not valid as a whole."""
    lists: dict[str, list[str]] = {"keep": [], "drop": []}
    for name, text in _SCREEN_LIST.findall(raw):
        try:
            values = json.loads(text)
        except ValueError:
            continue
        lists[name] += [v for v in values if isinstance(v, str)]
    return lists["keep"], lists["drop"]
