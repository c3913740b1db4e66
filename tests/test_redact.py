"""Secrets are masked in every log line and in the CLI's error line, whichever library prints them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from triagebot.cli import main
from triagebot.redact import RedactingFilter, redact, secret_values

FAKE = "ghp_FAKEsecretVALUE0123456789"


def test_secret_values_are_taken_from_secret_looking_variables() -> None:
    env = {"GITHUB_TOKEN": FAKE, "OPENAI_API_KEY": "sk-abcdef", "PATH": "/usr/bin", "X_KEY": "1"}
    assert secret_values(env) == (FAKE, "sk-abcdef")
    assert redact(f"Authorization: Bearer {FAKE}", secret_values(env)) == "Authorization: Bearer ***"


def test_filter_masks_message_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("github", logging.WARNING, __file__, 1, "token %s refused", (FAKE,), None)
    try:
        raise RuntimeError(f"bad credentials {FAKE}")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter((FAKE,)).filter(record)
    assert record.getMessage() == "token *** refused"
    assert FAKE not in (record.exc_text or "") and "***" in (record.exc_text or "")


def test_cli_masks_secrets_in_sdk_logs_and_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", FAKE)
    bad = f"[publish]\nrepo = '{FAKE}'\nmax_new_prs = -1\n"
    config = tmp_path / "c.toml"
    config.write_text(bad, encoding="utf-8")
    assert main(["run", "--config", str(config)]) == 2
    logging.getLogger("github.Requester").warning("GET /user with token %s", FAKE)
    err = capsys.readouterr().err
    assert FAKE not in err
    assert "***" in err


def test_pygithub_own_log_handler_cannot_bypass_the_filter(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import github  # noqa: F401  (installs a StreamHandler on the "github" logger at import)

    monkeypatch.setenv("GITHUB_TOKEN", FAKE)
    main(["lint", str(tmp_path / "missing.md")])
    logging.getLogger("github.GithubRetry").warning("retrying with %s", FAKE)
    err = capsys.readouterr().err
    assert FAKE not in err
    assert err.count("retrying with ***") == 1
