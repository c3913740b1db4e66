"""Problems of a list: broken or duplicated entries (errors) and departures from its style (warnings)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Literal

from triagebot.awesome.document import Document, Entry, parse
from triagebot.awesome.index import title_key
from triagebot.awesome.style import arxiv_form
from triagebot.awesome.text import body, ending

Severity = Literal["error", "warning"]

_SIGNED_URL_RE = re.compile(
    r"[?&](?:X-Amz-Expires|X-Amz-Signature|X-Goog-Expires|X-Goog-Signature|Expires|Signature|se|sig)=",
    re.IGNORECASE,
)
_PAPER_URL_RE = re.compile(
    r"arxiv\.org/(?:abs|pdf)/|doi\.org/|openaccess\.thecvf\.com/|ieeexplore\.ieee\.org/|dl\.acm\.org/doi/"
    r"|openreview\.net/(?:forum|pdf)|proceedings\.(?:neurips\.cc|mlr\.press)/|\.pdf(?:$|[?#])",
    re.IGNORECASE,
)
_CODE_LABELS = frozenset({"code", "github", "repo", "repository", "source", "implementation"})


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    code: str
    severity: Severity
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"

    def as_dict(self) -> dict[str, str | int]:
        return dict(asdict(self))


def lint(text: str, path: str) -> list[Problem]:
    """Every problem of the list ``text`` (shown as ``path``), by line."""
    doc = parse(text)
    found = [
        *_line_problems(doc),
        *_file_problems(doc),
        *(p for entry in doc.entries for p in _entry_problems(doc, entry)),
        *_duplicates(doc),
        *_ordering(doc),
    ]
    problems = [Problem(path, line, code, severity, message) for line, code, severity, message in found]
    return sorted(problems, key=lambda p: (p.line, p.code))


Finding = tuple[int, str, Severity, str]


def _line_problems(doc: Document) -> Iterator[Finding]:
    blank_run = 0
    for number, line in enumerate(doc.lines, start=1):
        text = body(line)
        if text != text.rstrip(" \t"):
            yield number, "trailing-whitespace", "warning", "line ends with spaces or tabs"
        blank_run = blank_run + 1 if not text.strip() else 0
        if blank_run == 2:
            yield number, "blank-lines", "warning", "more than one blank line in a row"


def _file_problems(doc: Document) -> Iterator[Finding]:
    if doc.lines and not ending(doc.lines[-1]):
        yield len(doc.lines), "no-final-newline", "warning", "the file does not end with a line ending"
    endings = {ending(line) for line in doc.lines} - {""}
    if len(endings) > 1:
        first = next(
            n for n, line in enumerate(doc.lines, start=1) if ending(line) != doc.eol and ending(line)
        )
        yield first, "mixed-line-endings", "warning", "lines end with both LF and CRLF"


def _entry_problems(doc: Document, entry: Entry) -> Iterator[Finding]:
    if entry.end_line > entry.line:
        yield (
            entry.line,
            "wrapped-entry",
            "warning",
            f"entry spans lines {entry.line}-{entry.end_line}; keep it on one",
        )
    if not entry.parsed:
        yield (
            entry.line,
            "unparsed-entry",
            "warning",
            "entry does not fit the list's entry grammar (kept as is)",
        )
    elif entry.layout is not None and entry.layout.key != doc.style.layout.key:
        yield (
            entry.line,
            "entry-layout",
            "warning",
            "entry is laid out differently from the list's usual entries",
        )
    marker = entry.bullet.strip()
    if marker and marker != doc.style.bullet.strip() and not entry.bullet[:1].isspace():
        yield (
            entry.line,
            "bullet",
            "warning",
            f"bullet {entry.bullet.strip()!r}, the list uses {doc.style.bullet.strip()!r}",
        )
    for label, url in entry.links:
        yield from _link_problems(doc, entry, label, url)
    if entry.venue:
        usual = doc.style.canonical_venue(entry.venue)
        if usual != entry.venue:
            yield (
                entry.line,
                "venue-spelling",
                "warning",
                f"venue '{entry.venue}' is spelled '{usual}' elsewhere",
            )


def _link_problems(doc: Document, entry: Entry, label: str, url: str) -> Iterator[Finding]:
    shown = f"[{label}]" if label else "link"
    if not url.strip():
        yield entry.line, "empty-link", "error", f"{shown} link has no URL"
        return
    if _SIGNED_URL_RE.search(url):
        yield (
            entry.line,
            "expiring-url",
            "error",
            f"{shown} is a signed, expiring URL; link a stable page instead",
        )
    if label.casefold() in _CODE_LABELS and _PAPER_URL_RE.search(url):
        yield entry.line, "code-link-not-code", "error", f"{shown} points to a paper ({url}), not to code"
    form = arxiv_form(url)
    if form is not None and label.casefold() not in _CODE_LABELS and form != doc.style.pdf_link_form:
        yield (
            entry.line,
            "pdf-link-form",
            "warning",
            f"arXiv link {url} differs from the list's form {doc.style.pdf_link_form}",
        )


def _duplicates(doc: Document) -> Iterator[Finding]:
    by_id: dict[str, Entry] = {}
    by_title: dict[str, Entry] = {}
    for entry in doc.entries:
        first = by_id.get(entry.arxiv_id) if entry.arxiv_id else None
        key = title_key(entry.title or "")
        if first is None and len(key) >= 8:
            first = by_title.get(key)
        if first is not None:
            names = f"[{entry.acronym}] and [{first.acronym}]" if entry.acronym and first.acronym else "both"
            reason = (
                f"arXiv {entry.arxiv_id}" if entry.arxiv_id and entry.arxiv_id == first.arxiv_id else "title"
            )
            yield (
                entry.line,
                "duplicate-entry",
                "error",
                f"same paper as line {first.line} ({reason}); {names} list it twice",
            )
            continue
        if entry.arxiv_id:
            by_id[entry.arxiv_id] = entry
        if len(key) >= 8:
            by_title.setdefault(key, entry)


def _ordering(doc: Document) -> Iterator[Finding]:
    style = doc.style
    if style.ordering == "append":
        return
    for section in doc.sections:
        for before, after in zip(section.entries, section.entries[1:], strict=False):
            if style.ordering == "year" and before.year and after.year:
                wrong = after.year > before.year if style.year_descending else after.year < before.year
            else:
                wrong = style.ordering == "alpha" and _alpha(after) < _alpha(before)
            if wrong:
                yield (
                    after.line,
                    "out-of-order",
                    "warning",
                    f"entry breaks the list's {style.ordering} ordering",
                )


def _alpha(entry: Entry) -> str:
    return (entry.acronym or entry.title or "").casefold()
