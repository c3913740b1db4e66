"""arXiv identifiers: parse them out of any abs/pdf/versioned link or bare text."""

from __future__ import annotations

import re

# New style (0704.0001 .. 2503.19357v2) and old style (hep-th/9901001v1, math.GT/0309136).
NEW_ID = r"\d{4}\.\d{4,5}"
OLD_ID = r"[a-z][a-z\-]+(?:\.[A-Z]{2})?/\d{7}"
_NEW = rf"(?P<new>{NEW_ID})"
_OLD = rf"(?P<old>{OLD_ID})"
_VERSION = r"(?:v(?P<version>\d+))?"
_URL_RE = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html|ftp/arxiv/papers/\d{{4}})/(?:{_NEW}|{_OLD}){_VERSION}(?:\.pdf)?",
    re.IGNORECASE,
)
_BARE_RE = re.compile(rf"^(?:arxiv:)?(?:{_NEW}|{_OLD}){_VERSION}$", re.IGNORECASE)
_FORM_RE = re.compile(
    r"^(?P<prefix>https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/)"
    rf"(?:{NEW_ID}|{OLD_ID})(?:v\d+)?(?P<suffix>\.pdf)?$",
    re.IGNORECASE,
)


def split_id(text: str) -> tuple[str, int | None] | None:
    """Return ``(version-less id, version or None)`` for a bare id or an arXiv link, else None.

    >>> split_id("https://arxiv.org/pdf/2503.19357v2.pdf")
    ('2503.19357', 2)
    >>> split_id("arXiv:1911.07389")
    ('1911.07389', None)
    """
    text = text.strip()
    match = _BARE_RE.match(text) or _URL_RE.search(text)
    if match is None:
        return None
    ident = match.group("new") or match.group("old")
    version = match.group("version")
    return ident, int(version) if version else None


def ids_in(text: str) -> list[tuple[int, str]]:
    """(offset, version-less id) of every arXiv link in ``text`` (abs, pdf, html, /ftp/ forms)."""
    return [(m.start(), m.group("new") or m.group("old")) for m in _URL_RE.finditer(text)]


def link_form(url: str) -> str | None:
    """``https://arxiv.org/pdf/{id}.pdf`` for ``https://arxiv.org/pdf/1911.07389v2.pdf``: how a list
    writes its arXiv links, the id left as ``{id}``; None for a URL that is no arXiv paper link."""
    match = _FORM_RE.match(url.strip())
    if match is None:
        return None
    return match.group("prefix") + "{id}" + (match.group("suffix") or "")


def normalize_id(text: str) -> str | None:
    """The version-less id in ``text`` (bare id or link), or None."""
    parts = split_id(text)
    return parts[0] if parts else None


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"
