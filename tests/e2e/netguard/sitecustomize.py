"""Loaded by every ``triagebot`` child process of the end-to-end suite (its PYTHONPATH starts here,
then the repository): the test process's network guard, inside the child. A connection or name
lookup that is not loopback fails with a line the harness looks for."""

from __future__ import annotations

import sys

from tests.netguard import install

BLOCKED = "e2e-netguard: blocked"


def _refuse(what: str) -> OSError:
    print(f"{BLOCKED} {what}", file=sys.stderr, flush=True)
    return OSError(f"{BLOCKED} {what}")


install(_refuse)
