"""Any OpenAI-compatible chat endpoint through the ``openai`` client, with structured output.

The only module that imports ``openai``. Configuration:

- OpenAI: ``OPENAI_API_KEY`` (or the variable named by ``llm.api_key_env``); ``OPENAI_BASE_URL``
  or ``llm.base_url`` for another endpoint (Ollama, vLLM, a proxy).
- GitHub Models (free inside Actions with the workflow's token, ``permissions: models: read``)::

      [llm]
      base_url = "https://models.github.ai/inference"
      api_key_env = "GITHUB_TOKEN"
      model = "openai/gpt-4o-mini"

429, 5xx, timeouts and dropped connections are retried here with exponential backoff (honouring
``Retry-After``/``retry-after-ms`` up to two minutes); the client's own retries are off so the
waits are ours to configure. Refusals, length cut-offs and answers that are not valid JSON or break
the schema become ``ClassifyError``/``InvalidAnswerError`` carrying the raw answer.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import openai
from pydantic import BaseModel, ValidationError

from triagebot.config import LLMConfig, secret
from triagebot.errors import ClassifyError, ConfigError, InvalidAnswerError
from triagebot.models import Usage
from triagebot.ports import ModelAnswer, ModelRequest

log = logging.getLogger(__name__)

MAX_RETRY_AFTER = 120.0
_TRANSIENT = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)


def _retry_after(err: Exception) -> float | None:
    response = getattr(err, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            continue
    return None


def _content_of(body: str) -> tuple[str, Usage]:
    """The first message content (or refusal) and the usage from a raw chat-completion body."""
    try:
        data: dict[str, Any] = json.loads(body)
    except ValueError:
        return body, Usage()
    choices = data.get("choices") or [{}]
    message = choices[0].get("message") or {}
    usage = data.get("usage") or {}
    cached = (usage.get("prompt_tokens_details") or {}).get("cached_tokens")
    tokens = Usage(
        int(usage.get("prompt_tokens") or 0),
        int(usage.get("completion_tokens") or 0),
        cached_input_tokens=int(cached or 0),
    )
    return str(message.get("content") or message.get("refusal") or ""), tokens


class OpenAILLM:
    """A ``LLM`` for any OpenAI-compatible endpoint."""

    def __init__(
        self,
        config: LLMConfig,
        *,
        backoff_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        key = secret(config.api_key_env)
        if key is None:
            hint = "for a local server without keys set it to any value"
            if config.api_key_env == "GITHUB_TOKEN":
                hint = "in Actions pass secrets.GITHUB_TOKEN with permissions: models: read"
            raise ConfigError(f"no API key: environment variable {config.api_key_env} is not set", hint=hint)
        self.model = config.model
        self._config = config
        self._backoff = backoff_s
        self._sleep = sleep
        self._client = openai.OpenAI(
            api_key=key.get_secret_value(),
            base_url=config.base_url or None,  # None: OPENAI_BASE_URL, then api.openai.com
            timeout=config.timeout,
            max_retries=0,
        )

    def complete(self, request: ModelRequest) -> ModelAnswer:
        started = time.monotonic()
        for attempt in range(self._config.max_retries + 1):
            try:
                return self._once(request, started)
            except _TRANSIENT as err:
                if attempt == self._config.max_retries:
                    raise self._error(
                        request, f"gave up after {attempt + 1} tries: {self._describe(err)}"
                    ) from err
                wait = _retry_after(err)
                if wait is None or wait > MAX_RETRY_AFTER:
                    wait = self._backoff * (2**attempt) * (0.75 + random.random() / 4)
                log.info("%s (try %d); retrying in %.1fs", self._describe(err), attempt + 1, wait)
                self._sleep(wait)
            except openai.APIStatusError as err:
                raise self._error(request, self._describe(err)) from err
        raise AssertionError("unreachable")

    def _once(self, request: ModelRequest, started: float) -> ModelAnswer:
        extra: dict[str, Any] = {}
        if request.max_output_tokens:
            extra["max_tokens"] = request.max_output_tokens
        raw_response = self._client.chat.completions.with_raw_response.parse(
            model=self.model,
            messages=list(request.messages),  # type: ignore[arg-type]
            response_format=request.schema,
            **extra,
        )
        body = raw_response.http_response.text
        content, usage = _content_of(body)
        ids = ", ".join(request.paper_ids[:3]) + ("…" if len(request.paper_ids) > 3 else "")
        try:
            completion = raw_response.parse()
        except openai.LengthFinishReasonError as err:
            raise InvalidAnswerError(
                "the answer was cut off by the length limit",
                model=self.model,
                raw=content,
                usage=_pair(usage),
            ) from err
        except openai.ContentFilterFinishReasonError as err:
            raise ClassifyError(
                "the answer was blocked by the content filter", model=self.model, raw=content
            ) from err
        except ValidationError as err:
            problem = "not valid JSON" if content.lstrip()[:1] not in "{[" else "does not match the schema"
            detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors()[:5])
            raise InvalidAnswerError(
                f"answer for {ids} {problem}: {detail}", model=self.model, raw=content, usage=_pair(usage)
            ) from err
        choice = completion.choices[0]
        if choice.message.refusal:
            raise ClassifyError(f"the model refused: {choice.message.refusal}", model=self.model, raw=content)
        parsed: BaseModel | None = choice.message.parsed
        if completion.usage is not None:
            details = completion.usage.prompt_tokens_details
            cached = (details.cached_tokens or 0) if details is not None else 0
            usage = Usage(completion.usage.prompt_tokens, completion.usage.completion_tokens, False, cached)
        return ModelAnswer(
            parsed=parsed,
            raw=content,
            model=completion.model or self.model,
            usage=usage,
            finish_reason=choice.finish_reason,
            refusal=choice.message.refusal,
            latency_s=time.monotonic() - started,
        )

    def _error(self, request: ModelRequest, message: str) -> ClassifyError:
        return ClassifyError(f"{self.model}: {message}", model=self.model, raw=None)

    @staticmethod
    def _describe(err: Exception) -> str:
        if isinstance(err, openai.APIStatusError):
            text = " ".join(str(err.message).split())[:200]
            return f"HTTP {err.status_code} from {err.request.url}: {text}"
        if isinstance(err, openai.APITimeoutError):
            return f"timed out ({err.request.url})"
        if isinstance(err, openai.APIConnectionError):
            return f"cannot connect ({err.request.url})"
        return str(err)


def _pair(usage: Usage) -> tuple[int, int]:
    return usage.input_tokens, usage.output_tokens
