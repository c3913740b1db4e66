"""Command line: parse arguments, pick adapters, map errors to exit codes. The only exit boundary.

Each command lives in ``triagebot/commands/<name>.py`` and exposes ``register(subparsers)``, which
adds its parser and sets ``handler`` (``Callable[[argparse.Namespace], int]``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from triagebot import __version__
from triagebot.errors import EXIT_INTERRUPTED, EXIT_PARTIAL, TriagebotError
from triagebot.redact import RedactingFilter, redact

COMMANDS = ("run", "fetch", "classify", "lint", "verify", "eval")

_HANDLER_NAME = "triagebot-stderr"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="triagebot",
        description="Keep an awesome paper list alive: arXiv -> LLM triage -> pull requests.",
    )
    parser.add_argument("--version", action="version", version=f"triagebot {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors on stderr")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"triagebot.commands.{name}").register(subparsers)
    return parser


def _setup_logging(verbose: int, quiet: bool) -> None:
    """One stderr handler on the root logger, so every library's records pass the secret filter."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose > 1 else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:  # main() may run twice
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose >= 3 else logging.INFO)
    logging.getLogger("triagebot").setLevel(level)
    for sdk in ("arxiv", "openai", "httpx", "httpx2", "github", "urllib3"):
        sdk_logger = logging.getLogger(sdk)
        # PyGithub installs a handler of its own at import: its lines would bypass the secret filter
        for own in list(sdk_logger.handlers):
            sdk_logger.removeHandler(own)
        sdk_logger.propagate = True
        # chatty, and they may log request headers at DEBUG: only with -vvv
        sdk_logger.setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit code (0 ok, 1 some papers failed, 2 usage/config error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(exc.code or 0)
    _setup_logging(args.verbose, args.quiet)
    try:
        return int(args.handler(args))
    except TriagebotError as err:
        print(redact(f"triagebot: error: {err.with_hint()}"), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("triagebot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:
        if args.debug:
            raise
        message = redact(" ".join(str(err).split()))
        print(
            f"triagebot: internal error: {type(err).__name__}: {message} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_PARTIAL


def main_entry() -> None:
    sys.exit(main())
