"""Compose: from a paper and its validated decision, the entry line and the pull request proposing it.

Pure: strings in, data out. Every character of the entry comes from :meth:`Document.plan` (arXiv
metadata and validated fields); everything in the PR body that arXiv or the model wrote is escaped
for Markdown *and* HTML, so a hostile title cannot inject links, mentions, markup or a fake marker.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from triagebot.arxiv_ids import abs_url, pdf_url
from triagebot.awesome import Document, insert_entry, parse
from triagebot.awesome.template import NewEntry
from triagebot.awesome.text import clean_text
from triagebot.config import PublishConfig
from triagebot.errors import TriagebotError
from triagebot.models import Decision, Paper, Proposal
from triagebot.sections import SEPARATOR

BOT_LABEL = "triagebot"
LOW_CONFIDENCE_LABEL = "low-confidence"
ACRONYM_NEEDED_LABEL = "acronym-needed"
ACRONYM_NEEDED = (
    "**Acronym needed:** every entry of this list starts with the method's acronym, and none was "
    "found in the paper's title or abstract: add it to the line before merging."
)
BRANCH_PREFIX = "triagebot/"
GITHUB_BODY_LIMIT = 65_536  # characters GitHub accepts in a PR body
BODY_BUDGET = 60_000  # what we aim for: headroom for GitHub's own counting
TITLE_LIMIT = 200

_MARKER_RE = re.compile(r"<!-- triagebot:arxiv=([^\s>]+) -->")
# Punctuation that changes Markdown inline structure anywhere (& < > become HTML entities instead) …
_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~])")
# … and what only matters at the start of a line: block markers and "1." / "1)" list items.
_LEADING_RE = re.compile(r"^(?:([-+=#>])|(\d+)([.)]))")
_MENTION_RE = re.compile(r"([@#])(?=[A-Za-z0-9])")
_REF_CHARS_RE = re.compile(r"[^A-Za-z0-9._-]+")
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
_ZWSP = "\u200b"


def marker(arxiv_id: str) -> str:
    """The hidden marker by which the bot finds its own PR for a paper."""
    return f"<!-- triagebot:arxiv={arxiv_id} -->"


def markers_in(body: str | None) -> list[str]:
    """The arXiv ids of every marker in a PR body, in order."""
    return _MARKER_RE.findall(body or "")


# The one upkeep PR of ``triagebot verify``: not a paper PR (no id, outside the open-PR cap).
UPKEEP_BRANCH = f"{BRANCH_PREFIX}upkeep"


def branch_for(arxiv_id: str) -> str:
    return f"{BRANCH_PREFIX}{arxiv_id}"


def run_branch(run_id: str) -> str:
    """One branch per run when grouping: ``triagebot/run-<run id>`` (made ref-safe)."""
    return f"{BRANCH_PREFIX}run-{_REF_CHARS_RE.sub('-', run_id).strip('-.') or 'run'}"


def id_from_branch(branch: str) -> str | None:
    """``2503.19357`` for ``triagebot/2503.19357``; None for run, upkeep and foreign branches."""
    if not branch.startswith(BRANCH_PREFIX):
        return None
    rest = branch[len(BRANCH_PREFIX) :]
    return None if not rest or rest.startswith("run-") or branch == UPKEEP_BRANCH else rest


def escape_text(text: str) -> str:
    """One line of untrusted text, safe in a Markdown paragraph: no markup, HTML, mentions or refs.

    Control, zero-width and bidi characters are dropped and whitespace squashed; Markdown
    punctuation is backslash-escaped; ``& < >`` become entities; ``@name`` and ``#12`` get a
    zero-width space so GitHub neither notifies anyone nor links an issue.
    """
    cleaned = clean_text(text)
    escaped = _MD_SPECIAL_RE.sub(r"\\\1", cleaned)
    escaped = _LEADING_RE.sub(
        lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), escaped
    )
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION_RE.sub(lambda m: m.group(1) + _ZWSP, escaped)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL percent-encoded so it cannot break out of a Markdown link; None otherwise."""
    if not url:
        return None
    cleaned = clean_text(url).replace(" ", "")
    if not re.match(r"^https?://[^/\s]", cleaned, re.IGNORECASE):
        return None
    return urllib.parse.quote(cleaned, safe=_URL_SAFE)


def _fenced(line: str) -> str:
    """``line`` in a code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}markdown\n{line}\n{fence}"


def leaf(section: str) -> str:
    return section.rsplit(SEPARATOR, maxsplit=1)[-1]


# ---------------------------------------------------------------- the edit


@dataclass(frozen=True)
class Insertion:
    arxiv_id: str
    section: str
    line: str


@dataclass(frozen=True)
class InsertEntries:
    """The pure edit of a proposal: add each entry to its section unless the list already has it."""

    insertions: tuple[Insertion, ...]

    def __call__(self, text: str) -> str:
        for item in self.insertions:
            if parse(text).index.find(arxiv_id=item.arxiv_id) is None:
                text = insert_entry(text, item.section, item.line)
        return text


# ---------------------------------------------------------------- one paper


@dataclass(frozen=True)
class Composed:
    """One paper, composed: its entry line and what the PR says about it."""

    paper: Paper
    decision: Decision
    section: str
    venue: str
    year: int | None
    line: str
    notes: tuple[str, ...] = ()
    acronym_needed: bool = False  # the list's entries all carry an acronym, and this one has none

    @property
    def label(self) -> str:
        """``DeCo-Diff (CVPR 2025)``: how titles name the paper."""
        name = clean_text(self.decision.acronym or "") or _short(self.paper.title, 60)
        when = f"{self.venue} {self.year}" if self.year else self.venue
        return f"{name} ({when})"


def _short(text: str, size: int) -> str:
    text = clean_text(text)
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def acronyms_expected(doc: Document, section: str | None = None) -> bool:
    """True when every entry of ``section`` (or of the list) carries an acronym: then an entry
    without one is flagged."""
    pool = doc.section(section).entries if section else doc.entries
    entries = [e for e in pool if e.parsed]
    return bool(entries) and all(e.acronym for e in entries)


def compose_entry(
    paper: Paper, decision: Decision, doc: Document, *, acronym_expected: bool | None = None
) -> Composed:
    """Render ``paper``'s entry in the style of its section of ``doc``. Raises ListError when it cannot.

    ``acronym_expected`` (default: every entry of that section has one) flags an entry without one.
    """
    if not decision.relevant or not decision.section:
        raise ValueError(f"{paper.arxiv_id}: only relevant decisions with a section can be composed")
    notes = list(decision.notes)
    year = decision.year
    if year is None and paper.published is not None:
        year = paper.published.year
        notes.append(f"no year in the decision; using the arXiv submission year {year}")
    new = NewEntry(
        title=paper.title,
        arxiv_id=paper.arxiv_id,
        acronym=decision.acronym,
        venue=decision.venue,
        year=year,
        month=paper.published.month if paper.published is not None else None,
        day=paper.published.day if paper.published is not None else None,
        code_url=decision.code_url,
        authors=paper.authors,
    )
    _, line, _ = doc.plan(decision.section, new)
    venue = clean_text(decision.venue or "") or "arXiv"
    venue = doc.venues.get(venue.casefold(), venue)
    similar = doc.index.find_acronym(decision.acronym) if decision.acronym else None
    if similar is not None and similar.arxiv_id != paper.arxiv_id:
        notes.append(f"possibly already listed as [{similar.acronym}] at line {similar.line}")
    if acronym_expected is None:
        acronym_expected = acronyms_expected(doc, decision.section)
    needed = acronym_expected and not clean_text(decision.acronym or "")
    return Composed(paper, decision, decision.section, venue, year, line, tuple(notes), needed)


# ---------------------------------------------------------------- the PR body

_HELP = (
    "**What you can do**\n"
    "- **Merge** to add the entry exactly as shown.\n"
    "- **Edit the line freely** on this branch first: the bot leaves an open pull request alone.\n"
    "- **Close** without merging to say no: triagebot will never propose {it} again."
)


@dataclass(frozen=True)
class _Detail:
    abstract_chars: int | None = None  # None: the whole abstract; 0: none
    evidence: bool = True
    rationale: bool = True


def _paper_block(item: Composed, detail: _Detail, heading: str) -> str:
    paper, decision = item.paper, item.decision
    parts = [
        heading,
        "",
        f"Entry, to be added under **{escape_text(item.section)}**:",
        "",
        _fenced(item.line),
        "",
    ]
    runner_up = escape_text(decision.runner_up) if decision.runner_up else "none"
    parts += [
        f"- **Section:** {escape_text(item.section)}",
        f"- **Runner-up:** {runner_up}",
        f"- **Confidence:** {decision.confidence:.2f}",
        f"- **Model:** {escape_text(decision.model or 'unknown')}, prompt "
        f"{escape_text(decision.prompt_version or 'unknown')}",
    ]
    if item.acronym_needed:
        parts += ["", ACRONYM_NEEDED]
    if detail.rationale and decision.rationale:
        parts += ["", f"**Rationale:** {escape_text(decision.rationale)}"]
    if detail.evidence and decision.evidence:
        parts += ["", "**Evidence** (quoted from the paper's metadata):"]
        parts.append("\n>\n".join(f"> {escape_text(quote)}" for quote in decision.evidence))
    if item.notes:
        parts += ["", "**Decision notes:**"] + [f"- {escape_text(note)}" for note in item.notes]
    links = [f"[abs]({abs_url(paper.arxiv_id)})", f"[pdf]({pdf_url(paper.arxiv_id)})"]
    code = safe_url(decision.code_url)
    if code:
        links.append(f"[code]({code})")
    parts += ["", "**Links:** " + " · ".join(links)]
    abstract = paper.abstract
    if detail.abstract_chars is not None and len(abstract) > detail.abstract_chars:
        abstract = abstract[: detail.abstract_chars].rstrip() + " … (cut to fit GitHub's size limit)"
        if detail.abstract_chars == 0:
            abstract = ""
    if abstract.strip():
        parts += ["", "<details><summary>Abstract</summary>", "", escape_text(abstract), "", "</details>"]
    return "\n".join(parts)


def _body(items: Sequence[Composed], details: Sequence[_Detail]) -> str:
    head = "\n".join(marker(item.paper.arxiv_id) for item in items)
    if len(items) == 1:
        item = items[0]
        title = f"### {escape_text(_short(item.paper.title, 300))}"
        blocks = [_paper_block(item, details[0], title)]
        it = "this paper"
    else:
        blocks = [
            _paper_block(item, detail, f"### {n}. {escape_text(item.label)}: {escape_text(item.paper.title)}")
            for n, (item, detail) in enumerate(zip(items, details, strict=True), start=1)
        ]
        it = "these papers"
    intro = (
        "triagebot found " + ("a paper" if len(items) == 1 else f"{len(items)} papers") + " for this list."
    )
    return "\n\n".join([head, intro, *blocks, "---", _HELP.format(it=it)]) + "\n"


def build_body(items: Sequence[Composed], limit: int = BODY_BUDGET) -> str:
    """The PR body, shortened to ``limit`` characters: abstracts go first, then evidence and rationale.

    Text is cut before it is escaped, so no escape or entity is ever split; markers always stay.
    """
    details = [_Detail() for _ in items]
    body = _body(items, details)
    if len(body) <= limit:
        return body
    longest = max(len(item.paper.abstract) for item in items)
    size = longest
    while len(body) > limit and size > 0:
        size = size // 2 if size > 64 else 0
        details = [_Detail(abstract_chars=size) for _ in items]
        body = _body(items, details)
    for evidence, rationale in ((False, True), (False, False)):
        if len(body) <= limit:
            break
        details = [_Detail(abstract_chars=0, evidence=evidence, rationale=rationale) for _ in items]
        body = _body(items, details)
    if len(body) > limit:
        raise ComposeError(f"the pull request body needs {len(body)} characters even without details")
    return body


class ComposeError(TriagebotError):
    """A proposal could not be composed (the PR would exceed GitHub's limits)."""


# ---------------------------------------------------------------- proposals


def _labels(config: PublishConfig, low: bool, acronym_needed: bool = False) -> tuple[str, ...]:
    labels = dict.fromkeys([*config.labels, BOT_LABEL])
    if low:
        labels[LOW_CONFIDENCE_LABEL] = None
    if acronym_needed:
        labels[ACRONYM_NEEDED_LABEL] = None
    return tuple(labels)


def proposal_for(
    items: Sequence[Composed], config: PublishConfig, *, list_path: str, branch: str, base: str | None = None
) -> Proposal:
    """One proposal for one or more composed papers."""
    if not items:
        raise ValueError("a proposal needs at least one paper")
    low = any(item.decision.confidence < config.low_confidence for item in items)
    if len(items) == 1:
        title = f"Add {items[0].label} to {leaf(items[0].section)}"
    else:
        title = f"Add {len(items)} papers: " + ", ".join(item.label for item in items)
    edit = InsertEntries(tuple(Insertion(i.paper.arxiv_id, i.section, i.line) for i in items))
    return Proposal(
        branch=branch,
        title=_short(title, TITLE_LIMIT),
        body=build_body(items),
        labels=_labels(config, low, any(item.acronym_needed for item in items)),
        draft=low,
        arxiv_ids=tuple(item.paper.arxiv_id for item in items),
        list_path=list_path,
        apply=edit,
        base=base if base is not None else config.base_branch,
    )


@dataclass
class ComposeResult:
    """The proposals, and the papers that could not be composed (arXiv id -> one-line reason)."""

    proposals: list[Proposal] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def build_proposals(
    papers: Sequence[Paper],
    decisions: Mapping[str, Decision],
    doc: Document,
    config: PublishConfig,
    *,
    list_path: str,
    run_id: str,
) -> ComposeResult:
    """Compose every paper that has a decision: one proposal each, or one per run when grouping.

    Each entry is checked against ``doc`` (the list as read), so a paper whose entry cannot be
    inserted is reported here and never reaches the publisher. Papers keep their input order.
    """
    result = ComposeResult()
    composed: list[Composed] = []
    text = doc.render()
    current = doc  # grouped: each entry is written against the list holding the ones before it
    for paper in papers:
        decision = decisions.get(paper.arxiv_id)
        if decision is None:
            continue
        try:
            item = compose_entry(paper, decision, current)
            inserted = InsertEntries((Insertion(paper.arxiv_id, item.section, item.line),))(text)
            if config.group:
                text, current = inserted, parse(inserted)
            else:
                proposal = proposal_for(
                    [item], config, list_path=list_path, branch=branch_for(paper.arxiv_id)
                )
                result.proposals.append(proposal)
        except (TriagebotError, ValueError) as err:
            result.errors[paper.arxiv_id] = str(err)
            continue
        composed.append(item)
    if config.group and composed:
        try:
            result.proposals.append(
                proposal_for(composed, config, list_path=list_path, branch=run_branch(run_id))
            )
        except TriagebotError as err:
            result.errors.update({item.paper.arxiv_id: str(err) for item in composed})
    return result
