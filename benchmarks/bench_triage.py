"""Benchmark: a realistic night of 500 papers through prefilter -> screen -> classify.

The night: the 98 labelled papers of tests/fixtures/arxiv-papers-labeled.jsonl (25 relevant) plus
402 generated cs.CV-like negatives (a tenth of them with anomaly-sounding words, so they reach the
screen), i.e. 5% anomaly detection. The model is scripted (it answers from the labels) and served
by the fake OpenAI server on 127.0.0.1; the real ``openai`` client, prompts, schemas and
validation run as in production, with examples/awesome-xad/triagebot.toml. Token usage is what the server
reports: characters/4 of the messages sent and the answers returned.

Prints prompt and completion tokens per fetched paper (target: <= 60 on average) and checks that
every relevant paper reached full classification.

    python benchmarks/bench_triage.py [--papers 500] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.openai_server import OpenAIServer  # noqa: E402
from tests.servers.scripted_model import labeled_rows, scripted_model  # noqa: E402
from triagebot.adapters.openai_backend import OpenAIBackend  # noqa: E402
from triagebot.awesome import parse  # noqa: E402
from triagebot.config import load_config  # noqa: E402
from triagebot.models import Paper  # noqa: E402
from triagebot.triage import Triage  # noqa: E402

LIST = ROOT / "tests" / "fixtures" / "awesome-xad-README.md"
TASKS = [
    "semantic segmentation", "object detection", "monocular depth estimation", "image super-resolution",
    "text-to-image generation", "visual question answering", "3D human pose estimation", "optical flow",
    "person re-identification", "image captioning", "novel view synthesis", "video object tracking",
    "point cloud registration", "image deblurring", "scene text recognition", "few-shot classification",
]  # fmt: skip
METHODS = [
    "a lightweight transformer", "a diffusion prior", "contrastive pre-training", "a state-space model",
    "mixture-of-experts adapters", "knowledge distillation", "Gaussian splatting", "a graph neural network",
]  # fmt: skip
NEAR_MISS = [
    "The method is robust to outliers in the training labels.",
    "We also study out-of-distribution generalization to unseen domains.",
    "Irregular object shapes are handled by a deformable head.",
    "Defects in prior annotations are corrected automatically.",
]


def generated_negative(index: int, rng: random.Random) -> Paper:
    task, method = rng.choice(TASKS), rng.choice(METHODS)
    sentences = [
        f"{task.capitalize()} remains challenging in real-world conditions with limited supervision.",
        f"We propose a framework for {task} built on {method} that scales to high-resolution inputs.",
        "Our design couples multi-scale features with an efficient decoder and a simple training recipe.",
        f"Extensive experiments on standard {task} benchmarks show consistent gains over strong baselines.",
        "Ablations confirm the contribution of each component and the method runs in real time.",
    ]
    if index % 10 == 0:
        sentences.insert(3, rng.choice(NEAR_MISS))
    arxiv_id = f"2508.{20000 + index:05d}"
    adjective = rng.choice(["efficient", "robust", "scalable"])
    return Paper(
        arxiv_id=arxiv_id,
        title=f"{method.capitalize().removeprefix('A ')} for {task}: towards {adjective} models",
        abstract=" ".join(sentences),
        primary_category="cs.CV",
        categories=("cs.CV",),
        comment=rng.choice([None, "10 pages, 6 figures", "Accepted to WACV 2026"]),
        abs_url=f"https://arxiv.org/abs/{arxiv_id}",
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
    )  # fmt: skip


def labeled() -> tuple[list[Paper], dict[str, dict[str, Any]]]:
    rows = labeled_rows()
    papers = [
        Paper(
            arxiv_id=row["arxiv_id"],
            title=row["title"],
            abstract=row["abstract"],
            comment=row["comments"],
            primary_category=row["primary_category"],
            abs_url=f"https://arxiv.org/abs/{row['arxiv_id']}",
            pdf_url=f"https://arxiv.org/pdf/{row['arxiv_id']}",
        )
        for row in rows.values()
    ]
    return papers, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    config = load_config(ROOT / "examples" / "awesome-xad" / "triagebot.toml")
    positives, rows = labeled()
    night = positives + [generated_negative(i, rng) for i in range(args.papers - len(positives))]
    rng.shuffle(night)
    specs = parse(LIST.read_text(encoding="utf-8")).section_specs(config.list.sections)
    relevant = {i for i, r in rows.items() if r["label"] == "relevant"}
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench")
    with OpenAIServer(responder=scripted_model(rows)) as server:
        llm = config.llm.model_copy(update={"base_url": server.base_url, "requests_per_minute": 1_000_000})
        triage = Triage(OpenAIBackend(llm), specs, llm, protected=config.list.protected)
        started = time.perf_counter()
        report = triage.run(night)
        elapsed = time.perf_counter() - started
    kinds: dict[str, int] = {}
    for verdict in report.verdicts.values():
        kinds[f"{verdict.stage}:{verdict.kind}"] = kinds.get(f"{verdict.stage}:{verdict.kind}", 0) + 1
    classified = {i for i, v in report.verdicts.items() if v.stage in ("classify", "validate")}
    reached = len(relevant & classified)
    total = report.usage.input_tokens + report.usage.output_tokens
    per_paper = total / len(night)
    print(f"night: {len(night)} papers, {len(relevant)} anomaly detection ({len(relevant) / len(night):.1%})")
    print(
        f"config: screen_batch={llm.screen_batch} classify_batch={llm.classify_batch} "
        f"prompt {report.prompt_version}"
    )
    print("verdicts: " + ", ".join(f"{k}={v}" for k, v in sorted(kinds.items())))
    print(f"model calls: {report.calls} ({len(server.requests)} HTTP requests)")
    print(f"tokens: {report.usage.input_tokens} prompt + {report.usage.output_tokens} completion = {total}")
    print(f"tokens per fetched paper: {per_paper:.1f} (target <= 60; a title+abstract batcher spends ~266)")
    print(f"relevant papers reaching full classification: {reached}/{len(relevant)}")
    print(f"estimated cost at {llm.model} prices: ${report.cost_usd:.4f}")
    print(f"wall time: {elapsed:.2f}s ({len(night) / elapsed:.0f} papers/s, scripted model on 127.0.0.1)")
    return 0 if per_paper <= 60 and reached == len(relevant) else 1


if __name__ == "__main__":
    sys.exit(main())
