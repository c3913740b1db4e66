"""The two-stage triage: keyword prefilter -> batched screen -> full classification -> validation.

Knows the Classifier port, never an SDK. Every input paper leaves with exactly one Verdict:
prefiltered, irrelevant, relevant, pending (a cap was reached) or error (with the raw answer).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from triagebot.arxiv_ids import normalize_id
from triagebot.config import LLMConfig
from triagebot.errors import ClassifyError, InvalidAnswerError, ListError
from triagebot.models import Decision, Paper, SectionSpec, Usage
from triagebot.ports import Classifier, ModelAnswer, ModelRequest
from triagebot.sections import SEPARATOR, shortest_unique_suffix
from triagebot.triage.audit import AuditLog, cost_usd, estimate_tokens
from triagebot.triage.limits import Ledger, RateLimiter
from triagebot.triage.prefilter import prefilter
from triagebot.triage.prompts import (
    classify_messages,
    prompt_version,
    retry_messages,
    screen_messages,
    taxonomy,
)
from triagebot.triage.schema import RawDecision, ScreenAnswer, classify_schema
from triagebot.triage.validate import Rules, Verdict, to_verdict

log = logging.getLogger(__name__)

T = TypeVar("T")
SCREEN_TOKENS_PER_PAPER = 8
CLASSIFY_TOKENS_PER_PAPER = 300


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


class Triage:
    """Decides, for each paper, whether it belongs in the list and where (see module docstring)."""

    def __init__(
        self,
        classifier: Classifier,
        sections: Sequence[SectionSpec],
        config: LLMConfig,
        *,
        audit_path: Path | None = None,
        protected: Sequence[str] = (),
    ) -> None:
        self.classifier = classifier
        self.config = config
        self.prompt_version = prompt_version()
        paths = tuple(s.path for s in sections)
        self.rules = Rules(
            paths, tuple(protected), config.min_confidence, classifier.model, self.prompt_version
        )
        editable = [s for s in sections if not self.rules.is_protected(s.path)]
        if not editable:
            raise ListError("the list has no section the bot may edit (all are missing or protected)")
        self.section_names = [_short_name(s.path, paths) for s in editable]
        self.taxonomy = taxonomy(editable, self.section_names, config.few_shot_tokens)
        self.audit = AuditLog(audit_path)

    # ------------------------------------------------------------------ the run

    def run(self, papers: Sequence[Paper], *, skip_screen: bool = False) -> TriageReport:
        """Triage ``papers``; ``skip_screen`` (explicitly requested ids) skips prefilter and screen."""
        run = _Run(Ledger(self.config.max_tokens), RateLimiter(self.config.requests_per_minute))
        unique = list({p.arxiv_id: p for p in reversed(papers)}.values())[::-1]
        verdicts: dict[str, Verdict] = {}
        candidates: list[Paper] = []
        for paper in unique:
            if not skip_screen and self.config.prefilter and not prefilter(paper):
                verdicts[paper.arxiv_id] = Verdict(
                    paper.arxiv_id, "prefiltered", None, "plainly not visual anomaly detection (keywords)",
                    None, "prefilter",
                )  # fmt: skip
            else:
                candidates.append(paper)
        with ThreadPoolExecutor(self.config.concurrency, thread_name_prefix="triage") as pool:
            survivors = candidates if skip_screen else self._screen(pool, run, candidates, verdicts)
            cap = self.config.max_papers
            for paper in survivors[cap:]:
                reason = f"over the per-run cap of {cap} classifications (llm.max_papers); retried next run"
                verdicts[paper.arxiv_id] = Verdict(paper.arxiv_id, "pending", None, reason, None, "classify")
            batches = list(_chunks(survivors[:cap], self.config.classify_batch))
            for result in pool.map(lambda batch: self._classify_batch(run, batch), batches):
                verdicts.update(result)
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
            cost_usd=cost_usd(usage, self.classifier.model, self.config.prices),
            model=self.classifier.model,
            prompt_version=self.prompt_version,
        )

    # ------------------------------------------------------------------ stage 1: the batched screen

    def _screen(
        self, pool: ThreadPoolExecutor, run: _Run, papers: Sequence[Paper], verdicts: dict[str, Verdict]
    ) -> list[Paper]:
        keep: set[str] = set()
        forgotten: list[Paper] = []
        size = self.config.screen_batch
        for result in pool.map(lambda batch: self._screen_batch(run, batch), _chunks(papers, size)):
            keep |= result.keep
            forgotten += result.forgotten
            verdicts.update(result.verdicts)
        if forgotten:
            log.info("screen: asking again about %d paper(s) the model left out", len(forgotten))
            for result in pool.map(lambda batch: self._screen_batch(run, batch), _chunks(forgotten, size)):
                keep |= result.keep | {p.arxiv_id for p in result.forgotten}
                verdicts.update(result.verdicts)
                for paper in result.forgotten:
                    log.warning("screen: %s left out twice; kept for full classification", paper.arxiv_id)
        return [p for p in papers if p.arxiv_id in keep]

    def _screen_batch(self, run: _Run, batch: list[Paper]) -> _Screened:
        ids = [p.arxiv_id for p in batch]
        request = ModelRequest(
            kind="screen",
            paper_ids=tuple(ids),
            messages=screen_messages(batch, self.config.topic),
            schema=ScreenAnswer,
            prompt_version=self.prompt_version,
            max_output_tokens=32 + SCREEN_TOKENS_PER_PAPER * len(batch),
        )
        try:
            parsed, _ = self._ask(run, request)
            answer = ScreenAnswer.model_validate(parsed.model_dump(mode="json"))
        except _BudgetSpent:
            reason = f"token cap of {self.config.max_tokens} reached (llm.max_tokens); retried next run"
            return _Screened(verdicts={i: Verdict(i, "pending", None, reason, None, "screen") for i in ids})
        except (ClassifyError, ValidationError) as err:
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
        for arxiv_id in sorted(drop):
            decision = Decision(
                arxiv_id=arxiv_id,
                relevant=False,
                rationale="dropped by the batched screen (title and first sentence)",
                model=self.classifier.model,
                prompt_version=self.prompt_version,
            )
            reason = "dropped by the screen"
            result.verdicts[arxiv_id] = Verdict(arxiv_id, "irrelevant", decision, reason, None, "screen")
        return result

    # ------------------------------------------------------------------ stage 2: full classification

    def classify_request(self, batch: Sequence[Paper]) -> ModelRequest:
        """The full-classification request for ``batch`` (also what a recording is keyed on)."""
        ids = [p.arxiv_id for p in batch]
        return ModelRequest(
            kind="classify",
            paper_ids=tuple(ids),
            messages=classify_messages(batch, self.config.topic, self.taxonomy),
            schema=classify_schema(self.section_names, ids),
            prompt_version=self.prompt_version,
            max_output_tokens=CLASSIFY_TOKENS_PER_PAPER * len(batch),
        )

    def _classify_batch(self, run: _Run, batch: list[Paper]) -> dict[str, Verdict]:
        ids = [p.arxiv_id for p in batch]
        request = self.classify_request(batch)
        try:
            parsed, _ = self._ask(run, request)
            items = [
                RawDecision.model_validate(i) for i in parsed.model_dump(mode="json").get("decisions", [])
            ]
        except _BudgetSpent:
            reason = f"token cap of {self.config.max_tokens} reached (llm.max_tokens); retried next run"
            return {i: Verdict(i, "pending", None, reason, None, "classify") for i in ids}
        except (ClassifyError, ValidationError) as err:
            if len(batch) > 1:
                log.warning("classify failed for a batch of %d; asking about each alone: %s", len(batch), err)
                return self._one_by_one(run, batch)
            raw = err.raw if isinstance(err, ClassifyError) else None
            hint = f" (hint: {err.hint})" if isinstance(err, ClassifyError) and err.hint else ""
            return {ids[0]: Verdict(ids[0], "error", None, f"{err}{hint}", raw, "classify")}
        found: dict[str, RawDecision] = {}
        for item in items:
            found.setdefault(normalize_id(item.arxiv_id) or item.arxiv_id, item)
        verdicts: dict[str, Verdict] = {}
        missing = [p for p in batch if p.arxiv_id not in found]
        for paper in batch:
            if paper.arxiv_id in found:
                item = found[paper.arxiv_id]
                verdicts[paper.arxiv_id] = to_verdict(item, paper, self.rules, item.model_dump_json())
        if missing and len(batch) > 1:
            verdicts.update(self._one_by_one(run, missing))
        elif missing:
            reason = "the model gave no decision for this paper"
            verdicts[ids[0]] = Verdict(ids[0], "error", None, reason, parsed.model_dump_json(), "classify")
        return verdicts

    def _one_by_one(self, run: _Run, papers: list[Paper]) -> dict[str, Verdict]:
        verdicts: dict[str, Verdict] = {}
        for paper in papers:
            verdicts.update(self._classify_batch(run, [paper]))
        return verdicts

    # ------------------------------------------------------------------ one exchange (asked again once)

    def _ask(self, run: _Run, request: ModelRequest) -> tuple[BaseModel, str]:
        """The parsed answer to ``request``; an answer breaking the schema is asked again once."""
        for attempt in (1, 2):
            if run.ledger.exhausted():
                raise _BudgetSpent
            try:
                answer = self._exchange(run, request, attempt)
            except InvalidAnswerError as err:
                if attempt == 2:
                    raise ClassifyError(
                        f"invalid answer twice: {err}", model=self.classifier.model, raw=err.raw
                    ) from err
                budget = (request.max_output_tokens or 0) * 2 or None
                messages = retry_messages(request.messages, err.raw or "", str(err))
                request = replace(request, messages=messages, max_output_tokens=budget)
                continue
            assert answer.parsed is not None  # _exchange guarantees it
            return answer.parsed, answer.raw
        raise AssertionError("unreachable")

    def _exchange(self, run: _Run, request: ModelRequest, attempt: int) -> ModelAnswer:
        """One call to the classifier, accounted and audited whatever happens."""
        run.limiter.wait()
        started = time.monotonic()
        log_it = self._audit_writer(request, attempt)
        try:
            answer = self.classifier.complete(request)
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
                model=self.classifier.model,
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
