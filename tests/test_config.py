"""Configuration: the shipped triagebot.toml is valid, and every bad input is a one-line ConfigError."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from triagebot.cli import main
from triagebot.config import Config, load_config, secret
from triagebot.errors import ConfigError
from triagebot.sections import resolve_name

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_CONFIG = REPO_ROOT / "examples" / "awesome-xad" / "triagebot.toml"  # the list repository's, not ours
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
    config = load_config(EXAMPLE_CONFIG)
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
    config = load_config(EXAMPLE_CONFIG)
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
    config = load_config(EXAMPLE_CONFIG)
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


# ------------------------------------------------------------------ whose configuration is whose

NIGHT_LOOKUP = REPO_ROOT / "tests" / "fixtures" / "arxiv" / "arxiv_api_idlist_cs.CV_2025-03-26.json"


def _classify(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    decisions = tmp_path / "decisions.jsonl"
    decisions.write_text(
        '{"arxiv_id": "2503.19357", "relevant": true, "section": "Image / Generative-model-based"}\n',
        encoding="utf-8",
    )
    code = main(
        ["classify", "2503.19357", "--source", str(NIGHT_LOOKUP), "--llm", f"fixture:{decisions}", *extra]
    )
    captured = capsys.readouterr()
    return code, [captured.out, *captured.err.strip().splitlines()]


def test_this_repository_has_no_configuration_of_its_own() -> None:
    """The Awesome-XAD example lives with a copy of its list, not at the root, where every command
    run in a clone took it for this repository's configuration and this README for the list."""
    assert not (REPO_ROOT / "triagebot.toml").exists()
    assert load_config(EXAMPLE_CONFIG).list.path == "README.md"
    assert (EXAMPLE_CONFIG.parent / "README.md").read_bytes() == (
        REPO_ROOT / "tests" / "fixtures" / "awesome-xad-README.md"
    ).read_bytes()


def test_a_file_without_paper_entries_is_a_one_line_error_naming_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a clone of this repository the commands find no list: they say so and how to name one."""
    monkeypatch.chdir(REPO_ROOT)
    code, (_out, *err) = _classify(tmp_path, capsys)
    assert code == 2
    assert len(err) == 1, err
    assert err[0].startswith("triagebot: error: README.md: has no paper entries"), err[0]
    assert "--list" in err[0]


def test_run_on_a_file_without_paper_entries_stops_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.md").write_text("# Notes\n\n- see [the docs](https://example.org/docs)\n", "utf-8")
    (tmp_path / "none.jsonl").write_text("", "utf-8")
    argv = ["run", "--list", "notes.md", "--source", str(NIGHT_LOOKUP), "--publish", "dir:previews"]
    assert main([*argv, "--llm", "fixture:none.jsonl", "--state", "state"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes.md: has no paper entries" in err[0] and "--list" in err[0]
    assert not (tmp_path / "previews").exists() and not (tmp_path / "state").exists()


def test_a_list_whose_papers_are_not_on_arxiv_is_still_a_list(tmp_path: Path) -> None:
    """Venue lists link OpenReview, the CVF or a PDF, not arXiv: their entries are papers too."""
    from triagebot.awesome import parse_list

    text = (
        "# Papers\n\n## ICLR 2025\n\n"
        "- MMAD: A Benchmark [[ICLR 2025]](https://openreview.net/forum?id=JDiER86r8v)\n"
        "- Textures Deceive [[CVPR 2025]](https://openaccess.thecvf.com/content/CVPR2025W/x.pdf)\n"
    )
    assert len(parse_list(text, "README.md").entries) == 2


def test_the_example_folder_works_like_the_list_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From examples/awesome-xad/ the commands find the example config and its list (README.md), as
    they would at the root of the list's repository."""
    monkeypatch.chdir(EXAMPLE_CONFIG.parent)
    code, (out, *_err) = _classify(tmp_path, capsys)
    assert code == 0, out
    assert "2503.19357  RELEVANT -> Explainable 2D Anomaly Detection Methods / Image / Generative" in out
