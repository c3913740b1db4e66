"""Shared reading of the list engine's golden folders (tests/golden/, tests/golden_unseen/)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

from triagebot.awesome.template import NewEntry

GOLDEN = Path(__file__).parent / "golden"
UNSEEN = Path(__file__).parent / "golden_unseen"


def cases(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir())


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")  # no newline translation: CRLF stays CRLF


def load_case(case: Path) -> tuple[str, dict[str, Any], NewEntry]:
    """A case's input text, its insert.json and the NewEntry that file describes."""
    args = json.loads((case / "insert.json").read_text(encoding="utf-8"))
    fields = dict(args["entry"])
    fields["authors"] = tuple(fields.get("authors", ()))
    return read(case / "input.md"), args, NewEntry(**fields)


def added_only(old: str, new: str) -> list[str]:
    """The lines ``new`` adds to ``old``; fails when any line of ``old`` was changed or deleted."""
    ops = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False).get_opcodes()
    assert all(tag in ("equal", "insert") for tag, *_ in ops), [op for op in ops if op[0] != "equal"]
    return [line for tag, _, _, j1, j2 in ops if tag == "insert" for line in new.splitlines()[j1:j2]]
