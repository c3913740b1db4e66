"""`triagebot fetch`: list the candidate papers the bot would see, from arXiv or saved responses."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.adapters.sources.factory import build_sources
from triagebot.commands.common import add_config_argument, load_config_arg, parse_date
from triagebot.errors import EXIT_OK
from triagebot.models import Paper

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "fetch",
        help="list the candidate papers from arXiv (feed or search) or saved responses",
        description="List the candidate papers the bot sees. Papers fetched before an arXiv failure "
        "are still listed; the failure is reported and the exit code is 1.",
    )
    add_config_argument(parser)
    parser.add_argument(
        "--since", type=parse_date, metavar="DATE", help="start of the window (YYYY-MM-DD or ISO)"
    )
    parser.add_argument(
        "--until",
        type=parse_date,
        metavar="DATE",
        help="end of the window, exclusive (a date means its midnight UTC)",
    )
    parser.add_argument(
        "--source",
        action="append",
        metavar="arxiv|rss|PATH",
        help="arxiv (API search), rss (the announcement feed), or saved responses: a file, a directory, "
        "or several joined by ':'; repeat to merge sources (default: arxiv.source from the config)",
    )
    parser.add_argument("--format", choices=("table", "jsonl"), default="table", help="output format")
    parser.add_argument(
        "--save",
        type=Path,
        metavar="DIR",
        help="save every arXiv response read into DIR (replay with --source DIR)",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    config = load_config_arg(args.config).arxiv
    source = build_sources(args.source or [config.source], config, save_dir=args.save)
    count = 0
    try:
        for paper in source.papers(args.since, args.until):
            count += 1
            _emit(paper, args.format)
    finally:
        if args.format == "table":
            print(f"{count} papers")
    return EXIT_OK


def _emit(paper: Paper, fmt: str) -> None:
    if fmt == "jsonl":
        print(paper.model_dump_json(), flush=True)
    else:
        print(table_row(paper), flush=True)


def table_row(paper: Paper) -> str:
    day = paper.published.date().isoformat() if paper.published else "-"
    kind = paper.announce_type or "-"
    category = paper.primary_category or (paper.categories[0] if paper.categories else "-")
    return "  ".join(
        [f"{paper.arxiv_id}v{paper.version}".ljust(16), day, category.ljust(8), kind.ljust(13), paper.title]
    )
