"""The audit trail and the cost ledger: one JSON line per model exchange, and its price."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triagebot.config import Price
from triagebot.errors import StateError
from triagebot.models import Usage
from triagebot.redact import redact

log = logging.getLogger(__name__)


def estimate_tokens(text: str) -> int:
    """Token estimate where no API reports usage: characters / 4, rounded up."""
    return (len(text) + 3) // 4


def cost_usd(usage: Usage, model: str, prices: Mapping[str, Price]) -> float:
    """Estimated cost of ``usage`` with ``model`` (0.0, with a warning, when the model has no price)."""
    price = prices.get(model)
    if price is None:
        if not usage.estimated and (usage.input_tokens or usage.output_tokens):
            log.warning("no price for model %r in llm.prices: cost counted as 0", model)
        return 0.0
    return (usage.input_tokens * price.input + usage.output_tokens * price.output) / 1_000_000


class AuditLog:
    """Appends one JSON line per exchange to ``path`` (nothing when ``path`` is None). Thread-safe."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StateError(f"cannot create the audit log folder {path.parent}: {err}") from None

    def write(
        self,
        *,
        kind: str,
        paper_ids: Sequence[str],
        model: str,
        prompt_version: str,
        attempt: int,
        parsed: Any,
        usage: Usage,
        latency_s: float,
        raw: str | None = None,
        error: str | None = None,
    ) -> None:
        if self.path is None:
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "paper_ids": list(paper_ids),
            "model": model,
            "prompt_version": prompt_version,
            "attempt": attempt,
            "parsed": parsed,
            "raw": raw,
            "error": error,
            "usage": {
                "input_tokens": usage.input_tokens,
                "output_tokens": usage.output_tokens,
                "estimated": usage.estimated,
                "cached_input_tokens": usage.cached_input_tokens,
            },
            "latency_s": round(latency_s, 3),
        }
        text = redact(json.dumps(line, ensure_ascii=False, default=str)) + "\n"  # errors may quote keys
        with self._lock:
            try:
                with self.path.open("a", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as err:
                raise StateError(f"cannot append to the audit log {self.path}: {err}") from None
