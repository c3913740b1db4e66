"""A scriptable OpenAI-compatible chat-completions server on 127.0.0.1, for the real ``openai`` client.

    with OpenAIServer() as server:
        server.enqueue(rate_limited(retry_after=0), structured({"keep": [...], "drop": [...]}))
        client = OpenAI(base_url=server.base_url, api_key="test")
        ...
        assert len(server.requests) == 2

Replies are served in order from the queue; when the queue is empty the ``responder`` (a function
of the request) answers, else a 500 saying no reply was scripted. ``POST /chat/completions`` and
``/v1/chat/completions`` are served; every request is recorded in ``server.requests``.

Usage, unless a reply gives its own, is counted like a provider does it, in characters/4: the
prompt is the JSON schema of ``response_format`` plus every message. Prompt caching is simulated
after OpenAI's documented rule: a prompt of at least ``cache_min_tokens`` (1024) tokens reuses the
longest prefix it shares with an earlier prompt, in blocks of ``cache_block`` (128) tokens, and the
answer reports it as ``usage.prompt_tokens_details.cached_tokens``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler
from typing import Any

from pydantic import BaseModel

from tests.servers.loopback import LoopbackServer, QuietHTTPServer

# ---------------------------------------------------------------- what the server may answer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for client timeouts)


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    usage: tuple[int, int] | None = None,
    model: str = "fake-model",
) -> Reply:
    """A chat completion whose message content is ``content`` (usage: given, or filled at serve time)."""
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
                "finish_reason": finish_reason,
                "logprobs": None,
            }
        ],
    }
    if usage is not None:
        body["usage"] = _usage(*usage)
    return Reply(body=body)


def structured(answer: dict[str, Any] | BaseModel, **kwargs: Any) -> Reply:
    """A valid structured answer: ``answer`` serialised as the message content."""
    data = answer.model_dump(mode="json") if isinstance(answer, BaseModel) else answer
    return completion(json.dumps(data), **kwargs)


def invalid_json(text: str = "Sure! Here is the answer: {keep: [oops") -> Reply:
    return completion(text)


def refusal(text: str = "I'm sorry, I can't help with that.") -> Reply:
    return completion(None, refusal=text)


def length_cut(partial: str = '{"decisions": [{"arxiv_id": "25') -> Reply:
    return completion(partial, finish_reason="length")


def rate_limited(retry_after: float = 0.0) -> Reply:
    headers = {"retry-after": f"{retry_after:g}", "x-should-retry": "true"}
    return Reply(
        status=429, body={"error": {"message": "Rate limit reached", "type": "requests"}}, headers=headers
    )


def server_error(status: int = 500) -> Reply:
    return Reply(
        status=status, body={"error": {"message": "The server had an error", "type": "server_error"}}
    )


def slow(reply: Reply, seconds: float) -> Reply:
    """``reply``, but only after ``seconds`` (longer than the client's timeout: a timeout)."""
    return replace(reply, delay=seconds)


def _usage(prompt: int, completion_tokens: int, cached: int | None = None) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
    }
    if cached is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return usage


def prompt_text(body: dict[str, Any]) -> str:
    """What a provider reads as the prompt, in order: the answer schema, then every message."""
    schema = json.dumps(body.get("response_format") or {}, sort_keys=True)
    return schema + "".join(str(m.get("content") or "") for m in body.get("messages", []))


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    for index in range(size):
        if a[index] != b[index]:
            return index
    return size


# ---------------------------------------------------------------- what the server saw


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def text(self) -> str:
        """All message contents joined (what the model would read)."""
        return "\n".join(str(m.get("content") or "") for m in self.messages)

    @property
    def schema_name(self) -> str | None:
        fmt = self.body.get("response_format") or {}
        return (fmt.get("json_schema") or {}).get("name")


Responder = Callable[[SeenRequest], Reply]


class OpenAIServer(LoopbackServer):
    """The server; use as a context manager (it binds port 0 on 127.0.0.1 and stops on exit)."""

    def __init__(
        self, responder: Responder | None = None, *, cache_min_tokens: int = 1024, cache_block: int = 128
    ) -> None:
        self.responder = responder
        self.requests: list[SeenRequest] = []
        self.cache_min_tokens = cache_min_tokens
        self.cache_block = cache_block
        self._prompts: list[str] = []
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        super().__init__(_Handler, "fake-openai")

    @property
    def base_url(self) -> str:
        return f"{self.address}/v1"

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def pending(self) -> int:
        """Scripted replies not served yet."""
        with self._lock:
            return len(self._queue)

    def cached_tokens(self, prompt: str) -> int:
        """Tokens of ``prompt`` served from the simulated prompt cache (and remember it)."""
        with self._lock:
            shared = max((_common_prefix(prompt, seen) for seen in self._prompts), default=0)
            self._prompts.append(prompt)
        if (len(prompt) + 3) // 4 < self.cache_min_tokens or shared // 4 < self.cache_min_tokens:
            return 0
        return (shared // 4) // self.cache_block * self.cache_block

    def _answer(self, request: SeenRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._queue:
                return self._queue.pop(0)
        if self.responder is not None:
            return self.responder(request)
        return Reply(
            status=500,
            body={"error": {"message": "no scripted reply left"}},
            headers={"x-should-retry": "false"},
        )


class _Handler(BaseHTTPRequestHandler):
    server: QuietHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log lines."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        if self.path.rstrip("/") not in ("/chat/completions", "/v1/chat/completions"):
            self._send(Reply(status=404, body={"error": {"message": f"no route {self.path}"}}), {})
            return
        body = json.loads(raw or b"{}")
        seen = SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        reply = self.server.owner._answer(seen)
        if reply.delay:
            time.sleep(reply.delay)
        self._send(reply, body)

    def _send(self, reply: Reply, request_body: dict[str, Any]) -> None:
        payload = reply.body
        if isinstance(payload, dict) and "choices" in payload and "usage" not in payload:
            prompt = prompt_text(request_body)
            cached = self.server.owner.cached_tokens(prompt)
            content = sum(len(str(c["message"].get("content") or "")) for c in payload["choices"])
            payload = {**payload, "usage": _usage((len(prompt) + 3) // 4, (content + 3) // 4, cached)}
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(reply.status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return
