"""The test world of ``triagebot verify``: Awesome-XAD with deliberately wrong links, and a fake
arXiv catalogue to check it against.

What is real and what is constructed (no network here, so real arXiv records exist only for the
papers recorded in ``fixtures/arxiv-papers-labeled.jsonl``):

- the list is the real Awesome-XAD copy (``fixtures/awesome-xad-README.md``); WRONG_LINKS below are
  CONSTRUCTED edits of it (ids swapped, or pointed at other real papers or at unused ids);
- REAL records: every paper of ``arxiv-papers-labeled.jsonl`` (real titles, abstracts, comments;
  two of them, 2503.19357 and 2503.18325, are Awesome-XAD entries);
- CONSTRUCTED records: every other id the list links gets a record whose title is the list's own
  title written the way arXiv writes titles (title case, no final period, ``ACRONYM:`` prefix when
  the list keeps the acronym apart). They carry no comment, journal reference or code URL, and
  their abstract says they are constructed. They test the machinery, not the real list: whether
  the real Awesome-XAD links are right could not be checked offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from tests.conftest import FIXTURES
from tests.servers.arxiv_server import labeled_papers
from triagebot.awesome import parse
from triagebot.models import Paper

XAD = FIXTURES / "awesome-xad-README.md"
CONSTRUCTED = "Constructed test record: no real arXiv metadata for this id is available offline."
PUBLISHED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class WrongLink:
    """A constructed edit: the entry at ``line`` links ``linked`` instead of ``right``."""

    line: int
    right: str
    linked: str
    kind: str  # the finding expected
    why: str


WRONG_LINKS = (
    WrongLink(17, "1911.08616", "2007.09507", "wrong-arxiv-link", "CAVGA and Gradcon swapped"),
    WrongLink(26, "2007.09507", "1911.08616", "wrong-arxiv-link", "CAVGA and Gradcon swapped"),
    WrongLink(
        32, "1807.03888", "1807.03889", "wrong-arxiv-link", "wrapped entry, id off by one (no such paper)"
    ),
    WrongLink(42, "2111.07677", "2503.21833", "wrong-arxiv-link", "FastFlow links a real time-series paper"),
    WrongLink(77, "2401.05702", "2401.05703", "wrong-arxiv-link", "off by one: no such paper"),
    WrongLink(
        83, "2212.07900", "2507.01999", "title-mismatch", "EVAL links a real paper; EVAL not in the catalogue"
    ),
)
MISSING_FROM_CATALOGUE = frozenset({"2212.07900"})  # so that the title search finds nothing
UNUSED_IDS = frozenset({"1807.03889", "2401.05703"})


def arxiv_style(title: str, acronym: str | None) -> str:
    """How arXiv would likely write the list's title: title case, no final period, acronym prefix."""
    text = title.strip().rstrip(".")
    words = [w[:1].upper() + w[1:] if len(w) > 3 else w for w in text.split(" ")]
    text = " ".join(words)
    if acronym and re.fullmatch(r"[A-Za-z0-9-]+", acronym) and acronym.casefold() not in text.casefold():
        text = f"{acronym}: {text}"
    return text


def _edit(text: str) -> str:
    lines = text.splitlines(keepends=True)
    for wrong in WRONG_LINKS:
        index = next(
            i
            for i in range(wrong.line - 1, wrong.line + 1)  # a wrapped entry has its link on the next line
            if wrong.right in lines[i]
        )
        lines[index] = lines[index].replace(wrong.right, wrong.linked)
    return "".join(lines)


@cache
def original_list() -> str:
    return XAD.read_text(encoding="utf-8")


@cache
def wrong_list() -> str:
    """Awesome-XAD with the WRONG_LINKS edits (constructed)."""
    return _edit(original_list())


@cache
def real_papers() -> tuple[Paper, ...]:
    return tuple(labeled_papers(FIXTURES / "arxiv-papers-labeled.jsonl"))


@cache
def catalogue() -> tuple[Paper, ...]:
    """The fake arXiv's papers: the real records, and constructed ones for the list's other ids."""
    real = {p.arxiv_id: p for p in real_papers()}
    papers = list(real.values())
    for entry in parse(original_list()).entries:
        arxiv_id = entry.arxiv_id
        if not arxiv_id or arxiv_id in real or arxiv_id in MISSING_FROM_CATALOGUE or not entry.title:
            continue
        if any(p.arxiv_id == arxiv_id for p in papers):
            continue
        papers.append(
            Paper(
                arxiv_id=arxiv_id,
                title=arxiv_style(entry.title, entry.acronym),
                abstract=CONSTRUCTED,
                authors=("Constructed Author",),
                primary_category="cs.CV",
                categories=("cs.CV",),
                published=PUBLISHED,
                abs_url=f"https://arxiv.org/abs/{arxiv_id}",
                pdf_url=f"https://arxiv.org/pdf/{arxiv_id}",
            )
        )
    return tuple(papers)


def real(arxiv_id: str) -> Paper:
    return next(p for p in real_papers() if p.arxiv_id == arxiv_id)


# venue and code checks: a short list of REAL papers only
SPECIMEN_IDS = {
    "2507.19949": ("AF-CLIP", "arXiv 2025", ""),  # comment: "The paper is accepted by ACM MM' 25"
    "2508.02903": ("RDDPM", "arXiv 2025", "[[code]](https://github.com/mehrdadmoradi124/RDDPM)"),
    "2509.03277": ("PointAD+", "arXiv 2025", ""),  # comment: "Submitted to TPAMI"
    "2503.24376": ("SEED-R1", "arXiv 2025", ""),  # "Technical Report (In Progress); Code released at …"
    "2507.01999": ("CWT", "arXiv 2025", ""),  # "submitted to IEEE Transactions on …"
    "2503.18325": ("LogSAD", "arXiv 2025", "[[code]](https://github.com/zhang0jhon/LogSAD)"),
    "2503.19357": ("DeCo-Diff", "CVPR 2025", "[[code]]()"),  # an empty code link: code is missing
    "2505.09926": ("AdaptCLIP", "arXiv 2025", "[[code]](https://github.com/gaobb/AdaptCLIP)"),
    "2505.15205": ("Flashback", "arXiv 2025", ""),  # "12 pages, 5 figures"
}


def specimen() -> str:
    """A short list in Awesome-XAD's style of REAL papers (titles as arXiv has them)."""
    lines = ["# Specimen", "", "## Methods", ""]
    for arxiv_id, (acronym, venue, code) in SPECIMEN_IDS.items():
        title = real(arxiv_id).title
        links = f"[[pdf]](https://arxiv.org/pdf/{arxiv_id}.pdf) {code}".rstrip()
        lines.append(f"- **[{acronym}]** {title}. | **{venue}** | {links}")
    return "\n".join(lines) + "\n"
