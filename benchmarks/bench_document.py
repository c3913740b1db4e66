"""Time the list core on a 10,000-entry list: parse, index build + lookups, render, insert.

Run: python benchmarks/bench_document.py [--entries N] [--repeat R]
Prints the best of R runs for each step and their total (target: under 1 s for 10,000 entries).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triagebot.awesome import insert_entry, parse, render_entry
from triagebot.awesome.insert import _parsed

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


def best(repeat: int, step: Callable[[], T]) -> tuple[float, T]:
    times: list[float] = []
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    assert result is not None
    return min(times), result


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
    t_render, line = best(
        args.repeat,
        lambda: render_entry(
            doc.style,
            title="A brand new | hostile ]] title",
            arxiv_id="2599.00001",
            acronym="NEW",
            venue="cvpr",
            year=2025,
            code_url="https://github.com/o/new",
        ),
    )

    def cold_insert() -> str:
        _parsed.cache_clear()  # as if the text had never been parsed
        return insert_entry(text, "Technique 17", line)

    t_cold, new = best(args.repeat, cold_insert)
    assert new.count("\n") == text.count("\n") + 1
    insert_entry(text, "Technique 17", line)
    t_insert, _ = best(args.repeat, lambda: insert_entry(text, "Technique 17", line))

    total = t_parse + t_index + t_render + t_insert
    print(f"entries            {args.entries}")
    print(f"size               {len(text) / 1e6:.2f} MB")
    print(f"parse              {t_parse * 1000:8.1f} ms")
    print(f"index + {2 * len(doc.entries[::100])} finds  {t_index * 1000:8.1f} ms   ({found} found)")
    print(f"render_entry       {t_render * 1000:8.1f} ms")
    print(f"insert_entry       {t_insert * 1000:8.1f} ms   (text already parsed, as in a run)")
    print(f"total              {total * 1000:8.1f} ms   target < 1000 ms: {'ok' if total < 1 else 'MISSED'}")
    print(f"insert_entry cold  {t_cold * 1000:8.1f} ms   (a text never parsed: parse + insert)")


if __name__ == "__main__":
    main()
