"""Run-wide limits shared by the worker threads: a request rate limit and the token budget."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from triagebot.models import Usage


class RateLimiter:
    """At most ``per_minute`` request starts per minute, evenly spaced (thread-safe)."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 60.0 / per_minute
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


class Ledger:
    """Calls and tokens spent so far in this run, against the run's token cap (thread-safe)."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.calls = 0
        self.usage = Usage()
        self._lock = threading.Lock()

    def add(self, usage: Usage) -> None:
        with self._lock:
            self.calls += 1
            self.usage = self.usage + usage

    def spent(self) -> int:
        with self._lock:
            return self.usage.input_tokens + self.usage.output_tokens

    def exhausted(self) -> bool:
        return self.spent() >= self.max_tokens
