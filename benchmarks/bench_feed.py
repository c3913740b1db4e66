"""Parse a 2,000-entry arXiv announcement feed (RSS 2.0 and Atom) and print papers per second.

    python benchmarks/bench_feed.py [--entries 2000] [--repeat 5]

Entries are real titles/abstracts from tests/fixtures/arxiv-papers-labeled.jsonl, cycled under
distinct ids and rendered in arXiv's formats. Measured: the transport's body check (one expat pass)
plus ``parse_feed`` (feedparser and the mapping to ``Paper``), i.e. what a nightly run spends on
the feed once it is downloaded. Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers.arxiv_server import atom_feed_xml, labeled_papers, rss_feed_xml  # noqa: E402
from triagebot.adapters.sources.feed import FeedDocument, parse_feed  # noqa: E402
from triagebot.adapters.sources.http import check_feed  # noqa: E402
from triagebot.models import Paper  # noqa: E402

KINDS = ("new", "new", "new", "cross", "replace", "replace-cross")


def entries(count: int) -> list[Paper]:
    base = labeled_papers(ROOT / "tests" / "fixtures" / "arxiv-papers-labeled.jsonl")
    return [
        base[i % len(base)].model_copy(
            update={
                "arxiv_id": f"2508.{10000 + i}",
                "announce_type": KINDS[i % len(KINDS)],
                "categories": ("cs.CV",),
            }
        )
        for i in range(count)
    ]


def best_seconds(body: bytes, repeat: int) -> tuple[float, int]:
    best = float("inf")
    parsed = 0
    for _ in range(repeat):
        start = time.perf_counter()
        check_feed("bench", body)
        parsed = len(parse_feed(FeedDocument("bench", body)))
        best = min(best, time.perf_counter() - start)
    return best, parsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    papers = entries(args.entries)
    for name, render in (("rss2", rss_feed_xml), ("atom", atom_feed_xml)):
        body = render(papers, ["cs.CV"])
        seconds, parsed = best_seconds(body, args.repeat)
        print(
            f"{name}: {parsed} entries, {len(body) / 1e6:.1f} MB, {seconds:.3f} s, "
            f"{parsed / seconds:,.0f} papers/s (best of {args.repeat})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
