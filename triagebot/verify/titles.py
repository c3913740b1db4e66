"""Do a list's title and arXiv's title name the same paper?

Lists shorten titles (drop an ``ACRONYM:`` prefix or a subtitle), keep an older version's title,
change case, hyphens and punctuation. Those agree. Another paper of the same field shares many
words but not all of them; that does not agree. The rules, in order:

1. equal after normalisation (case, accents, punctuation; ``auto-encoder`` = ``autoencoder``);
2. equal once a leading ``NAME:`` prefix is dropped from either side;
3. near-identical spelling (a typo): SequenceMatcher ratio >= 0.95 on the normalised titles;
4. a shortened title: every content word of the shorter (at least 3) is in the longer, and the
   shorter keeps at least half of the longer's content words;
5. an older title: content words overlap with Jaccard >= 0.75 (one changed word in a long title).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from triagebot.awesome.index import title_key

AGREE_RATIO = 0.95
JACCARD = 0.75
MIN_SHORT_WORDS = 3
MAX_QUERY_TERMS = 8

_PREFIX_RE = re.compile(r"^\s*[^:]{1,30}:\s+(?=\S)")
_LATEX_RE = re.compile(r"\$[^$]*\$|\\[A-Za-z]+")
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "not",
        "in",
        "on",
        "with",
        "via",
        "to",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "its",
        "into",
        "using",
        "based",
        "towards",
        "toward",
        "new",
    ]
)


def normalise(title: str) -> str:
    """The comparable form of a title: :func:`title_key` after dropping LaTeX commands."""
    return title_key(_LATEX_RE.sub(lambda m: m.group(0).strip("$\\"), title))


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def content_words(title: str) -> set[str]:
    return {_stem(w) for w in normalise(title).split() if w not in STOP_WORDS}


def _without_prefix(title: str) -> str:
    return normalise(_PREFIX_RE.sub("", title, count=1))


def titles_agree(listed: str, arxiv: str) -> bool:
    """True when ``listed`` (as the list writes it) and ``arxiv`` clearly name the same paper."""
    a, b = normalise(listed), normalise(arxiv)
    if not a or not b:
        return False
    if a == b or a.replace(" ", "") == b.replace(" ", ""):
        return True
    if _without_prefix(listed) in (b, _without_prefix(arxiv)) or _without_prefix(arxiv) == a:
        return True
    if SequenceMatcher(None, a, b, autojunk=False).ratio() >= AGREE_RATIO:
        return True
    wa, wb = content_words(listed), content_words(arxiv)
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(short) >= MIN_SHORT_WORDS and short <= long_ and len(short) * 2 >= len(long_):
        return True
    union = wa | wb
    return bool(union) and len(wa & wb) / len(union) >= JACCARD


def similarity(listed: str, arxiv: str) -> float:
    """How alike two titles are (0..1), to rank title-search results that agree."""
    return SequenceMatcher(None, normalise(listed), normalise(arxiv), autojunk=False).ratio()


def title_query(title: str) -> str | None:
    """The arXiv API ``search_query`` for a title: ``ti:`` terms for its longest content words
    (at most eight, in title order), joined by AND. None when the title has no usable word."""
    words: list[str] = []
    for word in normalise(title).split():
        if word not in STOP_WORDS and len(word) >= 3 and word.isalnum() and word not in words:
            words.append(word)
    if not words:
        return None
    keep = set(sorted(words, key=len, reverse=True)[:MAX_QUERY_TERMS])
    return " AND ".join(f"ti:{w}" for w in words if w in keep)
