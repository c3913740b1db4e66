"""The GitHub workflows: zizmor finds nothing, the structure grants least privilege, and the state
branch scripts really restore and save ``state/`` (run against a local bare repository)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is in the dev extra: pip install -e '.[dev]'")

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
TRIAGE = WORKFLOWS / "triage.yml"
CI = WORKFLOWS / "ci.yml"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
FAKE_TOKEN = "ghs_TRIAGEBOT-FAKE-TOKEN-0123456789"


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step(workflow: dict[str, Any], name_prefix: str) -> dict[str, Any]:
    matches = [s for s in _steps(workflow) if str(s.get("name", "")).startswith(name_prefix)]
    assert len(matches) == 1, name_prefix
    return matches[0]


def _zizmor() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.exists() else shutil.which("zizmor")


# ------------------------------------------------------------------ zizmor


def test_zizmor_finds_nothing_even_as_auditor() -> None:
    """The strictest persona, with ignore comments and config files disregarded: nothing is
    suppressed, so nothing can hide."""
    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (it is in the dev extra: pip install -e '.[dev]')")
    result = subprocess.run(
        [
            zizmor,
            "--offline",
            "--persona",
            "auditor",
            "--no-ignores",
            "--no-config",
            "--format",
            "json",
            "--no-progress",
            str(WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.stdout.strip(), result.stderr
    findings = json.loads(result.stdout)
    assert findings == [], json.dumps(findings, indent=1)[:4000]
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_no_suppression_comments(path: Path) -> None:
    assert "zizmor: ignore" not in path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ structure, every workflow


def test_both_workflows_exist() -> None:
    assert {p.name for p in _workflows()} >= {"triage.yml", "ci.yml"}


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}, "top level grants nothing; jobs ask for what they need"
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"job {name} must declare its permissions"
        assert set(permissions.values()) <= {"read", "write", "none"}, name


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    """Inputs, event text, secrets and variables reach scripts only through `env:`."""
    for step in _steps(_load(path)):
        script = step.get("run", "")
        assert "${{" not in script, f"{step.get('name')}: pass values through env:, not into run:"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"run:[^\n]*\$\{\{", text)


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commit_shas(path: Path) -> None:
    for step in _steps(_load(path)):
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), step["uses"]
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*(- )?uses:", line):
            assert re.search(r"@[0-9a-f]{40} # v\d", line), f"say which version the SHA is: {line.strip()}"


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_checkouts_do_not_keep_credentials(path: Path) -> None:
    checkouts = [s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_scripts_are_valid_bash(path: Path) -> None:
    for step in _steps(_load(path)):
        if "run" in step:
            result = subprocess.run(
                ["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, f"{step.get('name')}: {result.stderr}"


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_pip_is_cached(path: Path) -> None:
    setups = [s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/setup-python@")]
    assert setups and all(s["with"]["cache"] == "pip" for s in setups)


# ------------------------------------------------------------------ triage.yml


def test_triage_runs_nightly_after_the_arxiv_announcement_off_the_hour() -> None:
    schedule = _load(TRIAGE)["on"]["schedule"]
    assert len(schedule) == 1
    minute, hour, _dom, _month, weekdays = schedule[0]["cron"].split()
    assert minute not in {"0", "00", "*"}
    assert 0 <= int(hour) <= 6  # arXiv announces at 00:00 UTC
    assert weekdays == "1-5"


def test_triage_manual_inputs() -> None:
    inputs = _load(TRIAGE)["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"since", "until", "ids", "dry_run"}
    assert inputs["dry_run"]["type"] == "boolean"
    run = _step(_load(TRIAGE), "Triage")
    assert {"INPUT_SINCE", "INPUT_UNTIL", "INPUT_IDS", "INPUT_DRY_RUN"} <= set(run["env"])


def test_triage_job_permissions_and_concurrency() -> None:
    workflow = _load(TRIAGE)
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "models": "read"}
    assert workflow["concurrency"]["cancel-in-progress"] is False
    assert "group" in workflow["concurrency"]


def test_triage_runs_the_bot_with_github_models_by_default() -> None:
    step = _step(_load(TRIAGE), "Triage")
    assert "run --config triagebot.toml --report report.json" in step["run"]
    assert "https://models.github.ai/inference" in step["run"]
    env = step["env"]
    assert env["MODELS_TOKEN"] == "${{ github.token }}"
    assert "secrets.OPENAI_API_KEY" in env["OWN_OPENAI_API_KEY"]


def test_state_is_saved_even_after_a_partial_failure_but_not_after_a_dry_run() -> None:
    condition = _step(_load(TRIAGE), "Save state")["if"]
    assert "!cancelled()" in condition
    assert "dry_run" in condition
    assert _load(TRIAGE)["env"]["STATE_BRANCH"] == "triagebot-state"


# ------------------------------------------------------------------ ci.yml


def test_ci_runs_the_suite_on_push_and_pull_request() -> None:
    workflow = _load(CI)
    assert {"push", "pull_request"} <= set(workflow["on"])
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert any(s.get("run", "").strip() == "bash .ci/run" for s in job["steps"])


# ------------------------------------------------------------------ the state branch, for real


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_state_branch_restore_and_save_round_trip(tmp_path: Path) -> None:
    """Run the workflow's own restore/save scripts against a local 'origin': first run (no
    branch), save, restore into a fresh checkout, unchanged (no commit), changed (one commit)."""
    workflow = _load(TRIAGE)
    restore = _step(workflow, "Restore state")["run"]
    save = _step(workflow, "Save state")["run"]
    origin = tmp_path / "origin.git"
    summary = tmp_path / "summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GITHUB_TOKEN": FAKE_TOKEN,
        "STATE_BRANCH": workflow["env"]["STATE_BRANCH"],
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_RUN_ID": "42",
    }
    _git("init", "-q", "--bare", str(origin), cwd=tmp_path)

    def checkout(name: str) -> Path:
        work = tmp_path / name
        _git("clone", "-q", str(origin), str(work), cwd=tmp_path)
        return work

    def step(script: str, work: Path) -> str:
        result = subprocess.run(
            # the shell GitHub uses for `run:` on Linux
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    first = checkout("first")
    _git(
        "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "list", cwd=first
    )
    _git("push", "-q", "origin", "HEAD:refs/heads/main", cwd=first)
    assert "starting with empty state" in step(restore, first)
    assert "nothing to save" in step(save, first)
    (first / "state").mkdir()
    (first / "state" / "decisions.jsonl").write_text('{"arxiv_id":"2501.00001"}\n', encoding="utf-8")
    (first / "state" / "cursor.json").write_text("{}\n", encoding="utf-8")
    (first / "state" / ".cursor.abc.tmp").write_text("{half", encoding="utf-8")
    step(save, first)

    branch = env["STATE_BRANCH"]
    files = _git("--git-dir", str(origin), "ls-tree", "-r", "--name-only", branch, cwd=tmp_path).split()
    assert files == ["state/cursor.json", "state/decisions.jsonl"]  # only state/, no temp files

    second = checkout("second")
    assert "Restored state/" in step(restore, second)
    assert (second / "state" / "decisions.jsonl").read_text(encoding="utf-8") == '{"arxiv_id":"2501.00001"}\n'
    assert "State unchanged" in step(save, second)
    with (second / "state" / "decisions.jsonl").open("a", encoding="utf-8") as log:
        log.write('{"arxiv_id":"2501.00002"}\n')
    step(save, second)

    history = _git("--git-dir", str(origin), "log", "--format=%s", branch, cwd=tmp_path).splitlines()
    assert history == ["triagebot: state after run 42"] * 2
    assert _git("--git-dir", str(origin), "log", "--format=%s", "main", cwd=tmp_path).splitlines() == ["list"]
    for work in (first, second):
        assert FAKE_TOKEN not in (work / ".git" / "config").read_text(encoding="utf-8")
        assert not _git("status", "--porcelain", "--untracked-files=no", cwd=work).strip()
    assert "State saved to `triagebot-state`" in summary.read_text(encoding="utf-8")


# ------------------------------------------------------------------ verify.yml

VERIFY = WORKFLOWS / "verify.yml"


def test_verify_runs_weekly_off_the_hour_behind_the_same_switch() -> None:
    workflow = _load(VERIFY)
    [schedule] = workflow["on"]["schedule"]
    minute, _hour, _dom, _month, weekdays = schedule["cron"].split()
    assert minute not in {"0", "00", "*"} and weekdays not in {"*", "1-5"}
    assert "TRIAGEBOT_ENABLED" in workflow["jobs"]["verify"]["if"]
    assert workflow["jobs"]["verify"]["permissions"] == {"contents": "write", "pull-requests": "write"}


def test_verify_publishes_one_upkeep_pr_or_a_preview_on_a_dry_run() -> None:
    step = _step(_load(VERIFY), "Verify")
    assert "triagebot verify" in step["run"] and '--publish "${publish}"' in step["run"]
    assert 'publish="dir:previews"' in step["run"]
    assert step["env"]["INPUT_DRY_RUN"] == "${{ inputs.dry_run }}"
