"""LLM triage: a validated decision per paper, in the list's own taxonomy.

from triagebot.triage import Triage, TriageReport, Verdict
report = Triage(llm, sections, config.llm, audit_path=..., protected=...).run(papers)
"""

from triagebot.triage.engine import Triage, TriageReport, dump_verdict
from triagebot.triage.prefilter import Prefilter, prefilter
from triagebot.triage.prompts import prompt_version
from triagebot.triage.validate import Rules, Verdict, to_verdict

__all__ = [
    "Prefilter",
    "Rules",
    "Triage",
    "TriageReport",
    "Verdict",
    "dump_verdict",
    "prefilter",
    "prompt_version",
    "to_verdict",
]
