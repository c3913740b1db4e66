"""The cheap keyword prefilter: drop papers that plainly are not on the list's topic.

No model, no cost. It errs on the side of keeping: a paper is dropped only when its title and
abstract never use one of the configured terms (``llm.prefilter_terms``), or when they use an
off-topic term (``llm.prefilter_off_topic``) and never an on-topic one (``llm.prefilter_on_topic``).

Terms are whole words, matched case-insensitively: ``frame`` matches "frame" and "frames" but not
"framework", ``vision`` does not match "divisions". A plural "s"/"es" is always allowed, ``*`` at
the end allows any ending (``anomal*``: anomaly, anomalous, anomalies), and a space or hyphen
inside a term matches either. Hand-written because it is a dozen lines of regular expressions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from triagebot.config import LLMConfig
from triagebot.models import Paper


def _term_pattern(term: str) -> str:
    stem, open_end = (term[:-1], True) if term.endswith("*") else (term, False)
    words = [re.escape(w) for w in re.split(r"[\s-]+", stem.strip()) if w]
    body = r"[\s-]+".join(words)
    end = r"\w*" if open_end else r"(?:e?s)?(?!\w)"
    return rf"(?<!\w){body}{end}"


@cache
def compile_terms(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One case-insensitive pattern matching any of ``terms`` as whole words (None for no terms)."""
    patterns = [_term_pattern(t) for t in terms if t.strip().strip("*")]
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


@dataclass(frozen=True)
class Prefilter:
    """The configured keyword prefilter (see the module docstring)."""

    terms: tuple[str, ...] = ()
    off_topic: tuple[str, ...] = ()
    on_topic: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: LLMConfig) -> Prefilter:
        if not config.prefilter:
            return cls()
        return cls(
            tuple(config.prefilter_terms), tuple(config.prefilter_off_topic), tuple(config.prefilter_on_topic)
        )

    def why_not(self, paper: Paper) -> str | None:
        """None when ``paper`` goes on to the model; else why it plainly does not belong."""
        text = f"{paper.title}\n{paper.abstract}"
        required = compile_terms(self.terms)
        if required is not None and not required.search(text):
            return "none of the topic's terms (llm.prefilter_terms) in the title or abstract"
        off = compile_terms(self.off_topic)
        found = off.search(text) if off is not None else None
        if found is None:
            return None
        on = compile_terms(self.on_topic)
        if on is not None and on.search(text):
            return None
        return f"off-topic term {found.group(0)!r} and no on-topic one (llm.prefilter_off_topic/on_topic)"


def prefilter(paper: Paper, config: LLMConfig | None = None) -> bool:
    """True when ``paper`` may be on topic and should go on to the model (default: today's terms)."""
    return Prefilter.from_config(config or LLMConfig()).why_not(paper) is None
