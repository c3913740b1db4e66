"""One nightly pass: fetch -> screen -> classify -> compose -> publish -> record.

Knows the ports, never an SDK. Every fetched paper leaves with exactly one outcome in the report,
and every decision worth keeping is appended to the state log *before* the next stage acts on it,
so a process killed anywhere reruns without a model call for what was decided and without a
duplicate pull request (the publisher finds its own PRs).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from triagebot.awesome import Document, parse_list
from triagebot.compose.proposals import build_proposals
from triagebot.config import Config
from triagebot.errors import SourceError, TriagebotError
from triagebot.models import (
    Cursor,
    Decision,
    DecisionRecord,
    ExistingPR,
    Outcome,
    Paper,
    PRState,
    PublishStatus,
)
from triagebot.ports import LLM, Publisher, Source, StateStore
from triagebot.publish_caps import publish_all
from triagebot.report import ErrorItem, LLMUsage, PaperOutcome, RunReport
from triagebot.triage import Triage, TriageReport

log = logging.getLogger(__name__)

# Outcomes after which a paper is never looked at again.
FINAL = frozenset(
    {Outcome.PUBLISHED, Outcome.REJECTED_BY_MODEL, Outcome.REJECTED_BY_MAINTAINER, Outcome.DUPLICATE}
)
# A paper that failed this many runs in a row is left alone until a maintainer forces it (--ids).
MAX_ERROR_ATTEMPTS = 3
# Outcomes whose recorded decision is reused instead of asking the model again.
DECIDED = frozenset({Outcome.PROPOSED, Outcome.PENDING})

# Told the name of each stage boundary as the run passes it: STAGES, in order ("pr-opened": pull
# requests exist and nothing is recorded yet). Observers only; the run does not depend on it.
StageCallback = Callable[[str], None]
STAGES = ("fetched", "screened", "classified", "pr-opened", "published")


@dataclass(frozen=True)
class RunOptions:
    run_id: str
    list_path: str
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[str, ...] = ()
    max_papers: int | None = None
    audit_path: Path | None = None
    previews: str | None = None


@dataclass
class _Run:
    """Mutable bookkeeping of one run (private to this module)."""

    options: RunOptions
    state: StateStore
    report: RunReport
    previous: dict[str, DecisionRecord]
    papers: dict[str, Paper] = field(default_factory=dict)
    outcomes: dict[str, PaperOutcome] = field(default_factory=dict)

    def record(
        self,
        paper: Paper,
        outcome: Outcome,
        stage: str,
        *,
        reason: str = "",
        decision: Decision | None = None,
        pr_url: str | None = None,
    ) -> None:
        """Give ``paper`` its outcome for this run and append it to the log (unless unchanged)."""
        before = self.previous.get(paper.arxiv_id)
        if decision is None and before is not None and outcome in DECIDED:
            decision = before.decision
        unchanged = (
            before is not None
            and before.outcome == outcome
            and before.pr_url == pr_url
            and (outcome in FINAL or before.run_id == self.options.run_id)
        )
        if not unchanged:
            record = DecisionRecord(
                arxiv_id=paper.arxiv_id,
                outcome=outcome,
                run_id=self.options.run_id,
                time=datetime.now(UTC),
                section=decision.section if decision else None,
                confidence=decision.confidence if decision else None,
                model=decision.model if decision else None,
                prompt_version=decision.prompt_version if decision else None,
                reason=reason or None,
                stage=stage,
                pr_url=pr_url,
                decision=decision,
                attempts=before.attempts + 1 if before is not None and before.outcome is outcome else 1,
            )
            self.state.append([record])
            self.previous[paper.arxiv_id] = record
        self.outcomes[paper.arxiv_id] = PaperOutcome(
            arxiv_id=paper.arxiv_id,
            outcome=outcome,
            stage=stage,
            reason=reason,
            title=paper.title,
            section=decision.section if decision else None,
            pr_url=pr_url,
        )

    def skip(self, paper: Paper, reason: str) -> None:
        """Nothing to do for ``paper``: its recorded outcome stands."""
        self.outcomes[paper.arxiv_id] = PaperOutcome(
            arxiv_id=paper.arxiv_id, outcome=None, stage="screen", reason=reason, title=paper.title
        )

    def finish(self) -> RunReport:
        """Count each paper once, by its final outcome in this run."""
        report = self.report
        report.papers = list(self.outcomes.values())
        counted = Counter(p.outcome for p in report.papers)
        report.published = counted[Outcome.PUBLISHED]
        report.proposed = counted[Outcome.PROPOSED]
        report.pending = counted[Outcome.PENDING]
        report.rejected = counted[Outcome.REJECTED_BY_MODEL] + counted[Outcome.REJECTED_BY_MAINTAINER]
        for paper in report.papers:
            if paper.outcome is None or paper.outcome is Outcome.DUPLICATE:
                reason = "in list" if paper.outcome else paper.reason
                report.skipped[reason] = report.skipped.get(reason, 0) + 1
            elif paper.outcome is Outcome.ERROR:
                report.errors.append(
                    ErrorItem(arxiv_id=paper.arxiv_id, stage=paper.stage, message=paper.reason)
                )
        return report


def _passed(on_stage: StageCallback | None, stage: str) -> None:
    if on_stage is not None:
        on_stage(stage)


def fetch(source: Source, options: RunOptions, run: _Run) -> tuple[list[Paper], bool]:
    """Stage 1: the candidates, and whether arXiv was read to the end. A source failure keeps what
    was fetched and is reported."""
    found: dict[str, Paper] = {}
    complete = True
    try:
        stream = source.lookup(options.ids) if options.ids else source.papers(options.since, options.until)
        for paper in stream:
            kept = found.get(paper.arxiv_id)
            if kept is None or paper.version > kept.version:
                found[paper.arxiv_id] = paper
    except SourceError as err:
        complete = False
        log.error("arXiv fetch stopped early, keeping %d papers: %s", len(found), err)
        run.report.errors.append(ErrorItem(arxiv_id=None, stage="fetch", message=str(err)))
    if options.ids:
        missing = [i for i in options.ids if i not in found]
        for arxiv_id in missing:
            run.report.errors.append(
                ErrorItem(arxiv_id=arxiv_id, stage="fetch", message="not found on arXiv")
            )
    papers = list(found.values())
    run.report.fetched = len(papers)
    run.papers = found
    return papers, complete


def screen(
    papers: Sequence[Paper],
    doc: Document,
    existing: dict[str, ExistingPR],
    run: _Run,
    *,
    forced: bool,
) -> tuple[list[Paper], dict[str, Decision]]:
    """Stage 2: drop what must not reach the model. Returns (to classify, already decided)."""
    to_classify: list[Paper] = []
    decided: dict[str, Decision] = {}
    for paper in papers:
        entry = doc.index.find(arxiv_id=paper.arxiv_id, title=paper.title)
        pr = existing.get(paper.arxiv_id)
        before = run.previous.get(paper.arxiv_id)
        if pr is not None and pr.state is PRState.CLOSED:
            _settle(run, paper, Outcome.REJECTED_BY_MAINTAINER, f"PR #{pr.number} closed", pr.url)
        elif pr is not None:  # open or merged: published; a dry-run preview: proposed
            outcome = Outcome.PROPOSED if pr.state is PRState.PREVIEW else Outcome.PUBLISHED
            _settle(run, paper, outcome, f"PR {pr.state.value}", pr.url)
        elif entry is not None:
            _settle(run, paper, Outcome.DUPLICATE, f"already in the list at line {entry.line}", None)
        elif not forced and before is not None and before.outcome in FINAL:
            run.skip(paper, "already decided")
        elif not forced and before is not None and _gave_up(before):
            run.skip(paper, f"failed {before.attempts} runs in a row")
        elif before is not None and _reusable(before) and before.decision is not None:
            decided[paper.arxiv_id] = before.decision
        else:
            to_classify.append(paper)
    return to_classify, decided


def _reusable(record: DecisionRecord) -> bool:
    """A recorded acceptance worth publishing again without a model call: proposed, deferred, or
    failed while publishing (GitHub's fault, not the decision's)."""
    if record.decision is None or not record.decision.relevant:
        return False
    return record.outcome in DECIDED or (record.outcome is Outcome.ERROR and record.stage == "publish")


def _gave_up(record: DecisionRecord) -> bool:
    return record.outcome is Outcome.ERROR and record.attempts >= MAX_ERROR_ATTEMPTS


def _settle(run: _Run, paper: Paper, outcome: Outcome, reason: str, pr_url: str | None) -> None:
    """``paper`` needs no work: record ``outcome`` unless the log already says so."""
    before = run.previous.get(paper.arxiv_id)
    if before is not None and before.outcome is outcome:
        run.skip(paper, reason if outcome is not Outcome.DUPLICATE else "in list")
    else:
        run.record(paper, outcome, "screen", reason=reason, pr_url=pr_url)


def classify(triage: Triage, papers: Sequence[Paper], run: _Run, *, forced: bool) -> dict[str, Decision]:
    """Stage 3: the model's validated decisions, each recorded before anything acts on it."""
    if not papers:
        return {}
    try:
        result: TriageReport = triage.run(papers, skip_screen=forced)
    except Exception as err:  # a bug or an SDK surprise must not lose the batch: each paper says so
        log.exception("triage failed for %d papers", len(papers))
        message = f"triage failed: {type(err).__name__}: {' '.join(str(err).split())}"
        for paper in papers:
            run.record(paper, Outcome.ERROR, "classify", reason=message)
        return {}
    run.report.llm = LLMUsage(
        model=result.model,
        prompt_version=result.prompt_version,
        calls=result.calls,
        input_tokens=result.usage.input_tokens,
        output_tokens=result.usage.output_tokens,
        cached_input_tokens=result.usage.cached_input_tokens,
        estimated_cost_usd=round(result.cost_usd, 6),
    )
    accepted: dict[str, Decision] = {}
    for paper in papers:
        verdict = result.verdicts.get(paper.arxiv_id)
        if verdict is None:  # the triage contract says this cannot happen; never lose the paper
            run.record(paper, Outcome.ERROR, "classify", reason="no verdict returned")
            continue
        if verdict.kind not in ("prefiltered", "pending"):
            run.report.classified += 1
        if verdict.kind == "relevant" and verdict.decision is not None:
            run.report.relevant += 1
            accepted[paper.arxiv_id] = verdict.decision
            run.record(
                paper, Outcome.PROPOSED, verdict.stage, reason=verdict.reason, decision=verdict.decision
            )
        elif verdict.kind in ("irrelevant", "prefiltered"):
            run.record(
                paper,
                Outcome.REJECTED_BY_MODEL,
                verdict.stage,
                reason=verdict.reason,
                decision=verdict.decision,
            )
        elif verdict.kind == "pending":
            run.record(paper, Outcome.PENDING, verdict.stage, reason=verdict.reason)
        else:
            run.record(paper, Outcome.ERROR, verdict.stage, reason=verdict.reason)
    return accepted


def publish(
    publisher: Publisher,
    *,
    config: Config,
    doc: Document,
    decisions: dict[str, Decision],
    run: _Run,
    on_stage: StageCallback | None = None,
) -> None:
    """Stages 4-5: compose each accepted paper's entry and publish it, within the caps."""
    if not decisions:
        return
    papers = [run.papers[i] for i in decisions]
    composed = build_proposals(
        papers, decisions, doc, config.publish, list_path=run.options.list_path, run_id=run.options.run_id
    )
    for arxiv_id, message in composed.errors.items():
        run.record(
            run.papers[arxiv_id], Outcome.ERROR, "compose", reason=message, decision=decisions[arxiv_id]
        )
    results = publish_all(publisher, composed.proposals, config.publish)
    _passed(on_stage, "pr-opened")  # PRs exist, nothing recorded yet: the worst moment to die
    for result in results:
        for arxiv_id in result.arxiv_ids:
            paper, decision = run.papers[arxiv_id], decisions[arxiv_id]
            outcome = _PUBLISH_OUTCOME[result.status]
            run.record(paper, outcome, "publish", reason=result.message, decision=decision, pr_url=result.url)


_PUBLISH_OUTCOME: dict[PublishStatus, Outcome] = {
    PublishStatus.OPENED: Outcome.PUBLISHED,
    PublishStatus.EXISTS_OPEN: Outcome.PUBLISHED,
    PublishStatus.MERGED: Outcome.PUBLISHED,
    PublishStatus.NO_CHANGE: Outcome.DUPLICATE,
    PublishStatus.REJECTED: Outcome.REJECTED_BY_MAINTAINER,
    PublishStatus.PREVIEWED: Outcome.PROPOSED,
    PublishStatus.SKIPPED: Outcome.PROPOSED,
    PublishStatus.PENDING: Outcome.PENDING,
    PublishStatus.FAILED: Outcome.ERROR,
}


@dataclass(frozen=True)
class RunPlan:
    """Everything one pass needs: the configuration, the run's options, and the adapters the CLI
    picked for each port."""

    config: Config
    options: RunOptions
    source: Source
    llm: LLM
    publisher: Publisher
    state: StateStore


def run_pipeline(plan: RunPlan, *, on_stage: StageCallback | None = None) -> RunReport:
    """Run one pass and return its report. Raises only for errors before any work (config, list).

    ``on_stage`` is told each boundary of :data:`STAGES` as the run passes it.
    """
    config, options, state, publisher = plan.config, plan.options, plan.state, plan.publisher
    report = RunReport(
        run_id=options.run_id,
        since=options.since.isoformat() if options.since else None,
        until=options.until.isoformat() if options.until else None,
        previews=options.previews,
    )
    doc = parse_list(publisher.read_list(options.list_path), options.list_path)
    specs = doc.section_specs(config.list.sections)
    triage = Triage(
        plan.llm, specs, config.llm, audit_path=options.audit_path, protected=config.list.protected
    )
    run = _Run(options=options, state=state, report=report, previous=state.load())

    papers, fetch_complete = fetch(plan.source, options, run)
    log.info("fetched %d papers%s", len(papers), "" if fetch_complete else " (arXiv failed part-way)")
    _passed(on_stage, "fetched")

    if options.max_papers is not None and len(papers) > options.max_papers:
        for paper in papers[options.max_papers :]:
            run.record(paper, Outcome.PENDING, "fetch", reason=f"over --max-papers {options.max_papers}")
        papers = papers[: options.max_papers]

    forced = bool(options.ids)
    existing = _existing_prs(publisher, [p.arxiv_id for p in papers], run)
    to_classify, decided = screen(papers, doc, existing or {}, run, forced=forced)
    log.info(
        "screened: %d to classify, %d already decided, %d settled",
        len(to_classify),
        len(decided),
        len(run.outcomes),
    )
    _passed(on_stage, "screened")

    decided.update(classify(triage, to_classify, run, forced=forced))
    log.info("classified: %d accepted for the list", len(decided))
    _passed(on_stage, "classified")

    if existing is None:  # without knowing the bot's PRs a PR could be opened twice: wait
        for arxiv_id, decision in decided.items():
            run.record(
                run.papers[arxiv_id],
                Outcome.PENDING,
                "publish",
                reason="GitHub unavailable",
                decision=decision,
            )
    else:
        publish(publisher, config=config, doc=doc, decisions=decided, run=run, on_stage=on_stage)
    _passed(on_stage, "published")

    for paper in run.papers.values():  # the loss check: every paper must have left with an outcome
        if paper.arxiv_id not in run.outcomes:
            run.record(paper, Outcome.ERROR, "pipeline", reason="no outcome reached (bug)")
    if fetch_complete and options.until is not None and not options.ids:
        state.save_cursor(Cursor(until=options.until, run_id=options.run_id))
    return run.finish()


def _existing_prs(publisher: Publisher, ids: list[str], run: _Run) -> dict[str, ExistingPR] | None:
    """The bot's PRs for ``ids``, or None when they cannot be listed (then nothing is published)."""
    if not ids:
        return {}
    try:
        return publisher.existing(ids)
    except TriagebotError as err:
        log.error("cannot list the bot's pull requests; nothing will be published this run: %s", err)
        run.report.errors.append(
            ErrorItem(arxiv_id=None, stage="screen", message=f"cannot list bot PRs: {err}")
        )
        return None
