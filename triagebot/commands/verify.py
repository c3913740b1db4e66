"""`triagebot verify`: check the entries already in the list against arXiv; optionally open the
one upkeep pull request that fixes wrong arXiv links in place.

Exit 0 when it ran (with or without findings), 1 when some lookups stayed unresolved (or the
upkeep PR could not be published), 2 on usage or configuration errors before any work.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from triagebot.commands.common import add_config_argument, emit_report, load_config_arg
from triagebot.errors import EXIT_OK, EXIT_PARTIAL, TriagebotError
from triagebot.verify.check import Finding, FindingKind

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers
    from triagebot.config import Config
    from triagebot.ports import UpkeepPublisher


class PublishOutcome(BaseModel):
    status: str
    url: str | None = None
    number: int | None = None
    message: str = ""


class VerifyReport(BaseModel):
    """What ``--report`` holds."""

    list_path: str
    entries_checked: int
    ids_looked_up: int
    title_searches: int
    counts: dict[str, int]
    findings: list[Finding]
    publish: PublishOutcome | None = None

    def summary_line(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(self.counts.items())) or "no findings"
        return (
            f"verify: {self.entries_checked} entries with arXiv links checked "
            f"({self.ids_looked_up} ids, {self.title_searches} title searches): {counts}"
        )

    def to_markdown(self) -> str:
        lines = ["## triagebot verify", "", self.summary_line(), ""]
        if self.findings:
            lines += ["| line | kind | message |", "|---|---|---|"]
            lines += [f"| {f.line} | {f.kind.value} | {f.message.replace('|', '/')} |" for f in self.findings]
        if self.publish is not None:
            lines += ["", f"Upkeep PR: {self.publish.status} {self.publish.url or ''} {self.publish.message}"]
        return "\n".join(lines) + "\n"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check the list's entries against arXiv (wrong links, new venues, code); optional upkeep PR",
        description="Look up every arXiv id the list links, compare titles, search arXiv by title "
        "for mismatches, and report wrong links, title mismatches, venue updates and code links. "
        "Exit 0 when it ran, 1 when some lookups stayed unresolved, 2 on usage or configuration errors.",
    )
    add_config_argument(parser)
    parser.add_argument("--list", metavar="PATH", help="the awesome list (default: [list].path)")
    parser.add_argument("--report", metavar="PATH", type=Path, help="write the findings as JSON here")
    parser.add_argument(
        "--publish",
        metavar="none|dir:PATH|github",
        default="none",
        help="none (default): report only; dir:PATH: the upkeep PR as a preview folder; "
        "github: open (or update) the one upkeep PR",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from triagebot.adapters.publishers.upkeep import build_upkeep_publisher
    from triagebot.adapters.sources.factory import build_index
    from triagebot.awesome import parse
    from triagebot.verify.check import Checker

    config = load_config_arg(args.config)
    list_path = str(args.list or config.list.path)
    publisher = build_upkeep_publisher(args.publish, config.publish, list_path=Path(list_path))
    text = publisher.read_list(list_path)
    entries = parse(text).entries
    result = Checker(build_index(config.arxiv), batch=config.arxiv.lookup_batch).check(entries)
    report = VerifyReport(
        list_path=list_path,
        entries_checked=result.entries_checked,
        ids_looked_up=result.ids_looked_up,
        title_searches=result.title_searches,
        counts=dict(Counter(f.kind.value for f in result.findings)),
        findings=result.findings,
    )
    failed = False
    if args.publish.strip() != "none":
        report.publish, failed = _publish(publisher, report, config, list_path, text)
    _emit(report, args.report)
    unresolved = any(f.kind is FindingKind.UNRESOLVED for f in report.findings)
    return EXIT_PARTIAL if unresolved or failed else EXIT_OK


def _publish(
    publisher: UpkeepPublisher, report: VerifyReport, config: Config, list_path: str, text: str
) -> tuple[PublishOutcome, bool]:
    from triagebot.pr_convention import UPKEEP_BRANCH
    from triagebot.verify.upkeep import upkeep_proposal

    try:
        history = publisher.upkeep_history(UPKEEP_BRANCH)
        proposal = upkeep_proposal(
            report.findings,
            history,
            text,
            list_path=list_path,
            labels=config.publish.labels,
            entries_checked=report.entries_checked,
            protected=config.list.protected,
            base=config.publish.base_branch,
        )
        if proposal is None:
            return PublishOutcome(status="nothing", message="nothing left to fix in place"), False
        result = publisher.publish_upkeep(proposal, history)
    except TriagebotError as err:
        log.error("the upkeep PR could not be published: %s", err.with_hint())
        return PublishOutcome(status="failed", message=err.with_hint()), True
    outcome = PublishOutcome(
        status=result.status.value, url=result.url, number=result.number, message=result.message
    )
    return outcome, result.status.value == "failed"


def _emit(report: VerifyReport, report_path: Path | None) -> None:
    lines = [f"{report.list_path}:{f.line}: {f.kind.value}: {f.message}" for f in report.findings]
    lines.append(report.summary_line())
    if report.publish is not None:
        lines.append(
            f"upkeep PR: {report.publish.status}: {report.publish.message} {report.publish.url or ''}"
        )
    emit_report(report, "\n".join(lines).rstrip() + "\n", json_path=report_path)
