"""The one error family. Only the CLI turns these into messages and exit codes."""

from __future__ import annotations


class TriagebotError(Exception):
    """Base of every error triagebot raises on purpose.

    ``str(err)`` is a single line a maintainer can act on; ``hint`` (optional) says what to do.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.hint = hint


class ConfigError(TriagebotError):
    """Bad configuration, arguments or input files: nothing was done. Exit code 2."""

    exit_code = 2


class ListError(ConfigError):
    """The awesome list cannot be read or does not have what was asked (unknown section, …)."""


class SourceError(TriagebotError):
    """arXiv could not be read after retries. Names the request (URL) and the try count."""

    def __init__(self, message: str, *, url: str | None = None, tries: int = 0, hint: str | None = None):
        detail = message
        if url:
            detail += f" (request: {url}"
            detail += f", after {tries} tries)" if tries else ")"
        super().__init__(detail, hint=hint)
        self.url = url
        self.tries = tries


class ClassifyError(TriagebotError):
    """The model gave no valid decision for a paper. Carries the raw answer for the record."""

    def __init__(
        self,
        message: str,
        *,
        arxiv_id: str | None = None,
        model: str | None = None,
        raw: str | None = None,
        hint: str | None = None,
    ) -> None:
        prefix = f"{arxiv_id}: " if arxiv_id else ""
        super().__init__(prefix + message, hint=hint)
        self.arxiv_id = arxiv_id
        self.model = model
        self.raw = raw


class InvalidAnswerError(ClassifyError):
    """The model answered, but not in the schema (bad JSON, schema violation, cut off by the length
    limit): worth asking once more with the validation error. ``usage`` is what the exchange cost."""

    def __init__(
        self,
        message: str,
        *,
        arxiv_id: str | None = None,
        model: str | None = None,
        raw: str | None = None,
        usage: tuple[int, int] = (0, 0),
    ) -> None:
        super().__init__(message, arxiv_id=arxiv_id, model=model, raw=raw)
        self.usage = usage  # (input tokens, output tokens)


class PublishError(TriagebotError):
    """GitHub (or the preview folder) refused a change."""


class PublishAccessError(PublishError):
    """The token or a repository setting forbids publishing: every further attempt would fail alike."""


class StateError(TriagebotError):
    """The state directory cannot be read or written."""
