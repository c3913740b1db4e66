"""A model that answers like a sensible one, from the labels of tests/fixtures/arxiv-papers-labeled.jsonl.

Used as the ``responder`` of :class:`tests.servers.openai_server.OpenAIServer` by the triage
benchmark, the offline bundle recorder and the end-to-end suite. It reads the paper ids from the
``<paper id=…>`` tags of the last message and answers in whichever schema was asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.servers.openai_server import Reply, SeenRequest, structured

LABELED = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv-papers-labeled.jsonl"

# What a title-and-first-sentence screen cannot rule out: kept for full classification.
SCREEN_KEEPS = {
    "3D-point-cloud-AD",
    "AD-benchmark",
    "AI-generated-image-forensics",
    "supervised-defect-detection",
}


def labeled_rows(path: Path = LABELED) -> dict[str, dict[str, Any]]:
    """The labelled records by arXiv id."""
    rows: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        rows[row["arxiv_id"]] = row
    return rows


def paper_ids(request: SeenRequest) -> list[str]:
    """The ids of the ``<paper id=…>`` tags in the user messages, in order."""
    users = [str(m.get("content") or "") for m in request.messages if m.get("role") == "user"]
    return re.findall(r"<paper id=([^>]+)>", "\n".join(users))


def section_names(request: SeenRequest) -> list[str]:
    """The numbered sections of a classify prompt (``3) Image / Attention-based: …``), in order."""
    return re.findall(r"^\d+\) ([^:(\n]+?)(?::| \(e\.g\.|$)", request.messages[0]["content"], re.MULTILINE)


def scripted_model(rows: dict[str, dict[str, Any]]) -> Callable[[SeenRequest], Reply]:
    """A responder answering screen and classify requests from ``rows``' labels and sections."""

    def number(section: str, names: list[str]) -> int:
        wanted = section.replace("/", " / ")
        return 1 + next(i for i, n in enumerate(names) if n.replace(" ", "") == wanted.replace(" ", ""))

    def respond(request: SeenRequest) -> Reply:
        ids = paper_ids(request)
        if request.schema_name == "ScreenAnswer":
            keep = [
                i
                for i in ids
                if i in rows and (rows[i]["label"] == "relevant" or rows[i]["negative_kind"] in SCREEN_KEEPS)
            ]
            return structured({"keep": keep, "drop": [i for i in ids if i not in keep]})
        names = section_names(request)
        decisions = []
        for arxiv_id in ids:
            row = rows.get(arxiv_id, {"label": "irrelevant", "section": None, "abstract": ""})
            relevant = row["label"] == "relevant"
            first = re.split(r"(?<=\.)\s", row["abstract"])[0][:120]
            decisions.append(
                {
                    "arxiv_id": arxiv_id,
                    "relevant": relevant,
                    "section": number(row["section"], names) if relevant else None,
                    "runner_up": None,
                    "acronym": None,
                    "venue": None,
                    "code_url": None,
                    "evidence": [first],
                    "rationale": "Localises anomalies in images."
                    if relevant
                    else "Not visual anomaly detection.",
                    "confidence": 0.9,
                    "new_section": None,
                }
            )
        return structured({"decisions": decisions})

    return respond
