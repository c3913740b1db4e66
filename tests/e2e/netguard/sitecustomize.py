"""Loaded by every ``triagebot`` child process of the end-to-end suite (its PYTHONPATH starts here,
then the repository): the test process's network guard, inside the child. A connection or name
lookup that is not loopback fails with a line the harness looks for.

It is also where the crash tests kill the child: with ``E2E_CRASH_AT=<stage>`` in its environment,
the process SIGKILLs itself when the run passes that stage boundary. The product only says which
boundary it passed (``triagebot.pipeline.STAGES``, logged at DEBUG on the ``triagebot.stage``
logger); the killing is the harness's business, not the shipped CLI's.
"""

from __future__ import annotations

import logging
import os
import signal
import sys

from tests.netguard import install

BLOCKED = "e2e-netguard: blocked"


def _refuse(what: str) -> OSError:
    print(f"{BLOCKED} {what}", file=sys.stderr, flush=True)
    return OSError(f"{BLOCKED} {what}")


install(_refuse)


class _KillAtStage(logging.Handler):
    """SIGKILL this process when the run passes ``stage`` (no cleanup, like a runner dying)."""

    def __init__(self, stage: str) -> None:
        super().__init__(logging.DEBUG)
        self.stage = stage

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple) and record.args[:1] == (self.stage,):
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def _install_crash(stage: str | None) -> None:
    if not stage:
        return
    stages = logging.getLogger("triagebot.stage")
    stages.setLevel(logging.DEBUG)  # heard whatever the CLI's verbosity
    stages.propagate = False  # and not printed on stderr
    stages.addHandler(_KillAtStage(stage))


_install_crash(os.environ.get("E2E_CRASH_AT"))
