"""Pick the model backend from a spec: ``openai`` | ``replay`` | ``fixture:PATH``."""

from __future__ import annotations

from pathlib import Path

from triagebot.config import LLMConfig
from triagebot.errors import ConfigError
from triagebot.ports import LLM

SPECS = "openai | replay | fixture:PATH"


def build_llm(spec: str, config: LLMConfig) -> LLM:
    """The LLM for ``spec``; wrapped to record every exchange when ``config.record_dir`` is set."""
    llm: LLM
    if spec == "openai":
        from triagebot.adapters.llm.openai import OpenAILLM  # the only openai import

        llm = OpenAILLM(config)
    elif spec == "replay":
        from triagebot.adapters.llm.replay import ReplayLLM

        folder = config.replay_dir or config.record_dir
        if not folder:
            raise ConfigError("--llm replay needs llm.replay_dir (the folder of recorded exchanges)")
        return ReplayLLM(Path(folder), config.model)
    elif spec.startswith("fixture:") and spec.removeprefix("fixture:").strip():
        from triagebot.adapters.llm.fixture import FixtureLLM

        llm = FixtureLLM(Path(spec.removeprefix("fixture:").strip()))
    else:
        raise ConfigError(f"unknown LLM backend '{spec}'; use one of: {SPECS}")
    if config.record_dir:
        from triagebot.adapters.llm.replay import RecordingLLM

        return RecordingLLM(llm, Path(config.record_dir))
    return llm
