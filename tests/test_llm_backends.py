"""fixture:PATH, record/replay, the LLM factory, and `triagebot classify`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

import triagebot.awesome
from tests.conftest import FIXTURES
from tests.fakes import make_paper
from tests.servers.openai_server import OpenAIServer, completion, invalid_json
from tests.triage_helpers import GEN, SECTIONS, classify_reply, decision, deco_paper
from triagebot.adapters.llm.factory import build_llm
from triagebot.adapters.llm.fixture import FixtureLLM, load_fixture
from triagebot.adapters.llm.replay import RecordingLLM, ReplayLLM
from triagebot.commands import classify
from triagebot.config import LLMConfig
from triagebot.errors import ClassifyError, ConfigError
from triagebot.triage import Triage

FAST = LLMConfig(requests_per_minute=1_000_000)


def _write(path: Path, *rows: dict[str, object]) -> Path:
    path.write_text("# decisions\n" + "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_fixture_decisions_filled_by_the_extractors(tmp_path: Path) -> None:
    fixture = _write(
        tmp_path / "decisions.jsonl",
        {
            "arxiv_id": "https://arxiv.org/abs/2503.19357v2",
            "relevant": True,
            "section": "Image/Generative-model-based",
        },
        {"arxiv_id": "2501.00002", "relevant": False, "rationale": "time series"},
    )
    papers = [
        deco_paper(make_paper),
        make_paper("2501.00002", title="Anomalies in images"),
        make_paper("2501.00003"),
    ]
    classifier = build_llm(f"fixture:{fixture}", FAST)
    report = Triage(classifier, SECTIONS, FAST, protected=["Datasets"]).run(papers)
    deco = report.verdicts["2503.19357"]
    assert deco.kind == "relevant" and deco.decision is not None
    d = deco.decision
    assert (d.section, d.acronym, d.venue, d.code_url, d.confidence) == (
        GEN,
        "DeCo-Diff",
        "CVPR",
        "https://github.com/farzad-bz/DeCo-Diff",
        1.0,
    )
    assert d.model == f"fixture:{fixture.name}" and d.evidence
    assert report.verdicts["2501.00002"].kind == "irrelevant"  # dropped at the screen
    assert report.verdicts["2501.00003"].kind == "irrelevant"  # not in the file: irrelevant
    assert report.usage.estimated


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"arxiv_id": "2501.00001"}', "relevant"),
        ('{"arxiv_id": "nope", "relevant": false}', "not an arXiv id"),
        ('{"arxiv_id": "2501.00001", "relevant": true}', "needs a 'section'"),
        ("{not json", "not JSON"),
        ('{"arxiv_id": "2501.00001", "relevant": true, "section": "X", "confidence": 2}', "confidence"),
        ('{"arxiv_id": "2501.00001", "relevant": true, "section": "X", "colour": "red"}', "colour"),
    ],
)
def test_bad_fixture_lines_are_one_line_config_errors(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_fixture(path)
    assert f"{path}:1" in str(caught.value) and "\n" not in str(caught.value)


def test_fixture_with_an_ambiguous_section_is_an_error_verdict(tmp_path: Path) -> None:
    fixture = _write(
        tmp_path / "d.jsonl", {"arxiv_id": "2503.19357", "relevant": True, "section": "Attention-based"}
    )
    report = Triage(FixtureLLM(fixture), SECTIONS, FAST).run([deco_paper(make_paper)], skip_screen=True)
    verdict = report.verdicts["2503.19357"]
    assert verdict.kind == "error" and "ambiguous" in verdict.reason


def test_record_then_replay_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    valid = classify_reply(decision("2503.19357", acronym="DeCo-Diff"))
    with OpenAIServer() as server:
        server.enqueue(invalid_json(), completion(valid))
        live = LLMConfig(
            base_url=server.base_url, record_dir=str(tmp_path / "rec"), requests_per_minute=10**6
        )
        classifier = build_llm("openai", live)
        assert isinstance(classifier, RecordingLLM)
        first = Triage(classifier, SECTIONS, live).run([deco_paper(make_paper)], skip_screen=True)
    files = list((tmp_path / "rec").rglob("*.json"))
    assert len(files) == 1 and files[0].name.startswith("classify-2503.19357-")
    assert len(json.loads(files[0].read_text(encoding="utf-8"))["exchanges"]) == 2

    offline = LLMConfig(replay_dir=str(tmp_path / "rec"), requests_per_minute=10**6)
    replayed = Triage(build_llm("replay", offline), SECTIONS, offline).run(
        [deco_paper(make_paper)], skip_screen=True
    )
    assert replayed.verdicts["2503.19357"].decision == first.verdicts["2503.19357"].decision
    assert replayed.calls == 2  # the invalid answer and the re-ask are replayed too


def test_missing_recording_names_the_command_to_record_it(tmp_path: Path) -> None:
    replay = ReplayLLM(tmp_path, "gpt-4o-mini")
    report = Triage(replay, SECTIONS, FAST).run([deco_paper(make_paper)], skip_screen=True)
    verdict = report.verdicts["2503.19357"]
    assert verdict.kind == "error" and "no recorded classify answer for 2503.19357" in verdict.reason
    assert "triagebot classify 2503.19357 --llm openai --record-dir" in verdict.reason
    with pytest.raises(ClassifyError) as caught:
        replay.complete(Triage(replay, SECTIONS, FAST).classify_request([deco_paper(make_paper)]))
    assert caught.value.hint is not None and "--record-dir" in caught.value.hint


@pytest.mark.parametrize("spec", ["claude", "fixture:", ""])
def test_unknown_backend_is_a_config_error(spec: str) -> None:
    with pytest.raises(ConfigError, match="unknown LLM backend"):
        build_llm(spec, FAST)


def test_replay_without_a_folder_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="replay_dir"):
        build_llm("replay", FAST)


NO_LIST_PARSER = pytest.mark.skipif(
    not hasattr(triagebot.awesome, "parse"), reason="the list parser has not landed yet"
)


def classify_cli(argv: list[str]) -> int:
    """Run `triagebot classify` through its own parser (the other commands need not be importable)."""
    parser = argparse.ArgumentParser(prog="triagebot")
    classify.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["classify", *argv])
    return int(args.handler(args))


@NO_LIST_PARSER
def test_classify_command_prints_decision_rationale_and_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fixture = _write(
        tmp_path / "d.jsonl",
        {
            "arxiv_id": "2503.19357",
            "relevant": True,
            "section": "Image / Generative-model-based",
            "rationale": "Diffusion reconstruction localises anomalies.",
        },
    )
    source = FIXTURES / "arxiv" / "arxiv_api_idlist_cs.CV_2025-03-26.json"
    code = classify_cli(
        [
            "2503.19357",
            "--list",
            str(FIXTURES / "awesome-xad-README.md"),
            "--source",
            str(source),
            "--llm",
            f"fixture:{fixture}",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert (
        "2503.19357  RELEVANT -> Explainable 2D Anomaly Detection Methods / Image / Generative-model-based"
        in out
    )
    assert "rationale:  Diffusion reconstruction localises anomalies." in out
    assert "evidence:" in out and "[DeCo-Diff]" in out


def test_classify_command_rejects_a_bad_id() -> None:
    with pytest.raises(ConfigError, match="not an arXiv id"):
        classify_cli(["not-an-id", "--llm", "fixture:/nonexistent"])
