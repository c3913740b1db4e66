"""Shared test setup: the network guard, the --live switch and the fixtures folder (the typed fakes
of the ports are in tests/fakes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.netguard import install

FIXTURES = Path(__file__).parent / "fixtures"

# ---------------------------------------------------------------- network guard


class NetworkBlocked(RuntimeError):
    pass


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--live", action="store_true", help="also run tests that reach real services")


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("--live"):
        install(NetworkBlocked)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--live"):
        return
    skip = pytest.mark.skip(reason="needs --live (reaches real services)")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _clean_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's real endpoints or secrets (live tests need them)."""
    if "live" in request.keywords:
        return
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "GITHUB_TOKEN",
        "GITHUB_API_URL",
        "GITHUB_REPOSITORY",
        "GITHUB_STEP_SUMMARY",
        "TRIAGEBOT_ARXIV_API_URL",
        "TRIAGEBOT_ARXIV_FEED_URL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def awesome_xad_text() -> str:
    """The real Awesome-XAD README, quirks included."""
    return (FIXTURES / "awesome-xad-README.md").read_text(encoding="utf-8")
