"""Proposals: the pull requests a run's accepted papers become, one per paper or one per run.

Pure: papers and decisions in, :class:`~triagebot.models.Proposal` values out. The entry comes from
:mod:`triagebot.compose.entry`, the body from :mod:`triagebot.compose.pr_body`, the branch from
:mod:`triagebot.pr_convention`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from triagebot.awesome import Document, parse
from triagebot.compose.entry import Composed, InsertEntries, Insertion, compose_entry, leaf, shorten
from triagebot.compose.pr_body import build_body
from triagebot.config import PublishConfig
from triagebot.errors import TriagebotError
from triagebot.models import Decision, Paper, Proposal
from triagebot.pr_convention import BOT_LABEL, branch_for, run_branch

LOW_CONFIDENCE_LABEL = "low-confidence"
ACRONYM_NEEDED_LABEL = "acronym-needed"
TITLE_LIMIT = 200


def _labels(config: PublishConfig, low: bool, acronym_needed: bool = False) -> tuple[str, ...]:
    labels = dict.fromkeys([*config.labels, BOT_LABEL])
    if low:
        labels[LOW_CONFIDENCE_LABEL] = None
    if acronym_needed:
        labels[ACRONYM_NEEDED_LABEL] = None
    return tuple(labels)


def proposal_for(
    items: Sequence[Composed], config: PublishConfig, *, list_path: str, branch: str, base: str | None = None
) -> Proposal:
    """One proposal for one or more composed papers."""
    if not items:
        raise ValueError("a proposal needs at least one paper")
    low = any(item.decision.confidence < config.low_confidence for item in items)
    if len(items) == 1:
        title = f"Add {items[0].label} to {leaf(items[0].section)}"
    else:
        title = f"Add {len(items)} papers: " + ", ".join(item.label for item in items)
    edit = InsertEntries(tuple(Insertion(i.paper.arxiv_id, i.section, i.line) for i in items))
    return Proposal(
        branch=branch,
        title=shorten(title, TITLE_LIMIT),
        body=build_body(items),
        labels=_labels(config, low, any(item.acronym_needed for item in items)),
        draft=low,
        arxiv_ids=tuple(item.paper.arxiv_id for item in items),
        list_path=list_path,
        apply=edit,
        base=base if base is not None else config.base_branch,
    )


@dataclass
class ComposeResult:
    """The proposals, and the papers that could not be composed (arXiv id -> one-line reason)."""

    proposals: list[Proposal] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def build_proposals(
    papers: Sequence[Paper],
    decisions: Mapping[str, Decision],
    doc: Document,
    config: PublishConfig,
    *,
    list_path: str,
    run_id: str,
) -> ComposeResult:
    """Compose every paper that has a decision: one proposal each, or one per run when grouping.

    Each entry is checked against ``doc`` (the list as read), so a paper whose entry cannot be
    inserted is reported here and never reaches the publisher. Papers keep their input order.
    """
    result = ComposeResult()
    composed: list[Composed] = []
    text = doc.render()
    current = doc  # grouped: each entry is written against the list holding the ones before it
    for paper in papers:
        decision = decisions.get(paper.arxiv_id)
        if decision is None:
            continue
        try:
            item = compose_entry(paper, decision, current)
            inserted = InsertEntries((Insertion(paper.arxiv_id, item.section, item.line),))(text)
            if config.group:
                text, current = inserted, parse(inserted)
            else:
                proposal = proposal_for(
                    [item], config, list_path=list_path, branch=branch_for(paper.arxiv_id)
                )
                result.proposals.append(proposal)
        except (TriagebotError, ValueError) as err:
            result.errors[paper.arxiv_id] = str(err)
            continue
        composed.append(item)
    if config.group and composed:
        try:
            result.proposals.append(
                proposal_for(composed, config, list_path=list_path, branch=run_branch(run_id))
            )
        except TriagebotError as err:
            result.errors.update({item.paper.arxiv_id: str(err) for item in composed})
    return result
