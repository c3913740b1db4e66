"""The strict gates run with the suite, so CI fails on them: ruff (lint + format) and mypy --strict."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_ruff_lint_is_clean() -> None:
    result = _tool("ruff", "check", "triagebot", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout[-4000:]


def test_ruff_format_is_clean() -> None:
    result = _tool("ruff", "format", "--check", "triagebot", "tests", "benchmarks")
    assert result.returncode == 0, result.stdout[-4000:]


def test_mypy_strict_is_clean_on_the_package() -> None:
    result = _tool("mypy")
    assert result.returncode == 0, result.stdout[-4000:]
