"""`triagebot lint` (not built yet)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("lint", help="(not built yet)")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    print("triagebot lint: not built yet")
    return 2
