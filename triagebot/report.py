"""The run report: JSON for machines, a markdown table for the Actions step summary, a short text."""

from __future__ import annotations

from pydantic import BaseModel, Field

from triagebot.models import Outcome


class PaperOutcome(BaseModel):
    arxiv_id: str
    outcome: Outcome | None  # None: skipped, its earlier recorded outcome stands
    stage: str
    reason: str = ""
    title: str = ""
    section: str | None = None
    pr_url: str | None = None


class ErrorItem(BaseModel):
    arxiv_id: str | None
    stage: str
    message: str


class ModelUsage(BaseModel):
    """The model calls a report made and their tokens; ``run`` and ``eval`` each add their cost."""

    model: str = ""
    prompt_version: str = ""
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0


class LLMUsage(ModelUsage):
    cached_input_tokens: int = 0  # of input_tokens, as the endpoint reported (prompt caching)
    estimated_cost_usd: float = 0.0


class RunReport(BaseModel):
    run_id: str
    since: str | None = None
    until: str | None = None
    fetched: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    classified: int = 0
    relevant: int = 0
    proposed: int = 0
    published: int = 0
    pending: int = 0
    rejected: int = 0
    errors: list[ErrorItem] = Field(default_factory=list)
    llm: LLMUsage = Field(default_factory=LLMUsage)
    previews: str | None = None
    papers: list[PaperOutcome] = Field(default_factory=list)

    def summary_line(self) -> str:
        skipped = sum(self.skipped.values())
        return (
            f"run {self.run_id}: fetched {self.fetched}, skipped {skipped}, classified {self.classified}, "
            f"relevant {self.relevant}, proposed {self.proposed}, published {self.published}, "
            f"pending {self.pending}, errors {len(self.errors)}; "
            f"LLM {self.llm.calls} calls, {self.llm.input_tokens}+{self.llm.output_tokens} tokens"
            + (f" ({self.llm.cached_input_tokens} cached)" if self.llm.cached_input_tokens else "")
            + f", ~${self.llm.estimated_cost_usd:.4f}"
        )

    def to_markdown(self) -> str:
        rows = [
            ("fetched", self.fetched),
            *((f"skipped: {reason}", count) for reason, count in sorted(self.skipped.items())),
            ("classified", self.classified),
            ("relevant", self.relevant),
            ("proposed", self.proposed),
            ("published", self.published),
            ("pending", self.pending),
            ("errors", len(self.errors)),
            ("LLM calls", self.llm.calls),
            ("LLM tokens (in + out)", f"{self.llm.input_tokens} + {self.llm.output_tokens}"),
            ("LLM input tokens served from the prompt cache", self.llm.cached_input_tokens),
            ("estimated cost (USD)", f"{self.llm.estimated_cost_usd:.4f}"),
        ]
        lines = [f"## triagebot run `{self.run_id}`", "", "| stage | count |", "|---|---|"]
        lines += [f"| {name} | {value} |" for name, value in rows]
        shown = [p for p in self.papers if p.outcome not in (None, Outcome.REJECTED_BY_MODEL)]
        if shown:
            lines += ["", "| arXiv | outcome | section | PR / reason |", "|---|---|---|---|"]
            for paper in shown:
                where = paper.pr_url or md_cell(paper.reason)
                outcome = paper.outcome.value if paper.outcome else ""
                lines.append(f"| {paper.arxiv_id} | {outcome} | {md_cell(paper.section or '')} | {where} |")
        if self.errors:
            lines += ["", "### Errors", ""]
            lines += [f"- `{e.arxiv_id or '-'}` ({e.stage}): {md_cell(e.message)}" for e in self.errors]
        return "\n".join(lines) + "\n"


def md_cell(text: str) -> str:
    """Text safe inside a markdown table cell (no pipes, no HTML, one line)."""
    text = " ".join(text.split())
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "&#124;")):
        text = text.replace(char, entity)
    return text[:300]
