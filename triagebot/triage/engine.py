"""The two-stage triage: keyword prefilter -> batched screen -> full classification -> validation.

Knows the LLM port, never an SDK. Every input paper leaves with exactly one Verdict:
prefiltered, irrelevant, relevant, pending (a cap was reached) or error (with the raw answer).

Cheap when things go wrong: an answer that is not valid as a whole still gives the papers it
answered well (see ``schema.salvage_*``); the papers left over from every batch of a round (not
answered, misnamed, or in a broken answer) are asked again *together*, in batches, with one short
note saying what was wrong and without echoing the bad answer. Only a batch the model refuses as
a whole is split up, paper by paper, so one paper cannot sink the others.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from triagebot.arxiv_ids import normalize_id
from triagebot.config import LLMConfig
from triagebot.errors import ClassifyError, InvalidAnswerError, ListError
from triagebot.models import Decision, Paper, SectionSpec, Usage
from triagebot.ports import LLM, ModelAnswer, ModelRequest
from triagebot.sections import SEPARATOR, shortest_unique_suffix
from triagebot.triage.audit import AuditLog, cost_usd, estimate_tokens
from triagebot.triage.limits import Ledger, RateLimiter
from triagebot.triage.prefilter import Prefilter
from triagebot.triage.prompts import (
    classify_messages,
    prompt_version,
    scope_lines,
    screen_messages,
    taxonomy,
)
from triagebot.triage.schema import (
    RawDecision,
    ScreenAnswer,
    classify_schema,
    decode_decision,
    salvage_decisions,
    salvage_screen,
)
from triagebot.triage.validate import Rules, Verdict, to_verdict

log = logging.getLogger(__name__)

# How a reason says the paper waits for the next run (a per-run cap held it back).
RETRIED = "; retried next run"

T = TypeVar("T")
SCREEN_TOKENS_PER_PAPER = 8
CLASSIFY_TOKENS_PER_PAPER = 300
LEFT_OUT = "it left out or misnamed some papers"


@dataclass(frozen=True)
class TriageReport:
    verdicts: dict[str, Verdict]  # exactly one per input paper, in input order
    calls: int
    usage: Usage
    cost_usd: float
    model: str
    prompt_version: str


class _BudgetSpent(Exception):
    """The run's token cap was reached: what is left is pending, not failed."""


@dataclass
class _Run:
    ledger: Ledger
    limiter: RateLimiter


@dataclass
class _Screened:
    keep: set[str] = field(default_factory=set)
    forgotten: list[Paper] = field(default_factory=list)
    verdicts: dict[str, Verdict] = field(default_factory=dict)
    problem: str | None = None


@dataclass
class _Classified:
    """One classify request's outcome: verdicts, the papers to ask again, or a refused batch."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    leftover: list[Paper] = field(default_factory=list)
    problem: str | None = None  # why the leftover papers have no usable answer
    raw: str | None = None
    refused: ClassifyError | None = None  # the whole batch failed without an answer to salvage
    asked: list[Paper] = field(default_factory=list)  # the papers of the request


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _short_name(path: str, paths: Sequence[str]) -> str:
    """The name the model sees: the shortest unique suffix, but at least two levels (Image / …)."""
    parts = path.split(SEPARATOR)
    name = shortest_unique_suffix(path, paths)
    return name if name.count(SEPARATOR) + 1 >= min(2, len(parts)) else SEPARATOR.join(parts[-2:])


def _messages_text(request: ModelRequest) -> str:
    return "".join(m.get("content", "") for m in request.messages)


def _problem(err: InvalidAnswerError) -> str:
    """What was wrong with an answer, in a few words (said to the model when asking again)."""
    text = " ".join(str(err).split())
    if "not valid JSON" in text:
        return "not valid JSON"
    if "length limit" in text:
        return "cut off by the length limit"
    detail = text.split("schema: ", 1)[1] if "schema: " in text else ""
    return "it did not match the schema" + (f": {detail[:100]}" if detail else "")


def _one_problem(problems: Sequence[str | None]) -> str:
    found = sorted({p for p in problems if p})
    return found[0] if len(found) == 1 else "; ".join(found) or LEFT_OUT


class Triage:
    """Decides, for each paper, whether it belongs in the list and where (see module docstring)."""

    def __init__(
        self,
        llm: LLM,
        sections: Sequence[SectionSpec],
        config: LLMConfig,
        *,
        audit_path: Path | None = None,
        protected: Sequence[str] = (),
    ) -> None:
        self.llm = llm
        self.config = config
        self.prompt_version = prompt_version()
        paths = tuple(s.path for s in sections)
        self.rules = Rules(paths, tuple(protected), config.min_confidence, llm.model, self.prompt_version)
        editable = [s for s in sections if not self.rules.is_protected(s.path)]
        if not editable:
            raise ListError("the list has no section the bot may edit (all are missing or protected)")
        self.section_names = [_short_name(s.path, paths) for s in editable]
        self.taxonomy = taxonomy(editable, self.section_names, config.few_shot_tokens)
        self.schema = classify_schema(len(self.section_names))  # the same for every request
        self.scope = scope_lines(config.in_scope, config.out_of_scope)
        self.prefilter = Prefilter.from_config(config)
        self.audit = AuditLog(audit_path)

    # ------------------------------------------------------------------ the run

    def run(self, papers: Sequence[Paper], *, skip_screen: bool = False) -> TriageReport:
        """Triage ``papers``; ``skip_screen`` (explicitly requested ids) skips prefilter and screen."""
        run = _Run(Ledger(self.config.max_tokens), RateLimiter(self.config.requests_per_minute))
        unique = list({p.arxiv_id: p for p in reversed(papers)}.values())[::-1]
        verdicts: dict[str, Verdict] = {}
        candidates: list[Paper] = []
        for paper in unique:
            why = None if skip_screen else self.prefilter.why_not(paper)
            if why is not None:
                verdicts[paper.arxiv_id] = Verdict(
                    paper.arxiv_id, "prefiltered", None, why, None, "prefilter"
                )
            else:
                candidates.append(paper)
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="triage") as pool:
            survivors = candidates if skip_screen else self._screen(pool, run, candidates, verdicts)
            cap = self.config.max_papers
            for paper in survivors[cap:]:
                reason = f"over the per-run cap of {cap} classifications (llm.max_papers){RETRIED}"
                verdicts[paper.arxiv_id] = Verdict(paper.arxiv_id, "pending", None, reason, None, "classify")
            verdicts.update(self._classify(pool, run, survivors[:cap]))
        ordered = {
            p.arxiv_id: verdicts.get(p.arxiv_id)
            or Verdict(p.arxiv_id, "error", None, "no verdict reached (bug)", None, "classify")
            for p in papers
        }
        usage = run.ledger.usage
        return TriageReport(
            verdicts=ordered,
            calls=run.ledger.calls,
            usage=usage,
            cost_usd=cost_usd(usage, self.llm.model, self.config.prices),
            model=self.llm.model,
            prompt_version=self.prompt_version,
        )

    # ------------------------------------------------------------------ stage 1: the batched screen

    def _screen(
        self, pool: ThreadPoolExecutor, run: _Run, papers: Sequence[Paper], verdicts: dict[str, Verdict]
    ) -> list[Paper]:
        keep: set[str] = set()
        forgotten: list[Paper] = []
        problems: list[str | None] = []
        size = self.config.screen_batch
        for result in pool.map(lambda batch: self._screen_batch(run, batch), _chunks(papers, size)):
            keep |= result.keep
            forgotten += result.forgotten
            problems.append(result.problem)
            verdicts.update(result.verdicts)
        if forgotten:
            log.info("screen: asking again about %d paper(s) without a usable answer", len(forgotten))
            note = _one_problem(problems)
            again = pool.map(lambda batch: self._screen_batch(run, batch, note), _chunks(forgotten, size))
            for result in again:
                keep |= result.keep | {p.arxiv_id for p in result.forgotten}
                verdicts.update(result.verdicts)
                for paper in result.forgotten:
                    log.warning(
                        "screen: no answer for %s twice; kept for full classification", paper.arxiv_id
                    )
        return [p for p in papers if p.arxiv_id in keep]

    def _screen_batch(self, run: _Run, batch: list[Paper], note: str | None = None) -> _Screened:
        ids = [p.arxiv_id for p in batch]
        request = ModelRequest(
            kind="screen",
            paper_ids=tuple(ids),
            messages=screen_messages(batch, self.config.topic, scope=self.scope, note=note),
            schema=ScreenAnswer,
            prompt_version=self.prompt_version,
            max_output_tokens=32 + SCREEN_TOKENS_PER_PAPER * len(batch),
        )
        try:
            parsed = self._ask(run, request, attempt=1 if note is None else 2)
            answer = ScreenAnswer.model_validate(parsed.model_dump(mode="json"))
        except _BudgetSpent:
            reason = f"token cap of {self.config.max_tokens} reached (llm.max_tokens){RETRIED}"
            return _Screened(verdicts={i: Verdict(i, "pending", None, reason, None, "screen") for i in ids})
        except InvalidAnswerError as err:
            keep, drop = salvage_screen(err.raw or "")
            result = self._screened(batch, ScreenAnswer(keep=keep, drop=drop))
            result.problem = _problem(err)
            return result
        except ClassifyError as err:
            log.warning("screen failed for %d paper(s), all kept for full classification: %s", len(ids), err)
            return _Screened(keep=set(ids))
        return self._screened(batch, answer)

    def _screened(self, batch: list[Paper], answer: ScreenAnswer) -> _Screened:
        ids = {p.arxiv_id for p in batch}

        def clean(values: list[str]) -> set[str]:
            return {normalize_id(v) or v.strip() for v in values}

        keep, drop = clean(answer.keep), clean(answer.drop)
        invented = (keep | drop) - ids
        if invented:
            log.info(
                "screen: ignoring %d id(s) not in the batch: %s", len(invented), ", ".join(sorted(invented))
            )
        keep &= ids
        drop = (drop & ids) - keep
        result = _Screened(keep=keep, forgotten=[p for p in batch if p.arxiv_id not in keep | drop])
        if result.forgotten:
            result.problem = LEFT_OUT
        for arxiv_id in sorted(drop):
            decision = Decision(
                arxiv_id=arxiv_id,
                relevant=False,
                rationale="dropped by the batched screen (title and first sentence)",
                model=self.llm.model,
                prompt_version=self.prompt_version,
            )
            reason = "dropped by the screen"
            result.verdicts[arxiv_id] = Verdict(arxiv_id, "irrelevant", decision, reason, None, "screen")
        return result

    # ------------------------------------------------------------------ stage 2: full classification

    def classify_request(self, batch: Sequence[Paper], note: str | None = None) -> ModelRequest:
        """The full-classification request for ``batch`` (also what a recording is keyed on);
        ``note`` (why the papers are asked again) makes it a re-ask."""
        ids = [p.arxiv_id for p in batch]
        room = CLASSIFY_TOKENS_PER_PAPER * len(batch) * (1 if note is None else 2)
        return ModelRequest(
            kind="classify",
            paper_ids=tuple(ids),
            messages=classify_messages(batch, self.config.topic, self.taxonomy, scope=self.scope, note=note),
            schema=self.schema,
            prompt_version=self.prompt_version,
            max_output_tokens=room,
            sections=tuple(self.section_names),
        )

    def _classify(self, pool: ThreadPoolExecutor, run: _Run, papers: Sequence[Paper]) -> dict[str, Verdict]:
        """Every batch; then the papers left over from all of them, asked again together; then,
        only if that re-ask fails too, each of its papers alone (one cannot sink the others)."""
        verdicts: dict[str, Verdict] = {}
        size = self.config.classify_batch
        first = list(pool.map(lambda batch: self._classify_batch(run, batch), _chunks(papers, size)))
        leftover = [p for result in first for p in result.leftover]
        for result in first:
            verdicts.update(result.verdicts)
            if result.refused is not None:
                verdicts.update(self._refused(run, result))
        if not leftover:
            return verdicts
        note = _one_problem([r.problem for r in first if r.leftover])
        log.info("classify: asking again about %d paper(s) together (%s)", len(leftover), note)
        again = list(pool.map(lambda batch: self._classify_batch(run, batch, note), _chunks(leftover, size)))
        for result in again:
            verdicts.update(result.verdicts)
            if result.refused is not None:
                verdicts.update(self._refused(run, result))
            for paper in result.leftover:
                if len(result.asked) == 1:
                    verdicts.update(self._failed(result, paper))
                    continue
                verdicts.update(self._alone(run, paper, result.problem or LEFT_OUT))
        return verdicts

    def _refused(self, run: _Run, result: _Classified) -> dict[str, Verdict]:
        """A batch that failed as a whole: each paper alone, so one paper cannot sink the others."""
        err = result.refused
        assert err is not None
        papers = result.asked
        if len(papers) > 1:
            log.warning("classify failed for a batch of %d; asking about each alone: %s", len(papers), err)
            verdicts: dict[str, Verdict] = {}
            for paper in papers:
                verdicts.update(self._alone(run, paper))
            return verdicts
        return self._failed(result, papers[0])

    def _alone(self, run: _Run, paper: Paper, note: str | None = None) -> dict[str, Verdict]:
        """``paper`` asked about on its own; an error verdict when that gives no decision either."""
        alone = self._classify_batch(run, [paper], note)
        if alone.refused is not None or alone.leftover:
            return {**alone.verdicts, **self._failed(alone, paper)}
        return alone.verdicts

    @staticmethod
    def _failed(result: _Classified, paper: Paper) -> dict[str, Verdict]:
        err = result.refused
        if err is not None:
            return {
                paper.arxiv_id: Verdict(paper.arxiv_id, "error", None, err.with_hint(), err.raw, "classify")
            }
        reason = f"no usable decision after asking again ({result.problem or LEFT_OUT})"
        return {paper.arxiv_id: Verdict(paper.arxiv_id, "error", None, reason, result.raw, "classify")}

    def _fits_schema(self, item: Any) -> bool:
        """A salvaged item is used only if it is exactly what the schema asks for."""
        try:
            self.schema.model_validate({"decisions": [item]})
        except ValidationError:
            return False
        return True

    def _classify_batch(self, run: _Run, batch: list[Paper], note: str | None = None) -> _Classified:
        ids = [p.arxiv_id for p in batch]
        request = self.classify_request(batch, note)
        raw: str | None = None
        problem: str | None = None
        try:
            parsed = self._ask(run, request, attempt=1 if note is None else 2)
            items: list[Any] = list(parsed.model_dump(mode="json").get("decisions", []))
            raw = parsed.model_dump_json()
        except _BudgetSpent:
            reason = f"token cap of {self.config.max_tokens} reached (llm.max_tokens){RETRIED}"
            return _Classified(
                verdicts={i: Verdict(i, "pending", None, reason, None, "classify") for i in ids}
            )
        except InvalidAnswerError as err:
            raw, problem = err.raw, _problem(err)
            items = [i for i in salvage_decisions(err.raw or "") if self._fits_schema(i)]
            log.info("classify: %s for %d paper(s); %d answer(s) salvaged", problem, len(ids), len(items))
        except ClassifyError as err:
            return _Classified(refused=err, raw=err.raw, asked=batch)
        found: dict[str, RawDecision] = {}
        for item in items:
            decision = decode_decision(item, self.section_names)
            if decision is not None:
                found.setdefault(normalize_id(decision.arxiv_id) or decision.arxiv_id, decision)
        result = _Classified(raw=raw, problem=problem, asked=batch)
        for paper in batch:
            answer = found.get(paper.arxiv_id)
            if answer is None:
                result.leftover.append(paper)
            else:
                result.verdicts[paper.arxiv_id] = to_verdict(
                    answer, paper, self.rules, answer.model_dump_json()
                )
        if result.leftover and result.problem is None:
            result.problem = LEFT_OUT
        return result

    # ------------------------------------------------------------------ one exchange

    def _ask(self, run: _Run, request: ModelRequest, *, attempt: int) -> BaseModel:
        """The parsed answer to ``request`` (one exchange; callers decide what to ask again)."""
        if run.ledger.exhausted():
            raise _BudgetSpent
        answer = self._exchange(run, request, attempt)
        assert answer.parsed is not None  # _exchange guarantees it
        return answer.parsed

    def _exchange(self, run: _Run, request: ModelRequest, attempt: int) -> ModelAnswer:
        """One call to the llm, accounted and audited whatever happens."""
        run.limiter.wait()
        started = time.monotonic()
        log_it = self._audit_writer(request, attempt)
        try:
            answer = self.llm.complete(request)
        except InvalidAnswerError as err:
            usage = Usage(*err.usage) if any(err.usage) else self._estimate(request, err.raw or "")
            run.ledger.add(usage)
            log_it(None, usage, time.monotonic() - started, err.raw, str(err))
            raise
        except ClassifyError as err:
            usage = self._estimate(request, err.raw or "")
            run.ledger.add(usage)
            log_it(None, usage, time.monotonic() - started, err.raw, str(err))
            raise
        usage = answer.usage
        if not (usage.input_tokens or usage.output_tokens):
            usage = self._estimate(request, answer.raw)
        run.ledger.add(usage)
        latency = answer.latency_s or time.monotonic() - started
        if answer.refusal:
            log_it(None, usage, latency, answer.raw, f"refused: {answer.refusal}")
            raise ClassifyError(f"the model refused: {answer.refusal}", model=answer.model, raw=answer.raw)
        if answer.parsed is None:
            log_it(None, usage, latency, answer.raw, "no parsed answer")
            raise InvalidAnswerError(
                "the answer did not parse into the schema", model=answer.model, raw=answer.raw
            )
        log_it(answer.parsed.model_dump(mode="json"), usage, latency, None, None)
        return answer

    def _estimate(self, request: ModelRequest, raw: str) -> Usage:
        return Usage(estimate_tokens(_messages_text(request)), estimate_tokens(raw), estimated=True)

    def _audit_writer(
        self, request: ModelRequest, attempt: int
    ) -> Callable[[object, Usage, float, str | None, str | None], None]:
        def write(parsed: object, usage: Usage, latency: float, raw: str | None, error: str | None) -> None:
            self.audit.write(
                kind=request.kind,
                paper_ids=request.paper_ids,
                model=self.llm.model,
                prompt_version=request.prompt_version,
                attempt=attempt,
                parsed=parsed,
                usage=usage,
                latency_s=latency,
                raw=raw,
                error=error,
            )

        return write


def dump_verdict(verdict: Verdict) -> str:
    """One verdict as a JSON line (for logs and the classify command's --json)."""
    return json.dumps(
        {
            "arxiv_id": verdict.arxiv_id,
            "kind": verdict.kind,
            "stage": verdict.stage,
            "reason": verdict.reason,
            "decision": verdict.decision.model_dump(mode="json") if verdict.decision else None,
        },
        ensure_ascii=False,
    )
