"""Find an entry already in the list: by arXiv id (any link form or version) or by title."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from triagebot.arxiv_ids import normalize_id

if TYPE_CHECKING:
    from triagebot.awesome.document import Entry

_NON_WORD_RE = re.compile(r"[\W_]+")
_LATEX_RE = re.compile(r"\\(?:mathrm|mathbf|mathit|text|textbf|textit|operatorname)|[${}^_\\\s]")
_TITLE_ACRONYM_RE = re.compile(r"^([^\s:]{2,20}):\s")
FUZZY_THRESHOLD = 0.93  # SequenceMatcher ratio of normalised titles; tight: a typo, not a new paper
_MIN_KEY = 8
_BLOCK_WORDS = 2
_MAX_BLOCK = 100  # a word in more titles than this is too common to narrow the search


def acronym_key(acronym: str) -> str:
    """``SLA$^2$P`` -> ``sla2p``: an acronym without LaTeX markup, case or punctuation."""
    return _NON_WORD_RE.sub("", _LATEX_RE.sub("", unicodedata.normalize("NFKC", acronym)).casefold())


def entry_acronym(entry: Entry) -> str | None:
    """The entry's acronym tag, or the ``NAME:`` that opens its title."""
    if entry.acronym:
        return entry.acronym
    match = _TITLE_ACRONYM_RE.match(entry.title or "")
    return match.group(1) if match else None


def title_key(title: str) -> str:
    """Title without case, accents, punctuation or dashes: ``Zero-/Few-Shot`` -> ``zero few shot``."""
    if not title.isascii():  # ASCII has nothing to decompose (NFKD leaves it as it is)
        decomposed = unicodedata.normalize("NFKD", title)
        title = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD_RE.sub(" ", title.casefold()).split())


class EntryIndex:
    """Lookups in O(1) by id or exact title key; fuzzy titles among entries sharing a rare word.

    Built in one pass over the entries (linear time); the first entry wins for repeated keys.
    A fuzzy lookup compares the query only with titles that share one of its two rarest words
    (a typo in one of them still leaves the other), so it stays cheap on a list of any size.
    """

    def __init__(self, entries: Iterable[Entry], mentions: Iterable[Entry] = ()) -> None:
        self._by_id: dict[str, Entry] = {}
        self._by_title: dict[str, Entry] = {}
        self._blocks: dict[str, list[tuple[str, Entry]]] = {}
        self._frequency: Counter[str] = Counter()
        self._by_acronym: dict[str, Entry] = {}
        for entry in entries:
            acronym = entry_acronym(entry)
            if acronym and len(key := acronym_key(acronym)) >= 2:
                self._by_acronym.setdefault(key, entry)
            if entry.arxiv_id:
                self._by_id.setdefault(entry.arxiv_id, entry)
            key = title_key(entry.title or "")
            if len(key) >= _MIN_KEY and key not in self._by_title:
                self._by_title[key] = entry
                self._frequency.update(set(key.split()))
        for mention in mentions:  # by id only: a mention has no title
            if mention.arxiv_id:
                self._by_id.setdefault(mention.arxiv_id, mention)
        for key, entry in self._by_title.items():
            for word in self._rarest(key):
                self._blocks.setdefault(word, []).append((key, entry))

    def find_acronym(self, acronym: str) -> Entry | None:
        """The entry whose acronym equals ``acronym`` after LaTeX and case are normalised away."""
        key = acronym_key(acronym)
        return self._by_acronym.get(key) if len(key) >= 2 else None

    def find(self, arxiv_id: str | None = None, title: str | None = None) -> Entry | None:
        """The entry with this arXiv id, else the one with (nearly) this title, else None."""
        if arxiv_id:
            ident = normalize_id(arxiv_id)
            if ident is not None and ident in self._by_id:
                return self._by_id[ident]
        if not title:
            return None
        key = title_key(title)
        if len(key) < _MIN_KEY:
            return None
        if key in self._by_title:
            return self._by_title[key]
        return self._fuzzy(key)

    def _rarest(self, key: str) -> list[str]:
        """The two rarest words of ``key`` that some title has, and no more than a few titles have."""
        counted = [(self._frequency.get(w, 0), w) for w in set(key.split())]
        usable = sorted((n, w) for n, w in counted if 0 < n <= _MAX_BLOCK)
        return [w for _, w in usable[:_BLOCK_WORDS]]

    def _fuzzy(self, key: str) -> Entry | None:
        best: tuple[float, Entry | None] = (FUZZY_THRESHOLD, None)
        seen: set[str] = set()
        slack = len(key) * (1 - FUZZY_THRESHOLD) * 2
        for word in self._rarest(key):
            for other, entry in self._blocks.get(word, ()):
                if other in seen or abs(len(other) - len(key)) > slack:
                    continue
                seen.add(other)
                matcher = SequenceMatcher(None, key, other, autojunk=False)
                if matcher.real_quick_ratio() < best[0] or matcher.quick_ratio() < best[0]:
                    continue
                ratio = matcher.ratio()
                if ratio >= best[0]:
                    best = (ratio, entry)
        return best[1]
