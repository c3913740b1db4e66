"""Text helpers of the list grammar: lines with their endings, Markdown escapes, clean titles."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from triagebot.models import squash

_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")
# CommonMark: any ASCII punctuation can be backslash-escaped.
_ESCAPED_RE = re.compile(r"\\[!-/:-@\[-`{-~]")
_CODE_SPAN_RE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
# What a title must not carry raw: grammar characters of an entry line.
_TO_ESCAPE_RE = re.compile(r"([\\\[\]*`|<>~])")
_STRICT_ESCAPE_RE = re.compile(r"([\\\[\]*`|<>~().,;:\-])")
# What a new entry's title escapes (template.py): only what CommonMark would read as markup there.
_TITLE_ESCAPE_RE = re.compile(r"([\\`*\[\]<>])")
_TITLE_STRICT_RE = re.compile(r"([\\`*\[\]<>().,;:'\-])")
_LONE_UNDERSCORE_RE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_DROP_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
MASK = "\x00"
# Where papers live: arXiv, DOIs, the big proceedings, OpenReview, or a PDF anywhere.
_PAPER_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf|ftp)/|doi\.org/|openaccess\.thecvf\.com/|ieeexplore\.ieee\.org/|dl\.acm\.org/doi/"
    r"|openreview\.net/(?:forum|pdf)|proceedings\.(?:neurips\.cc|mlr\.press)/|papers\.nips\.cc/"
    r"|aclanthology\.org/|link\.springer\.com/|\.pdf(?:$|[?#])",
    re.IGNORECASE,
)


def is_paper_url(url: str) -> bool:
    """True for a link to a paper (an abstract page or a PDF), not to code, a badge or a page."""
    return bool(_PAPER_URL_RE.search(url))


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its ending (``\\n``, ``\\r\\n`` or none); joined: ``text``."""
    return _LINE_RE.findall(text)


def body(line: str) -> str:
    """A line without its line ending."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith("\n"):
        return line[:-1]
    return line


def ending(line: str) -> str:
    return line[len(body(line)) :]


def dominant_ending(lines: list[str]) -> str:
    """The line ending most lines use (``\\n`` for a text without any)."""
    counts = Counter(ending(line) for line in lines if ending(line))
    return counts.most_common(1)[0][0] if counts else "\n"


def mask(text: str) -> str:
    """``text`` with backslash escapes and code spans blanked out (same length), for structural regexes."""
    if "\\" not in text and "`" not in text:
        return text
    masked = _ESCAPED_RE.sub(lambda m: MASK * len(m.group(0)), text)
    return _CODE_SPAN_RE.sub(lambda m: MASK * len(m.group(0)), masked)


def mask_escapes(text: str) -> str:
    """``text`` with backslash escapes blanked out (same length); code spans stay readable."""
    return _ESCAPED_RE.sub(lambda m: MASK * len(m.group(0)), text) if "\\" in text else text


def unescape(text: str) -> str:
    return _ESCAPED_RE.sub(lambda m: m.group(0)[1], text) if "\\" in text else text


def clean_text(text: str) -> str:
    """NFC text without control, format (zero-width, bidi) or unassigned characters, whitespace squashed."""
    if text.isascii() and text.isprintable():
        return squash(text)
    text = unicodedata.normalize("NFC", text)
    kept = [
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch) not in _DROP_CATEGORIES
    ]
    return squash("".join(kept))


def escape_markdown(text: str, *, strict: bool = False) -> str:
    """Backslash-escape every character that could change an entry line's structure.

    ``strict`` also escapes the separators and brackets a venue could be read from (``().,;|-``).
    """
    escaped = (_STRICT_ESCAPE_RE if strict else _TO_ESCAPE_RE).sub(r"\\\1", text)
    return _LONE_UNDERSCORE_RE.sub(r"\\_", escaped)


def safe_url(url: str) -> str:
    """A URL cleaned, with what would end or break a Markdown link target percent-encoded."""
    cleaned = clean_text(url)
    for raw, encoded in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), ("[", "%5B")):
        cleaned = cleaned.replace(raw, encoded)
    return cleaned.replace("]", "%5D")


def escape_title(text: str, *, pipes: bool, strict: bool = False) -> str:
    """Escape only what CommonMark would otherwise read as markup inside an entry.

    ``strict`` also escapes the punctuation a venue or a separator could be read from; used only
    when the minimal form would not read back as the same title.
    """
    escaped = _LONE_UNDERSCORE_RE.sub(
        r"\\_", (_TITLE_STRICT_RE if strict else _TITLE_ESCAPE_RE).sub(r"\\\1", text)
    )
    return escaped.replace("|", "\\|") if pipes or strict else escaped


def clean_title(text: str) -> str:
    """A title as an entry shows it: clean text without trailing periods (the grammar owns the period).

    A trailing ellipsis ``...`` becomes ``…`` so that no title ends with a period.
    """
    title = clean_text(text)
    stripped = title.rstrip(".")
    if len(title) - len(stripped) > 1:
        return stripped.rstrip() + "…"
    return stripped.rstrip()
