"""Run the list engine on whole real lists: one insertion and one duplicate check per list.

Run: python benchmarks/bench_real_lists.py DIR
DIR holds real lists (``owner__repo.md``) and a README.md whose table rows read
``| `file` | `section for a new paper` | already listed arXiv id |`` (as ../shared/fixtures/real-lists/
does). For each list it prints: entries recognised, parse time, whether the paper already listed is
found, and whether adding one new paper to the named section gives exactly one new entry there, in
that section's style (it reads back to the same title and link), with a diff that only adds lines and
no line inside a comment, HTML block or fence.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from triagebot.awesome import Document, insert_entry, parse
from triagebot.awesome.template import NewEntry
from triagebot.errors import ListError

_ROW_RE = re.compile(
    r"^\| `(?P<file>[^`]+\.md)` \| `(?P<section>[^`]+)` \| (?P<id>\d{4}\.\d{4,5}|-) \|$", re.M
)
NEW = NewEntry(
    title="Holmes-VAD: Towards Unbiased and Explainable Video Anomaly Detection via Multi-modal LLM",
    arxiv_id="2406.12235",
    acronym="Holmes-VAD",
    year=2024,
    month=6,
    code_url="https://github.com/pipixin321/HolmesVAD",
    authors=("Huaxin Zhang", "Xiaohao Xu", "Xiang Wang"),
)


def check(text: str, doc: Document, section: str) -> tuple[bool, str]:
    """(a correct insertion into ``doc``, parsed from ``text``; the entry or the reason it is not)."""
    try:
        _, entry, _ = doc.plan(section, NEW)
        new = insert_entry(text, section, entry)
    except ListError as err:
        return False, str(err)
    ops = difflib.SequenceMatcher(None, text.splitlines(), new.splitlines(), autojunk=False).get_opcodes()
    if any(tag not in ("equal", "insert") for tag, *_ in ops):
        return False, "the diff changes or deletes lines"
    after = parse(new)
    found = after.index.find(arxiv_id=NEW.arxiv_id)
    target = doc.section(section).path
    if found is None or found.kind == "mention" or found.section != target or found.raw != entry:
        return False, f"the new entry does not read back in {target!r}"
    if len(after.entries) != len(doc.entries) + 1:
        return False, "not exactly one new entry"
    if any(a <= found.line - 1 < b for a, b in after.structure.hidden):
        return False, "the new entry landed in non-content"
    return True, entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dir", type=Path)
    args = parser.parse_args()
    rows = list(_ROW_RE.finditer((args.dir / "README.md").read_text(encoding="utf-8")))
    inserted = duplicates = 0
    for row in rows:
        text = (args.dir / row["file"]).read_bytes().decode("utf-8")
        start = time.process_time()
        doc = parse(text)
        seconds = time.process_time() - start
        assert doc.render() == text
        recognised = sum(1 for e in doc.entries if e.parsed)
        dup = doc.index.find(arxiv_id=row["id"]) if row["id"] != "-" else None
        ok, detail = check(text, doc, row["section"])
        inserted += ok
        duplicates += dup is not None or row["id"] == "-"
        print(f"{row['file']}")
        print(f"  entries recognised {recognised}/{len(doc.entries)}, parse {seconds * 1000:.0f} ms cpu")
        print(f"  duplicate {row['id']}: {'found at line ' + str(dup.line) if dup else 'NOT FOUND'}")
        print(f"  insertion into {row['section']!r}: {'ok' if ok else 'FAILED'}")
        for line in detail.split("\n"):
            print(f"    {line[:400]}")
    print(f"correct insertions {inserted}/{len(rows)}, duplicates recognised {duplicates}/{len(rows)}")


if __name__ == "__main__":
    main()
