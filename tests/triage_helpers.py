"""Shared test data for the triage tests: Awesome-XAD's sections, papers and canned answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from triagebot.adapters.llm.replay import recording_path
from triagebot.models import Paper, SectionSpec
from triagebot.ports import ModelRequest

ROOT = "Explainable 2D Anomaly Detection Methods"
PATHS = [
    f"{ROOT} / Image+Video / Attention-based",
    f"{ROOT} / Image+Video / Generative-model-based",
    f"{ROOT} / Image / Attention-based",
    f"{ROOT} / Image / Input-perturbation-based",
    f"{ROOT} / Image / Generative-model-based",
    f"{ROOT} / Image / Foundation-model-based",
    f"{ROOT} / Video / Attention-based",
    f"{ROOT} / Video / Reasoning-based",
    f"{ROOT} / Video / Intrinsic interpretable",
    f"{ROOT} / Video / Memory-based",
    "Datasets / Image / Sensory anomaly detection datasets",
    "Datasets / Video",
]
SECTIONS = [
    SectionSpec(path, description="", examples=(f"[EX{i}] An example method {i}",))
    for i, path in enumerate(PATHS)
]
# How the classify prompt numbers the editable sections (the schema's section enum is 1..10).
SECTION_NUMBERS = {path.removeprefix(f"{ROOT} / "): n for n, path in enumerate(PATHS[:10], start=1)}
GEN = f"{ROOT} / Image / Generative-model-based"
FOUNDATION = f"{ROOT} / Image / Foundation-model-based"

DECO_ABSTRACT = (
    "Recent advances in diffusion models have spurred research into their application for "
    "reconstruction-based unsupervised anomaly detection. By modeling anomalies as noise in the latent "
    "space, our proposed Deviation correction diffusion (DeCo-Diff) model preserves the normal regions. "
    "This selective approach enhances detection and localization of anomaly regions. "
    "The code is available at https://github.com/farzad-bz/DeCo-Diff"
)


def decision(arxiv_id: str, *, numbered: bool = True, **fields: Any) -> dict[str, Any]:
    """A model-shaped decision dict (all keys, as strict structured output gives them).

    Sections are given by name; ``numbered`` turns the list's own into the numbers the schema
    asks for (a name that is not one of them stays a name, which breaks the schema)."""
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "relevant": True,
        "section": "Image / Generative-model-based",
        "runner_up": None,
        "acronym": None,
        "venue": None,
        "code_url": None,
        "evidence": [],
        "rationale": "A diffusion model localises anomalies.",
        "confidence": 0.9,
        "new_section": None,
    }
    values.update(fields)
    if numbered:
        for key in ("section", "runner_up"):
            values[key] = SECTION_NUMBERS.get(values[key], values[key])
    return values


def classify_reply(*decisions: dict[str, Any]) -> str:
    return json.dumps({"decisions": list(decisions)})


def deco_paper(make: Any, **fields: Any) -> Paper:
    values: dict[str, Any] = {
        "title": "Correcting Deviations from Normality: A Reformulated Diffusion Model for Anomaly Detection",
        "abstract": DECO_ABSTRACT,
        "comment": "Accepted to CVPR 2025",
        "urls": ("https://github.com/farzad-bz/DeCo-Diff",),
    }
    values.update(fields)
    return make("2503.19357", **values)  # type: ignore[no-any-return]


def served_recordings(audit: Path, root: Path) -> set[Path]:
    """The recordings under ``root`` that the exchanges of an audit log (exchanges.jsonl) were served from."""
    served = set()
    for line in audit.read_text(encoding="utf-8").splitlines():
        exchange = json.loads(line)
        request = ModelRequest(
            kind=exchange["kind"],
            paper_ids=tuple(exchange["paper_ids"]),
            messages=(),
            schema=BaseModel,  # the recording's path does not depend on the schema
            prompt_version=exchange["prompt_version"],
        )
        served.add(recording_path(root, exchange["model"], request))
    return served
