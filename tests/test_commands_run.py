"""`triagebot run`: the whole pipeline through the CLI, on saved arXiv responses and fixture decisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triagebot.adapters.state.jsonl import JsonlStateStore
from triagebot.cli import main
from triagebot.models import Outcome

FIXTURES = Path(__file__).parent / "fixtures"
NIGHT = FIXTURES / "arxiv"  # the cs.CV night of 2025-03-26 (feed + id-list lookup)
SOURCE = f"{NIGHT / 'arxiv_rss2_cs.CV_2025-03-26.xml'}:{NIGHT / 'arxiv_api_idlist_cs.CV_2025-03-26.json'}"
LIST = FIXTURES / "awesome-xad-README.md"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_bytes(LIST.read_bytes())
    return tmp_path


def _night_ids() -> list[str]:
    from triagebot.adapters.sources.factory import build_sources
    from triagebot.config import ArxivConfig

    return [p.arxiv_id for p in build_sources([SOURCE], ArxivConfig()).papers(None, None)]


def _run(workdir: Path, *extra: str, decisions: Path | None = None) -> tuple[int, dict]:
    report = workdir / "report.json"
    argv = [
        "run",
        "--list",
        str(workdir / "README.md"),
        "--source",
        SOURCE,
        "--publish",
        f"dir:{workdir / 'previews'}",
        "--state",
        str(workdir / "state"),
        "--report",
        str(report),
        "--since",
        "2025-03-20",
        "--until",
        "2025-03-30",
        *extra,
    ]
    if decisions is not None:
        argv += ["--llm", f"fixture:{decisions}"]
    code = main(argv)
    return code, json.loads(report.read_text(encoding="utf-8"))


def _decisions(workdir: Path, rows: list[dict]) -> Path:
    path = workdir / "decisions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_run_previews_relevant_papers_and_records_every_outcome(workdir: Path) -> None:
    ids = _night_ids()
    new = [i for i in ids if i not in ("2503.19357", "2503.18325")]  # those two are in the list already
    decisions = _decisions(
        workdir,
        [
            {
                "arxiv_id": new[0],
                "relevant": True,
                "section": "Image / Foundation-model-based",
                "acronym": "TESTA",
            }
        ]
        + [{"arxiv_id": i, "relevant": False, "rationale": "not visual AD"} for i in new[1:]],
    )
    code, report = _run(workdir, "--config", str(_config(workdir)), decisions=decisions)
    assert code == 0, report["errors"]
    assert report["fetched"] == len(ids)
    outcomes = {p["arxiv_id"]: p["outcome"] for p in report["papers"]}
    assert set(outcomes) == set(ids)  # every fetched paper has an outcome
    assert outcomes["2503.19357"] == Outcome.DUPLICATE
    assert outcomes[new[0]] == Outcome.PROPOSED
    previews = sorted((workdir / "previews").iterdir())
    assert [p.name for p in previews] == [f"triagebot__{new[0]}"]
    diff = (previews[0] / "changes.diff").read_text(encoding="utf-8")
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert len(added) == 1 and not removed
    assert added[0].startswith("+- **[ViP]** ")
    state = JsonlStateStore(workdir / "state").load()
    assert set(state) == set(ids)
    assert (workdir / "state" / "cursor.json").exists()


def test_rerun_of_the_same_window_makes_no_model_call_and_no_preview(workdir: Path) -> None:
    ids = _night_ids()
    decisions = _decisions(
        workdir, [{"arxiv_id": i, "relevant": True, "section": "Video / Reasoning-based"} for i in ids]
    )
    config = _config(workdir)
    first_code, first = _run(workdir, "--config", str(config), decisions=decisions)
    assert first_code == 0, first["errors"]
    previews = sorted(p.name for p in (workdir / "previews").iterdir())
    assert previews
    code, second = _run(workdir, "--config", str(config), decisions=decisions)
    assert code == 0
    assert second["llm"]["calls"] == 0
    assert second["proposed"] == 0 and second["published"] == 0
    assert sorted(p.name for p in (workdir / "previews").iterdir()) == previews


def test_forced_ids_skip_the_screen_but_not_validation(workdir: Path) -> None:
    ids = _night_ids()
    target = next(i for i in ids if i not in ("2503.19357", "2503.18325"))
    decisions = _decisions(workdir, [{"arxiv_id": target, "relevant": True, "section": "No Such Section"}])
    code, report = _run(workdir, "--config", str(_config(workdir)), "--ids", target, decisions=decisions)
    assert code == 1  # the paper failed validation: recorded as an error, nothing written
    assert [p["outcome"] for p in report["papers"]] == [Outcome.ERROR]
    assert not (workdir / "previews").exists() or not any((workdir / "previews").iterdir())


def test_bad_config_is_a_one_line_error_and_exit_2(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = workdir / "bad.toml"
    bad.write_text("[llm]\nmodle = 'x'\n", encoding="utf-8")
    assert main(["run", "--config", str(bad), "--publish", "none"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown key 'llm.modle'" in err[0]


def test_missing_list_is_a_one_line_error_and_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "run",
            "--config",
            str(_config(workdir)),
            "--list",
            str(workdir / "nope.md"),
            "--source",
            SOURCE,
            "--publish",
            f"dir:{workdir / 'p'}",
            "--state",
            str(workdir / "s"),
            "--llm",
            f"fixture:{_decisions(workdir, [])}",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.md" in err[0]


def _config(workdir: Path) -> Path:
    path = workdir / "triagebot.toml"
    path.write_text(
        "[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0\n[llm]\nrequests_per_minute = 100000\n"
        "[publish]\nmax_new_prs = 100\nmax_open_prs = 100\n",
        encoding="utf-8",
    )
    return path


def test_dry_run_into_a_relative_folder_writes_previews_and_exits_0(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's dry run, `triagebot run --publish dir:previews`, with every path relative
    (it used to fail each paper with "relative path can't be expressed as a file URI")."""
    new = [i for i in _night_ids() if i not in ("2503.19357", "2503.18325")]
    decisions = _decisions(
        workdir, [{"arxiv_id": new[0], "relevant": True, "section": "Video / Memory-based"}]
    )
    _config(workdir)
    argv = ["run", "--config", "triagebot.toml", "--list", "README.md", "--source", SOURCE]
    argv += ["--llm", f"fixture:{decisions.name}", "--publish", "dir:previews", "--state", "state"]
    argv += ["--since", "2025-03-20", "--until", "2025-03-30"]
    code = main([*argv, "--report", "report.json"])
    out, err = capsys.readouterr()
    report = json.loads((workdir / "report.json").read_text(encoding="utf-8"))
    assert code == 0, (report["errors"], err)
    assert "internal error" not in out + err
    assert [p.name for p in (workdir / "previews").iterdir()] == [f"triagebot__{new[0]}"]
    assert "PR previews: previews" in out
    # forced again: the existing preview is found (its URL is a file URI) and counts as the bot's PR
    assert main([*argv, "--ids", new[0], "--report", "again.json"]) == 0
    again = json.loads((workdir / "again.json").read_text(encoding="utf-8"))
    assert not again["errors"] and again["published"] == 0


def test_model_flag_overrides_the_configured_model(workdir: Path) -> None:
    """`--model` (the Action's `model` input) reaches the backend: the bundled recordings were made
    with gpt-4o-mini, so another model finds none and says which model it looked for."""
    assert main(["--quiet", "run", "--offline", "--model", "other-model", "--report", "r.json"]) == 1
    report = json.loads((workdir / "r.json").read_text(encoding="utf-8"))
    assert report["llm"]["model"] == "other-model"
    assert report["errors"] and all("model other-model" in e["message"] for e in report["errors"])
