"""Prompt assembly: templates from the package's ``data/prompts`` (``prompts/`` links there).

Paper text always goes in as data: inside ``<paper id=…>`` tags with ``& < >`` escaped, so an
abstract cannot close its tag or pose as an instruction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import Template

from triagebot.models import Paper, SectionSpec, squash
from triagebot.triage.schema import ScreenAnswer, classify_schema

TEMPLATES = ("screen", "classify", "retry")
_PART = re.compile(r"^## (system|user)\s*$", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")
# Sentences of an abstract that carry no triage signal (results, boilerplate, availability).
_BOILERPLATE = re.compile(
    r"\b(?:experiments?|outperform|state-of-the-art|state of the art|sota|results? (?:show|demonstrate)|"
    r"code (?:is|will be)|available at|publicly available|github|benchmarks? demonstrate|extensive)\b",
    re.IGNORECASE,
)

Message = dict[str, str]
EXAMPLES_PER_SECTION = 2
EXAMPLE_CHARS = 70


@dataclass(frozen=True)
class PromptTemplate:
    system: str
    user: str


@cache
def template_text(name: str) -> str:
    """The raw text of ``prompts/<name>.md`` as shipped with the package."""
    return (resources.files("triagebot") / "data" / "prompts" / f"{name}.md").read_text(encoding="utf-8")


def load_template(name: str) -> PromptTemplate:
    parts: dict[str, str] = {"system": "", "user": ""}
    pieces = _PART.split(template_text(name))
    for role, body in zip(pieces[1::2], pieces[2::2], strict=True):
        parts[role] = body.strip()
    return PromptTemplate(system=parts["system"], user=parts["user"])


@cache
def prompt_version() -> str:
    """A short hash of every template and the answer schemas' shape: recorded with each decision."""
    digest = hashlib.sha256()
    for name in TEMPLATES:
        digest.update(name.encode() + b"\0" + template_text(name).encode() + b"\0")
    for schema in (ScreenAnswer, classify_schema(["<section>"], ["<id>"])):
        digest.update(json.dumps(schema.model_json_schema(), sort_keys=True).encode())
    return digest.hexdigest()[:10]


def escape(text: str) -> str:
    """Paper text made inert inside a tag: ``& < >`` escaped, whitespace collapsed."""
    return squash(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(squash(text)) if s]


def clip(text: str, max_chars: int) -> str:
    """``text`` cut at a word boundary to at most ``max_chars`` (an ellipsis marks the cut)."""
    return text if len(text) <= max_chars else text[: max_chars - 1].rsplit(" ", 1)[0] + "…"


def first_sentence(abstract: str, max_chars: int = 160) -> str:
    return clip(next(iter(sentences(abstract)), ""), max_chars)


def condensed_abstract(abstract: str, keep_first: int = 2, max_chars: int = 800) -> str:
    """The abstract without results/boilerplate sentences (the first ``keep_first`` always stay),
    whole sentences up to ``max_chars``: what says what the method is, not how well it scores."""
    kept: list[str] = []
    size = 0
    for index, sentence in enumerate(sentences(abstract)):
        if index >= keep_first and _BOILERPLATE.search(sentence):
            continue
        if kept and size + len(sentence) > max_chars:
            break
        kept.append(sentence)
        size += len(sentence) + 1
    return " ".join(kept)


def paper_tag(paper_id: str, body: str) -> str:
    return f"<paper id={escape(paper_id)}>{body}</paper>"


def render(template: PromptTemplate, **values: str) -> tuple[Message, ...]:
    messages: list[Message] = []
    for role, text in (("system", template.system), ("user", template.user)):
        if text:
            messages.append({"role": role, "content": Template(text).substitute(values)})
    return tuple(messages)


def screen_messages(papers: Sequence[Paper], topic: str) -> tuple[Message, ...]:
    lines = [paper_tag(p.arxiv_id, escape(f"{p.title} {first_sentence(p.abstract)}")) for p in papers]
    return render(load_template("screen"), topic=topic, papers="\n".join(lines))


def _classify_body(paper: Paper) -> str:
    body = f"{escape(paper.title)}\n{escape(condensed_abstract(paper.abstract))}"
    extra = "; ".join(s for s in (paper.comment, paper.journal_ref) if s)
    return body + (f"\ncomment: {escape(extra)[:200]}" if extra else "")


def taxonomy(sections: Sequence[SectionSpec], names: Sequence[str], few_shot_tokens: int) -> str:
    """One line per section (its short name, description, examples), examples within a token budget.

    Up to two examples per section, each cut to a few words, taken round-robin (the first of every
    section, then the second) while the budget (characters/4) lasts, so every section gets its
    share before any gets a second.
    """
    chosen: list[list[str]] = [[] for _ in sections]
    budget = few_shot_tokens * 4
    for depth in range(EXAMPLES_PER_SECTION):
        for index, spec in enumerate(sections):
            example = clip(squash(spec.examples[depth]), EXAMPLE_CHARS) if depth < len(spec.examples) else ""
            if example and len(example) + 4 <= budget:
                chosen[index].append(example)
                budget -= len(example) + 4
    lines = []
    for spec, name, examples in zip(sections, names, chosen, strict=True):
        line = f"- {name}" + (f": {squash(spec.description)}" if spec.description else "")
        if examples:
            line += " (e.g. " + "; ".join(examples) + ")"
        lines.append(line)
    return "\n".join(lines)


def classify_messages(papers: Sequence[Paper], topic: str, taxonomy_text: str) -> tuple[Message, ...]:
    body = "\n".join(paper_tag(p.arxiv_id, _classify_body(p)) for p in papers)
    return render(load_template("classify"), topic=topic, taxonomy=taxonomy_text, papers=body)


def retry_messages(previous: Sequence[Message], raw: str, error: str) -> tuple[Message, ...]:
    """The same conversation, the bad answer, and one more user turn naming what was wrong."""
    again = render(load_template("retry"), error=squash(error)[:600])
    return (*previous, {"role": "assistant", "content": raw[:4000]}, *again)
