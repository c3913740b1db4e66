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
from triagebot.triage.extract import valid_acronym
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
EXAMPLE_CHARS = 48
ABSTRACT_CHARS = 640  # the condensed abstract a classification sees …
REASK_ABSTRACT_CHARS = 360  # … and a re-ask, which so costs less than the request it repairs


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
    for schema in (ScreenAnswer, classify_schema(1)):
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


def first_sentence(abstract: str, max_chars: int = 140) -> str:
    return clip(next(iter(sentences(abstract)), ""), max_chars)


def condensed_abstract(abstract: str, keep_first: int = 2, max_chars: int = ABSTRACT_CHARS) -> str:
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
            content = re.sub(r"\n{2,}", "\n", Template(text).substitute(values)).strip()
            messages.append({"role": role, "content": content})
    return tuple(messages)


def scope_lines(in_scope: str = "", out_of_scope: str = "") -> str:
    """The configured scope, as the prompts state it (nothing when neither is configured)."""
    lines = [f"In scope: {squash(in_scope)}" if in_scope.strip() else ""]
    lines.append(f"Out of scope: {squash(out_of_scope)}" if out_of_scope.strip() else "")
    return "\n".join(line for line in lines if line)


def retry_note(error: str) -> Message:
    """The last message of a re-ask: what was wrong with the previous answer, in a few words."""
    return render(load_template("retry"), error=squash(error)[:200])[0]


def screen_messages(
    papers: Sequence[Paper], topic: str, *, scope: str = "", note: str | None = None
) -> tuple[Message, ...]:
    """The screen request: a fixed system message, the papers (title and first sentence), a note."""
    lines = [paper_tag(p.arxiv_id, escape(f"{p.title} {first_sentence(p.abstract)}")) for p in papers]
    messages = render(load_template("screen"), topic=topic, scope=scope, papers="\n".join(lines))
    return messages if note is None else (*messages, retry_note(note))


def _classify_body(paper: Paper, max_chars: int = ABSTRACT_CHARS) -> str:
    body = f"{escape(paper.title)}\n{escape(condensed_abstract(paper.abstract, max_chars=max_chars))}"
    extra = "; ".join(s for s in (paper.comment, paper.journal_ref) if s)
    return body + (f"\ncomment: {escape(clip(squash(extra), 200))}" if extra else "")


def _example(text: str) -> str:
    """An entry as a few-shot example: its acronym when it has one, else its title cut short."""
    name, _, title = squash(text).partition(": ")
    return name if title and valid_acronym(name) else clip(squash(text), EXAMPLE_CHARS)


def taxonomy(sections: Sequence[SectionSpec], names: Sequence[str], few_shot_tokens: int) -> str:
    """One numbered line per section (its short name, description, examples already listed).

    Up to two examples per section (a section with a description gets one), taken round-robin
    (the first of every section, then the second) while the budget (characters/4) lasts.
    """
    chosen: list[list[str]] = [[] for _ in sections]
    budget = few_shot_tokens * 4
    for depth in range(EXAMPLES_PER_SECTION):
        for index, spec in enumerate(sections):
            wanted = 1 if spec.description else EXAMPLES_PER_SECTION
            example = _example(spec.examples[depth]) if depth < min(wanted, len(spec.examples)) else ""
            if example and len(example) + 4 <= budget:
                chosen[index].append(example)
                budget -= len(example) + 4
    lines = []
    for number, (spec, name, examples) in enumerate(zip(sections, names, chosen, strict=True), start=1):
        line = f"{number}) {name}" + (f": {squash(spec.description)}" if spec.description else "")
        if examples:
            line += " (e.g. " + "; ".join(examples) + ")"
        lines.append(line)
    return "\n".join(lines)


def classify_messages(
    papers: Sequence[Paper], topic: str, taxonomy_text: str, *, scope: str = "", note: str | None = None
) -> tuple[Message, ...]:
    """The classify request: a fixed system message (topic, scope, numbered sections), the papers,
    and, when papers are asked again, a last message saying what was wrong."""
    size = ABSTRACT_CHARS if note is None else REASK_ABSTRACT_CHARS
    body = "\n".join(paper_tag(p.arxiv_id, _classify_body(p, size)) for p in papers)
    messages = render(
        load_template("classify"), topic=topic, scope=scope, taxonomy=taxonomy_text, papers=body
    )
    return messages if note is None else (*messages, retry_note(note))
