"""PR-body writing: what a pull request says about the papers it proposes.

Everything in the body that arXiv or the model wrote is escaped for Markdown *and* HTML, so a
hostile title cannot inject links, mentions, markup or a fake marker; the body is cut to fit
GitHub's size limit before escaping, markers always kept.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

from triagebot.arxiv_ids import abs_url, pdf_url
from triagebot.awesome.text import clean_text
from triagebot.compose.entry import Composed, shorten
from triagebot.errors import ComposeError
from triagebot.pr_convention import marker

ACRONYM_NEEDED = (
    "**Acronym needed:** every entry of this list starts with the method's acronym, and none was "
    "found in the paper's title or abstract: add it to the line before merging."
)
GITHUB_BODY_LIMIT = 65_536  # characters GitHub accepts in a PR body
BODY_BUDGET = 60_000  # what we aim for: headroom for GitHub's own counting

# Punctuation that changes Markdown inline structure anywhere (& < > become HTML entities instead) …
_MD_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~])")
# … and what only matters at the start of a line: block markers and "1." / "1)" list items.
_LEADING_RE = re.compile(r"^(?:([-+=#>])|(\d+)([.)]))")
_MENTION_RE = re.compile(r"([@#])(?=[A-Za-z0-9])")
_URL_SAFE = ":/?#@!$&'*+,;=%~-._"
_ZWSP = "\u200b"


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
        title = f"### {escape_text(shorten(item.paper.title, 300))}"
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
