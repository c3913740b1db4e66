"""The one error family and the exit-code contract. Only the CLI turns errors into exit codes."""

from __future__ import annotations

# The exit-code contract of every command.
EXIT_OK = 0  # everything processed (including "nothing new")
EXIT_PARTIAL = 1  # some papers (or findings) failed; the rest was processed
EXIT_USAGE = 2  # configuration or usage error before any work (ConfigError)
EXIT_INTERRUPTED = 130  # Ctrl-C


class TriagebotError(Exception):
    """Base of every error triagebot raises on purpose.

    ``str(err)`` is a single line a maintainer can act on; ``hint`` (optional) says what to do.
    """

    exit_code = EXIT_PARTIAL

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(" ".join(message.split()))
        self.hint = hint

    def with_hint(self) -> str:
        """The one-line message with its hint: ``message (hint: what to do)``."""
        return with_hint(str(self), self.hint)


def with_hint(message: str, hint: str | None) -> str:
    """The house format of a message and what to do about it: ``message (hint: …)``."""
    return f"{message} (hint: {hint})" if hint else message


class ConfigError(TriagebotError):
    """Bad configuration, arguments or input files: nothing was done. Exit code 2."""

    exit_code = EXIT_USAGE


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


class ComposeError(TriagebotError):
    """A proposal could not be composed (the PR would exceed GitHub's limits)."""


class PublishAccessError(PublishError):
    """The token or a repository setting forbids publishing: every further attempt would fail alike."""


class StateError(TriagebotError):
    """The state directory cannot be read or written."""
