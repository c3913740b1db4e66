"""Typed configuration, loaded once from ``triagebot.toml``.

Secrets are never stored here: the config names the environment variable that holds each one,
and :func:`secret` reads it as a ``SecretStr`` (redacted in every repr).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from triagebot.errors import ConfigError

DEFAULT_QUERY = (
    '(abs:"anomaly detection" OR abs:"anomaly localization" OR abs:"anomaly segmentation" '
    'OR abs:"out-of-distribution detection" OR abs:"video anomaly" OR abs:"anomalous event") '
    "AND (cat:cs.CV OR cat:cs.AI OR cat:cs.LG)"
)


# Today's prefilter, as data: visual anomaly detection (Awesome-XAD). Terms are whole words,
# case-insensitive, plural "s" allowed; "*" at the end allows any ending; a space or hyphen inside
# a term matches either ("time series" matches "time-series").
PREFILTER_TERMS = (
    "anomal*", "abnormal*", "out-of-distribution", "OOD", "novelty", "outlier*", "defect*",
    "unusual event", "irregular*", "deviation from normal*", "open-set", "unknown object",
    "unknown class*",
)  # fmt: skip
PREFILTER_ON_TOPIC = (
    "image*", "video*", "visual*", "vision", "pixel*", "frame", "camera*", "surveillance",
    "industrial inspection", "MVTec*", "VisA", "medical imag*", "MRI", "CT", "X-ray*", "radiograph*",
    "segmentation", "CLIP", "SAM", "diffusion", "GAN", "autoencoder*", "CNN", "convolution*",
    "photo*", "scene*", "pedestrian*",
)  # fmt: skip
PREFILTER_OFF_TOPIC = (
    "time series", "log", "log anomal*", "network traffic", "intrusion*", "tabular", "transaction*",
    "fraud*", "graph anomal*", "node", "sensor data", "NLP", "language models for text",
    "text anomal*", "KPI*", "telemetry", "ECU", "CAN bus", "smart grid*", "financial",
)  # fmt: skip
TOPIC = (
    "explainable visual (image or video) anomaly detection: methods whose output shows where "
    "or why (anomaly maps, localisation, attention, textual explanations)"
)
OUT_OF_SCOPE = "not images or video, not anomaly/out-of-distribution detection, a survey or a dataset only"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListConfig(_Strict):
    path: str = "README.md"
    # One-line descriptions for the prompt, keyed by section name or unique suffix.
    sections: dict[str, str] = Field(default_factory=dict)
    # Sections the bot never edits (name or unique suffix).
    protected: list[str] = Field(default_factory=lambda: ["Datasets"])


class ArxivConfig(_Strict):
    categories: list[str] = Field(default_factory=lambda: ["cs.CV"])
    announce_types: list[str] = Field(default_factory=lambda: ["new", "cross"])
    query: str = DEFAULT_QUERY
    api_url: str = "https://export.arxiv.org/api/query"
    feed_url: str = "https://rss.arxiv.org/atom"
    source: str = "rss"  # rss | arxiv
    timeout: Annotated[float, Field(gt=0)] = 30.0
    delay_seconds: Annotated[float, Field(ge=0)] = 3.0
    max_retries: Annotated[int, Field(ge=0)] = 4
    backoff_seconds: Annotated[float, Field(ge=0)] = 5.0  # first wait after a failure; doubles
    page_size: Annotated[int, Field(ge=1, le=2000)] = 100
    lookup_batch: Annotated[int, Field(ge=1, le=2000)] = 100

    def resolved_api_url(self) -> str:
        return os.environ.get("TRIAGEBOT_ARXIV_API_URL") or self.api_url

    def resolved_feed_url(self) -> str:
        return os.environ.get("TRIAGEBOT_ARXIV_FEED_URL") or self.feed_url


class Price(_Strict):
    input: float  # USD per million input tokens
    output: float  # USD per million output tokens


class LLMConfig(_Strict):
    backend: str = "openai"  # openai | replay | fixture:PATH
    model: str = "gpt-4o-mini"
    base_url: str | None = None  # default: OPENAI_BASE_URL, then the client's default
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: Annotated[int, Field(ge=1, le=64)] = 4
    requests_per_minute: Annotated[int, Field(ge=1)] = 60
    timeout: Annotated[float, Field(gt=0)] = 60.0
    max_retries: Annotated[int, Field(ge=0)] = 3
    screen_batch: Annotated[int, Field(ge=1, le=500)] = 50
    classify_batch: Annotated[int, Field(ge=1, le=20)] = 5  # papers per full-classification call
    # The keyword prefilter: a paper reaches the model only if its title or abstract has one of
    # ``prefilter_terms`` (none configured: no such requirement), and is dropped when it has one
    # of ``prefilter_off_topic`` but none of ``prefilter_on_topic``. Defaults: visual anomaly detection.
    prefilter: bool = True
    prefilter_terms: list[str] = Field(default_factory=lambda: list(PREFILTER_TERMS))
    prefilter_off_topic: list[str] = Field(default_factory=lambda: list(PREFILTER_OFF_TOPIC))
    prefilter_on_topic: list[str] = Field(default_factory=lambda: list(PREFILTER_ON_TOPIC))
    # What the list collects, in one line, and what is in and out of its scope: the prompts'
    # only topic-specific words.
    topic: str = TOPIC
    in_scope: str = ""
    out_of_scope: str = OUT_OF_SCOPE
    max_papers: Annotated[int, Field(ge=0)] = 200  # full classifications per run
    max_tokens: Annotated[int, Field(ge=0)] = 300_000  # input+output tokens per run
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.5
    few_shot_tokens: Annotated[int, Field(ge=0)] = 600
    record_dir: str | None = None  # record every exchange here (for replay)
    replay_dir: str | None = None
    prices: dict[str, Price] = Field(
        default_factory=lambda: {
            "gpt-4o-mini": Price(input=0.15, output=0.60),
            "openai/gpt-4o-mini": Price(input=0.15, output=0.60),
            "gpt-4.1-mini": Price(input=0.40, output=1.60),
        }
    )


class PublishConfig(_Strict):
    backend: str = "github"  # github | dir:PATH | none
    repo: str | None = None  # default: GITHUB_REPOSITORY
    base_branch: str | None = None  # default: the repository's default branch
    token_env: str = "GITHUB_TOKEN"
    max_open_prs: Annotated[int, Field(ge=0)] = 10
    max_new_prs: Annotated[int, Field(ge=0)] = 5
    group: bool = False
    labels: list[str] = Field(default_factory=lambda: ["triagebot"])
    low_confidence: Annotated[float, Field(ge=0, le=1)] = 0.7
    # The GitHub client's pacing (GitHub asks for a pause between writes) and retries; tests set 0.
    timeout: Annotated[int, Field(ge=1)] = 30  # seconds per request
    delay_seconds: Annotated[float, Field(ge=0)] = 0.25  # between any two requests
    write_delay_seconds: Annotated[float, Field(ge=0)] = 1.0  # between two writes
    backoff_seconds: Annotated[float, Field(ge=0)] = 1.0  # retry backoff factor on 5xx (doubles)

    def resolved_repo(self) -> str | None:
        return self.repo or os.environ.get("GITHUB_REPOSITORY")


class StateConfig(_Strict):
    dir: str = "state"


class Config(_Strict):
    list: ListConfig = Field(default_factory=ListConfig)
    arxiv: ArxivConfig = Field(default_factory=ArxivConfig)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    publish: PublishConfig = Field(default_factory=PublishConfig)
    state: StateConfig = Field(default_factory=StateConfig)


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        return f"unknown key '{where}'"
    return f"'{where}': {first['msg']}"


def load_config(path: Path | None) -> Config:
    """Read and validate ``path``; None gives the defaults. Errors are one-line ConfigErrors."""
    if path is None:
        return Config()
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read config: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(f"{path}: {_first_error(err)}") from None


def secret(env_name: str) -> SecretStr | None:
    """The secret held by environment variable ``env_name``, or None when unset/empty."""
    value = os.environ.get(env_name, "").strip()
    return SecretStr(value) if value else None
