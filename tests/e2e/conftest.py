"""Fixtures of the end-to-end suite, and its closing summary line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import TALLY, World

MakeWorld = Callable[..., World]


@pytest.fixture
def make_world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[MakeWorld]:
    """``make_world(**options)``: a started :class:`World` in its own folder, stopped at the end."""
    with ExitStack() as stack:
        count = 0

        def make(**options: Any) -> World:
            nonlocal count
            count += 1
            root = tmp_path / f"world{count}"
            root.mkdir()
            options.setdefault("name", request.node.name)
            return stack.enter_context(World(root, **options))

        yield make


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.scenarios or TALLY.runs:
        terminalreporter.write_sep("-", "end-to-end fault suite")
        terminalreporter.write_line(TALLY.line())
