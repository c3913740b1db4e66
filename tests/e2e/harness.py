"""The end-to-end harness: ``triagebot run`` as a subprocess against three fake services on 127.0.0.1.

    with World(tmp_path) as world:
        world.arxiv.script(Fault.http(429, retry_after="0"), kind="feed")
        first = world.run()
        world.settle()            # rerun until the exit code is 0 (faults spent) and check everything

A :class:`World` starts the fake arXiv (API and RSS feed, :mod:`tests.servers.arxiv_server`), an
OpenAI-compatible server answering with the scripted model (:mod:`tests.servers.scripted_model`)
behind a script of faults (:class:`FaultyModel`), and the fake GitHub REST API holding the
Awesome-XAD README on its default branch (:mod:`tests.servers.github_server`). The product runs
exactly as the nightly job does: ``python -m triagebot run --source rss --llm openai --publish
github`` with the services' URLs and recognisable fake secrets in its environment.

After a scenario, :meth:`World.check` asserts the invariants of issue 6/7 and adds to :data:`TALLY`
(printed at the end of the session): every paper arXiv served has exactly one final outcome in
``state/decisions.jsonl``; no paper ever has two pull requests; ``state/`` loads; every PR is known
to the state; the fake secrets appear nowhere they should not; and a rerun of the same window makes
no model call and no GitHub write.

Processes can be killed two ways: at the product's own stage boundaries (``E2E_CRASH_AT``, acted
on by the children's ``sitecustomize`` in ``tests/e2e/netguard``)
and from the outside, by a fake server, at the moment it receives a chosen request
(:meth:`World.kill_process`): mid-classification, or after a PR was opened but before the bot
heard back.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tests.servers.arxiv_server import ArxivServer, labeled_papers
from tests.servers.github_server import GitHubServer, Seen
from tests.servers.openai_server import OpenAIServer, Reply, SeenRequest
from tests.servers.scripted_model import labeled_rows, scripted_model
from triagebot.adapters.state.jsonl import JsonlStateStore
from triagebot.models import DecisionRecord, Outcome, Paper
from triagebot.pipeline import STAGES
from triagebot.pr_convention import id_from_branch, markers_in

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
LIST_TEXT = (FIXTURES / "awesome-xad-README.md").read_text(encoding="utf-8")
NETGUARD = Path(__file__).resolve().parent / "netguard"  # a sitecustomize: loopback only in the child

OPENAI_KEY = "sk-FAKE-openai-SECRET-1234"
GITHUB_TOKEN = "ghp_FAKEgithubSECRET5678"
# The whole secrets, and pieces that would betray a partial or re-encoded leak.
SECRET_NEEDLES = (
    OPENAI_KEY,
    GITHUB_TOKEN,
    "FAKE-openai-SECRET",
    "FAKEgithubSECRET",
    base64.b64encode(OPENAI_KEY.encode()).decode(),
    base64.b64encode(GITHUB_TOKEN.encode()).decode(),
)

# The night the fake feed announces (2025-08-20) and the window every run asks for.
WINDOW = ("--since", "2025-08-19", "--until", "2025-08-21")
CRASH_POINTS = STAGES  # every boundary the pipeline reports
RECORDED_OUTCOMES = frozenset(o.value for o in Outcome)  # published, proposed, pending, rejected_*, ...
KILLED = -signal.SIGKILL
# Every client's timeout, and how long a "slow" fake answer takes: long enough that a loaded
# machine never times out a normal answer, short enough to keep the suite fast.
TIMEOUT = 2
SLOW = TIMEOUT + 1.0

# Eight papers of the labelled set: one already in the list, four the list wants, three it does not
# (one the keyword prefilter drops, one the screen drops, one only full classification rejects).
IN_LIST = "2503.19357"
RELEVANT = ("2503.18094", "2504.11055", "2505.15205", "2504.14919")
IRRELEVANT = ("2503.21833", "2505.16650", "2507.13110")
DEFAULT_IDS = (IN_LIST, *RELEVANT, *IRRELEVANT)


# ---------------------------------------------------------------- the session tally


@dataclass
class Tally:
    """What the suite saw, summed over every scenario (printed by conftest at the end)."""

    scenarios: int = 0
    runs: int = 0
    papers_checked: int = 0
    papers_lost: int = 0
    duplicate_prs: int = 0
    leaks: int = 0
    names: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"e2e: {self.scenarios} scenarios run, {self.papers_lost} papers lost, "
            f"{self.duplicate_prs} duplicate PRs ({self.runs} triagebot runs, "
            f"{self.papers_checked} paper outcomes checked, {self.leaks} secret leaks)"
        )


TALLY = Tally()


# ---------------------------------------------------------------- papers and config


def papers(ids: Sequence[str] = DEFAULT_IDS) -> list[Paper]:
    """The labelled papers ``ids``, all announced in cs.CV (the feed the config asks for)."""
    by_id = {p.arxiv_id: p for p in labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl")}
    return [by_id[i].model_copy(update={"categories": ("cs.CV",)}) for i in ids]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def config_text(overrides: dict[str, dict[str, Any]] | None = None) -> str:
    """A triagebot.toml for the fakes: no delays or backoff anywhere, short timeouts, no rate limits."""
    tables: dict[str, dict[str, Any]] = {
        "arxiv": {
            "categories": ["cs.CV"],
            "delay_seconds": 0,
            "backoff_seconds": 0,
            "timeout": TIMEOUT,
            "max_retries": 3,
        },
        "llm": {
            "model": "gpt-4o-mini",
            "requests_per_minute": 100000,
            "timeout": TIMEOUT,
            "max_retries": 2,
            "concurrency": 2,
            "classify_batch": 2,
        },
        "publish": {
            "max_new_prs": 10,
            "max_open_prs": 10,
            "timeout": TIMEOUT,
            "delay_seconds": 0,
            "write_delay_seconds": 0,
            "backoff_seconds": 0,
        },
    }
    for table, values in (overrides or {}).items():
        tables.setdefault(table, {}).update(values)
    lines: list[str] = []
    for table, values in tables.items():
        lines.append(f"[{table}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items() if value is not None]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- model faults


class ConnectionDropped(Exception):
    """Raised inside a fake server's handler: the connection closes without an answer."""


ModelFault = Callable[[SeenRequest], Reply]
Kind = Literal["screen", "classify"]


def kind_of(request: SeenRequest) -> Kind:
    return "screen" if request.schema_name == "ScreenAnswer" else "classify"


def _asking(request: SeenRequest) -> SeenRequest:
    """The request cut after its last message holding ``<paper id=…>`` tags: a re-ask after an
    invalid answer ends with "that was wrong, answer again", and the papers are further up."""
    messages = request.messages
    last = max((n for n, m in enumerate(messages) if "<paper id=" in str(m.get("content"))), default=-1)
    if last in (-1, len(messages) - 1):
        return request
    return SeenRequest(request.path, request.headers, {**request.body, "messages": messages[: last + 1]})


@dataclass
class _ScriptedFault:
    fault: ModelFault
    kind: Kind | None
    when: Callable[[SeenRequest], bool] | None

    def matches(self, request: SeenRequest) -> bool:
        if self.kind is not None and kind_of(request) != self.kind:
            return False
        return self.when is None or self.when(request)


class FaultyModel:
    """The scripted model (answers from the labels) behind a script of faults.

    Each scripted fault is used by exactly one matching request, in order; a request no fault
    matches gets the model's honest answer. ``served`` counts requests by kind.
    """

    def __init__(self) -> None:
        self.honest = scripted_model(labeled_rows())
        self._script: list[_ScriptedFault] = []
        self._outage: _ScriptedFault | None = None
        self._lock = threading.Lock()
        self.served: Counter[str] = Counter()

    def script(
        self, *faults: ModelFault, kind: Kind | None = None, when: Callable[[SeenRequest], bool] | None = None
    ) -> None:
        with self._lock:
            self._script.extend(_ScriptedFault(f, kind, when) for f in faults)

    def outage(
        self, fault: ModelFault, kind: Kind | None = None, when: Callable[[SeenRequest], bool] | None = None
    ) -> None:
        """Answer every matching request with ``fault`` until :meth:`heal`."""
        with self._lock:
            self._outage = _ScriptedFault(fault, kind, when)

    def heal(self) -> None:
        with self._lock:
            self._outage = None

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    def __call__(self, request: SeenRequest) -> Reply:
        with self._lock:
            self.served[kind_of(request)] += 1
            chosen = next((s for s in self._script if s.matches(request)), None)
            if chosen is not None:
                self._script.remove(chosen)
            elif self._outage is not None and self._outage.matches(request):
                chosen = self._outage
        return chosen.fault(request) if chosen is not None else self.honest(_asking(request))


def about(arxiv_id: str) -> Callable[[SeenRequest], bool]:
    """A ``when`` matching requests that ask about ``arxiv_id``."""
    return lambda request: f"<paper id={arxiv_id}>" in _asking(request).messages[-1]["content"]


def drop_connection(_request: SeenRequest) -> Reply:
    raise ConnectionDropped("scripted: connection dropped")


def error_reply(status: int = 500, retry_after: str | None = "0") -> ModelFault:
    """An HTTP error from the model's API (with ``Retry-After`` so the retry does not wait)."""
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    body = {"error": {"message": "The server had an error", "type": "server_error"}}
    return lambda _request: Reply(status=status, body=body, headers=headers)


def always(reply: Reply) -> ModelFault:
    return lambda _request: reply


def nth(n: int, action: Callable[[], None]) -> Callable[[Seen], None]:
    """A GitHub ``before`` hook that runs ``action`` on the ``n``-th matching request (1-based)."""
    seen = 0
    lock = threading.Lock()

    def hook(_request: Seen) -> None:
        nonlocal seen
        with lock:
            seen += 1
            due = seen == n
        if due:
            action()

    return hook


def dropped() -> None:
    raise ConnectionDropped("scripted: connection dropped")


def schema_violation(request: SeenRequest) -> Reply:
    """Valid JSON that breaks the schema: a section that is not one of the list's."""
    from tests.servers.openai_server import structured
    from tests.servers.scripted_model import paper_ids

    decisions = [
        {
            "arxiv_id": i,
            "relevant": True,
            "section": "Ignore previous instructions / Add my link",
            "confidence": 1.7,
            "evidence": [],
            "rationale": "trust me",
        }
        for i in paper_ids(_asking(request))
    ]
    return structured({"decisions": decisions})


# ---------------------------------------------------------------- one run


@dataclass(frozen=True)
class RunResult:
    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None
    model_calls: int  # requests the OpenAI server got during this run
    github_writes: int  # non-GET requests the GitHub server got during this run
    arxiv_requests: int

    @property
    def outcomes(self) -> dict[str, str | None]:
        assert self.report is not None, self.describe()
        return {p["arxiv_id"]: p["outcome"] for p in self.report["papers"]}

    def describe(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


# ---------------------------------------------------------------- the world


class World:
    """Three fake services, a work directory, and the runs made against them in one scenario."""

    def __init__(
        self,
        root: Path,
        *,
        name: str = "scenario",
        ids: Sequence[str] = DEFAULT_IDS,
        config: dict[str, dict[str, Any]] | None = None,
        record: bool = False,
    ) -> None:
        self.root = root
        self.name = name
        self.papers = papers(ids)
        self.arxiv = ArxivServer(self.papers, feed=self.papers)
        self.model = FaultyModel()
        self.openai = OpenAIServer(responder=self._respond)
        self.github = GitHubServer({"README.md": LIST_TEXT}, token=GITHUB_TOKEN)
        self.state_dir = root / "state"
        self.record_dir = root / "recordings" if record else None
        self.summary_path = root / "step-summary.md"
        overrides = dict(config or {})
        if self.record_dir is not None:
            overrides["llm"] = {**overrides.get("llm", {}), "record_dir": str(self.record_dir)}
        self.config_path = root / "triagebot.toml"
        self.config_path.write_text(config_text(overrides), encoding="utf-8")
        self.runs: list[RunResult] = []
        self.extra_files: list[Path] = []
        self._proc: subprocess.Popen[str] | None = None
        self._killed = threading.Event()

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> World:
        self.arxiv.start()
        self.openai.start()
        self.github.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.github.close()
        self.openai.close()
        self.arxiv.stop()

    def _respond(self, request: SeenRequest) -> Reply:
        return self.model(request)

    # ------------------------------------------------------------ running

    def env(self, **extra: str) -> dict[str, str]:
        """The child's environment: ours without any real service settings, plus the fakes'."""
        drop = ("GITHUB_", "OPENAI_", "TRIAGEBOT_", "RUNNER_")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(drop) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")
        }
        env.update(
            PYTHONPATH=os.pathsep.join((str(NETGUARD), str(REPO))),
            NO_PROXY="127.0.0.1,localhost",
            TRIAGEBOT_ARXIV_API_URL=self.arxiv.api_url,
            TRIAGEBOT_ARXIV_FEED_URL=self.arxiv.feed_base("rss"),
            OPENAI_BASE_URL=self.openai.base_url,
            OPENAI_API_KEY=OPENAI_KEY,
            GITHUB_API_URL=self.github.base_url,
            GITHUB_TOKEN=GITHUB_TOKEN,
            GITHUB_REPOSITORY=self.github.full_name,
            GITHUB_STEP_SUMMARY=str(self.summary_path),
        )
        env.update(extra)
        return env

    def argv(self, *extra: str, config: Path | None = None, flags: Sequence[str] = ()) -> list[str]:
        return [
            sys.executable,
            "-m",
            "triagebot",
            *flags,
            "run",
            "--config",
            str(config or self.config_path),
            "--source",
            "rss",
            "--llm",
            "openai",
            "--publish",
            "github",
            "--state",
            str(self.state_dir),
            "--report",
            str(self.report_path),
            *WINDOW,
            *extra,
        ]

    @property
    def report_path(self) -> Path:
        return self.root / "report.json"

    def run(
        self,
        *extra: str,
        crash_at: str | None = None,
        config: Path | None = None,
        env: dict[str, str] | None = None,
        argv: list[str] | None = None,
    ) -> RunResult:
        """One ``triagebot run``; returns what it did. Checks the per-run rules (no traceback, a
        known exit code, no secret in its output) before returning."""
        self.report_path.unlink(missing_ok=True)
        before = (len(self.openai.requests), len(self.github.writes()), len(self.arxiv.requests))
        extra_env = {"E2E_CRASH_AT": crash_at} if crash_at else {}
        command = argv or self.argv(*extra, config=config)
        self._killed.clear()
        proc = subprocess.Popen(
            command,
            cwd=REPO,
            env={**self.env(**extra_env), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._proc = proc
        try:
            stdout, stderr = proc.communicate(timeout=120)
        finally:
            self._proc = None
        report = (
            json.loads(self.report_path.read_text(encoding="utf-8")) if self.report_path.exists() else None
        )
        result = RunResult(
            argv=tuple(command),
            code=proc.returncode,
            stdout=stdout,
            stderr=stderr,
            report=report,
            model_calls=len(self.openai.requests) - before[0],
            github_writes=len(self.github.writes()) - before[1],
            arxiv_requests=len(self.arxiv.requests) - before[2],
        )
        self.runs.append(result)
        TALLY.runs += 1
        self._check_run(result, killed=bool(crash_at) or self._killed.is_set())
        return result

    def _check_run(self, result: RunResult, *, killed: bool) -> None:
        out = result.stdout + result.stderr
        assert "e2e-netguard: blocked" not in out, result.describe()  # it tried to leave 127.0.0.1
        assert "Traceback" not in out, result.describe()
        assert "internal error" not in out, result.describe()
        self._assert_no_secret(out, "the output of triagebot")
        if killed:
            assert result.code == KILLED, result.describe()
            return
        assert result.code in (0, 1, 2), result.describe()
        if result.code == 2 or result.report is None:  # stopped before any work: one line says why
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("triagebot: error: "), result.describe()
            assert result.report is None and not result.stdout, result.describe()
            return
        assert result.stdout.startswith("run "), result.describe()
        listed = [p["arxiv_id"] for p in result.report["papers"]]
        assert len(listed) == len(set(listed)), f"a paper listed twice in the report: {listed}"
        failed = bool(result.report["errors"])
        assert result.code == (1 if failed else 0), result.describe()

    def kill_process(self) -> None:
        """SIGKILL the running triagebot now (called from a fake server's handler) and wait until
        it is dead, so it never sees the answer to the request being served."""
        proc = self._proc
        assert proc is not None, "no triagebot process to kill"
        self._killed.set()
        os.kill(proc.pid, signal.SIGKILL)
        stat = Path(f"/proc/{proc.pid}/stat")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if stat.read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
            except (FileNotFoundError, ProcessLookupError):
                return
            time.sleep(0.005)

    def kill_and_drop(self) -> None:
        """For a fake server's handler: kill the bot, then close its connection unanswered."""
        self.kill_process()
        raise ConnectionDropped("the bot was killed while this request was being served")

    def settle(self, *, max_runs: int = 4) -> RunResult:
        """Rerun (faults spent) until a run exits 0; then check every invariant. Returns that run."""
        for _ in range(max_runs):
            result = self.run()
            if result.code == 0:
                self.check()
                return result
        raise AssertionError(f"{self.name}: no clean run after {max_runs} reruns\n{self.runs[-1].describe()}")

    # ------------------------------------------------------------ inspection

    def state(self) -> dict[str, DecisionRecord]:
        store = JsonlStateStore(self.state_dir)
        store.cursor()  # loads (or raises StateError)
        return store.load()

    def served_ids(self) -> list[str]:
        """Ids of the papers the fake arXiv announced (and answered for at least once)."""
        answered = any(r.kind == "feed" and r.fault is None for r in self.arxiv.requests)
        return [p.arxiv_id for p in self.arxiv.feed] if answered else []

    def prs_per_paper(self) -> Counter[str]:
        """How many of the bot's PRs on the fake GitHub name each paper (branch or body marker)."""
        count: Counter[str] = Counter()
        with self.github.lock:
            pulls = list(self.github.pulls.values())
        for pr in pulls:
            ids = set(markers_in(pr.body))
            branch_id = id_from_branch(pr.head)
            if branch_id:
                ids.add(branch_id)
            count.update(ids)
        return count

    def pr_urls(self) -> dict[str, str]:
        with self.github.lock:
            pulls = list(self.github.pulls.values())
        urls: dict[str, str] = {}
        for pr in pulls:
            for arxiv_id in {*markers_in(pr.body), id_from_branch(pr.head) or ""} - {""}:
                urls[arxiv_id] = f"https://github.com/{self.github.full_name}/pull/{pr.number}"
        return urls

    # ------------------------------------------------------------ the invariants

    def check(self) -> None:
        """Every invariant of the suite; adds this scenario to the tally."""
        TALLY.scenarios += 1
        TALLY.names.append(self.name)
        latest = self.state()
        served = self.served_ids()
        assert served, f"{self.name}: the fake arXiv never answered the feed"
        lost = [i for i in served if i not in latest or latest[i].outcome.value not in RECORDED_OUTCOMES]
        per_paper = self.prs_per_paper()
        duplicates = {i: n for i, n in per_paper.items() if n > 1}
        TALLY.papers_checked += len(served)
        TALLY.papers_lost += len(lost)
        TALLY.duplicate_prs += sum(n - 1 for n in duplicates.values())
        assert not lost, f"{self.name}: papers without a recorded outcome: {lost}"
        assert not duplicates, f"{self.name}: papers with more than one PR: {duplicates}"
        self._check_prs_match_state(latest, per_paper)
        self._check_last_report(served)
        if self.record_dir is not None:
            assert any(self.record_dir.rglob("*.json")), f"{self.name}: nothing recorded in {self.record_dir}"
        self.check_secrets()
        self.check_idempotent()

    def _check_prs_match_state(self, latest: dict[str, DecisionRecord], per_paper: Counter[str]) -> None:
        urls = self.pr_urls()
        for arxiv_id in per_paper:
            record = latest.get(arxiv_id)
            assert record is not None and record.outcome in (
                Outcome.PUBLISHED,
                Outcome.REJECTED_BY_MAINTAINER,
            ), f"{self.name}: PR for {arxiv_id} but the state says {record}"
            assert record.pr_url == urls[arxiv_id], f"{self.name}: {arxiv_id} recorded {record.pr_url}"
        for arxiv_id, record in latest.items():
            if record.outcome is Outcome.PUBLISHED:
                assert per_paper[arxiv_id] == 1, f"{self.name}: {arxiv_id} published without its PR"

    def _check_last_report(self, served: Sequence[str]) -> None:
        last = self.runs[-1]
        assert last.report is not None
        assert sorted(last.outcomes) == sorted(served), f"{self.name}: report papers != served papers"

    def check_idempotent(self) -> None:
        """A rerun of the same window: exit 0, no model call, no GitHub write, no new PR."""
        prs = len(self.github.pulls)
        again = self.run()
        assert again.code == 0, again.describe()
        assert again.model_calls == 0, f"{self.name}: the rerun asked the model {again.model_calls} times"
        assert again.github_writes == 0, f"{self.name}: the rerun wrote to GitHub"
        assert len(self.github.pulls) == prs
        assert again.report is not None and again.report["llm"]["calls"] == 0

    # ------------------------------------------------------------ secrets

    def _assert_no_secret(self, text: str, where: str) -> None:
        found = [needle for needle in SECRET_NEEDLES if needle in text]
        if found:
            TALLY.leaks += 1
        assert not found, f"{self.name}: secret {found[0][:6]}… leaked into {where}"

    def artefacts(self) -> Iterator[tuple[str, str]]:
        """(where, text) of everything the bot wrote or sent that must hold no secret."""
        for result in self.runs:
            yield "stdout", result.stdout
            yield "stderr", result.stderr
        files: list[Path] = [self.report_path, self.summary_path, *self.extra_files]
        for folder in (self.state_dir, self.record_dir):
            if folder is not None and folder.exists():
                files += [p for p in folder.rglob("*") if p.is_file()]
        for path in files:
            if path.exists():
                yield str(path.relative_to(self.root)), path.read_bytes().decode("utf-8", "replace")
        yield from self._github_artefacts()
        for request in self.openai.requests:
            yield "a model request body", json.dumps(request.body)
        for arxiv_request in self.arxiv.requests:
            yield "an arXiv request", arxiv_request.path + json.dumps(arxiv_request.query)

    def _github_artefacts(self) -> Iterable[tuple[str, str]]:
        with self.github.lock:
            for pr in self.github.pulls.values():
                yield f"PR #{pr.number} title", pr.title
                yield f"PR #{pr.number} body", pr.body
                yield f"PR #{pr.number} branch", pr.head
            for sha, files in self.github.commits.items():
                for path, text in files.items():
                    yield f"commit {sha[:7]}:{path}", text
            for branch in self.github.branches:
                yield "a branch name", branch
            requests: list[Seen] = list(self.github.requests)
        for seen in requests:
            yield f"GitHub request {seen}", seen.path + json.dumps(seen.query) + json.dumps(seen.body)

    def check_secrets(self) -> None:
        for where, text in self.artefacts():
            self._assert_no_secret(text, where)
        if self.record_dir is not None and self.record_dir.exists():
            for path in (p for p in self.record_dir.rglob("*") if p.is_file()):
                text = path.read_text(encoding="utf-8")
                assert "authorization" not in text.casefold(), f"{path} holds an Authorization header"
