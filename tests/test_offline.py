"""`triagebot run --offline`: the README's first command, on the bundled recordings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from triagebot.cli import main


def _previews(cwd: Path) -> list[str]:
    return sorted(p.name for p in (cwd / "triagebot-offline" / "previews").iterdir())


def test_offline_run_writes_previews_and_a_rerun_writes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    assert main(["run", "--offline", "--report", "first.json"]) == 0
    out = capsys.readouterr().out
    assert f"PR previews: {tmp_path / 'triagebot-offline' / 'previews'}" in out
    first = json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))
    previews = _previews(tmp_path)
    assert len(previews) == first["proposed"] > 0
    assert first["fetched"] == len(first["papers"]) == 98
    assert first["llm"]["calls"] > 0 and not first["errors"]
    assert "| fetched | 98 |" in summary.read_text(encoding="utf-8")
    for name in previews:
        pr = json.loads((tmp_path / "triagebot-offline" / "previews" / name / "pr.json").read_text("utf-8"))
        assert pr["branch"] == name.replace("__", "/")
        assert f"<!-- triagebot:arxiv={pr['arxiv_ids'][0]} -->" in pr["body"]

    assert main(["run", "--offline", "--report", "second.json"]) == 0
    second = json.loads((tmp_path / "second.json").read_text(encoding="utf-8"))
    assert second["llm"]["calls"] == 0
    assert second["proposed"] == second["published"] == 0
    assert _previews(tmp_path) == previews


@pytest.mark.installed
def test_installed_console_script_runs_offline_outside_the_repository(tmp_path: Path) -> None:
    """The README's Quick start, whichever way the package was installed: editable (as the README
    says), or not (tests/test_packaging.py installs the built wheel into a fresh venv)."""
    script = Path(sys.executable).parent / "triagebot"
    if not script.exists():
        pytest.skip("triagebot is not installed in this environment (pip install -e '.[dev]')")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(script), "run", "--offline"],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "PR previews:" in result.stdout
    assert _previews(tmp_path)
    assert "Traceback" not in result.stderr
