"""Problems of a list: broken or duplicated entries (errors) and departures from its style (warnings)."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Literal

from triagebot.arxiv_ids import link_form
from triagebot.awesome.document import Document, Entry, Section, parse
from triagebot.awesome.index import title_key
from triagebot.awesome.slots import MARKER_RE
from triagebot.awesome.text import body, ending, is_paper_url

Severity = Literal["error", "warning"]

_SIGNED_URL_RE = re.compile(
    r"[?&](?:X-Amz-Expires|X-Amz-Signature|X-Goog-Expires|X-Goog-Signature|Expires|Signature|se|sig)=",
    re.IGNORECASE,
)
_EXTERNAL_LINK_RE = re.compile(r"\]\(\s*<?(?:https?:)?//|<https?://|href=[\"']?https?://", re.IGNORECASE)
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
    return lint_document(parse(text), path)


def lint_document(doc: Document, path: str) -> list[Problem]:
    """Every problem of the parsed list ``doc`` (shown as ``path``), by line."""
    usual = _Usual(_section_markers(doc), _section_forms(doc))
    found = [
        *_line_problems(doc),
        *_file_problems(doc),
        *(p for entry in doc.entries for p in _entry_problems(doc, entry, usual)),
        *_duplicates(doc),
        *_ordering(doc),
        *_unrecognised_sections(doc),
    ]
    problems = [Problem(path, line, code, severity, message) for line, code, severity, message in found]
    return sorted(problems, key=lambda p: (p.line, p.code))


Finding = tuple[int, str, Severity, str]


def recognised(doc: Document) -> list[tuple[Section, int]]:
    """Each section that holds entries or links, with how many entries the engine recognised in it."""
    counts: list[tuple[Section, int]] = []
    for section in doc.sections:
        count = sum(1 for entry in section.entries if entry.parsed)
        if count or _holds_links(doc, section):
            counts.append((section, count))
    return counts


def _holds_links(doc: Document, section: Section) -> bool:
    hidden = doc.structure.hidden
    for number in range(section.line, section.end_line):
        if _EXTERNAL_LINK_RE.search(doc.lines[number]) and not any(a <= number < b for a, b in hidden):
            return True
    return False


def _unrecognised_sections(doc: Document) -> Iterator[Finding]:
    for section in doc.sections:
        if section.children or section.navigation or any(e.parsed for e in section.entries):
            continue
        if _holds_links(doc, section):
            yield (
                section.line,
                "no-entries-recognised",
                "warning",
                f"section {section.path!r} holds links but no entry was recognised in it "
                "(the bot cannot add papers here)",
            )


def _hard_break(text: str, following: str) -> bool:
    """Two trailing spaces before a line that continues the paragraph: a Markdown hard break."""
    if not text.endswith("  ") or not following.strip():
        return False
    return MARKER_RE.match(following) is None and not following.lstrip().startswith(("#", "|", ">", "<"))


def _line_problems(doc: Document) -> Iterator[Finding]:
    blank_run = 0
    for number, line in enumerate(doc.lines, start=1):
        text = body(line)
        following = body(doc.lines[number]) if number < len(doc.lines) else ""
        if (text != text.rstrip(" \t") and text.strip() and not _hard_break(text, following)) or (
            text and not text.strip()
        ):
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


def _marker_kind(bullet: str) -> str:
    """``-``, ``*``, ``+``, ``1.`` or ``1)``: numbers aside, what a list marker is."""
    marker = bullet.strip()
    return "1" + marker[-1] if marker[:1].isdigit() else marker


def _section_markers(doc: Document) -> dict[str, str]:
    """Each section's most common top-level marker kind."""
    counts: dict[str, Counter[str]] = {}
    for entry in doc.entries:
        if entry.bullet and not entry.bullet[:1].isspace():
            counts.setdefault(entry.section, Counter())[_marker_kind(entry.bullet)] += 1
    return {section: c.most_common(1)[0][0] for section, c in counts.items()}


@dataclass(frozen=True)
class _Usual:
    """What each section mostly does: its list marker kind and its arXiv link form."""

    markers: dict[str, str]
    forms: dict[str, str]


def _section_forms(doc: Document) -> dict[str, str]:
    """Each section's arXiv link form, where at least two thirds of its arXiv links share one."""
    counts: dict[str, Counter[str]] = {}
    for entry in doc.entries:
        for label, url in entry.links:
            if label.casefold() not in _CODE_LABELS and (form := link_form(url)) is not None:
                counts.setdefault(entry.section, Counter())[form] += 1
    forms: dict[str, str] = {}
    for section, counter in counts.items():
        form, count = counter.most_common(1)[0]
        if count * 3 >= counter.total() * 2:
            forms[section] = form
    return forms


def _wrapped(doc: Document, entry: Entry) -> bool:
    """An entry whose title is soft-wrapped onto the next line (hard breaks and badge lines are intended)."""
    sample = doc.samples.get(entry.line)
    if sample is None or sample.block.kind != "item" or sample.reading.title is None:
        return False
    start, end = sample.reading.title[1]
    return "\n" in sample.reading.text[start:end]


def _entry_problems(doc: Document, entry: Entry, usual_of: _Usual) -> Iterator[Finding]:
    markers = usual_of.markers
    if _wrapped(doc, entry):
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
            "entry has no title or paper link that the engine recognises (kept as is)",
        )
    usual = markers.get(entry.section)
    kind = _marker_kind(entry.bullet)
    if entry.bullet and usual and kind != usual and not entry.bullet[:1].isspace():
        yield (
            entry.line,
            "bullet",
            "warning",
            f"bullet {entry.bullet.strip()!r}, the section uses {usual!r}",
        )
    for label, url in entry.links:
        yield from _link_problems(entry, label, url, usual_of.forms.get(entry.section))
    if entry.venue:
        usual = doc.style.canonical_venue(entry.venue)
        if usual != entry.venue:
            yield (
                entry.line,
                "venue-spelling",
                "warning",
                f"venue '{entry.venue}' is spelled '{usual}' elsewhere",
            )


def _link_problems(entry: Entry, label: str, url: str, section_form: str | None) -> Iterator[Finding]:
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
    if label.casefold() in _CODE_LABELS and is_paper_url(url):
        yield entry.line, "code-link-not-code", "error", f"{shown} points to a paper ({url}), not to code"
    form = link_form(url)
    if form is not None and section_form and label.casefold() not in _CODE_LABELS and form != section_form:
        yield (
            entry.line,
            "pdf-link-form",
            "warning",
            f"arXiv link {url} differs from the section's form {section_form}",
        )


def _duplicates(doc: Document) -> Iterator[Finding]:
    """The same paper twice in one section is an error; in two sections, a warning (cross-listing)."""
    by_id: dict[str, list[Entry]] = {}
    by_title: dict[str, list[Entry]] = {}
    for entry in doc.entries:
        key = title_key(entry.title or "") if entry.parsed else ""
        earlier = by_id.get(entry.arxiv_id, []) if entry.arxiv_id else []
        reason = f"arXiv {entry.arxiv_id}" if earlier else "title"
        if not earlier and len(key) >= 8:
            earlier = by_title.get(key, [])
        same = next((e for e in earlier if e.section == entry.section), None)
        first = same or (earlier[0] if earlier else None)
        if first is not None:
            names = f"[{entry.acronym}] and [{first.acronym}]" if entry.acronym and first.acronym else "both"
            if same is not None:
                yield (
                    entry.line,
                    "duplicate-entry",
                    "error",
                    f"same paper as line {first.line} ({reason}); {names} list it twice",
                )
            else:
                yield (
                    entry.line,
                    "cross-listed",
                    "warning",
                    f"same paper as line {first.line} ({reason}) in section {first.section!r}; "
                    "fine if it is meant to be listed under both",
                )
        if entry.arxiv_id:
            by_id.setdefault(entry.arxiv_id, []).append(entry)
        if len(key) >= 8:
            by_title.setdefault(key, []).append(entry)


def _ordering(doc: Document) -> Iterator[Finding]:
    """Entries out of the list's order, in sections that otherwise keep it.

    Only entries the engine read are compared (a numbered list of dataset names is no paper run),
    and a section that breaks the order more than once in ten is not kept in that order at all:
    it is no departure from it to warn about.
    """
    style = doc.style
    if style.ordering == "append":
        return
    for section in doc.sections:
        entries = [e for e in section.entries if e.parsed]
        wrong_after: list[Entry] = []
        for before, after in itertools.pairwise(entries):
            if style.ordering == "year" and before.year and after.year:
                wrong = after.year > before.year if style.year_descending else after.year < before.year
            else:
                wrong = style.ordering == "alpha" and _alpha(after) < _alpha(before)
            if wrong:
                wrong_after.append(after)
        if len(wrong_after) > max(1, (len(entries) - 1) // 10):
            continue
        for after in wrong_after:
            yield (
                after.line,
                "out-of-order",
                "warning",
                f"entry breaks the list's {style.ordering} ordering",
            )


def _alpha(entry: Entry) -> str:
    return (entry.acronym or entry.title or "").casefold()
