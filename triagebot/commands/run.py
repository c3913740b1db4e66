"""`triagebot run`: the nightly job (and, with --offline, the first thing a newcomer runs)."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.commands.common import (
    add_config_argument,
    args_from_namespace,
    emit_report,
    load_config_arg,
    parse_date,
    parse_ids,
)
from triagebot.config import Config
from triagebot.errors import EXIT_OK, EXIT_PARTIAL, ConfigError
from triagebot.ports import StateStore
from triagebot.report import RunReport
from triagebot.timeutil import utc_now

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers
    from triagebot.pipeline import RunPlan

# A feed covers one announcement day; a gap longer than this is caught up with an API search.
CATCH_UP_AFTER = timedelta(hours=36)
log = logging.getLogger(__name__)
# Each stage boundary the run passes, at DEBUG (-vv): what an observer of the run hooks into.
stage_log = logging.getLogger("triagebot.stage")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "run",
        help="fetch, triage and publish new papers (the nightly job)",
        description="Fetch new arXiv papers, triage them with the model, and open pull requests.",
    )
    add_config_argument(parser)
    parser.add_argument("--list", metavar="PATH", help="the awesome list (default: [list].path)")
    parser.add_argument(
        "--source",
        action="append",
        metavar="arxiv|rss|PATH",
        help="where papers come from; PATH is a saved arXiv response or feed (repeatable)",
    )
    parser.add_argument("--llm", metavar="openai|replay|fixture:PATH", help="the model backend")
    parser.add_argument(
        "--model", metavar="NAME", help="the model as the endpoint names it (default: [llm] model)"
    )
    parser.add_argument("--publish", metavar="github|dir:PATH|none", help="where proposals go")
    parser.add_argument(
        "--repo", metavar="OWNER/NAME", help="the list's repository (default: GITHUB_REPOSITORY)"
    )
    parser.add_argument("--state", metavar="DIR", help="the state directory (default: [state].dir)")
    parser.add_argument("--report", metavar="PATH", type=Path, help="write the run report as JSON here")
    parser.add_argument(
        "--since", type=parse_date, metavar="DATE", help="start of the window (default: last run)"
    )
    parser.add_argument("--until", type=parse_date, metavar="DATE", help="end of the window (default: now)")
    parser.add_argument("--ids", type=parse_ids, metavar="ID,…", help="force these arXiv ids through triage")
    parser.add_argument("--max-papers", type=int, metavar="N", help="process at most N papers; the rest wait")
    parser.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="save every arXiv response read into DIR (replay: --source DIR)",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        help="bundled arXiv night and model answers; previews in ./triagebot-offline/ (no network, no keys)",
    )
    parser.set_defaults(handler=handle, run_id=None)


@dataclass(frozen=True)
class RunArgs:
    """The arguments of ``triagebot run``, parsed once (``--offline`` returns an edited copy)."""

    config: Path | None = None
    list: str | None = None
    source: tuple[str, ...] = ()
    llm: str | None = None
    model: str | None = None
    publish: str | None = None
    repo: str | None = None
    state: str | None = None
    report: Path | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[str, ...] = ()
    max_papers: int | None = None
    save: Path | None = None
    offline: bool = False
    run_id: str | None = None  # None: the start time; "offline" for the bundled night


def handle(ns: argparse.Namespace) -> int:
    from triagebot.offline import offline_setup
    from triagebot.pipeline import run_pipeline

    args = args_from_namespace(RunArgs, ns)
    config = load_config_arg(args.config)
    if args.max_papers is not None and args.max_papers < 0:
        raise ConfigError("--max-papers must be 0 or more")
    if args.offline:
        args, config = offline_setup(args, config, Path.cwd())
    if args.model:
        config = config.model_copy(update={"llm": config.llm.model_copy(update={"model": args.model})})
    report = run_pipeline(_plan(args, config), on_stage=_log_stage)
    _emit(report, args.report)
    return EXIT_PARTIAL if report.errors else EXIT_OK


def _log_stage(stage: str) -> None:
    stage_log.debug("stage passed: %s", stage)


def _plan(args: RunArgs, config: Config) -> RunPlan:
    """Build the adapters from arguments and config (the only place that picks them)."""
    from triagebot.adapters.llm.factory import build_llm
    from triagebot.adapters.publishers.factory import build_publisher
    from triagebot.adapters.sources.factory import build_sources
    from triagebot.adapters.state.jsonl import JsonlStateStore
    from triagebot.pipeline import RunOptions, RunPlan

    list_path = args.list or config.list.path
    state_dir = Path(args.state or config.state.dir)
    state = JsonlStateStore(state_dir)
    publish_spec = args.publish or config.publish.backend
    publish_config = config.publish.model_copy(update={"repo": args.repo}) if args.repo else config.publish
    publisher = build_publisher(publish_spec, publish_config, list_path=Path(list_path))
    llm = build_llm(args.llm or config.llm.backend, config.llm)
    since, until = _window(args, state)
    source = build_sources(_source_specs(args, config, since, until), config.arxiv, save_dir=args.save)
    options = RunOptions(
        run_id=args.run_id or utc_now().strftime("%Y%m%dT%H%M%SZ"),
        list_path=list_path,
        since=since,
        until=until,
        ids=args.ids,
        max_papers=args.max_papers,
        audit_path=state_dir / "exchanges.jsonl",
        previews=publish_spec.removeprefix("dir:") if publish_spec.startswith("dir:") else None,
    )
    return RunPlan(config=config, options=options, source=source, llm=llm, publisher=publisher, state=state)


def _source_specs(args: RunArgs, config: Config, since: datetime | None, until: datetime | None) -> list[str]:
    """The sources to read. The feed lists one announcement day only, so when the last completed
    run is older than that (a missed night, a failed run), an API search covers the gap too."""
    if args.source:
        return list(args.source)
    specs = [config.arxiv.source]
    if specs == ["rss"] and since is not None and until is not None and until - since > CATCH_UP_AFTER:
        log.info("last completed run ended %s: searching arXiv since then too", since.isoformat())
        specs.append("arxiv")
    return specs


def _window(args: RunArgs, state: StateStore) -> tuple[datetime | None, datetime | None]:
    """Since the last completed window (the cursor) until now, unless the arguments say otherwise.
    A recorded night (--offline) has no window: every paper in it is a candidate."""
    if args.offline:
        return args.since, args.until
    cursor = state.cursor()
    until = args.until or utc_now()
    since = args.since or (cursor.until if cursor else None)
    if since is not None and since >= until:
        raise ConfigError(f"--since {since.isoformat()} is not before --until {until.isoformat()}")
    return since, until


def _emit(report: RunReport, report_path: Path | None) -> None:
    """The report as JSON, as the Actions step summary, and as a short text; secrets masked in all."""
    lines = [report.summary_line()]
    lines += [f"  error: {e.arxiv_id or '-'} ({e.stage}): {e.message}" for e in report.errors]
    if report.previews:
        lines.append(f"PR previews: {report.previews}")
    emit_report(report, "\n".join(lines) + "\n", json_path=report_path)
