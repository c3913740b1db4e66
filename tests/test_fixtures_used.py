"""Recordings nobody uses rot: every fixture file is used by a test, every offline recording by the
offline run (style: recorded fixtures by default, and a failure for fixtures nobody used)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.triage_helpers import served_recordings
from triagebot.cli import main
from triagebot.offline import bundle_dir

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"


def _sources() -> str:
    files = [*TESTS.rglob("*.py"), *(TESTS.parent / "benchmarks").glob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files if p.name != Path(__file__).name)


def test_every_fixture_file_is_used_by_some_test() -> None:
    sources = _sources()
    unused = [
        str(path.relative_to(FIXTURES))
        for path in sorted(FIXTURES.rglob("*"))
        if path.is_file() and path.name != "README.md" and path.name not in sources
    ]
    assert not unused, f"fixtures no test uses (delete them or use them): {unused}"


def test_every_offline_recording_is_replayed_by_the_offline_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--quiet", "run", "--offline"]) == 0
    root = bundle_dir() / "recordings"
    served = served_recordings(tmp_path / "triagebot-offline" / "state" / "exchanges.jsonl", root)
    recorded = set(root.rglob("*.json"))
    assert served == recorded, (
        "recordings and the offline run disagree; rebuild them: python -m tests.tools.make_offline_bundle"
    )
