"""Pick the model backend from a spec: ``openai`` | ``replay`` | ``fixture:PATH``."""

from __future__ import annotations

from pathlib import Path

from triagebot.config import LLMConfig
from triagebot.errors import ConfigError
from triagebot.ports import Classifier

SPECS = "openai | replay | fixture:PATH"


def build_classifier(spec: str, config: LLMConfig) -> Classifier:
    """The Classifier for ``spec``; wrapped to record every exchange when ``config.record_dir`` is set."""
    classifier: Classifier
    if spec == "openai":
        from triagebot.adapters.openai_backend import OpenAIBackend  # the only openai import

        classifier = OpenAIBackend(config)
    elif spec == "replay":
        from triagebot.adapters.replay_classifier import ReplayClassifier

        folder = config.replay_dir or config.record_dir
        if not folder:
            raise ConfigError("--llm replay needs llm.replay_dir (the folder of recorded exchanges)")
        return ReplayClassifier(Path(folder), config.model)
    elif spec.startswith("fixture:") and spec.removeprefix("fixture:").strip():
        from triagebot.adapters.fixture_classifier import FixtureClassifier

        classifier = FixtureClassifier(Path(spec.removeprefix("fixture:").strip()))
    else:
        raise ConfigError(f"unknown LLM backend '{spec}'; use one of: {SPECS}")
    if config.record_dir:
        from triagebot.adapters.replay_classifier import RecordingClassifier

        return RecordingClassifier(classifier, Path(config.record_dir))
    return classifier
