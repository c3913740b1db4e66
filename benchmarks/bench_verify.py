"""`triagebot verify` on a large list: arXiv requests made, local time, and arXiv's pacing cost.

    python benchmarks/bench_verify.py [--entries 2000] [--wrong 20]

A synthetic list in Awesome-XAD's style: real titles from tests/fixtures/arxiv-papers-labeled.jsonl,
cycled under distinct ids (each title made unique by a numeric suffix), served by the fake arXiv on
127.0.0.1 through the real ``arxiv`` client with the pause between requests switched off. ``--wrong``
entries link another entry's id (constructed). Printed: requests by kind, wall time (everything
local: HTTP on loopback, XML parsing, title comparison), and what the same requests cost at arXiv's
pace of one request every 3 seconds (the default ``delay_seconds``), which dominates in practice.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.arxiv_server import ArxivServer, labeled_papers  # noqa: E402
from triagebot.adapters.sources.factory import build_index  # noqa: E402
from triagebot.awesome import parse  # noqa: E402
from triagebot.config import ArxivConfig  # noqa: E402
from triagebot.models import Paper  # noqa: E402
from triagebot.verify.check import Checker  # noqa: E402

WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "lambda", "sigma")


def _tag(n: int) -> str:
    """A distinct pair of words per n (so title searches find exactly one paper)."""
    return f"{WORDS[n % 10]} {WORDS[(n // 10) % 10]} {WORDS[(n // 100) % 10]} {WORDS[(n // 1000) % 10]}"


def world(count: int, wrong: int) -> tuple[str, list[Paper]]:
    base = labeled_papers(ROOT / "tests" / "fixtures" / "arxiv-papers-labeled.jsonl")
    papers = [
        base[i % len(base)].model_copy(
            update={"arxiv_id": f"2508.{10000 + i}", "title": f"{base[i % len(base)].title} {_tag(i)}"}
        )
        for i in range(count)
    ]
    lines = ["# Bench list", "", "## Methods", ""]
    for i, paper in enumerate(papers):
        linked = papers[(i + 1) % count].arxiv_id if i < wrong else paper.arxiv_id
        lines.append(
            f"- **[M{i}]** {paper.title}. | **arXiv 2025** | [[pdf]](https://arxiv.org/pdf/{linked}.pdf)"
        )
    return "\n".join(lines) + "\n", papers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--wrong", type=int, default=20)
    args = parser.parse_args()
    text, papers = world(args.entries, args.wrong)
    with ArxivServer(papers) as server:
        config = ArxivConfig(api_url=server.api_url, delay_seconds=0.0)
        index = build_index(config)
        started = time.perf_counter()
        result = Checker(index, batch=config.lookup_batch).check(parse(text).entries)
        elapsed = time.perf_counter() - started
        lookups = sum(1 for r in server.requests_of("api") if r.id_list)
        searches = len(server.requests_of("api")) - lookups
    kinds: dict[str, int] = {}
    for finding in result.findings:
        kinds[finding.kind.value] = kinds.get(finding.kind.value, 0) + 1
    requests = lookups + searches
    print(f"entries checked:        {result.entries_checked} ({args.wrong} linked to another entry's id)")
    print(f"findings:               {kinds}")
    print(f"id-list requests:       {lookups} (batch {config.lookup_batch})")
    print(f"title searches:         {searches}")
    per_entry = 1000 * elapsed / max(1, result.entries_checked)
    print(f"local wall time:        {elapsed:.2f} s ({per_entry:.2f} ms/entry)")
    print(f"at arXiv's 3 s pace:    {3 * requests:.0f} s of waiting for {requests} requests")


if __name__ == "__main__":
    main()
