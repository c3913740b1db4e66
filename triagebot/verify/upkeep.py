"""The upkeep pull request: fix wrong arXiv links in place (and venue/code findings where the
edit is unambiguous), list every other finding.

Pure: findings in, a :class:`~triagebot.models.Proposal` out. The edit (``Proposal.apply``) is
recomposed against the list as it is on the base branch when publishing: each fix finds its entry
again by the old id and the entry's title (so moved lines and duplicate links are no problem),
and only the id inside that entry's arXiv links changes.

The PR is found again without state by its branch (``triagebot/upkeep``) and a hidden marker
listing the keys of the changes it proposes; the keys of a closed, unmerged upkeep PR are never
proposed again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from triagebot.awesome import Entry, parse
from triagebot.awesome.text import split_lines
from triagebot.compose.pr_body import BODY_BUDGET, escape_text
from triagebot.models import Proposal, UpkeepHistory
from triagebot.pr_convention import UPKEEP_BRANCH, upkeep_marker
from triagebot.sections import is_protected
from triagebot.verify.check import Finding, FindingKind
from triagebot.verify.links import replace_arxiv_id
from triagebot.verify.titles import normalise

_EDITABLE = (FindingKind.WRONG_ARXIV_LINK, FindingKind.VENUE_UPDATE, FindingKind.CODE_AVAILABLE)
_EMPTY_CODE_LINK_RE = re.compile(r"(\[\[?code\]?\])\(\s*\)", re.IGNORECASE)
_VENUE_YEAR_RE = re.compile(r"^(?P<venue>.+?) (?P<year>(?:19|20)\d{2})$")


def fixes(findings: Iterable[Finding], protected: Sequence[str] = ()) -> list[Finding]:
    """Findings the upkeep PR may apply: wrong arXiv links, venue updates and code links, outside
    protected sections (whether a venue or code edit is unambiguous is decided on the text)."""
    return [
        f
        for f in findings
        if f.kind in _EDITABLE
        and (f.suggested_arxiv_id or f.suggested_venue or f.suggested_code_url)
        and not is_protected(f.section, protected)
    ]


def _edit_block(block: str, entry: Entry, fix: Finding, spellings: dict[str, str]) -> str:
    """The entry's lines with one fix applied; unchanged when the edit would be ambiguous.

    - wrong link: the id inside the entry's arXiv links (every form kept);
    - venue: ``VENUE YEAR`` as the entry writes it (e.g. ``arXiv 2023``) appears exactly once
      and the suggestion has a year: replaced, spelled as the list already spells that venue;
    - code: the entry has exactly one empty code link (``[[code]]()``): filled in.
    """
    if fix.kind is FindingKind.WRONG_ARXIV_LINK and fix.arxiv_id and fix.suggested_arxiv_id:
        return replace_arxiv_id(block, fix.arxiv_id, fix.suggested_arxiv_id)
    if fix.kind is FindingKind.VENUE_UPDATE and entry.venue and entry.year:
        written = f"{entry.venue} {entry.year}"
        match = _VENUE_YEAR_RE.match(fix.suggested_venue or "")
        if match is None or block.count(written) != 1:
            return block
        venue = spellings.get(match["venue"].casefold(), match["venue"])
        return block.replace(written, f"{venue} {match['year']}")
    if fix.kind is FindingKind.CODE_AVAILABLE and fix.suggested_code_url:
        empty = _EMPTY_CODE_LINK_RE.findall(block)
        if len(empty) != 1:
            return block
        url = fix.suggested_code_url
        return _EMPTY_CODE_LINK_RE.sub(lambda m: f"{m.group(1)}({url})", block)
    return block


def apply_fixes(text: str, chosen: Sequence[Finding]) -> str:
    """``text`` with each fix applied to its entry; every other byte kept.

    An entry is found by its linked id and (normalised) title; a fix whose entry is no longer
    there (edited or removed on the base meanwhile), or whose edit would be ambiguous, is skipped.
    """
    if not chosen:
        return text
    lines = split_lines(text)
    entries = parse(text).entries
    spellings = {e.venue.casefold(): e.venue for e in entries if e.venue}
    for fix in chosen:
        title = normalise(fix.entry_title or "")
        for entry in entries:
            if not fix.arxiv_id or entry.arxiv_id != fix.arxiv_id or normalise(entry.title or "") != title:
                continue
            block = lines[entry.line - 1 : entry.end_line]
            edited = split_lines(_edit_block("".join(block), entry, fix, spellings))
            if len(edited) == len(block):  # never a line more or less
                lines[entry.line - 1 : entry.end_line] = edited
    return "".join(lines)


def applicable(text: str, candidates: Sequence[Finding]) -> list[Finding]:
    """The candidates whose edit changes ``text`` (each tried on its own)."""
    return [f for f in candidates if apply_fixes(text, [f]) != text]


def _cell(text: str | None) -> str:
    return escape_text(text or "—")


def _section(title: str, rows: list[str]) -> list[str]:
    return [f"### {title}", "", *rows, ""] if rows else []


def _fixed_rows(chosen: Sequence[Finding]) -> list[str]:
    links = [
        f"| {f.line} | {_cell(f.entry_title)} | {f.arxiv_id}: {_cell(f.arxiv_title)} | "
        f"{f.suggested_arxiv_id}: {_cell(f.suggested_title)} |"
        for f in chosen
        if f.kind is FindingKind.WRONG_ARXIV_LINK
    ]
    rows = ["| line | the entry says | it linked | now links |", "|---|---|---|---|", *links] if links else []
    others = [f for f in chosen if f.kind is not FindingKind.WRONG_ARXIV_LINK]
    if others and rows:
        rows.append("")
    for f in others:
        change = (
            f"venue {f.suggested_venue}"
            if f.kind is FindingKind.VENUE_UPDATE
            else f"code {f.suggested_code_url}"
        )
        rows.append(
            f"- line {f.line}, {_cell(f.entry_title)}: {escape_text(change)} "
            f"(arXiv's record: {escape_text(f.evidence or '')})"
        )
    return rows


def upkeep_body(
    findings: Sequence[Finding],
    chosen: Sequence[Finding],
    history: UpkeepHistory,
    *,
    entries_checked: int,
) -> str:
    """The PR body: what changed and why (both titles), then every other finding as a suggestion."""
    fixed = {f.key() for f in chosen}
    rest = [f for f in findings if f.key() not in fixed]
    kept_out = [f for f in rest if f.key() in history.rejected]
    suggestions = [
        f"- line {f.line}, **{f.kind.value}**: {escape_text(f.message)}"
        for f in rest
        if f not in kept_out and f.kind is not FindingKind.UNRESOLVED
    ]
    unresolved = [
        f"- line {f.line}: {escape_text(f.message)}" for f in rest if f.kind is FindingKind.UNRESOLVED
    ]
    rejected = [
        f"- line {f.line}, {f.kind.value}: not proposed again (closed upkeep PR #{history.rejected[f.key()]})"
        for f in kept_out
    ]
    parts = [
        f"triagebot checked the {entries_checked} entries that link arXiv against arXiv's own records.",
        "",
        *_section("Fixed in this PR", _fixed_rows(chosen)),
        *_section("Suggestions (apply by hand, or push to this branch)", suggestions),
        *_section("Could not be checked (arXiv lookups failed after retries)", unresolved),
        *_section("Declined earlier", rejected),
        "Titles are arXiv's and the list's own text. Close this PR to decline its changes: they will "
        "not be proposed again.",
    ]
    marker = upkeep_marker(f.key() for f in chosen)
    body = "\n".join(parts)
    if len(body) + len(marker) + 2 > BODY_BUDGET:
        body = body[: BODY_BUDGET - len(marker) - 40] + "\n\n… (cut: see the run report)"
    return f"{body}\n\n{marker}\n"


def upkeep_proposal(
    findings: Sequence[Finding],
    history: UpkeepHistory,
    text: str,
    *,
    list_path: str,
    labels: Sequence[str],
    entries_checked: int,
    protected: Sequence[str] = (),
    base: str | None = None,
) -> Proposal | None:
    """The upkeep PR for ``findings`` (as found in ``text``) minus the changes a closed upkeep PR
    declined and the venue/code edits that would be ambiguous; None when nothing is left to change."""
    candidates = [f for f in fixes(findings, protected) if f.key() not in history.rejected]
    chosen = applicable(text, candidates)
    if not chosen:
        return None
    links = sum(1 for f in chosen if f.kind is FindingKind.WRONG_ARXIV_LINK)
    others = len(chosen) - links
    what = [f"{links} wrong arXiv link{'s' if links != 1 else ''}"] if links else []
    what += [f"{others} venue/code update{'s' if others != 1 else ''}"] if others else []
    return Proposal(
        branch=UPKEEP_BRANCH,
        title=f"Upkeep: fix {' and '.join(what)}",
        body=upkeep_body(findings, chosen, history, entries_checked=entries_checked),
        labels=tuple(labels),
        draft=False,
        arxiv_ids=tuple(f.arxiv_id for f in chosen if f.arxiv_id),
        list_path=list_path,
        apply=lambda text: apply_fixes(text, chosen),
        base=base,
    )
