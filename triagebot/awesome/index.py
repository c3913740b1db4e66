"""Find an entry already in the list: by arXiv id (any link form or version) or by title."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from triagebot.arxiv_ids import normalize_id

if TYPE_CHECKING:
    from triagebot.awesome.document import Entry

_NON_WORD_RE = re.compile(r"[\W_]+")
FUZZY_THRESHOLD = 0.93  # SequenceMatcher ratio of normalised titles; tight: a typo, not a new paper
_MIN_KEY = 8


def title_key(title: str) -> str:
    """Title without case, accents, punctuation or dashes: ``Zero-/Few-Shot`` -> ``zero few shot``."""
    decomposed = unicodedata.normalize("NFKD", title)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD_RE.sub(" ", plain.casefold()).split())


class EntryIndex:
    """Lookups in O(1) by id or exact title key; fuzzy titles among entries sharing a word pair.

    Built in one pass over the entries (linear time); the first entry wins for repeated keys.
    """

    def __init__(self, entries: Iterable[Entry]) -> None:
        self._by_id: dict[str, Entry] = {}
        self._by_title: dict[str, Entry] = {}
        self._blocks: dict[str, list[tuple[str, Entry]]] = {}
        for entry in entries:
            if entry.arxiv_id:
                self._by_id.setdefault(entry.arxiv_id, entry)
            key = title_key(entry.title or "")
            if len(key) < _MIN_KEY or key in self._by_title:
                continue
            self._by_title[key] = entry
            for block in _blocks(key):
                self._blocks.setdefault(block, []).append((key, entry))

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

    def _fuzzy(self, key: str) -> Entry | None:
        best: tuple[float, Entry | None] = (FUZZY_THRESHOLD, None)
        seen: set[str] = set()
        for block in _blocks(key):
            for other, entry in self._blocks.get(block, ()):
                if other in seen or abs(len(other) - len(key)) > len(key) * (1 - FUZZY_THRESHOLD) * 2:
                    continue
                seen.add(other)
                ratio = SequenceMatcher(None, key, other, autojunk=False).ratio()
                if ratio >= best[0]:
                    best = (ratio, entry)
        return best[1]


def _blocks(key: str) -> tuple[str, ...]:
    """Candidate buckets: the first two words and the last two words of a title key."""
    words = key.split()
    return ("^" + " ".join(words[:2]), "$" + " ".join(words[-2:]))
