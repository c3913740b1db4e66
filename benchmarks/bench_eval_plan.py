"""Benchmark: planning `triagebot eval --from-list`'s leave-one-out on a large list.

The list: Awesome-XAD (tests/fixtures/awesome-xad-README.md) with its method sections repeated
``--copies`` times under renamed headings and with fresh arXiv ids, so every entry is a paper to
hold out. Prints the list size, the papers held out, the passes planned and the time taken; the
planning parses the list again only for entries that may be shown as examples.

    python benchmarks/bench_eval_plan.py [--copies 20]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triagebot.awesome import parse  # noqa: E402
from triagebot.evaluation import labels_from_list, plan_rounds  # noqa: E402
from triagebot.models import Paper  # noqa: E402

LIST = ROOT / "tests" / "fixtures" / "awesome-xad-README.md"
_ARXIV = re.compile(r"arxiv\.org/(abs|pdf)/\d{4}\.\d{4,5}")


def big_list(copies: int) -> str:
    text = LIST.read_text(encoding="utf-8")
    start = text.index("## Explainable 2D Anomaly Detection Methods")
    end = text.index("## Datasets")
    methods = text[start:end]
    counter = iter(range(10_000, 100_000))
    parts = [text[:start]]
    for copy in range(copies):
        block = methods.replace("## Explainable 2D", f"## Copy {copy} Explainable 2D")
        block = _ARXIV.sub(lambda m: f"arxiv.org/{m.group(1)}/2601.{next(counter)}", block)
        parts.append(block)
    parts.append(text[end:])
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20)
    args = parser.parse_args()
    text = big_list(args.copies)
    doc = parse(text)
    titles = {e.arxiv_id: e.title or "" for e in doc.entries if e.arxiv_id}
    labels = labels_from_list(doc, ["Datasets"])
    papers = [
        Paper(arxiv_id=label.arxiv_id, title=titles[label.arxiv_id], abs_url="-", pdf_url="-")
        for label in labels
    ]
    started = time.perf_counter()
    rounds = plan_rounds(text, papers)
    elapsed = time.perf_counter() - started
    held = sum(len(r.held_out) for r in rounds)
    print(f"list: {len(doc.lines)} lines, {len(doc.entries)} entries, {len(labels)} arXiv papers")
    print(f"leave-one-out: {held} held out, {len(rounds)} passes ({[len(r.arxiv_ids) for r in rounds]})")
    print(f"planning took {elapsed:.2f} s")


if __name__ == "__main__":
    main()
