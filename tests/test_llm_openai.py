"""The real ``openai`` client against a scriptable server on 127.0.0.1, through the whole triage."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fakes import make_paper
from tests.servers.openai_server import (
    OpenAIServer,
    Reply,
    SeenRequest,
    completion,
    invalid_json,
    length_cut,
    prompt_text,
    rate_limited,
    refusal,
    server_error,
    slow,
    structured,
)
from tests.servers.scripted_model import paper_ids
from tests.triage_helpers import GEN, SECTIONS, classify_reply, decision, deco_paper
from triagebot.adapters.llm.factory import build_llm
from triagebot.adapters.llm.openai import OpenAILLM
from triagebot.config import LLMConfig
from triagebot.errors import ConfigError
from triagebot.triage import Triage, TriageReport

ID = "2503.19357"


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as running:
        yield running


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")


def _config(server: OpenAIServer, **fields: object) -> LLMConfig:
    values: dict[str, object] = {
        "base_url": server.base_url,
        "requests_per_minute": 1_000_000,
        "timeout": 5.0,
        "max_retries": 2,
    }
    values.update(fields)
    return LLMConfig.model_validate(values)


def _run(
    server: OpenAIServer, *, skip_screen: bool = True, sleeps: list[float] | None = None, **cfg: object
) -> TriageReport:
    config = _config(server, **cfg)
    backend = OpenAILLM(
        config, backoff_s=0.0, sleep=(sleeps.append if sleeps is not None else lambda s: None)
    )
    triage = Triage(backend, SECTIONS, config, protected=["Datasets"])
    return triage.run([deco_paper(make_paper)], skip_screen=skip_screen)


def _valid() -> str:
    return classify_reply(decision(ID, acronym="DeCo-Diff", venue="CVPR 2025"))


def test_valid_structured_answer(server: OpenAIServer) -> None:
    server.enqueue(completion(_valid(), usage=(1200, 90)))
    report = _run(server)
    verdict = report.verdicts[ID]
    assert verdict.kind == "relevant" and verdict.decision is not None
    assert (verdict.decision.section, verdict.decision.acronym, verdict.decision.venue) == (
        GEN,
        "DeCo-Diff",
        "CVPR",
    )
    assert (report.usage.input_tokens, report.usage.output_tokens, report.usage.estimated) == (
        1200,
        90,
        False,
    )
    sent = server.requests[0]
    assert sent.path == "/v1/chat/completions" and sent.headers["authorization"] == "Bearer sk-test"
    schema = sent.body["response_format"]["json_schema"]
    assert schema["strict"] is True and ID not in json.dumps(schema)
    assert "Image / Generative-model-based" in sent.messages[0]["content"]


def test_invalid_json_is_asked_again_with_the_error(server: OpenAIServer) -> None:
    server.enqueue(invalid_json("Sure! {decisions: oops"), completion(_valid()))
    report = _run(server)
    assert report.verdicts[ID].kind == "relevant" and report.calls == 2
    again = server.requests[1].messages
    assert "oops" not in server.requests[1].text and "not valid JSON" in again[-1]["content"]


def test_schema_violation_twice_is_an_error_with_the_raw_answer(server: OpenAIServer) -> None:
    bad = json.dumps({"decisions": [{"arxiv_id": ID, "relevant": "maybe"}]})
    server.enqueue(completion(bad), completion(bad))
    verdict = _run(server).verdicts[ID]
    assert verdict.kind == "error" and verdict.raw == bad and "did not match the schema" in verdict.reason


def test_unknown_section_breaks_the_enum_and_is_asked_again(server: OpenAIServer) -> None:
    server.enqueue(completion(classify_reply(decision(ID, section="Audio / Whatever"))), completion(_valid()))
    report = _run(server)
    assert report.verdicts[ID].kind == "relevant"
    assert "section" in server.requests[1].messages[-1]["content"]


def test_rate_limit_honours_retry_after_then_succeeds(server: OpenAIServer) -> None:
    server.enqueue(rate_limited(retry_after=0.01), completion(_valid()))
    sleeps: list[float] = []
    report = _run(server, sleeps=sleeps)
    assert report.verdicts[ID].kind == "relevant" and len(server.requests) == 2
    assert sleeps == [0.01]


def test_server_errors_retried_then_given_up_as_an_error(server: OpenAIServer) -> None:
    server.enqueue(server_error(503), server_error(502), server_error(500))
    verdict = _run(server, max_retries=2).verdicts[ID]
    assert verdict.kind == "error" and "gave up after 3 tries" in verdict.reason and len(server.requests) == 3


def test_timeout_is_retried(server: OpenAIServer) -> None:
    server.enqueue(slow(completion(_valid()), 1.0), completion(_valid()))
    report = _run(server, timeout=0.2)
    assert report.verdicts[ID].kind == "relevant" and len(server.requests) == 2


def test_refusal_is_an_error_with_the_refusal_text(server: OpenAIServer) -> None:
    server.enqueue(refusal("I can't help with that."))
    verdict = _run(server).verdicts[ID]
    assert (
        verdict.kind == "error" and verdict.raw == "I can't help with that." and "refused" in verdict.reason
    )
    assert len(server.requests) == 1  # a refusal is not asked again


def test_length_cutoff_is_asked_again_with_more_room(server: OpenAIServer) -> None:
    server.enqueue(length_cut(), completion(_valid()))
    report = _run(server)
    assert report.verdicts[ID].kind == "relevant"
    first, second = (r.body["max_tokens"] for r in server.requests)
    assert second == 2 * first


def test_hallucinated_id_in_a_screen_batch_is_ignored(server: OpenAIServer) -> None:
    server.enqueue(structured({"keep": [ID, "2401.00001"], "drop": []}), completion(_valid()))
    report = _run(server, skip_screen=False)
    assert list(report.verdicts) == [ID] and report.verdicts[ID].kind == "relevant"
    assert server.requests[0].schema_name == "ScreenAnswer"
    assert server.requests[1].schema_name == "ClassifyAnswer"
    assert "2401.00001" not in server.requests[1].text


def test_no_api_key_is_a_config_error(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        OpenAILLM(_config(server))


def test_github_models_configuration_reads_github_token(
    server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghs-test")
    config = _config(server, api_key_env="GITHUB_TOKEN", model="openai/gpt-4o-mini")
    server.enqueue(completion(_valid()))
    classifier = build_llm("openai", config)
    Triage(classifier, SECTIONS, config).run([deco_paper(make_paper)], skip_screen=True)
    assert server.requests[0].headers["authorization"] == "Bearer ghs-test"
    assert server.requests[0].body["model"] == "openai/gpt-4o-mini"


def test_openai_base_url_from_the_environment(server: OpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    config = LLMConfig(requests_per_minute=1_000_000)
    server.enqueue(completion(_valid()))
    Triage(OpenAILLM(config), SECTIONS, config).run([deco_paper(make_paper)], skip_screen=True)
    assert len(server.requests) == 1


def test_cached_input_tokens_reported_by_the_endpoint_are_counted() -> None:
    """Every request starts with the same system message and schema, so a provider's prompt cache
    serves that prefix from the second request on (the server simulates it from 128 tokens)."""

    def answer(request: SeenRequest) -> Reply:
        return structured({"decisions": [decision(i) for i in paper_ids(request)]})

    papers = [make_paper(f"2501.0100{i}", abstract="We localise anomalies in images. " * 8) for i in range(4)]
    with OpenAIServer(answer, cache_min_tokens=128, cache_block=64) as server:
        config = _config(server, classify_batch=1, concurrency=1)
        report = Triage(OpenAILLM(config), SECTIONS, config, protected=["Datasets"]).run(
            papers, skip_screen=True
        )
        fixed = (
            len(prompt_text({**server.requests[0].body, "messages": server.requests[0].messages[:1]})) // 4
        )
    assert {v.kind for v in report.verdicts.values()} == {"relevant"}
    cached = report.usage.cached_input_tokens
    assert cached >= 3 * (fixed // 64 * 64) > 0  # requests 2-4 reuse the whole fixed prefix
    assert cached < report.usage.input_tokens
