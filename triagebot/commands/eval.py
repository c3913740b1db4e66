"""`triagebot eval`: how good is the triage? Labelled papers in, precision, recall and sections out.

    triagebot eval --data PATH [--list PATH] [--llm BACKEND] [--source arxiv|PATH] [--config PATH]
                   [--report PATH] [--markdown PATH]
    triagebot eval --from-list [--negatives PATH] ...
    triagebot eval --offline            # the bundled labelled set on the bundled recordings

Papers are triaged exactly as ``run`` triages them, leave-one-out against the list (see
``triagebot.evaluation``); nothing is published and no state is written.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from triagebot.commands.common import (
    add_config_argument,
    add_llm_arguments,
    add_lookup_arguments,
    args_from_namespace,
    build_llm_arg,
    emit_report,
    load_config_arg,
)
from triagebot.config import Config, Price, load_config
from triagebot.errors import EXIT_OK, EXIT_PARTIAL, ConfigError, SourceError
from triagebot.evaluation import EvalReport, Label, labels_from_list, merge_labels, read_labels
from triagebot.models import Paper

log = logging.getLogger(__name__)

# The model name of the bundled eval recordings. They were made with the scripted stand-in of the
# test suite, which answers from the labels: the offline figures measure the pipeline around the
# model (prefilter, screen, validation, scoring), not any real model, and the name says so.
OFFLINE_MODEL = "scripted-from-labels"

if TYPE_CHECKING:
    from triagebot.commands.common import Subparsers


def eval_data_dir() -> Path:
    """The labelled sets shipped with the package (``labeled.jsonl``, ``negatives.jsonl``)."""
    return Path(str(resources.files("triagebot") / "data" / "eval"))


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="measure the triage on labelled papers (precision, recall, sections)",
        description="Triage labelled papers exactly as `run` would (leave-one-out against the list, "
        "nothing published) and report how the decisions compare with the labels.",
    )
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--data",
        type=Path,
        metavar="PATH",
        help='JSON lines: {"arxiv_id": …, "label": "relevant"|"irrelevant", "section": …}',
    )
    what.add_argument(
        "--from-list",
        action="store_true",
        help="the list's own arXiv entries are the relevant papers (with --negatives as irrelevant ones)",
    )
    parser.add_argument(
        "--negatives",
        type=Path,
        metavar="PATH",
        help="labelled irrelevant papers to add (default with --from-list: the set shipped with triagebot)",
    )
    add_config_argument(parser)
    add_lookup_arguments(parser)
    add_llm_arguments(parser)
    parser.add_argument("--report", type=Path, metavar="PATH", help="write the evaluation as JSON here")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write the readable summary here")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="bundled list, arXiv metadata and recorded model answers (default data: the bundled "
        "labelled set); no network, no keys",
    )
    parser.set_defaults(handler=handle)


@dataclass(frozen=True)
class EvalArgs:
    """The arguments of ``triagebot eval``, parsed once (``--offline`` returns an edited copy)."""

    config: Path | None = None
    data: Path | None = None
    from_list: bool = False
    negatives: Path | None = None
    list: Path | None = None
    source: tuple[str, ...] = ()
    llm: str | None = None
    record_dir: Path | None = None
    audit: Path | None = None
    report: Path | None = None
    markdown: Path | None = None
    offline: bool = False


def handle(ns: argparse.Namespace) -> int:
    args = args_from_namespace(EvalArgs, ns)
    config = load_config_arg(args.config)
    if args.offline:
        args, config = offline_setup(args, config)
    if args.data is None and not args.from_list:
        raise ConfigError("say what to evaluate", hint="--data PATH, --from-list, or --offline")
    report = run_eval(args, config)
    _emit(report, args.report, args.markdown)
    return EXIT_PARTIAL if report.errors else EXIT_OK


def offline_setup(args: EvalArgs, config: Config) -> tuple[EvalArgs, Config]:
    """Bundled inputs wherever an argument names none (like `run --offline`), recordings of eval."""
    from triagebot.offline import bundle_dir

    bundle = bundle_dir()
    if args.config is None:  # the recordings were made with the bundled config's prompts
        config = load_config(bundle / "triagebot.toml")
    data = args.data
    if data is None and not args.from_list:
        data = eval_data_dir() / "labeled.jsonl"
    prices = {**config.llm.prices, OFFLINE_MODEL: Price(input=0.0, output=0.0)}  # it costs nothing
    update: dict[str, object] = {"replay_dir": str(bundle / "eval-recordings"), "prices": prices}
    llm_spec = args.llm
    if llm_spec in (None, "replay"):  # the bundled recordings; --llm openai measures a real model
        llm_spec, update["model"] = "replay", OFFLINE_MODEL
    edited = replace(
        args,
        list=args.list or bundle / "awesome-xad.md",
        source=args.source or (str(bundle / "arxiv"),),
        data=data,
        llm=llm_spec,
    )
    llm = config.llm.model_copy(update=update)
    return edited, config.model_copy(update={"llm": llm})


def run_eval(args: EvalArgs, config: Config) -> EvalReport:
    """Read the list and the labels, look the papers up, triage and score them."""
    from triagebot.awesome import parse, read_list_file
    from triagebot.evaluation import evaluate

    list_text = read_list_file(Path(args.list or config.list.path))
    doc = parse(list_text)
    paths = [s.path for s in doc.sections]
    labels: list[Label] = []
    bundled: set[str] = set()
    if args.data is not None:
        labels = read_labels(_read(args.data), str(args.data), paths)
    if args.from_list:
        labels = labels_from_list(doc, config.list.protected)
        if not labels:
            raise ConfigError("the list has no entry that links an arXiv paper outside protected sections")
    negatives = args.negatives
    shipped = negatives is None and args.from_list
    if shipped:
        negatives = eval_data_dir() / "negatives.jsonl"
    if negatives is not None:
        extra = read_labels(_read(negatives), str(negatives), paths)
        if any(label.relevant for label in extra):
            raise ConfigError(f"{negatives}: negatives must all be labelled irrelevant")
        if shipped:
            bundled = {label.arxiv_id for label in extra}
        labels = merge_labels(labels, extra)
    if not labels:
        raise ConfigError(f"{args.data}: no labelled paper", hint="one JSON object per line")
    llm = build_llm_arg(args.llm, args.record_dir, config.llm)
    ids = [label.arxiv_id for label in labels]
    papers, missing = lookup(ids, list(args.source) or ["arxiv"], config, bundled=bundled)
    return evaluate(labels, papers, list_text, config, llm, missing=missing, audit_path=args.audit)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ConfigError(f"{path}: cannot read: {reason}") from None


def lookup(
    ids: Sequence[str], specs: Sequence[str], config: Config, *, bundled: set[str]
) -> tuple[dict[str, Paper], dict[str, str]]:
    """Metadata for ``ids`` and, for those without, why. The ``bundled`` ones (the shipped
    negatives) come from the recordings shipped with the package, the rest from ``specs``."""
    from triagebot.adapters.sources.factory import build_sources
    from triagebot.offline import bundle_dir

    papers: dict[str, Paper] = {}
    missing: dict[str, str] = {}
    groups = [
        ([str(bundle_dir() / "arxiv")], [i for i in ids if i in bundled]),
        (list(specs), [i for i in ids if i not in bundled]),
    ]
    for where, wanted in groups:
        if not wanted:
            continue
        try:
            for paper in build_sources(where, config.arxiv).lookup(wanted):
                kept = papers.get(paper.arxiv_id)
                if kept is None or paper.version > kept.version:
                    papers[paper.arxiv_id] = paper
        except SourceError as err:
            log.error("arXiv lookup stopped early: %s", err)
            missing.update({i: f"arXiv lookup failed: {err}" for i in wanted if i not in papers})
        why = "not found on arXiv" if where == ["arxiv"] else f"not in the saved responses {', '.join(where)}"
        for arxiv_id in wanted:
            if arxiv_id not in papers and arxiv_id not in missing:
                missing[arxiv_id] = why
    return papers, missing


def _emit(report: EvalReport, report_path: Path | None, markdown_path: Path | None) -> None:
    """JSON to --report, the summary to --markdown, stdout and the Actions step summary; secrets masked."""
    emit_report(report, report.to_markdown(), json_path=report_path, markdown_path=markdown_path)
