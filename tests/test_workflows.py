"""The GitHub workflows and the action (action.yml): zizmor finds nothing, the structure grants
least privilege, inputs reach scripts only through the environment, the README's workflow is
complete and short, the action's scripts pass each input as one argument, and the state branch
scripts really restore and save ``state/`` (run against a local bare repository)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML is in the dev extra: pip install -e '.[dev]'")

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
TRIAGE = WORKFLOWS / "triage.yml"
CI = WORKFLOWS / "ci.yml"
ACTION = REPO_ROOT / "action.yml"
README = REPO_ROOT / "README.md"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
SELF = "$/"  # GitHub's self-repository syntax: this repository at the running commit
MODELS_URL = "https://models.github.ai/inference"
FAKE_TOKEN = "ghs_TRIAGEBOT-FAKE-TOKEN-0123456789"


def _parse(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    assert isinstance(data, dict), text[:200]
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _load(path: Path) -> dict[str, Any]:
    return _parse(path.read_text(encoding="utf-8"))


def _workflows() -> list[Path]:
    return sorted(WORKFLOWS.glob("*.y*ml"))


def _linted() -> list[Path]:
    """Every file GitHub runs: the workflows and the action."""
    return [*_workflows(), ACTION]


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in workflow:  # an action
        return list(workflow["runs"]["steps"])
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _step(workflow: dict[str, Any], name_prefix: str) -> dict[str, Any]:
    matches = [s for s in _steps(workflow) if str(s.get("name", "")).startswith(name_prefix)]
    assert len(matches) == 1, name_prefix
    return matches[0]


def _zizmor() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.exists() else shutil.which("zizmor")


# ------------------------------------------------------------------ zizmor


def _zizmor_findings(*paths: Path) -> list[Any]:
    """zizmor's strictest persona, with ignore comments and config files disregarded: nothing is
    suppressed, so nothing can hide."""
    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (it is in the dev extra: pip install -e '.[dev]')")
    options = ["--offline", "--persona", "auditor", "--no-ignores", "--no-config", "--no-progress"]
    result = subprocess.run(
        [zizmor, *options, "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.stdout.strip(), result.stderr
    findings: list[Any] = json.loads(result.stdout)
    assert findings or result.returncode == 0, result.stderr
    assert "completed" in result.stderr and str(paths[-1].name) in result.stderr, result.stderr
    return findings


def test_zizmor_finds_nothing_in_the_workflows_and_the_action_even_as_auditor() -> None:
    findings = _zizmor_findings(WORKFLOWS, ACTION)
    assert findings == [], json.dumps(findings, indent=1)[:4000]


def _zizmor_findings_in_repository(tmp_path: Path, name: str, text: str) -> list[Any]:
    """zizmor on ``text`` as it would sit in a list repository's ``.github/workflows/<name>``."""
    path = tmp_path / ".github" / "workflows" / name
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return _zizmor_findings(path)


def test_zizmor_finds_nothing_in_the_readme_workflow(tmp_path: Path) -> None:
    """The workflow a list repository copies from the README, as it would sit there."""
    findings = _zizmor_findings_in_repository(tmp_path, "triage.yml", _readme_workflow_text())
    assert findings == [], json.dumps(findings, indent=1)[:4000]


def test_zizmor_finds_nothing_in_the_readme_verify_workflow(tmp_path: Path) -> None:
    """The weekly verify workflow the README shows: a caller of the action with ``command: verify``."""
    text = _readme_yaml("Keeping the list right")
    assert "command: verify" in text
    findings = _zizmor_findings_in_repository(tmp_path, "verify.yml", text)
    assert findings == [], json.dumps(findings, indent=1)[:4000]


@pytest.mark.parametrize("path", _linted(), ids=lambda p: p.name)
def test_no_suppression_comments(path: Path) -> None:
    assert "zizmor: ignore" not in path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ structure, every workflow and the action


def test_both_workflows_and_the_action_exist() -> None:
    assert {p.name for p in _workflows()} >= {"triage.yml", "ci.yml"}
    assert ACTION.is_file()


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_least_privilege(path: Path) -> None:
    workflow = _load(path)
    assert workflow["permissions"] == {}, "top level grants nothing; jobs ask for what they need"
    for name, job in workflow["jobs"].items():
        permissions = job.get("permissions")
        assert isinstance(permissions, dict), f"job {name} must declare its permissions"
        assert set(permissions.values()) <= {"read", "write", "none"}, name


@pytest.mark.parametrize("path", _linted(), ids=lambda p: p.name)
def test_no_expression_is_pasted_into_a_script(path: Path) -> None:
    """Inputs, event text, secrets and variables reach scripts only through `env:`."""
    for step in _steps(_load(path)):
        script = step.get("run", "")
        assert "${{" not in script, f"{step.get('name')}: pass values through env:, not into run:"
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(?m)^\s*(- )?run:[^\n]*\$\{\{", text)


@pytest.mark.parametrize("path", _linted(), ids=lambda p: p.name)
def test_actions_are_pinned_to_full_commit_shas(path: Path) -> None:
    for step in _steps(_load(path)):
        if "uses" in step and step["uses"] != SELF:
            assert SHA_PIN.match(step["uses"]), step["uses"]
    for line in path.read_text(encoding="utf-8").splitlines():
        if re.match(r"\s*(- )?uses:", line) and line.split("uses:", 1)[1].strip() != SELF:
            assert re.search(r"@[0-9a-f]{40} # v\d", line), f"say which version the SHA is: {line.strip()}"


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_checkouts_do_not_keep_credentials(path: Path) -> None:
    checkouts = [s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


@pytest.mark.parametrize("path", _linted(), ids=lambda p: p.name)
def test_scripts_are_valid_bash(path: Path) -> None:
    for step in _steps(_load(path)):
        if "run" in step:
            result = subprocess.run(
                ["bash", "-n"], input=step["run"], capture_output=True, text=True, check=False
            )
            assert result.returncode == 0, f"{step.get('name')}: {result.stderr}"


@pytest.mark.parametrize("path", _workflows(), ids=lambda p: p.name)
def test_pip_is_cached(path: Path) -> None:
    """In workflows. The action cannot: setup-python hashes only files in the caller's workspace."""
    setups = [s for s in _steps(_load(path)) if s.get("uses", "").startswith("actions/setup-python@")]
    assert all(s["with"]["cache"] == "pip" for s in setups)


# ------------------------------------------------------------------ action.yml


def _action() -> dict[str, Any]:
    return _load(ACTION)


def test_action_is_composite_and_every_script_names_its_shell() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    for step in _steps(action):
        if "run" in step:
            assert step["shell"] == "bash", step.get("name")


def test_action_inputs() -> None:
    inputs = _action()["inputs"]
    wanted = {"command", "config", "list", "since", "until", "ids", "dry-run", "model", "base-url"}
    assert wanted | {"api-key", "github-token"} <= set(inputs)
    assert inputs["command"]["default"] == "run"
    assert inputs["config"]["default"] == "triagebot.toml"
    assert inputs["dry-run"]["default"] == "false"
    assert inputs["github-token"]["default"] == "${{ github.token }}"
    for name, spec in inputs.items():
        assert spec.get("description"), name
        assert spec.get("required") is False, f"{name}: every input has a default"


def test_action_refers_only_to_inputs_it_declares() -> None:
    used = set(re.findall(r"\binputs\.([\w-]+)", ACTION.read_text(encoding="utf-8")))
    assert used == set(_action()["inputs"])  # every input is used, no typo refers to nothing


def test_action_installs_triagebot_from_its_own_checkout_and_nothing_else() -> None:
    text = ACTION.read_text(encoding="utf-8")
    assert "vars." not in text and "secrets." not in text  # a caller passes what it wants
    (install,) = [s for s in _steps(_action()) if "pip install" in s.get("run", "")]
    assert re.search(r'pip install [^\n]*"\$\{GITHUB_ACTION_PATH\}"\n', install["run"])
    assert install["run"].count("pip install") == 1


def test_action_keeps_state_and_uploads_the_report() -> None:
    steps = {s.get("name", ""): s for s in _steps(_action())}
    restore = steps["Restore state from the state branch"]
    save = steps["Save state to the state branch"]
    assert restore["id"] == "restore" and "inputs.command == 'run'" in restore["if"]
    assert "!cancelled()" in save["if"] and "inputs.dry-run != 'true'" in save["if"]
    assert "steps.restore.outcome == 'success'" in save["if"]
    upload = steps["Keep the report and previews"]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["if"] == "${{ !cancelled() }}"
    assert upload["with"]["path"].split() == ["report.json", "previews/"]
    assert _action()["outputs"]["exit-code"]["value"] == "${{ steps.run.outputs.exit-code }}"


# ------------------------------------------------------------------ the action's run script, for real


@dataclass
class Ran:
    code: int
    argv: list[str] | None  # what triagebot was called with; None when it was not called
    env: dict[str, str]  # OPENAI_* and GITHUB_TOKEN as triagebot saw them
    output: str  # $GITHUB_OUTPUT
    summary: str  # $GITHUB_STEP_SUMMARY
    stdout: str


def _run_bash(script: str, *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``script`` under the shell GitHub uses for a ``run:`` step on Linux."""
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _run_step(tmp_path: Path, exit_code: int = 0, **inputs: str) -> Ran:
    """The action's "Run triagebot" script under bash, as the runner would run it, with the
    action's input defaults and ``inputs`` in its environment. ``triagebot`` on PATH is a stand-in
    that records its arguments (NUL-separated, so any character survives) and exits ``exit_code``."""
    (step,) = [s for s in _steps(_action()) if s.get("id") == "run"]
    defaults = {name: str(spec.get("default", "")) for name, spec in _action()["inputs"].items()}
    values = {
        **defaults,
        "github-token": "ghs_PR-TOKEN",
        **{k.replace("_", "-"): v for k, v in inputs.items()},
    }
    env = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
    }
    for name, expression in step["env"].items():
        match = re.fullmatch(r"\$\{\{ (inputs\.([\w-]+)|github\.token) \}\}", expression)
        assert match, f"{name}: {expression}"
        env[name] = values[match.group(2)] if match.group(2) else FAKE_TOKEN
    (tmp_path / "bin").mkdir(parents=True, exist_ok=True)
    stub = tmp_path / "bin" / "triagebot"
    stub.write_text(
        "#!/usr/bin/env bash\n"
        'printf "%s\\0" "$@" > "$STUB_DIR/argv"\n'
        'printf "%s\\0" "$OPENAI_API_KEY" "$OPENAI_BASE_URL" "$GITHUB_TOKEN" > "$STUB_DIR/env"\n'
        f"exit {exit_code}\n",
        encoding="utf-8",
    )
    stub.chmod(0o755)
    env["STUB_DIR"] = str(tmp_path)
    result = _run_bash(step["run"], cwd=tmp_path, env=env)

    def read(name: str) -> str:
        path = tmp_path / name
        return path.read_text(encoding="utf-8") if path.exists() else ""

    argv = read("argv").split("\0")[:-1] if (tmp_path / "argv").exists() else None
    seen = read("env").split("\0")[:-1]
    return Ran(
        result.returncode,
        argv,
        dict(zip(("OPENAI_API_KEY", "OPENAI_BASE_URL", "GITHUB_TOKEN"), seen, strict=False)),
        read("output"),
        read("summary"),
        result.stdout + result.stderr,
    )


def test_action_runs_the_nightly_job_with_github_models_by_default(tmp_path: Path) -> None:
    ran = _run_step(tmp_path)
    assert ran.code == 0, ran.stdout
    assert ran.argv == ["run", "--state", "state", "--config", "triagebot.toml", "--report", "report.json"]
    assert ran.env == {
        "OPENAI_API_KEY": FAKE_TOKEN,
        "OPENAI_BASE_URL": MODELS_URL,
        "GITHUB_TOKEN": "ghs_PR-TOKEN",
    }
    assert ran.output == "exit-code=0\n"


def test_action_passes_each_input_as_one_argument_whatever_it_holds(tmp_path: Path) -> None:
    hostile = '2503.19357; touch pwned $(touch pwned2) "`touch pwned3`"'
    ran = _run_step(
        tmp_path,
        since="2025-03-01",
        until="2025-03-08",
        ids=hostile,
        model="my model",
        list="lists/my list.md",
        config="conf/triage bot.toml",
        dry_run="true",
    )
    assert ran.code == 0, ran.stdout
    assert ran.argv == [
        "run", "--state", "state", "--since", "2025-03-01", "--until", "2025-03-08", "--ids", hostile,
        "--model", "my model", "--config", "conf/triage bot.toml", "--report", "report.json",
        "--list", "lists/my list.md", "--publish", "dir:previews",
    ]  # fmt: skip
    assert not list(tmp_path.glob("pwned*"))
    assert "Dry run" in ran.summary


def test_action_with_an_own_key_uses_it_and_never_sends_the_job_token_elsewhere(tmp_path: Path) -> None:
    own = _run_step(tmp_path / "own", api_key="sk-own", base_url="https://llm.example/v1")
    assert own.env["OPENAI_API_KEY"] == "sk-own" and own.env["OPENAI_BASE_URL"] == "https://llm.example/v1"
    openai = _run_step(tmp_path / "openai", api_key="sk-own")
    assert openai.env["OPENAI_BASE_URL"] == "https://api.openai.com/v1"
    refused = _run_step(tmp_path / "refused", base_url="https://llm.example/v1")
    assert refused.code == 2 and refused.argv is None
    assert "base-url needs api-key" in refused.stdout and refused.output == "exit-code=2\n"


def test_action_verify_passes_config_report_list_and_publish_through(tmp_path: Path) -> None:
    ran = _run_step(tmp_path, command="verify", dry_run="true", since="2025-03-01", ids="2503.19357")
    assert ran.argv == [
        "verify", "--config", "triagebot.toml", "--report", "report.json", "--publish", "dir:previews"
    ]  # fmt: skip
    plain = _run_step(tmp_path / "plain", command="verify", list="README.md")
    assert plain.argv == [
        "verify",
        "--config",
        "triagebot.toml",
        "--report",
        "report.json",
        "--list",
        "README.md",
        "--publish",
        "github",  # verify opens the upkeep PR only when told to
    ]


def test_action_refuses_an_unknown_command_and_passes_triagebots_exit_code_on(tmp_path: Path) -> None:
    unknown = _run_step(tmp_path / "unknown", command="rm -rf /")
    assert unknown.code == 2 and unknown.argv is None and "rm -rf" not in unknown.stdout
    partial = _run_step(tmp_path / "partial", exit_code=1)
    assert partial.code == 1 and partial.output == "exit-code=1\n"
    assert "::warning::some papers failed" in partial.stdout


# ------------------------------------------------------------------ triage.yml, the reference caller


def _action_step(workflow: dict[str, Any]) -> dict[str, Any]:
    (step,) = [s for s in _steps(workflow) if s.get("uses") == SELF or "/triagebot@" in s.get("uses", "")]
    return step


def test_triage_runs_nightly_after_the_arxiv_announcement_off_the_hour() -> None:
    schedule = _load(TRIAGE)["on"]["schedule"]
    assert len(schedule) == 1
    minute, hour, _dom, _month, weekdays = schedule[0]["cron"].split()
    assert minute not in {"0", "00", "*"}
    assert 0 <= int(hour) <= 6  # arXiv announces at 00:00 UTC
    assert weekdays == "1-5"


def test_triage_calls_the_action_of_this_commit_on_the_example() -> None:
    workflow = _load(TRIAGE)
    step = _action_step(workflow)
    assert step["uses"] == SELF
    assert (REPO_ROOT / step["with"]["config"]).is_file()
    assert (REPO_ROOT / step["with"]["list"]).is_file()
    assert set(step["with"]) <= set(_action()["inputs"])
    assert "secrets.OPENAI_API_KEY" in step["with"]["api-key"]
    assert step["with"]["github-token"] == "${{ secrets.TRIAGEBOT_TOKEN || github.token }}"


@pytest.mark.parametrize("workflow", ["triage.yml", "README"])
def test_manual_inputs_reach_the_action(workflow: str) -> None:
    doc = _load(TRIAGE) if workflow == "triage.yml" else _readme_workflow()
    inputs = doc["on"]["workflow_dispatch"]["inputs"]
    assert set(inputs) == {"since", "until", "ids", "dry_run"}
    assert inputs["dry_run"]["type"] == "boolean" and inputs["dry_run"]["default"] is True
    passed = _action_step(doc)["with"]
    for name in inputs:
        assert passed[name.replace("_", "-")] == f"${{{{ inputs.{name} }}}}"


@pytest.mark.parametrize("workflow", ["triage.yml", "README"])
def test_job_permissions_environment_and_concurrency(workflow: str) -> None:
    doc = _load(TRIAGE) if workflow == "triage.yml" else _readme_workflow()
    assert doc["permissions"] == {}
    (job,) = doc["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write", "models": "read"}
    assert job["environment"] == "triagebot"
    assert "vars.TRIAGEBOT_ENABLED == 'true'" in job["if"]
    assert doc["concurrency"]["cancel-in-progress"] is False


# ------------------------------------------------------------------ the README's workflow


def _readme_yaml(heading: str) -> str:
    """The ```yaml block of the README's section ``## <heading>``."""
    section = README.read_text(encoding="utf-8").split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"^```yaml\n(.*?)^```$", section, re.S | re.M)
    assert match, f"the README section {heading!r} shows its workflow in a ```yaml block"
    return match.group(1)


def _readme_workflow_text() -> str:
    return _readme_yaml("Install the bot on a list repository")


def _readme_workflow() -> dict[str, Any]:
    return _parse(_readme_workflow_text())


def test_readme_workflow_is_complete_in_at_most_40_lines() -> None:
    text = _readme_workflow_text()
    assert len(text.splitlines()) <= 40
    workflow = _readme_workflow()
    assert workflow["on"]["schedule"] == _load(TRIAGE)["on"]["schedule"]
    (job,) = workflow["jobs"].values()
    checkout, bot = job["steps"]
    assert (
        checkout["uses"].startswith("actions/checkout@") and checkout["with"]["persist-credentials"] is False
    )
    assert re.fullmatch(r"OWNER/triagebot@[0-9a-f]{40}", bot["uses"]), bot["uses"]
    assert set(bot["with"]) <= set(_action()["inputs"])
    assert bot["with"]["github-token"] == _action_step(_load(TRIAGE))["with"]["github-token"]
    assert bot["with"]["api-key"] == "${{ secrets.OPENAI_API_KEY }}"


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
    """Run the action's own restore/save scripts against a local 'origin': first run (no
    branch), save, restore into a fresh checkout, unchanged (no commit), changed (one commit)."""
    action = _action()
    restore = _step(action, "Restore state")["run"]
    save = _step(action, "Save state")["run"]
    origin = tmp_path / "origin.git"
    summary = tmp_path / "summary.md"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
        "GITHUB_TOKEN": FAKE_TOKEN,
        "STATE_BRANCH": action["inputs"]["state-branch"]["default"],
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
        result = _run_bash(script, cwd=work, env=env)
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
    """verify.yml is a caller of the action, like triage.yml: one step, no install of its own."""
    step = _step(_load(VERIFY), "Verify")
    assert step["uses"] == "$/"
    assert step["with"]["command"] == "verify"
    assert step["with"]["dry-run"] == "${{ inputs.dry_run }}"
    assert "run" not in step
