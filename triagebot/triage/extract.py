"""Deterministic extractors: what code can read from arXiv metadata without a model.

Used to fill fixture decisions and to check (and back up) the model's answers.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from triagebot.code_hosts import is_repository_url
from triagebot.models import Paper, squash, urls_in
from triagebot.triage.venues import VenueMatch, venues_in

ACRONYM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+\-]{0,19}$")

_TITLE_PREFIX = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9+\-]{0,19})\s*:\s+\S")
_PROPOSE = re.compile(
    r"\b(?i:we|this\s+paper|this\s+work)\s+(?:propose|present|introduce|develop|design)s?\s+"
    r"(?:[^.;]{0,120}?)\(?\b([A-Z][A-Za-z0-9+\-]*[A-Z0-9][A-Za-z0-9+\-]*)\)?",
)
_NAMED = re.compile(r"(?:called|named|dubbed|termed)\s+\(?([A-Z][A-Za-z0-9+\-]*[A-Z][A-Za-z0-9+\-]*)\)?")
_PROPOSED_PAREN = re.compile(
    r"\b(?:our|the)\s+proposed\s+[^.;()]{0,80}?\(([A-Za-z0-9][A-Za-z0-9+\-]{0,19})\)"
)
_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9+\-]{1,19})\)")
_CUE = re.compile(r"\b(?:we|our|this\s+(?:paper|work))\b", re.IGNORECASE)
_STOP = frozenset(
    {"A", "AN", "THE", "AI", "IN", "OF", "CLIP", "SAM", "GPT", "LLM", "LLMS", "VLM", "VLMS", "MLLM", "MLLMS"}
    | {
        "AD",
        "VAD",
        "IAD",
        "ZSAD",
        "OOD",
        "VAE",
        "VAES",
        "GAN",
        "GANS",
        "CNN",
        "CNNS",
        "VIT",
    }  # tasks, not methods
)


def valid_acronym(text: str | None) -> bool:
    return bool(text) and ACRONYM_RE.fullmatch(text or "") is not None


def _marks(word: str) -> list[str]:
    """What an acronym may take from a word: the initial of each hyphen part, and capitals."""
    marks: list[str] = []
    for part in word.split("-"):
        marks += [c for i, c in enumerate(part) if c.isalnum() and (i == 0 or c.isupper() or c.isdigit())]
    return [m.lower() for m in marks]


def _abbreviates(name: str, words: list[str]) -> bool:
    """True when ``name``'s capitals (and digits) spell the words right before it, from a word's
    initial on: "LAnguage-based VAD (LAVAD)", "Deviation correction diffusion (DeCo-Diff)"."""
    letters = [c.lower() for c in name if c.isupper() or c.isdigit()]
    if len(letters) < 2:
        return False
    for start in range(len(words) - 1, max(-1, len(words) - 12), -1):
        first = words[start]
        if not first[:1].isupper() or first[:1].lower() != letters[0]:
            continue
        marks = [m for w in words[start:] for m in _marks(w)]
        it = iter(marks)
        if all(letter in it for letter in letters):
            return True
    return False


def _defined(abstract: str) -> str | None:
    """A method named by a parenthetical definition after "we/our/this paper …": "we propose
    LAnguage-based VAD (LAVAD)"; a task's acronym ("Anomaly detection (AD) is …") is not one."""
    for sentence in re.split(r"(?<=[.!?])\s+", abstract):
        for found in _PAREN.finditer(sentence):
            name, before = found.group(1), sentence[: found.start()]
            cues = list(_CUE.finditer(before))
            if not cues or name.upper() in _STOP or sum(c.isupper() for c in name) < 2:
                continue
            words = re.findall(r"[A-Za-z0-9][A-Za-z0-9+\-]*", before[cues[-1].end() :])
            if valid_acronym(name) and _abbreviates(name, words):
                return name
    return None


def acronym_from(paper: Paper) -> str | None:
    """The method's short name from the metadata: ``VERA: …`` in the title, else in the abstract
    "called/named NAME", "our proposed … (NAME)", a definition "we propose Long Name (NAME)", or
    the name after "we propose/present/introduce …"."""
    match = _TITLE_PREFIX.match(paper.title)
    if match and match.group(1).upper() not in _STOP:
        return match.group(1)
    abstract = squash(paper.abstract)
    for pattern in (_NAMED, _PROPOSED_PAREN, None, _PROPOSE):
        if pattern is None:
            defined = _defined(abstract)
            if defined:
                return defined
            continue
        for found in pattern.finditer(abstract):
            name = found.group(1)
            if valid_acronym(name) and name.upper() not in _STOP and sum(c.isupper() for c in name) >= 2:
                return name
    return None


def venue_from(paper: Paper) -> VenueMatch | None:
    """The venue the paper's comment or journal reference says it was accepted at."""
    for text in (paper.journal_ref, paper.comment):
        found = venues_in(text)
        if found:
            return found[0]
    return None


def publication_year(paper: Paper) -> int | None:
    """Year of first publication: the ``published`` date, else the year in a new-style arXiv id."""
    if paper.published is not None:
        return paper.published.year
    match = re.match(r"^(\d{2})\d{2}\.\d{4,5}$", paper.arxiv_id)
    return 2000 + int(match.group(1)) if match else None


def paper_urls(paper: Paper) -> list[str]:
    """The URLs in the paper's own abstract and comment (``paper.urls`` first)."""
    seen: dict[str, None] = dict.fromkeys(paper.urls)
    for url in urls_in(paper.abstract) + urls_in(paper.comment):
        seen.setdefault(url, None)
    return list(seen)


def code_url_from(paper: Paper) -> str | None:
    """The first code-host repository link in the abstract or comment."""
    return next((url for url in paper_urls(paper) if is_repository_url(url)), None)


def comparable_url(url: str) -> str:
    """A URL reduced for comparison: no scheme, no www., no trailing slash or .git, lower-case host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/").removesuffix(".git").rstrip("/")
    return f"{host}{path}"
