"""`triagebot classify ARXIV_ID…`: the maintainer's "why did the bot do that".

Looks the papers up, asks the configured model ([llm]), and prints each validated decision with
its rationale, evidence and what validation changed. No list edit, no pull request.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.commands.common import (
    add_config_argument,
    add_llm_arguments,
    add_lookup_arguments,
    build_llm_arg,
    load_config_arg,
    parse_ids,
)
from triagebot.config import Config
from triagebot.errors import EXIT_OK, EXIT_PARTIAL, ConfigError
from triagebot.models import Paper, SectionSpec
from triagebot.triage.validate import Verdict

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "classify",
        help="classify arXiv papers and show why (no list edit, no PR)",
        description="Classify arXiv papers against the list's sections and print each decision "
        "with its rationale and evidence.",
    )
    parser.add_argument("ids", nargs="+", metavar="ARXIV_ID", help="arXiv ids or abs/pdf links")
    add_config_argument(parser)
    add_lookup_arguments(parser)
    add_llm_arguments(parser)
    parser.add_argument("--screen", action="store_true", help="go through the prefilter and screen too")
    parser.set_defaults(handler=_handle)


def _ids(raw: Sequence[str]) -> list[str]:
    try:
        return parse_ids(",".join(raw))
    except argparse.ArgumentTypeError as err:
        raise ConfigError(str(err)) from None


def _sections(config: Config, path: Path) -> list[SectionSpec]:
    from triagebot.awesome import parse_list, read_list_file

    doc = parse_list(read_list_file(path), str(path))
    specs: list[SectionSpec] = doc.section_specs(config.list.sections)
    return specs


def _lookup(config: Config, specs: Sequence[str], ids: list[str]) -> dict[str, Paper]:
    from triagebot.adapters.sources.factory import build_sources

    found: dict[str, Paper] = {}
    for paper in build_sources(specs or ["arxiv"], config.arxiv).lookup(ids):
        found.setdefault(paper.arxiv_id, paper)
    return found


def _handle(args: argparse.Namespace) -> int:
    from triagebot.triage import Triage

    config = load_config_arg(args.config)
    ids = _ids(args.ids)
    sections = _sections(config, args.list or Path(config.list.path))
    llm = build_llm_arg(args.llm, args.record_dir, config.llm)
    papers = _lookup(config, args.source, ids)
    triage = Triage(llm, sections, config.llm, audit_path=args.audit, protected=config.list.protected)
    report = triage.run([papers[i] for i in ids if i in papers], skip_screen=not args.screen)
    status = EXIT_OK
    for arxiv_id in ids:
        if arxiv_id not in papers:
            print(f"{arxiv_id}  NOT FOUND on arXiv\n")
            status = EXIT_PARTIAL
            continue
        verdict = report.verdicts[arxiv_id]
        print("\n".join(_describe(papers[arxiv_id], verdict)) + "\n")
        if verdict.kind == "error":
            status = EXIT_PARTIAL
    usage = report.usage
    print(
        f"model {report.model} · prompt {report.prompt_version} · {report.calls} call(s) · "
        f"{usage.input_tokens}+{usage.output_tokens} tokens{' (estimated)' if usage.estimated else ''} · "
        f"~${report.cost_usd:.4f}"
    )
    return status


def _describe(paper: Paper, verdict: Verdict) -> list[str]:
    decision = verdict.decision
    head = f"{paper.arxiv_id}  {verdict.kind.upper()}"
    if decision is not None and decision.section:
        head += f" -> {decision.section}"
    lines = [head, f"  title:      {paper.title}"]
    if decision is None:
        lines.append(f"  reason:     {verdict.reason} (stage: {verdict.stage})")
        if verdict.raw:
            lines.append(f"  raw answer: {' '.join(verdict.raw.split())[:300]}")
        return lines
    if decision.runner_up:
        lines.append(f"  runner-up:  {decision.runner_up}")
    venue = f"{decision.venue} {decision.year or ''}".strip()
    lines.append(f"  entry:      [{decision.acronym or '-'}] · {venue} · code: {decision.code_url or '-'}")
    lines.append(f"  confidence: {decision.confidence:.2f}")
    if decision.new_section:
        lines.append(f"  suggests a new section: {decision.new_section}")
    lines.append(f"  rationale:  {decision.rationale or '-'}")
    if verdict.reason and verdict.reason != decision.rationale:
        lines.append(f"  outcome:    {verdict.reason} (stage: {verdict.stage})")
    lines += [f'  evidence:   "{quote}"' for quote in decision.evidence]
    lines += [f"  note:       {note}" for note in decision.notes]
    return lines
