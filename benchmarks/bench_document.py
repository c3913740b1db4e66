"""Time the list core on a 10,000-entry list: parse, index build + lookups, render, insert, lint.

Run: python benchmarks/bench_document.py [--entries N] [--repeat R]
Prints the best of R runs for each step, as CPU time of this process and as wall time, and their
total (targets: parse + index + insert under 1 s, lint under 3 s, for 10,000 entries). On a shared
machine the wall time varies with the load; the CPU time is what this code costs.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triagebot.awesome import insert_entry, lint, parse
from triagebot.awesome.insert import parse_cached
from triagebot.awesome.template import NewEntry

T = TypeVar("T")
SECTIONS = 40


def build_list(entries: int) -> str:
    """An Awesome-XAD-like list: 40 sections of entries in its style, with some of its quirks."""
    lines = ["# Awesome-Bench", "", "## Methods", ""]
    per_section = max(1, entries // SECTIONS)
    number = 0
    for section in range(SECTIONS):
        lines += [f"### [Group {section // 4}]", "", f"#### - Technique {section}"]
        for _ in range(per_section):
            ident = f"{20 + number // 90000:02d}{(number // 9000) % 10 + 1:02d}.{number % 90000:05d}"
            tail = " " if number % 7 == 0 else ""
            lines.append(
                f"- **[M{number}]** Method number {number} for visual anomaly detection and localization. "
                f"| **CVPR {2015 + number % 10}** | [[pdf]](https://arxiv.org/pdf/{ident}.pdf) "
                f"[[code]](https://github.com/owner/m{number}){tail}"
            )
            number += 1
        lines.append("")
    return "\n".join(lines) + "\n"


class Timing(NamedTuple):
    cpu: float  # seconds, best of the runs
    wall: float


def best(repeat: int, step: Callable[[], T]) -> tuple[Timing, T]:
    """(best CPU and wall time, result)."""
    times: list[float] = []
    walls: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        start, wall = time.process_time(), time.perf_counter()
        result = step()
        times.append(time.process_time() - start)
        walls.append(time.perf_counter() - wall)
    assert result is not None
    return Timing(min(times), min(walls)), result


def shown(label: str, timing: Timing, note: str = "") -> str:
    return f"{label:<20}{timing.cpu * 1000:8.1f} ms cpu {timing.wall * 1000:8.1f} ms wall {note}".rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = build_list(args.entries)

    t_parse, doc = best(args.repeat, lambda: parse(text))
    assert doc.render() == text and len(doc.entries) == args.entries

    def index_and_find() -> int:
        doc.__dict__.pop("index", None)  # rebuild the cached index each time
        index = doc.index
        found = sum(1 for e in doc.entries[::100] if index.find(arxiv_id=e.arxiv_id) is e)
        found += sum(1 for e in doc.entries[::100] if index.find(title=(e.title or "") + "s") is not None)
        return found

    t_index, found = best(args.repeat, index_and_find)
    new = NewEntry(
        title="A brand new | hostile ]] title",
        arxiv_id="2599.00001",
        acronym="NEW",
        venue="cvpr",
        year=2025,
        code_url="https://github.com/o/new",
    )
    t_render, line = best(args.repeat, lambda: doc.plan("Technique 17", new)[1])

    def cold_insert() -> str:
        parse_cached.cache_clear()  # as if the text had never been parsed
        return insert_entry(text, "Technique 17", line)

    t_cold, new_text = best(args.repeat, cold_insert)
    assert new_text.count("\n") == text.count("\n") + 1
    insert_entry(text, "Technique 17", line)
    t_insert, _ = best(args.repeat, lambda: insert_entry(text, "Technique 17", line))
    t_lint, problems = best(max(1, args.repeat - 1), lambda: lint(text, "bench.md"))

    total = t_parse.cpu + t_index.cpu + t_render.cpu + t_insert.cpu
    print(f"entries             {args.entries}")
    print(f"size                {len(text) / 1e6:.2f} MB")
    print(shown("parse", t_parse))
    print(shown(f"index + {2 * len(doc.entries[::100])} finds", t_index, f"({found} found)"))
    print(shown("plan (render)", t_render))
    print(shown("insert_entry", t_insert, "(text already parsed, as in a run)"))
    verdict = "ok" if total < 1 else "MISSED"
    print(f"total               {total * 1000:8.1f} ms cpu   target < 1000 ms: {verdict}")
    print(shown("insert_entry cold", t_cold, "(a text never parsed: parse + insert)"))
    print(shown("lint", t_lint, f"({len(problems)} problems)"))
    print(f"lint target < 3000 ms cpu: {'ok' if t_lint.cpu < 3 else 'MISSED'}")


if __name__ == "__main__":
    main()
