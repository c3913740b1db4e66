"""The pipeline's bookkeeping with typed fakes of the ports: one outcome per paper, nothing lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.fakes import FakePublisher, FakeSource, FakeStateStore, make_paper
from triagebot.adapters.llm.fixture import FixtureLLM
from triagebot.config import Config, LLMConfig, PublishConfig
from triagebot.errors import PublishError
from triagebot.models import ExistingPR, Outcome, PRState
from triagebot.pipeline import RunOptions, RunPlan, run_pipeline

LIST = (Path(__file__).parent / "fixtures" / "awesome-xad-README.md").read_text(encoding="utf-8")
UNTIL = datetime(2025, 3, 27, tzinfo=UTC)
SECTION = "Image / Foundation-model-based"


def _paper(index: int, relevant: bool = True):  # type: ignore[no-untyped-def]
    arxiv_id = f"2503.{30000 + index}"
    return make_paper(
        arxiv_id,
        title=f"Zero-shot anomaly segmentation number {index} with vision-language models",
        abstract="We propose a CLIP-based method for zero-shot anomaly detection and localization in images.",
    )


def _decisions(tmp_path: Path, ids: list[str]) -> FixtureLLM:
    path = tmp_path / "decisions.jsonl"
    path.write_text(
        "".join(json.dumps({"arxiv_id": i, "relevant": True, "section": SECTION}) + "\n" for i in ids)
    )
    return FixtureLLM(path)


def _config(**publish: object) -> Config:
    return Config(
        llm=LLMConfig(requests_per_minute=100_000, prefilter=False),
        publish=PublishConfig(**publish),  # type: ignore[arg-type]
    )


def _run(tmp_path: Path, source: FakeSource, publisher: FakePublisher, state: FakeStateStore, **kw: object):  # type: ignore[no-untyped-def]
    papers = source._papers
    return run_pipeline(
        RunPlan(
            config=_config(**kw),
            options=RunOptions(run_id="r1", list_path="README.md", until=UNTIL),
            source=source,
            llm=_decisions(tmp_path, [p.arxiv_id for p in papers]),
            publisher=publisher,
            state=state,
        )
    )


def test_every_paper_gets_one_outcome_and_the_cursor_moves(tmp_path: Path) -> None:
    papers = [_paper(i) for i in range(3)]
    state = FakeStateStore()
    publisher = FakePublisher(LIST)
    report = _run(tmp_path, FakeSource(papers), publisher, state)
    assert [p.outcome for p in report.papers] == [Outcome.PUBLISHED] * 3
    assert report.published == 3 and not report.errors
    assert [p.arxiv_ids for p in publisher.published] == [(p.arxiv_id,) for p in papers]
    assert state.cursor() is not None and state.cursor().until == UNTIL  # type: ignore[union-attr]
    # decisions were logged (proposed) before publishing, then the outcome (published)
    assert [r.outcome for r in state.records if r.arxiv_id == papers[0].arxiv_id] == [
        Outcome.PROPOSED,
        Outcome.PUBLISHED,
    ]


def test_a_source_failure_keeps_what_was_fetched_and_does_not_move_the_cursor(tmp_path: Path) -> None:
    papers = [_paper(i) for i in range(4)]
    state = FakeStateStore()
    report = _run(tmp_path, FakeSource(papers, fail_after=2), FakePublisher(LIST), state)
    assert report.fetched == 2 and report.published == 2
    assert [e.stage for e in report.errors] == ["fetch"]
    assert state.cursor() is None  # the window is retried next run


def test_closed_pr_is_rejected_by_maintainer_and_open_pr_is_not_reopened(tmp_path: Path) -> None:
    closed, opened, new = _paper(1), _paper(2), _paper(3)
    existing = {
        closed.arxiv_id: ExistingPR(closed.arxiv_id, 7, PRState.CLOSED, "https://x/pull/7", "triagebot/a"),
        opened.arxiv_id: ExistingPR(opened.arxiv_id, 8, PRState.OPEN, "https://x/pull/8", "triagebot/b"),
    }
    publisher = FakePublisher(LIST, existing)
    report = _run(tmp_path, FakeSource([closed, opened, new]), publisher, FakeStateStore())
    outcomes = {p.arxiv_id: p.outcome for p in report.papers}
    assert outcomes == {
        closed.arxiv_id: Outcome.REJECTED_BY_MAINTAINER,
        opened.arxiv_id: Outcome.PUBLISHED,
        new.arxiv_id: Outcome.PUBLISHED,
    }
    assert [p.arxiv_ids for p in publisher.published] == [(new.arxiv_id,)]


def test_caps_leave_the_rest_pending_with_their_decision_kept(tmp_path: Path) -> None:
    papers = [_paper(i) for i in range(4)]
    state = FakeStateStore()
    publisher = FakePublisher(LIST)
    report = _run(tmp_path, FakeSource(papers), publisher, state, max_new_prs=1)
    assert report.published == 1 and report.pending == 3
    pending = state.load()[papers[3].arxiv_id]
    assert pending.outcome is Outcome.PENDING and pending.decision is not None
    # next run: the pending papers are published without asking the model again
    classifier_path = tmp_path / "empty.jsonl"
    classifier_path.write_text("")
    report2 = run_pipeline(
        RunPlan(
            config=_config(max_new_prs=10),
            options=RunOptions(run_id="r2", list_path="README.md", until=UNTIL),
            source=FakeSource(papers),
            llm=FixtureLLM(classifier_path),
            publisher=publisher,
            state=state,
        )
    )
    assert report2.llm.calls == 0
    assert len(publisher.published) == 4


class _GitHubDown(FakePublisher):
    def existing(self, arxiv_ids):  # type: ignore[no-untyped-def]
        raise PublishError("GitHub said 502")


def test_github_down_keeps_decisions_pending_and_opens_nothing(tmp_path: Path) -> None:
    papers = [_paper(i) for i in range(2)]
    state = FakeStateStore()
    publisher = _GitHubDown(LIST)
    report = _run(tmp_path, FakeSource(papers), publisher, state)
    assert not publisher.published
    assert {p.outcome for p in report.papers} == {Outcome.PENDING}
    assert all(state.load()[p.arxiv_id].decision for p in papers)
    assert report.errors and report.errors[0].stage == "screen"


def test_paper_already_in_the_list_is_a_duplicate_without_a_model_call(tmp_path: Path) -> None:
    listed = make_paper("2503.19357", title="Correcting Deviations from Normality")
    report = _run(tmp_path, FakeSource([listed]), FakePublisher(LIST), FakeStateStore())
    assert [p.outcome for p in report.papers] == [Outcome.DUPLICATE]
    assert report.llm.calls == 0


@pytest.mark.parametrize("max_papers", [0, 1])
def test_max_papers_defers_the_rest(tmp_path: Path, max_papers: int) -> None:
    papers = [_paper(i) for i in range(3)]
    state = FakeStateStore()
    report = run_pipeline(
        RunPlan(
            config=_config(),
            options=RunOptions(run_id="r", list_path="README.md", until=UNTIL, max_papers=max_papers),
            source=FakeSource(papers),
            llm=_decisions(tmp_path, [p.arxiv_id for p in papers]),
            publisher=FakePublisher(LIST),
            state=state,
        )
    )
    assert report.pending == 3 - max_papers
    assert len(report.papers) == 3


def test_a_pr_opened_but_not_recorded_is_found_and_recorded_as_published(tmp_path: Path) -> None:
    """The crash window: the PR exists, the log still says proposed. The rerun settles it."""
    paper = _paper(1)
    state = FakeStateStore()
    publisher = FakePublisher(LIST)
    _run(tmp_path, FakeSource([paper]), publisher, state)
    state.records = [r for r in state.records if r.outcome is not Outcome.PUBLISHED]  # lost on crash
    assert state.load()[paper.arxiv_id].outcome is Outcome.PROPOSED
    pr = ExistingPR(paper.arxiv_id, 1, PRState.OPEN, "https://x/pull/1", "triagebot/" + paper.arxiv_id)
    rerun = FakePublisher(LIST, {paper.arxiv_id: pr})
    report = _run(tmp_path, FakeSource([paper]), rerun, state)
    assert not rerun.published and report.llm.calls == 0
    assert state.load()[paper.arxiv_id].outcome is Outcome.PUBLISHED
    assert state.load()[paper.arxiv_id].pr_url == "https://x/pull/1"


def test_a_merged_bot_pr_stays_published_once_its_entry_is_in_the_list(tmp_path: Path) -> None:
    listed = make_paper("2503.19357", title="Correcting Deviations from Normality")
    pr = ExistingPR(listed.arxiv_id, 3, PRState.MERGED, "https://x/pull/3", "triagebot/2503.19357")
    report = _run(
        tmp_path, FakeSource([listed]), FakePublisher(LIST, {listed.arxiv_id: pr}), FakeStateStore()
    )
    assert [p.outcome for p in report.papers] == [Outcome.PUBLISHED]


def test_a_paper_that_keeps_failing_is_left_alone_after_three_runs(tmp_path: Path) -> None:
    paper = _paper(1)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"arxiv_id": paper.arxiv_id, "relevant": True, "section": "Datasets"}) + "\n")
    state = FakeStateStore()
    calls = []
    for run_id in ("r1", "r2", "r3", "r4"):
        report = run_pipeline(
            RunPlan(
                config=_config(),
                options=RunOptions(run_id=run_id, list_path="README.md", until=UNTIL),
                source=FakeSource([paper]),
                llm=FixtureLLM(path),
                publisher=FakePublisher(LIST),
                state=state,
            )
        )
        calls.append(report.llm.calls)
    assert all(calls[:3]) and calls[3] == 0  # screen + classify each run, then nothing
    last = state.load()[paper.arxiv_id]
    assert last.outcome is Outcome.ERROR and last.attempts == 3
    assert report.skipped == {"failed 3 runs in a row": 1}


class _FailingPublish(FakePublisher):
    def publish(self, proposal):  # type: ignore[no-untyped-def]
        raise PublishError("GitHub said 500")


def test_a_failed_publish_is_retried_next_run_without_asking_the_model_again(tmp_path: Path) -> None:
    paper = _paper(1)
    state = FakeStateStore()
    first = _run(tmp_path, FakeSource([paper]), _FailingPublish(LIST), state)
    assert [p.outcome for p in first.papers] == [Outcome.ERROR]
    assert state.load()[paper.arxiv_id].decision is not None
    publisher = FakePublisher(LIST)
    second = _run(tmp_path, FakeSource([paper]), publisher, state)
    assert second.llm.calls == 0
    assert [p.outcome for p in second.papers] == [Outcome.PUBLISHED]


class _BrokenLLM:
    model = "broken"

    def complete(self, request):  # type: ignore[no-untyped-def]
        raise RuntimeError("the SDK changed under us")


def test_an_unexpected_triage_failure_records_every_paper_as_an_error(tmp_path: Path) -> None:
    papers = [_paper(i) for i in range(2)]
    state = FakeStateStore()
    report = run_pipeline(
        RunPlan(
            config=_config(),
            options=RunOptions(run_id="r", list_path="README.md", until=UNTIL),
            source=FakeSource(papers),
            llm=_BrokenLLM(),
            publisher=FakePublisher(LIST),
            state=state,
        )
    )
    assert {p.outcome for p in report.papers} == {Outcome.ERROR}
    assert set(state.load()) == {p.arxiv_id for p in papers}
    assert "the SDK changed under us" in report.errors[0].message
