"""The LLM chooses, code writes: turn an untrusted answer into a validated ``Decision``.

Every field the list will show is checked against the paper's own arXiv metadata; what fails is
dropped (or replaced by what code extracts itself) with a note saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from triagebot.code_hosts import is_repository_url
from triagebot.errors import ListError
from triagebot.models import Decision, Paper, squash
from triagebot.sections import is_protected, resolve_name
from triagebot.triage.extract import (
    acronym_from,
    code_url_from,
    comparable_url,
    paper_urls,
    publication_year,
    valid_acronym,
    venue_from,
)
from triagebot.triage.prompts import clip, sentences, unescape
from triagebot.triage.schema import RawDecision
from triagebot.triage.venues import normalise_venue, venues_in

MAX_EVIDENCE = 3
MAX_QUOTE = 300
_EVIDENCE_HINT = re.compile(r"anomal|out-of-distribution|novelty|defect|abnormal|locali[sz]", re.IGNORECASE)

Kind = Literal["relevant", "irrelevant", "prefiltered", "pending", "error"]
Stage = Literal["prefilter", "screen", "classify", "validate"]


@dataclass(frozen=True)
class Verdict:
    """The triage outcome for one paper (exactly one per input paper)."""

    arxiv_id: str
    kind: Kind
    decision: Decision | None
    reason: str
    raw: str | None
    stage: Stage


@dataclass(frozen=True)
class Rules:
    """What validation needs to know about the list and the run."""

    paths: tuple[str, ...]  # every section path of the list
    protected: tuple[str, ...]  # names (or ancestors) of sections the bot never edits
    min_confidence: float
    model: str
    prompt_version: str

    def is_protected(self, path: str) -> bool:
        return is_protected(path, self.protected)

    def section(self, name: str | None) -> tuple[str | None, str | None]:
        """(full path, None) for a usable section name, else (None, why not)."""
        if not name or not name.strip():
            return None, "no section given"
        try:
            path = resolve_name(name, self.paths)
        except ListError as err:
            return None, str(err).split(";")[0]
        if self.is_protected(path):
            return None, f"section '{path}' is protected: the bot does not edit it"
        return path, None


def _norm(text: str) -> str:
    return squash(unescape(text)).casefold()


def _word_start(text: str, at: int) -> int:
    while 0 < at < len(text) and text[at - 1].isalnum() and text[at].isalnum():
        at -= 1
    return at


def _word_end(text: str, end: int) -> int:
    while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    return end


def check_evidence(quotes: Sequence[str], paper: Paper) -> tuple[tuple[str, ...], list[str]]:
    """Quotes that really are in the title or abstract (whitespace- and case-insensitive), widened
    to whole words: a quote the model cut mid-word ("unseen categor") shows the whole word."""
    source = squash(f"{paper.title} {paper.abstract}")
    folded = source.casefold()
    kept: list[str] = []
    notes: list[str] = []
    for quote in quotes:
        wanted = _norm(quote).strip(" .\"'…")
        at = folded.find(wanted) if wanted else -1
        if at < 0 or len(wanted) > MAX_QUOTE:
            notes.append(f"evidence dropped (not a quote from the abstract): {squash(quote)[:80]!r}")
            continue
        span = source[_word_start(source, at) : _word_end(source, at + len(wanted))]
        if span not in kept:
            kept.append(span)
    return tuple(kept[:MAX_EVIDENCE]), notes


def evidence_from(paper: Paper) -> tuple[str, ...]:
    """Code's own evidence: the first abstract sentence that speaks of anomalies or localisation."""
    for sentence in sentences(paper.abstract):
        if _EVIDENCE_HINT.search(sentence):
            return (clip(sentence, MAX_QUOTE),)  # cut at a word boundary
    return ()


def check_acronym(answer: str | None, paper: Paper) -> tuple[str | None, list[str]]:
    """The model's acronym if it is well-formed and the paper uses it; else the extracted one."""
    notes: list[str] = []
    if answer and answer.strip():
        name = answer.strip()
        text = f" {paper.title} {paper.abstract} ".casefold()
        if not valid_acronym(name):
            notes.append(f"acronym {name[:40]!r} dropped: not letters, digits, '-' or '+' (max 20)")
        elif not re.search(rf"(?<![a-z0-9]){re.escape(name.casefold())}(?![a-z0-9])", text):
            notes.append(f"acronym {name!r} dropped: not in the title or abstract")
        else:
            return name, notes
    return acronym_from(paper), notes


def check_venue(answer: str | None, paper: Paper) -> tuple[str, int | None, list[str]]:
    """(venue, year, notes): only a venue the comment or journal reference supports is kept."""
    found = venue_from(paper)
    year = publication_year(paper)
    claimed = normalise_venue(answer) if answer else None
    notes: list[str] = []
    support = [*venues_in(paper.journal_ref), *venues_in(paper.comment)]
    if claimed and claimed != "arXiv":
        match = next((v for v in support if v.venue == claimed), None)
        if match is not None:
            return match.venue, match.year or year, notes
        if found is None:
            notes.append(f"venue {answer!r} not supported by the comment or journal reference: arXiv {year}")
            return "arXiv", year, notes
        notes.append(f"venue {answer!r} not supported; the comment says {found.venue}")
    elif answer and not claimed:
        notes.append(f"venue {answer[:40]!r} not recognised")
    if found is not None:
        return found.venue, found.year or year, notes
    if not notes:
        notes.append(f"no venue in the arXiv comment or journal reference: listed as arXiv {year}")
    return "arXiv", year, notes


def check_code_url(answer: str | None, paper: Paper) -> tuple[str | None, list[str]]:
    """The model's code URL only if it is a code host URL the paper itself gives; else extracted."""
    notes: list[str] = []
    if answer and answer.strip():
        own = {comparable_url(u): u for u in paper_urls(paper)}
        url = own.get(comparable_url(answer))
        if url is not None and is_repository_url(url):
            return url, notes
        notes.append(
            f"code_url {answer[:80]!r} dropped: not a code link from the paper's abstract or comment"
        )
    return code_url_from(paper), notes


def _confidence(value: float | None, notes: list[str]) -> float:
    if value is None:
        return 1.0
    if not 0.0 <= value <= 1.0:
        notes.append(f"confidence {value} clamped to [0, 1]")
    return min(1.0, max(0.0, value))


def to_verdict(answer: RawDecision, paper: Paper, rules: Rules, raw: str | None) -> Verdict:
    """Validate one answer for ``paper`` into a Verdict (relevant, irrelevant or a validation error)."""
    notes: list[str] = []
    section, section_problem = rules.section(answer.section)
    runner_up, _ = rules.section(answer.runner_up)
    if answer.relevant and section is None:
        if runner_up is None:
            suggestion = (
                f"; suggested new section {squash(answer.new_section)!r}" if answer.new_section else ""
            )
            reason = f"relevant, but {section_problem}{suggestion}"
            return Verdict(paper.arxiv_id, "error", None, reason, raw, "validate")
        notes.append(f"section: {section_problem}; using the runner-up")
        section, runner_up = runner_up, None
    acronym, more = check_acronym(answer.acronym, paper)
    notes += more
    venue, year, more = check_venue(answer.venue, paper)
    notes += more
    code_url, more = check_code_url(answer.code_url, paper)
    notes += more
    evidence, more = check_evidence(answer.evidence, paper)
    notes += more
    if not evidence and answer.relevant:
        evidence = evidence_from(paper)
        if evidence:
            notes.append("evidence quoted by code")
    confidence = _confidence(answer.confidence, notes)
    relevant, reason = answer.relevant, squash(answer.rationale)[:500]
    stage: Stage = "classify"
    if relevant and confidence < rules.min_confidence:
        relevant, stage = False, "validate"
        reason = f"confidence {confidence:.2f} below min_confidence {rules.min_confidence}"
        notes.append(reason)
    kind: Kind = "relevant" if relevant else "irrelevant"
    decision = Decision(
        arxiv_id=paper.arxiv_id,
        relevant=relevant,
        section=section,
        runner_up=runner_up if runner_up != section else None,
        acronym=acronym,
        venue=venue,
        year=year,
        code_url=code_url,
        evidence=evidence,
        rationale=squash(answer.rationale)[:500],
        confidence=confidence,
        new_section=squash(answer.new_section)[:80] if answer.new_section else None,
        model=rules.model,
        prompt_version=rules.prompt_version,
        notes=tuple(notes),
    )
    return Verdict(paper.arxiv_id, kind, decision, reason or kind, raw, stage)
