"""Configuration: the shipped triagebot.toml is valid, and every bad input is a one-line ConfigError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triagebot.config import Config, load_config, secret
from triagebot.errors import ConfigError
from triagebot.sections import resolve_name

REPO_ROOT = Path(__file__).resolve().parent.parent
FAKE_KEY = "sk-test-TRIAGEBOT-FAKE-0123456789abcdef"


def _heading_paths(markdown: str) -> list[str]:
    """Section paths of a list's headings below the title, decoration stripped (test data only)."""
    stack: list[str] = []
    paths: list[str] = []
    for match in re.finditer(r"^(#{2,6})\s+(.+?)\s*$", markdown, re.MULTILINE):
        depth = len(match.group(1)) - 2
        name = match.group(2).strip().lstrip("-").strip().strip("[]")
        stack[depth:] = [name]
        paths.append(" / ".join(stack))
    return paths


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "triagebot.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert info.value.exit_code == 2
    return message


# ------------------------------------------------------------------ the shipped configuration


def test_shipped_config_loads_for_awesome_xad() -> None:
    config = load_config(REPO_ROOT / "triagebot.toml")
    assert config.list.path == "README.md"
    assert config.list.protected == ["Datasets"]
    assert config.arxiv.categories == ["cs.CV"]
    assert config.llm.backend == "openai"
    assert config.llm.model == "openai/gpt-4o-mini"
    assert config.llm.model in config.llm.prices  # the report can estimate the cost
    assert config.publish.backend == "github"
    assert 0 < config.publish.max_new_prs <= config.publish.max_open_prs
    assert config.state.dir == "state"


def test_shipped_section_descriptions_name_each_method_section_once(awesome_xad_text: str) -> None:
    config = load_config(REPO_ROOT / "triagebot.toml")
    paths = _heading_paths(awesome_xad_text)
    resolved = [resolve_name(name, paths) for name in config.list.sections]
    methods = [
        p
        for p in paths
        if p.startswith("Explainable 2D Anomaly Detection Methods / ") and p.count(" / ") == 2
    ]
    assert sorted(resolved) == sorted(methods)
    assert all(description and "\n" not in description for description in config.list.sections.values())
    assert [resolve_name(name, paths) for name in config.list.protected] == ["Datasets"]


def test_no_config_file_gives_the_defaults() -> None:
    assert load_config(None) == Config()


# ------------------------------------------------------------------ bad input: one line each


def test_unknown_key_is_named(tmp_path: Path) -> None:
    message = _config_error(_write(tmp_path, '[llm]\nmodle = "gpt-4o-mini"\n'))
    assert "unknown key 'llm.modle'" in message
    assert str(tmp_path / "triagebot.toml") in message


def test_unknown_table_is_named(tmp_path: Path) -> None:
    assert "unknown key 'lists'" in _config_error(_write(tmp_path, '[lists]\npath = "README.md"\n'))


def test_bad_value_names_the_key_and_the_rule(tmp_path: Path) -> None:
    message = _config_error(_write(tmp_path, "[llm]\nconcurrency = 0\n"))
    assert "'llm.concurrency'" in message
    assert "greater than or equal to 1" in message


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    message = _config_error(_write(tmp_path, '[list]\nprotected = "Datasets"\n'))
    assert "'list.protected'" in message


def test_missing_file(tmp_path: Path) -> None:
    assert "config file not found" in _config_error(tmp_path / "nope.toml")


def test_invalid_toml(tmp_path: Path) -> None:
    message = _config_error(_write(tmp_path, "[llm\nmodel = \n"))
    assert "not valid TOML" in message
    assert "line 1" in message


def test_binary_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "triagebot.toml"
    path.write_bytes(b"\xff\xfe\x00model = 1\n")
    assert "cannot read config" in _config_error(path)


def test_directory_instead_of_file_is_a_config_error(tmp_path: Path) -> None:
    assert "cannot read config" in _config_error(tmp_path)


# ------------------------------------------------------------------ secrets


def test_secret_is_read_from_the_named_variable_and_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGEBOT_TEST_KEY", f"  {FAKE_KEY}\n")
    value = secret("TRIAGEBOT_TEST_KEY")
    assert value is not None
    assert value.get_secret_value() == FAKE_KEY
    for shown in (repr(value), str(value), f"{value}", f"{value!r}"):
        assert FAKE_KEY not in shown


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_missing_or_blank_secret_is_none(monkeypatch: pytest.MonkeyPatch, raw: str | None) -> None:
    if raw is None:
        monkeypatch.delenv("TRIAGEBOT_TEST_KEY", raising=False)
    else:
        monkeypatch.setenv("TRIAGEBOT_TEST_KEY", raw)
    assert secret("TRIAGEBOT_TEST_KEY") is None


def test_config_holds_names_of_secrets_never_their_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    monkeypatch.setenv("GITHUB_TOKEN", FAKE_KEY)
    config = load_config(REPO_ROOT / "triagebot.toml")
    assert config.llm.api_key_env == "OPENAI_API_KEY"
    assert config.publish.token_env == "GITHUB_TOKEN"
    for shown in (repr(config), str(config), config.model_dump_json()):
        assert FAKE_KEY not in shown


# ------------------------------------------------------------------ the reference stays complete


def _reference_text() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Configuration" in text, "README.md does not document the configuration"
    return text


def test_every_config_key_is_documented_with_its_default() -> None:
    text = _reference_text()
    defaults = Config()
    for table in Config.model_fields:
        section = text.split(f"### `[{table}]`", 1)
        assert len(section) == 2, f"no reference section for [{table}]"
        body = section[1].split("\n### ", 1)[0]
        model = getattr(defaults, table)
        for key in type(model).model_fields:
            rows = [line for line in body.splitlines() if line.startswith(f"| `{key}` |")]
            assert len(rows) == 1, f"[{table}] {key} is not documented"
            value = getattr(model, key)
            if isinstance(value, bool):
                assert f"`{str(value).lower()}`" in rows[0], f"[{table}] {key}: default {value}"
            elif isinstance(value, int | float | str) and len(str(value)) < 40:
                assert str(value) in rows[0], f"[{table}] {key}: default {value!r}"
