"""The publishing convention: how the bot names its branches and marks its pull requests, and how
it reads them back. One home for the composer (which writes them) and the publishers (which find
the bot's own PRs again by them, without local state).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

BRANCH_PREFIX = "triagebot/"
BOT_LABEL = "triagebot"

_MARKER_RE = re.compile(r"<!-- triagebot:arxiv=([^\s>]+) -->")
_UPKEEP_MARKER_RE = re.compile(r"<!-- triagebot:upkeep (\{.*?\}) -->", re.DOTALL)
_REF_CHARS_RE = re.compile(r"[^A-Za-z0-9._-]+")


def marker(arxiv_id: str) -> str:
    """The hidden marker by which the bot finds its own PR for a paper."""
    return f"<!-- triagebot:arxiv={arxiv_id} -->"


def markers_in(body: str | None) -> list[str]:
    """The arXiv ids of every marker in a PR body, in order."""
    return _MARKER_RE.findall(body or "")


# The one upkeep PR of ``triagebot verify``: not a paper PR (no id, outside the open-PR cap).
UPKEEP_BRANCH = f"{BRANCH_PREFIX}upkeep"


def branch_for(arxiv_id: str) -> str:
    return f"{BRANCH_PREFIX}{arxiv_id}"


def run_branch(run_id: str) -> str:
    """One branch per run when grouping: ``triagebot/run-<run id>`` (made ref-safe)."""
    return f"{BRANCH_PREFIX}run-{_REF_CHARS_RE.sub('-', run_id).strip('-.') or 'run'}"


def id_from_branch(branch: str) -> str | None:
    """``2503.19357`` for ``triagebot/2503.19357``; None for run, upkeep and foreign branches."""
    if not branch.startswith(BRANCH_PREFIX):
        return None
    rest = branch[len(BRANCH_PREFIX) :]
    return None if not rest or rest.startswith("run-") or branch == UPKEEP_BRANCH else rest


def upkeep_marker(keys: Iterable[str]) -> str:
    """The hidden marker naming the changes an upkeep PR proposes (``>`` escaped: no early ``-->``)."""
    data = json.dumps({"changes": sorted(set(keys))}, ensure_ascii=True).replace(">", "\\u003e")
    return f"<!-- triagebot:upkeep {data} -->"


def upkeep_keys(body: str | None) -> list[str] | None:
    """The change keys in an upkeep PR's marker; None when ``body`` has no upkeep marker."""
    match = _UPKEEP_MARKER_RE.search(body or "")
    if match is None:
        return None
    try:
        data = json.loads(match.group(1))
    except ValueError:
        return []
    changes = data.get("changes") if isinstance(data, dict) else None
    return [str(c) for c in changes] if isinstance(changes, list) else []
