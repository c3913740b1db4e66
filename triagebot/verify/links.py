"""Change the arXiv id inside a line's arXiv links, and nothing else.

Hand-written (a few regular expressions) rather than through the Markdown parser: the edit must
keep every byte of the line but the id, and only the URL text knows which form it used
(``abs/ID``, ``pdf/ID.pdf``, ``pdf/IDvN``, ``html/IDvN``, ``export.``/``www.`` hosts, or the
``ftp/arxiv/papers/YYMM/ID.pdf`` form whose folder is part of the id). A version suffix belonged
to the old paper, so it is dropped: the new link names the current version of the right paper.
"""

from __future__ import annotations

import re

from triagebot.arxiv_ids import NEW_ID as _NEW_ID
from triagebot.arxiv_ids import OLD_ID as _OLD_ID
from triagebot.arxiv_ids import normalize_id

_HOST = r"(?:https?://)?(?:www\.|export\.)?arxiv\.org/"
# abs/pdf/html forms: the id (with an optional version) right after the kind.
_LINK_RE = re.compile(
    rf"(?P<head>{_HOST}(?:abs|pdf|html)/)(?P<id>{_NEW_ID}|{_OLD_ID})(?P<version>v\d+)?(?!\d)",
    re.IGNORECASE,
)
# ftp form of a new-style id: ftp/arxiv/papers/YYMM/YYMM.NNNNN(vN).pdf
_FTP_RE = re.compile(
    rf"(?P<head>{_HOST}ftp/arxiv/papers/)(?P<folder>\d{{4}})/(?P<id>{_NEW_ID})(?P<version>v\d+)?(?!\d)",
    re.IGNORECASE,
)


def replace_arxiv_id(text: str, old: str, new: str) -> str:
    """``text`` with every arXiv link to ``old`` (any form, any version) pointing at ``new``.

    Everything else (link text, other links, spacing, line endings) is kept byte for byte.
    Raises ValueError when ``old`` or ``new`` is not an arXiv id.
    """
    old_id, new_id = normalize_id(old), normalize_id(new)
    if old_id is None or new_id is None:
        raise ValueError(f"not arXiv ids: {old!r}, {new!r}")

    def link(match: re.Match[str]) -> str:
        if match.group("id").casefold() != old_id.casefold():
            return match.group(0)
        return match.group("head") + new_id

    def ftp(match: re.Match[str]) -> str:
        if match.group("id") != old_id or "/" in new_id:
            return match.group(0)
        return f"{match.group('head')}{new_id[:4]}/{new_id}"

    return _FTP_RE.sub(ftp, _LINK_RE.sub(link, text))


def links_to(text: str, arxiv_id: str) -> int:
    """How many arXiv links in ``text`` point at ``arxiv_id`` (any form or version)."""
    wanted = arxiv_id.casefold()
    return sum(1 for m in _LINK_RE.finditer(text) if m.group("id").casefold() == wanted) + sum(
        1 for m in _FTP_RE.finditer(text) if m.group("id") == arxiv_id
    )
