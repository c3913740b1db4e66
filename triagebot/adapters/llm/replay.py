"""Record and replay model exchanges, keyed by model, prompt version and paper ids.

A recording is one JSON file per (model, prompt version, kind, paper ids)::

    <dir>/<model>/<prompt version>/<kind>-<first id>[+N]-<hash of the ids>.json

holding every exchange for that key in order (a re-ask after an invalid answer is a second
exchange). Replay serves the exchange whose messages match, else the next one in order, and parses
it with the request's schema exactly as the live backend would.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from triagebot.errors import ClassifyError, ConfigError, InvalidAnswerError
from triagebot.fsutil import atomic_write
from triagebot.models import Usage
from triagebot.ports import LLM, ModelAnswer, ModelRequest

RECORD_COMMAND = "triagebot classify {ids} --llm openai --record-dir {dir}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "model"


def _sha(text: str, size: int = 10) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


def recording_path(root: Path, model: str, request: ModelRequest) -> Path:
    ids = request.paper_ids
    more = f"+{len(ids) - 1}" if len(ids) > 1 else ""
    name = f"{request.kind}-{_slug(ids[0]) if ids else 'none'}{more}-{_sha(' '.join(ids), 8)}.json"
    return root / _slug(model) / request.prompt_version / name


def messages_sha(request: ModelRequest) -> str:
    return _sha(json.dumps(request.messages, sort_keys=True), 16)


class RecordingLLM:
    """Wraps a live LLM and writes every answer (and every invalid answer) under ``root``."""

    def __init__(self, inner: LLM, root: Path) -> None:
        self.inner = inner
        self.root = root
        self.model = inner.model
        self._lock = threading.Lock()

    def complete(self, request: ModelRequest) -> ModelAnswer:
        try:
            answer = self.inner.complete(request)
        except InvalidAnswerError as err:
            self._save(
                request, {"raw": err.raw or "", "error": "invalid", "message": str(err), "usage": err.usage}
            )
            raise
        except ClassifyError as err:
            if err.raw is not None:  # a refusal or filtered answer: worth replaying; transport errors are not
                self._save(
                    request, {"raw": err.raw, "error": "refused", "message": str(err), "usage": (0, 0)}
                )
            raise
        usage = (answer.usage.input_tokens, answer.usage.output_tokens)
        self._save(
            request, {"raw": answer.raw, "error": None, "usage": usage, "finish_reason": answer.finish_reason}
        )
        return answer

    def _save(self, request: ModelRequest, exchange: dict[str, Any]) -> None:
        path = recording_path(self.root, self.model, request)
        exchange = {"messages_sha": messages_sha(request), **exchange}
        with self._lock:
            data: dict[str, Any] = {"kind": request.kind, "paper_ids": list(request.paper_ids)}
            if path.exists():
                data = _read(path)
            data.setdefault("exchanges", []).append(exchange)
            atomic_write(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path}: unreadable recording: {err}") from None
    return data


class ReplayLLM:
    """Serves recorded exchanges offline; a missing one is a ClassifyError naming the record command."""

    def __init__(self, root: Path, model: str) -> None:
        self.root = root
        self.model = model
        self._served: dict[Path, int] = {}
        self._lock = threading.Lock()

    def complete(self, request: ModelRequest) -> ModelAnswer:
        path = recording_path(self.root, self.model, request)
        if not path.exists():
            ids = " ".join(request.paper_ids)
            raise ClassifyError(
                f"no recorded {request.kind} answer for {ids} "
                f"(model {self.model}, prompt {request.prompt_version}) in {self.root}",
                model=self.model,
                hint="record it with: " + RECORD_COMMAND.format(ids=ids, dir=self.root),
            )
        exchange = self._pick(path, request)
        raw = str(exchange.get("raw") or "")
        tokens = exchange.get("usage") or (0, 0)
        if exchange.get("error") == "invalid":
            raise InvalidAnswerError(
                str(exchange.get("message")), model=self.model, raw=raw, usage=tuple(tokens)
            )
        if exchange.get("error"):
            raise ClassifyError(str(exchange.get("message")), model=self.model, raw=raw)
        try:
            parsed = request.schema.model_validate_json(raw)
        except ValidationError as err:
            raise InvalidAnswerError(
                f"recorded answer does not fit the schema: {err}", model=self.model, raw=raw
            ) from err
        usage = Usage(int(tokens[0]), int(tokens[1]))
        return ModelAnswer(parsed=parsed, raw=raw, model=self.model, usage=usage, finish_reason="stop")

    def _pick(self, path: Path, request: ModelRequest) -> dict[str, Any]:
        exchanges: list[dict[str, Any]] = _read(path).get("exchanges", [])
        wanted = messages_sha(request)
        for exchange in exchanges:
            if exchange.get("messages_sha") == wanted:
                return exchange
        with self._lock:
            index = self._served.get(path, 0)
            self._served[path] = index + 1
        return exchanges[min(index, len(exchanges) - 1)] if exchanges else {"raw": ""}
