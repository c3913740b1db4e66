"""`triagebot lint PATH [--format text|json]`: the list's problems, one per line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.awesome import parse, read_list_file
from triagebot.awesome.lint import lint_document, recognised
from triagebot.errors import EXIT_OK, EXIT_PARTIAL

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check an awesome list: broken or duplicated entries (errors), style departures (warnings)",
        description="Print one problem per line as PATH:LINE: CODE message. "
        "Exit 0 without errors, 1 with errors, 2 when the file cannot be read.",
    )
    parser.add_argument("path", metavar="PATH", help="the list's Markdown file (e.g. README.md)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    text = read_list_file(Path(args.path))
    doc = parse(text)
    problems = lint_document(doc, args.path)
    counts = recognised(doc)
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem.format())
    errors = sum(1 for p in problems if p.severity == "error")
    print("entries recognised per section:", file=sys.stderr)
    for section, count in counts:
        print(f"{count:6d}  {section.path} (line {section.line})", file=sys.stderr)
    total = sum(count for _, count in counts)
    print(
        f"{total} entries recognised, {errors} error(s), {len(problems) - errors} warning(s)", file=sys.stderr
    )
    return EXIT_PARTIAL if errors else EXIT_OK
