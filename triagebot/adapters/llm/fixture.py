"""``fixture:PATH``: decisions read from a JSON-lines file instead of a model.

One object per line; ``arxiv_id``, ``relevant`` and (when relevant) ``section`` are required::

    {"arxiv_id": "2503.19357", "relevant": true, "section": "Image / Generative-model-based"}
    {"arxiv_id": "2508.01234", "relevant": false, "rationale": "time-series anomaly detection"}

``section`` and ``runner_up`` are a section name or any unique suffix of it. ``acronym``,
``venue``, ``code_url``, ``evidence``, ``rationale``, ``confidence`` (default 1.0) and
``new_section`` may be given; what is left out is filled by the deterministic extractors when the
answer is validated, exactly as for a model's answer. Papers not in the file are irrelevant.
Blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationError

from triagebot.arxiv_ids import normalize_id
from triagebot.errors import ClassifyError, ConfigError
from triagebot.models import Usage
from triagebot.ports import ModelAnswer, ModelRequest
from triagebot.sections import SEPARATOR
from triagebot.triage.schema import RawDecision


class FixtureRow(RawDecision):
    """A decision as a maintainer writes it: the model's answer shape, strict, confidence 1 by default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    confidence: Annotated[float, Field(ge=0, le=1)] = 1.0


def load_fixture(path: Path) -> dict[str, FixtureRow]:
    """The rows of ``path`` by version-less id. Bad lines are a one-line ConfigError naming the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read fixture decisions: {err}") from None
    rows: dict[str, FixtureRow] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            row = FixtureRow.model_validate(json.loads(line))
        except ValueError as err:
            first = err.errors()[0] if isinstance(err, ValidationError) else None
            detail = f"'{'.'.join(map(str, first['loc']))}': {first['msg']}" if first else f"not JSON: {err}"
            raise ConfigError(f"{path}:{number}: {detail}") from None
        arxiv_id = normalize_id(row.arxiv_id)
        if arxiv_id is None:
            raise ConfigError(f"{path}:{number}: '{row.arxiv_id}' is not an arXiv id")
        if row.relevant and not row.section and not row.new_section:
            raise ConfigError(f"{path}:{number}: a relevant paper needs a 'section'")
        rows[arxiv_id] = row.model_copy(update={"arxiv_id": arxiv_id})
    return rows


def _parts(name: str) -> list[str]:
    return [
        " ".join(p.split()).casefold() for p in name.replace("/", SEPARATOR).split(SEPARATOR) if p.strip()
    ]


def _is_suffix(short: list[str], long: list[str]) -> bool:
    return len(short) <= len(long) and long[len(long) - len(short) :] == short


def match_section(name: str | None, choices: list[str]) -> str | None:
    """The one choice that ``name`` names: either is a suffix of the other (by path parts)."""
    if not name:
        return None
    wanted = _parts(name)
    found = [c for c in choices if _is_suffix(_parts(c), wanted) or _is_suffix(wanted, _parts(c))]
    if len(found) != 1:
        why = "unknown or not editable" if not found else "ambiguous"
        raise ClassifyError(f"fixture section '{name}' is {why}; sections are: {'; '.join(choices)}")
    return found[0]


class FixtureLLM:
    """A LLM answering from a fixture file (see the module docstring for the format)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = load_fixture(path)
        self.model = f"fixture:{path.name}"

    def complete(self, request: ModelRequest) -> ModelAnswer:
        if request.kind == "screen":
            keep = [i for i in request.paper_ids if i in self.rows and self.rows[i].relevant]
            data: dict[str, Any] = {"keep": keep, "drop": [i for i in request.paper_ids if i not in keep]}
        else:
            choices = list(request.sections)
            data = {"decisions": [self._decision(i, choices) for i in request.paper_ids]}
        raw = json.dumps(data)
        try:
            parsed = request.schema.model_validate(data)
        except ValidationError as err:
            raise ClassifyError(
                f"fixture answer does not fit the schema: {err}", model=self.model, raw=raw
            ) from None
        return ModelAnswer(parsed=parsed, raw=raw, model=self.model, usage=Usage(), finish_reason="stop")

    def _decision(self, arxiv_id: str, choices: list[str]) -> dict[str, Any]:
        row = self.rows.get(arxiv_id)
        if row is None:
            row = FixtureRow(arxiv_id=arxiv_id, relevant=False, rationale=f"not in {self.path.name}")
        try:
            section = match_section(row.section, choices)
            runner_up = match_section(row.runner_up, choices) if row.runner_up else None
        except ClassifyError as err:
            raise ClassifyError(str(err), arxiv_id=arxiv_id, model=self.model) from None
        return {
            "arxiv_id": arxiv_id,
            "relevant": row.relevant,
            "section": choices.index(section) + 1 if section else None,  # the schema numbers sections
            "runner_up": choices.index(runner_up) + 1 if runner_up else None,
            "acronym": row.acronym,
            "venue": row.venue,
            "code_url": row.code_url,
            "evidence": row.evidence,
            "rationale": row.rationale or f"decided by {self.path.name}",
            "confidence": row.confidence,
            "new_section": row.new_section,
        }
