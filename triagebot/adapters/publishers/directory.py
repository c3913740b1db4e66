"""The dry-run twin of the GitHub publisher: every pull request it would open becomes a folder.

``PATH/<branch with "/" replaced by "__">/`` holds ``pr.json`` (branch, base, title, body, labels,
draft, arxiv_ids) and ``changes.diff`` (a unified diff of the list against the text it read).
The list file itself is never changed. ``existing()`` reads the previews back, so a rerun writes
no duplicate; each file is replaced atomically, ``pr.json`` last (it is what marks a preview).
"""

from __future__ import annotations

import difflib
import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from triagebot.awesome import read_list_file
from triagebot.errors import PublishError
from triagebot.fsutil import atomic_write
from triagebot.models import ExistingPR, Proposal, PRState, PublishResult, PublishStatus

log = logging.getLogger(__name__)

PR_FILE = "pr.json"
DIFF_FILE = "changes.diff"


def folder_name(branch: str) -> str:
    return branch.replace("/", "__")


def unified_diff(before: str, after: str, path: str) -> str:
    """A ``git diff``-style unified diff of one file (3 lines of context)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n\\ No newline at end of file\n")
    return "".join(out)


def _display_path(list_path: str) -> str:
    """The path a diff shows: as given when relative, else just the file name."""
    path = Path(list_path)
    return path.as_posix() if not path.is_absolute() else path.name


def write_atomically(target: Path, data: str) -> None:
    """Replace ``target`` with ``data`` in one step (temp file in the same folder, fsync, rename)."""
    try:
        atomic_write(target, data)
    except OSError as err:
        raise PublishError(f"{target}: cannot write the preview: {err.strerror or err}") from None


class DirPublisher:
    """``dir:PATH``: previews on disk; reads the list from the local file."""

    def __init__(self, root: Path, *, base: str | None = None) -> None:
        # Absolute from the start: a preview's URL is a file URI, which a relative path cannot be
        # (``--publish dir:previews``, the README's dry run, failed on every paper without this).
        self.root = root.absolute()
        self.base = base

    def read_list(self, path: str) -> str:
        return read_list_file(Path(path))

    def _previews(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        if not self.root.is_dir():
            return
        for pr_file in sorted(self.root.glob(f"*/{PR_FILE}")):
            try:
                data = json.loads(pr_file.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise PublishError(f"{pr_file}: not a readable preview: {err}") from None
            if not isinstance(data, dict):
                raise PublishError(f"{pr_file}: not a preview (expected a JSON object)")
            yield pr_file.parent, data

    def existing(self, arxiv_ids: Sequence[str]) -> dict[str, ExistingPR]:
        wanted = set(arxiv_ids)
        found: dict[str, ExistingPR] = {}
        for folder, data in self._previews():
            for arxiv_id in data.get("arxiv_ids", []):
                if arxiv_id in wanted:
                    found[arxiv_id] = ExistingPR(
                        arxiv_id, 0, PRState.PREVIEW, folder.as_uri(), str(data.get("branch", ""))
                    )
        return found

    def open_count(self) -> int:
        return sum(1 for _ in self._previews())

    def publish(self, proposal: Proposal) -> PublishResult:
        before = self.read_list(proposal.list_path)
        after = proposal.apply(before)
        if after == before:
            return PublishResult(
                proposal.arxiv_ids, PublishStatus.NO_CHANGE, message="the list already has it"
            )
        folder = self.root / folder_name(proposal.branch)
        again = (folder / PR_FILE).exists()
        record = {
            "branch": proposal.branch,
            "base": proposal.base or self.base,
            "title": proposal.title,
            "body": proposal.body,
            "labels": list(proposal.labels),
            "draft": proposal.draft,
            "arxiv_ids": list(proposal.arxiv_ids),
        }
        write_atomically(folder / DIFF_FILE, unified_diff(before, after, _display_path(proposal.list_path)))
        write_atomically(folder / PR_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        log.info("%s preview %s", "updated" if again else "wrote", folder)
        return PublishResult(
            proposal.arxiv_ids,
            PublishStatus.PREVIEWED,
            url=folder.as_uri(),
            message="preview rewritten" if again else "preview written",
        )
