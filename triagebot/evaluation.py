"""`triagebot eval`'s core: labelled papers in, the triage measured against the labels out.

Every paper goes through :class:`triagebot.triage.Triage` exactly as ``run`` sends it (prefilter,
screen, classify, validation; the same prompts, batch sizes and caps), but nothing is deduplicated
against the list, nothing is published and no state is kept.

Leave-one-out. The list reaches triage only through its section specs (names, descriptions and a
few entries per section shown as examples). A labelled paper whose entry is in the list must be
triaged as if that entry were absent, and its own entry must never be shown as an example. So:

- papers whose removal leaves the section specs unchanged (their entry is not an example, or they
  are not in the list) are triaged together against the whole list: their prompts are the ones
  the list without them would give;
- the others are triaged in rounds, each round against the list without the entries of the papers
  in it, at most one per section (so every section loses only the example under test).

Knows the ports and the triage, never an SDK.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from triagebot.arxiv_ids import normalize_id
from triagebot.awesome import Document, Entry, parse
from triagebot.config import Config
from triagebot.errors import ConfigError, ListError, with_hint
from triagebot.models import Paper, Usage, squash
from triagebot.ports import LLM
from triagebot.report import ModelUsage
from triagebot.report import md_cell as cell
from triagebot.sections import is_protected, resolve_name, shortest_unique_suffix
from triagebot.triage import Triage, TriageReport, Verdict
from triagebot.triage.engine import RETRIED

log = logging.getLogger(__name__)

IRRELEVANT = "irrelevant"
LABELS = ("relevant", IRRELEVANT)
MAX_ROUNDS = 50  # a section with more examples than this would be a list of examples, not a list


@dataclass(frozen=True)
class Label:
    """What a paper is, according to the person who labelled it."""

    arxiv_id: str
    relevant: bool
    section: str | None  # full section path (relevant papers only)


# ---------------------------------------------------------------- reading the labels


def read_labels(text: str, origin: str, paths: Sequence[str]) -> list[Label]:
    """Labels from JSON lines (``{"arxiv_id", "label", "section"}``; other keys are ignored).

    A malformed line, an unknown label or section, or a paper labelled twice differently is a
    ConfigError naming ``origin:line``: the data is fixed before any model call is paid for.
    """
    labels: dict[str, Label] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label = _label(line, f"{origin}:{number}", paths)
        before = labels.setdefault(label.arxiv_id, label)
        if before != label:
            raise ConfigError(f"{origin}:{number}: {label.arxiv_id} is labelled twice, differently")
    return list(labels.values())


def _label(line: str, where: str, paths: Sequence[str]) -> Label:
    hint = '{"arxiv_id": "2503.19357", "label": "relevant", "section": "Image / Generative-model-based"}'
    try:
        row = json.loads(line)
    except ValueError as err:
        raise ConfigError(
            f"{where}: not a JSON object: {err}", hint=f"one object per line, e.g. {hint}"
        ) from None
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: not a JSON object", hint=f"one object per line, e.g. {hint}")
    arxiv_id = normalize_id(str(row.get("arxiv_id") or ""))
    if arxiv_id is None:
        raise ConfigError(f"{where}: not an arXiv id: {row.get('arxiv_id')!r}")
    kind = row.get("label")
    if kind not in LABELS:
        raise ConfigError(f"{where}: label must be 'relevant' or 'irrelevant', not {kind!r}")
    if kind == IRRELEVANT:
        return Label(arxiv_id, relevant=False, section=None)
    section = row.get("section")
    if not isinstance(section, str) or not section.strip():
        raise ConfigError(
            f"{where}: a relevant paper needs its section", hint="the heading path or a unique suffix"
        )
    try:
        return Label(arxiv_id, relevant=True, section=resolve_name(section, paths))
    except ListError as err:
        raise ConfigError(f"{where}: {err}") from None


def labels_from_list(doc: Document, protected: Sequence[str]) -> list[Label]:
    """The list's own entries that link an arXiv id, each labelled with the section it sits in.

    Entries in protected sections are left out (the bot never proposes into them), and an id listed
    twice counts once, in the section of its first entry.
    """
    labels: dict[str, Label] = {}
    for entry in doc.entries:
        if entry.arxiv_id and entry.section and not is_protected(entry.section, protected):
            labels.setdefault(entry.arxiv_id, Label(entry.arxiv_id, relevant=True, section=entry.section))
    return list(labels.values())


def merge_labels(first: Sequence[Label], then: Sequence[Label]) -> list[Label]:
    """``first`` and the papers of ``then`` it does not already label (``first`` wins a conflict)."""
    merged = {label.arxiv_id: label for label in first}
    for label in then:
        kept = merged.setdefault(label.arxiv_id, label)
        if kept != label:
            log.warning("%s is labelled both ways; keeping the list's label", label.arxiv_id)
    return list(merged.values())


# ---------------------------------------------------------------- leave-one-out


@dataclass(frozen=True)
class Round:
    """Papers triaged together, against the list as ``list_text`` gives it."""

    list_text: str
    arxiv_ids: tuple[str, ...]
    held_out: tuple[str, ...]  # papers whose own entries were removed from ``list_text``


def entries_of(doc: Document, paper: Paper, by_id: Mapping[str, list[Entry]] | None = None) -> list[Entry]:
    """Every entry of ``paper`` in the list: by arXiv id (all of them), or by a near-identical title."""
    found = list((by_id or _by_id(doc)).get(paper.arxiv_id, []))
    by_title = doc.index.find(arxiv_id=paper.arxiv_id, title=paper.title)
    if by_title is not None and by_title not in found:
        found.append(by_title)
    return found


def _by_id(doc: Document) -> dict[str, list[Entry]]:
    found: dict[str, list[Entry]] = {}
    for entry in doc.entries:
        if entry.arxiv_id:
            found.setdefault(entry.arxiv_id, []).append(entry)
    return found


def without(doc: Document, entries: Sequence[Entry]) -> str:
    """The list's text with ``entries`` (all their lines) removed, every other byte kept."""
    dropped = {n for e in entries for n in range(e.line, e.end_line + 1)}
    return "".join(line for number, line in enumerate(doc.lines, 1) if number not in dropped)


def plan_rounds(
    list_text: str, papers: Sequence[Paper], descriptions: Mapping[str, str] | None = None
) -> list[Round]:
    """The rounds that triage every paper of ``papers`` as if its own entry were absent."""
    doc = parse(list_text)
    whole = doc.section_specs(descriptions)
    by_id = _by_id(doc)
    examples = "\n".join(squash(example) for spec in whole for example in spec.examples)
    sizes = Counter(e.section for e in doc.entries)

    def unchanged_without(entries: list[Entry]) -> bool:
        """Whether the list without ``entries`` gives the same section specs. An entry whose title is
        an example is shown (no need to parse to know); one that is neither an example nor the last
        entry of its section changes nothing; anything else is checked by parsing the list without it."""
        if any(
            e.title and squash(e.title)[:24] in examples for e in entries
        ):  # a prefix: clipped examples too
            return False
        mine = Counter(e.section for e in entries)
        if all(sizes[e.section] > mine[e.section] for e in entries):
            return True
        return parse(without(doc, entries)).section_specs(descriptions) == whole

    together: list[str] = []
    held: list[str] = []
    shown: dict[str, list[tuple[str, list[Entry]]]] = {}  # section -> papers whose entry is an example
    for paper in papers:
        entries = entries_of(doc, paper, by_id)
        if not entries:
            together.append(paper.arxiv_id)
            continue
        held.append(paper.arxiv_id)
        if unchanged_without(entries):
            together.append(paper.arxiv_id)
        else:
            shown.setdefault(entries[0].section, []).append((paper.arxiv_id, entries))
    rounds = [Round(list_text, tuple(together), tuple(i for i in together if i in held))] if together else []
    depth = max((len(v) for v in shown.values()), default=0)
    if depth > MAX_ROUNDS:
        raise ConfigError(f"leave-one-out would need {depth} rounds (more than {MAX_ROUNDS})")
    for index in range(depth):
        members = [group[index] for group in shown.values() if index < len(group)]
        removed = [e for _, entries in members for e in entries]
        ids = tuple(arxiv_id for arxiv_id, _ in members)
        rounds.append(Round(without(doc, removed), ids, ids))
    return rounds


# ---------------------------------------------------------------- the report


class RelevanceScores(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    precision: float | None = None  # None when undefined (nothing predicted relevant)
    recall: float | None = None
    f1: float | None = None


class SectionScores(BaseModel):
    """Over the papers labelled relevant and predicted relevant."""

    correct: int = 0
    total: int = 0
    accuracy: float | None = None


class EvalUsage(ModelUsage):
    tokens_estimated: bool = False  # some exchange gave no usage: characters/4
    cost_usd: float | None = None  # None when llm.prices has no price for the model


class PaperRow(BaseModel):
    arxiv_id: str
    title: str = ""
    label: str  # relevant | irrelevant
    section: str | None = None  # labelled section (full path)
    predicted_relevant: bool | None = None  # None: no prediction (see errors)
    predicted_section: str | None = None
    stage: str = ""  # which step decided: prefilter, screen, classify, validate; fetch for a lookup failure
    confidence: float | None = None
    rationale: str = ""
    held_out: bool = False  # in the list; triaged without its own entry


class EvalError(BaseModel):
    arxiv_id: str
    stage: str
    message: str


class LeaveOneOut(BaseModel):
    held_out: int = 0  # labelled papers found in the list
    rounds: int = 0  # triage passes (the whole list, then one per round of removed examples)


class EvalReport(BaseModel):
    n: int
    relevance: RelevanceScores
    section: SectionScores
    confusion: dict[str, dict[str, int]] = Field(
        description="{labelled section or 'irrelevant': {predicted section or 'irrelevant': count}}"
    )
    llm: EvalUsage
    leave_one_out: LeaveOneOut
    papers: list[PaperRow]
    errors: list[EvalError]
    sections: list[str] = Field(default_factory=list, description="every section path of the list")

    def summary_line(self) -> str:
        rel, sec = self.relevance, self.section
        return (
            f"eval: {self.n} papers, precision {_num(rel.precision)}, recall {_num(rel.recall)}, "
            f"F1 {_num(rel.f1)} (tp {rel.tp}, fp {rel.fp}, fn {rel.fn}, tn {rel.tn}); "
            f"section {sec.correct}/{sec.total} ({_num(sec.accuracy)}); errors {len(self.errors)}; "
            f"LLM {self.llm.calls} calls, {self.llm.input_tokens}+{self.llm.output_tokens} tokens"
        )

    def to_markdown(self) -> str:
        name = self._short
        rel, sec, llm = self.relevance, self.section, self.llm
        cost = "unknown (no price)" if llm.cost_usd is None else f"${llm.cost_usd:.4f}"
        relevant = sum(1 for p in self.papers if p.label != IRRELEVANT)
        lines = [
            f"## triagebot eval: `{llm.model}`, prompt `{llm.prompt_version}`",
            "",
            f"{self.n} labelled papers ({relevant} relevant, {self.n - relevant} irrelevant); "
            f"{self.leave_one_out.held_out} of them are in the list and were triaged without their own "
            f"entry ({self.leave_one_out.rounds} triage pass(es)).",
            "",
            "| measure | value |",
            "|---|---|",
            f"| relevance precision | {_num(rel.precision)} (tp {rel.tp}, fp {rel.fp}) |",
            f"| relevance recall | {_num(rel.recall)} (tp {rel.tp}, fn {rel.fn}) |",
            f"| relevance F1 | {_num(rel.f1)} |",
            f"| true negatives | {rel.tn} |",
            f"| section accuracy | {_num(sec.accuracy)} ({sec.correct} of {sec.total}) |",
            f"| errors (no prediction) | {len(self.errors)} |",
            f"| LLM calls | {llm.calls} |",
            f"| LLM tokens (in + out) | {llm.input_tokens} + {llm.output_tokens}"
            f"{' (estimated)' if llm.tokens_estimated else ''} |",
            f"| cost | {cost} |",
        ]
        columns = sorted({p for row in self.confusion.values() for p in row}, key=_irrelevant_last)
        if self.confusion:
            lines += ["", "### Confusion (rows: labelled, columns: predicted)", ""]
            lines.append("| labelled \\ predicted | " + " | ".join(cell(name(c)) for c in columns) + " |")
            lines.append("|---" * (len(columns) + 1) + "|")
            for truth in sorted(self.confusion, key=_irrelevant_last):
                counts = [str(self.confusion[truth].get(c, "")) for c in columns]
                lines.append(f"| {cell(name(truth))} | " + " | ".join(counts) + " |")
        wrong = [p for p in self.papers if _mistake(p)]
        if wrong:
            lines += ["", f"### Mistakes ({len(wrong)})", ""]
            for p in wrong:
                predicted = name(p.predicted_section or "?") if p.predicted_relevant else IRRELEVANT
                truth = name(p.section or "?") if p.label != IRRELEVANT else IRRELEVANT
                lines.append(
                    f"- `{p.arxiv_id}` {cell(p.title)[:120]}: labelled **{cell(truth)}**, predicted "
                    f"**{cell(predicted)}** ({p.stage}): {cell(p.rationale) or '-'}"
                )
        if self.errors:
            lines += ["", f"### Errors ({len(self.errors)})", ""]
            lines += [f"- `{e.arxiv_id}` ({e.stage}): {cell(e.message)}" for e in self.errors]
        return "\n".join(lines) + "\n"

    def _short(self, path: str) -> str:
        return shortest_unique_suffix(path, self.sections) if path in self.sections else path


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _irrelevant_last(name: str) -> tuple[bool, str]:
    return (name == IRRELEVANT, name)


def _mistake(row: PaperRow) -> bool:
    if row.predicted_relevant is None:
        return False
    if row.label == IRRELEVANT:
        return row.predicted_relevant
    return not row.predicted_relevant or row.predicted_section != row.section


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score(rows: Sequence[PaperRow]) -> tuple[RelevanceScores, SectionScores, dict[str, dict[str, int]]]:
    """Relevance counts, section accuracy and the confusion over the rows that have a prediction."""
    outcomes: Counter[tuple[bool, bool]] = Counter()
    confusion: dict[str, Counter[str]] = {}
    correct = total = 0
    for row in rows:
        if row.predicted_relevant is None:
            continue
        labelled = row.label != IRRELEVANT
        outcomes[labelled, row.predicted_relevant] += 1
        predicted = (row.predicted_section or "?") if row.predicted_relevant else IRRELEVANT
        truth = (row.section or "?") if labelled else IRRELEVANT
        confusion.setdefault(truth, Counter())[predicted] += 1
        if labelled and row.predicted_relevant:
            total += 1
            correct += row.predicted_section == row.section
    tp, fp, fn, tn = (
        outcomes[True, True],
        outcomes[False, True],
        outcomes[True, False],
        outcomes[False, False],
    )
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn) if tp else (0.0 if fp + fn else None)
    relevance = RelevanceScores(tp=tp, fp=fp, fn=fn, tn=tn, precision=precision, recall=recall, f1=f1)
    sections = SectionScores(correct=correct, total=total, accuracy=_ratio(correct, total))
    return relevance, sections, {truth: dict(sorted(c.items())) for truth, c in sorted(confusion.items())}


# ---------------------------------------------------------------- the evaluation


@dataclass
class _Tally:
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0
    model: str = ""
    prompt_version: str = ""

    def add(self, report: TriageReport) -> None:
        self.calls += report.calls
        self.usage = self.usage + report.usage
        self.cost += report.cost_usd
        self.model, self.prompt_version = report.model, report.prompt_version


def evaluate(
    labels: Sequence[Label],
    papers: Mapping[str, Paper],
    list_text: str,
    config: Config,
    llm: LLM,
    *,
    missing: Mapping[str, str] | None = None,
    audit_path: Path | None = None,
) -> EvalReport:
    """Triage the labelled ``papers`` (leave-one-out against ``list_text``) and score the verdicts.

    ``missing`` names the labelled papers that have no metadata, with why; they count as errors.
    """
    found = [papers[label.arxiv_id] for label in labels if label.arxiv_id in papers]
    rounds = plan_rounds(list_text, found, config.list.sections)
    whole = parse(list_text)
    verdicts: dict[str, Verdict] = {}
    failures: dict[str, str] = {}
    tally = _Tally(model=llm.model)
    for number, round_ in enumerate(rounds):
        log.info("eval pass %d of %d: %d paper(s)", number + 1, len(rounds), len(round_.arxiv_ids))
        doc = whole if round_.list_text == list_text else parse(round_.list_text)
        specs = doc.section_specs(config.list.sections)
        triage = Triage(llm, specs, config.llm, audit_path=audit_path, protected=config.list.protected)
        try:
            result = triage.run([papers[i] for i in round_.arxiv_ids])
        except Exception as err:  # a bug or an SDK surprise must not lose the others: each paper says so
            log.exception("triage failed for %d papers", len(round_.arxiv_ids))
            failures.update(dict.fromkeys(round_.arxiv_ids, f"triage failed: {type(err).__name__}: {err}"))
            continue
        tally.add(result)
        verdicts.update(result.verdicts)
    held = {i for r in rounds for i in r.held_out}
    rows, errors = _rows(labels, papers, verdicts, held, {**(missing or {}), **failures})
    relevance, section, confusion = score(rows)
    price_known = tally.model in config.llm.prices
    return EvalReport(
        n=len(labels),
        relevance=relevance,
        section=section,
        confusion=confusion,
        llm=EvalUsage(
            model=tally.model,
            prompt_version=tally.prompt_version or _prompt_version(),
            calls=tally.calls,
            input_tokens=tally.usage.input_tokens,
            output_tokens=tally.usage.output_tokens,
            tokens_estimated=tally.usage.estimated,
            cost_usd=round(tally.cost, 6) if price_known else None,
        ),
        leave_one_out=LeaveOneOut(held_out=len(held), rounds=len(rounds)),
        papers=rows,
        errors=errors,
        sections=[s.path for s in whole.sections],
    )


def _prompt_version() -> str:
    from triagebot.triage import prompt_version

    return prompt_version()


def _rows(
    labels: Sequence[Label],
    papers: Mapping[str, Paper],
    verdicts: Mapping[str, Verdict],
    held: set[str],
    failed: Mapping[str, str],
) -> tuple[list[PaperRow], list[EvalError]]:
    rows: list[PaperRow] = []
    errors: list[EvalError] = []
    for label in labels:
        paper = papers.get(label.arxiv_id)
        row = PaperRow(
            arxiv_id=label.arxiv_id,
            title=paper.title if paper else "",
            label="relevant" if label.relevant else IRRELEVANT,
            section=label.section,
            held_out=label.arxiv_id in held,
        )
        verdict = verdicts.get(label.arxiv_id)
        if verdict is None or verdict.kind in ("error", "pending"):
            stage = verdict.stage if verdict else ("fetch" if paper is None else "classify")
            message = verdict.reason if verdict else failed.get(label.arxiv_id, "no verdict (bug)")
            pending = verdict is not None and verdict.kind == "pending"
            if pending and message.endswith(RETRIED):  # a per-run cap: nothing to retry here
                message = with_hint(message.removesuffix(RETRIED), "raise it for the eval")
            errors.append(EvalError(arxiv_id=label.arxiv_id, stage=stage, message=message))
            rows.append(row.model_copy(update={"stage": stage, "rationale": message}))
            continue
        decision = verdict.decision
        relevant = verdict.kind == "relevant"
        rows.append(
            row.model_copy(
                update={
                    "predicted_relevant": relevant,
                    "predicted_section": decision.section if relevant and decision else None,
                    "stage": verdict.stage,
                    "confidence": decision.confidence if decision else None,
                    "rationale": (decision.rationale if decision and decision.rationale else verdict.reason),
                }
            )
        )
    return rows, errors
