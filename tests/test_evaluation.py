"""`triagebot eval`: counts that match the labels exactly for a model whose mistakes are known.

The model is a local OpenAI-compatible server (127.0.0.1) reached through the real ``openai``
client; arXiv is the fake arXiv server reached through the real ``arxiv`` client.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers.arxiv_server import ArxivServer, labeled_papers
from tests.servers.openai_server import OpenAIServer, Reply, SeenRequest, structured
from tests.servers.scripted_model import labeled_rows, paper_ids, scripted_model, section_names
from tests.triage_helpers import served_recordings
from triagebot.awesome import parse
from triagebot.cli import main
from triagebot.evaluation import plan_rounds, read_labels
from triagebot.models import Paper

FIXTURES = Path(__file__).parent / "fixtures"
LABELED = FIXTURES / "arxiv-papers-labeled.jsonl"
LIST = FIXTURES / "awesome-xad-README.md"
ROOT = "Explainable 2D Anomaly Detection Methods"

# The papers of the flip test, and what the deliberately wrong model does with them.
RELEVANT = {
    "2503.19357": "Image / Generative-model-based",  # DeCo-Diff: in the list (leave-one-out)
    "2503.18325": "Image / Foundation-model-based",  # LogSAD: in the list
    "2503.18094": "Video / Reasoning-based",
    "2505.15205": "Video / Memory-based",
    "2504.11055": "Image / Foundation-model-based",
    "2508.02903": "Image / Generative-model-based",
}
IRRELEVANT = ["2507.13110", "2509.03277", "2503.21833", "2507.12760", "2505.19022", "2507.21649"]
SAYS_IRRELEVANT = {"2503.18094"}  # classify: a relevant paper called irrelevant
WRONG_SECTION = {"2505.15205": "Video / Attention-based"}  # classify: right call, wrong section
SCREEN_DROPS = {"2504.11055"}  # screen: a relevant paper dropped
SAYS_RELEVANT = {  # classify: irrelevant papers called relevant (2507.21649 also kept by the screen)
    "2507.13110": "Image / Foundation-model-based",
    "2507.21649": "Video / Reasoning-based",
}


def flipping_model(rows: dict[str, dict[str, Any]]) -> Callable[[SeenRequest], Reply]:
    """The scripted (label-perfect) model with the mistakes above made on purpose."""
    honest = scripted_model(rows)

    def respond(request: SeenRequest) -> Reply:
        answer = json.loads(honest(request).body["choices"][0]["message"]["content"])
        if request.schema_name == "ScreenAnswer":
            ids = paper_ids(request)
            keep = [i for i in ids if (i in answer["keep"] or i in SAYS_RELEVANT) and i not in SCREEN_DROPS]
            return structured({"keep": keep, "drop": [i for i in ids if i not in keep]})
        names = section_names(request)

        def number(suffix: str) -> int:  # the model answers a section by its number in the prompt
            want = suffix.replace(" ", "")
            return 1 + next(i for i, n in enumerate(names) if f"/{n.replace(' ', '')}".endswith(f"/{want}"))

        for item in answer["decisions"]:
            arxiv_id = item["arxiv_id"]
            if arxiv_id in SAYS_IRRELEVANT:
                item.update(relevant=False, section=None, rationale="Reads like action recognition.")
            elif arxiv_id in WRONG_SECTION:
                item.update(
                    section=number(WRONG_SECTION[arxiv_id]), rationale="Attention over video segments."
                )
            elif arxiv_id in SAYS_RELEVANT:
                item.update(
                    relevant=True,
                    section=number(SAYS_RELEVANT[arxiv_id]),
                    rationale="Zero-shot anomaly maps.",
                )
        return structured(answer)

    return respond


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[ArxivServer, OpenAIServer]]:
    papers = labeled_papers(LABELED)
    with ArxivServer(papers) as arxiv, OpenAIServer(flipping_model(labeled_rows())) as model:
        monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", arxiv.api_url)
        monkeypatch.setenv("OPENAI_BASE_URL", model.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-eval")
        monkeypatch.chdir(tmp_path)
        yield arxiv, model


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "triagebot.toml"
    path.write_text(
        "[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0\nmax_retries = 0\n"
        '[llm]\nmodel = "gpt-4o-mini"\nrequests_per_minute = 100000\nmax_retries = 0\n' + extra,
        encoding="utf-8",
    )
    return path


def _data(tmp_path: Path) -> Path:
    rows = [{"arxiv_id": i, "label": "relevant", "section": s} for i, s in RELEVANT.items()]
    rows += [{"arxiv_id": i, "label": "irrelevant"} for i in IRRELEVANT]
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _eval(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "eval.json"
    code = main(["--quiet", "eval", *args, "--report", str(report)])
    return code, json.loads(report.read_text(encoding="utf-8"))


def test_counts_match_the_labels_of_a_model_whose_mistakes_are_known(
    services: tuple[ArxivServer, OpenAIServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, report = _eval(
        tmp_path,
        *("--data", str(_data(tmp_path)), "--list", str(LIST), "--config", str(_config(tmp_path))),
        *("--llm", "openai", "--source", "arxiv", "--markdown", str(tmp_path / "eval.md")),
    )
    assert code == 0, report["errors"]
    assert report["n"] == 12 and report["errors"] == []
    relevance = report["relevance"]
    assert (relevance["tp"], relevance["fp"], relevance["fn"], relevance["tn"]) == (4, 2, 2, 4)
    assert relevance["precision"] == pytest.approx(4 / 6, abs=1e-4)
    assert relevance["recall"] == pytest.approx(4 / 6, abs=1e-4)
    assert relevance["f1"] == pytest.approx(8 / 12, abs=1e-4)
    assert report["section"] == {"correct": 3, "total": 4, "accuracy": 0.75}

    full = {name: f"{ROOT} / {name}" for name in {*RELEVANT.values(), *WRONG_SECTION.values()}}
    assert report["confusion"] == {
        full["Image / Generative-model-based"]: {full["Image / Generative-model-based"]: 2},
        full["Image / Foundation-model-based"]: {full["Image / Foundation-model-based"]: 1, "irrelevant": 1},
        full["Video / Reasoning-based"]: {"irrelevant": 1},
        full["Video / Memory-based"]: {full["Video / Attention-based"]: 1},
        "irrelevant": {
            "irrelevant": 4,
            full["Image / Foundation-model-based"]: 1,
            full["Video / Reasoning-based"]: 1,
        },
    }
    rows = {row["arxiv_id"]: row for row in report["papers"]}
    assert [row["arxiv_id"] for row in report["papers"]] == [*RELEVANT, *IRRELEVANT]
    assert {i: rows[i]["stage"] for i in rows} == {
        **dict.fromkeys(RELEVANT, "classify"),
        "2504.11055": "screen",  # dropped by the screen on purpose
        "2507.13110": "classify",
        "2509.03277": "classify",  # 3D point cloud: kept by the screen, then rejected
        "2503.21833": "screen",  # time series: dropped by the screen
        "2507.12760": "prefilter",  # medical segmentation, no anomaly at all
        "2505.19022": "classify",
        "2507.21649": "classify",
    }
    assert rows["2505.15205"]["predicted_section"] == full["Video / Attention-based"]
    assert rows["2503.18094"]["predicted_relevant"] is False
    assert rows["2507.13110"]["rationale"] == "Zero-shot anomaly maps."
    assert [i for i in rows if rows[i]["held_out"]] == ["2503.19357", "2503.18325"]
    assert report["llm"]["calls"] >= 2 and report["llm"]["input_tokens"] > 0
    assert report["llm"]["cost_usd"] is not None and report["llm"]["cost_usd"] > 0

    out = capsys.readouterr().out
    markdown = (tmp_path / "eval.md").read_text(encoding="utf-8")
    assert out == markdown == summary.read_text(encoding="utf-8")
    assert "| relevance precision | 0.667 (tp 4, fp 2) |" in markdown
    assert "### Mistakes (5)" in markdown
    assert "Reads like action recognition." in markdown  # the model's rationale for a miss


def test_nothing_is_published_or_kept_and_the_list_is_untouched(
    services: tuple[ArxivServer, OpenAIServer], tmp_path: Path
) -> None:
    listed = tmp_path / "README.md"
    listed.write_bytes(LIST.read_bytes())
    code, _ = _eval(
        tmp_path,
        *("--data", str(_data(tmp_path)), "--config", str(_config(tmp_path)), "--llm", "openai"),
    )
    assert code == 0
    assert listed.read_bytes() == LIST.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "eval.json",
        "labels.jsonl",
        "triagebot.toml",
    ]


def _list_papers() -> list[Paper]:
    """Stand-in arXiv records for the list's own papers (titles from the list; abstracts made up)."""
    doc = parse(LIST.read_text(encoding="utf-8"))
    papers: dict[str, Paper] = {}
    for entry in doc.entries:
        if entry.arxiv_id and entry.title:
            papers.setdefault(
                entry.arxiv_id,
                Paper(
                    arxiv_id=entry.arxiv_id,
                    title=entry.title,
                    abstract="We detect anomalies in images and video and localise them with an anomaly map.",
                    abs_url=f"https://arxiv.org/abs/{entry.arxiv_id}",
                    pdf_url=f"https://arxiv.org/pdf/{entry.arxiv_id}",
                ),
            )
    return list(papers.values())


def _list_rows() -> dict[str, dict[str, Any]]:
    rows = labeled_rows()
    doc = parse(LIST.read_text(encoding="utf-8"))
    for entry in doc.entries:
        if entry.arxiv_id and entry.arxiv_id not in rows:
            section = "/".join(entry.section.split(" / ")[-2:])
            rows[entry.arxiv_id] = {
                "label": "relevant",
                "section": section,
                "abstract": "We detect anomalies.",
            }
    return rows


def test_from_list_is_leave_one_out_on_awesome_xad(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    doc = parse(LIST.read_text(encoding="utf-8"))
    listed = {e.arxiv_id: e for e in reversed(doc.entries) if e.arxiv_id}
    with ArxivServer(_list_papers()) as arxiv, OpenAIServer(scripted_model(_list_rows())) as model:
        monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", arxiv.api_url)
        monkeypatch.setenv("OPENAI_BASE_URL", model.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-eval")
        code, report = _eval(
            tmp_path,
            *("--from-list", "--list", str(LIST), "--config", str(_config(tmp_path)), "--llm", "openai"),
        )
        requests = [r for r in model.requests if r.schema_name != "ScreenAnswer"]
    assert code == 0, report["errors"]
    assert report["n"] == 44 + 73  # the list's 44 arXiv papers and the 73 shipped negatives
    assert report["leave_one_out"]["held_out"] == 44
    assert report["leave_one_out"]["rounds"] > 1
    relevance = report["relevance"]
    assert (relevance["tp"], relevance["fp"], relevance["fn"], relevance["tn"]) == (44, 0, 0, 73)
    assert report["section"] == {"correct": 44, "total": 44, "accuracy": 1.0}
    classified = set()
    for request in requests:
        taxonomy = request.messages[0]["content"]
        for arxiv_id in paper_ids(request):
            classified.add(arxiv_id)
            if arxiv_id in listed:  # its own entry is never an example
                entry = listed[arxiv_id]
                forms = {_example(entry.title or ""), entry.acronym or _example(entry.title or "")}
                assert not forms & _shown(taxonomy), arxiv_id
    assert set(listed) <= classified
    # WinCLIP is an example of its section, shown when others are classified
    assert any("WinCLIP" in _shown(r.messages[0]["content"]) for r in requests)


def _example(title: str) -> str:
    return re.sub(r"\s+", " ", title)[:30]


def _shown(taxonomy: str) -> set[str]:
    """The examples a classify prompt shows (``(e.g. WinCLIP; A title cut…)``), each cut to 30 characters."""
    return {
        _example(example.rstrip("…"))
        for group in re.findall(r"\(e\.g\. (.*)\)$", taxonomy, re.MULTILINE)
        for example in group.split("; ")
    }


def test_plan_rounds_removes_only_what_is_shown() -> None:
    text = LIST.read_text(encoding="utf-8")
    papers = {p.arxiv_id: p for p in _list_papers()}
    # WinCLIP and AnomalyCLIP (listed twice) are examples of their section, as are AnoGAN and ALAD
    order = ["2303.14814", "2503.19357", "1703.05921", "2310.18961", "1812.02288"]
    rounds = plan_rounds(text, [papers[i] for i in order])
    assert [(r.arxiv_ids, r.held_out) for r in rounds] == [
        (("2503.19357",), ("2503.19357",)),  # DeCo-Diff is no example: against the whole list
        (("2303.14814", "1703.05921"), ("2303.14814", "1703.05921")),  # one per section and round
        (("2310.18961", "1812.02288"), ("2310.18961", "1812.02288")),
    ]
    assert rounds[0].list_text == text
    for round_, removed in zip(rounds[1:], (2, 3), strict=True):
        lines = round_.list_text.splitlines()
        gone = [line for line in text.splitlines() if line not in lines]
        assert len(gone) == removed and all(any(i in line for i in round_.arxiv_ids) for line in gone)
        assert len(lines) == len(text.splitlines()) - removed


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "labels.jsonl:2: not a JSON object"),
        ('{"arxiv_id": "x", "label": "relevant"}', "labels.jsonl:2: not an arXiv id: 'x'"),
        ('{"arxiv_id": "2501.00001", "label": "maybe"}', "label must be 'relevant' or 'irrelevant'"),
        ('{"arxiv_id": "2501.00001", "label": "relevant"}', "a relevant paper needs its section"),
        ('{"arxiv_id": "2501.00001", "label": "relevant", "section": "Audio"}', "unknown section 'Audio'"),
        ('{"arxiv_id": "2501.00002", "label": "irrelevant"}', "labelled twice, differently"),
    ],
)
def test_bad_labels_are_one_line_usage_errors(
    line: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "labels.jsonl"
    first = '{"arxiv_id": "2501.00002", "label": "relevant", "section": "Video / Memory-based"}'
    data.write_text(f"{first}\n{line}\n", encoding="utf-8")
    code = main(["eval", "--data", str(data), "--list", str(LIST), "--config", str(_config(tmp_path))])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("triagebot: error: ") and message in err[0]


def test_labels_name_sections_by_any_unique_suffix() -> None:
    paths = [s.path for s in parse(LIST.read_text(encoding="utf-8")).sections]
    text = '{"arxiv_id": "2501.00001v2", "label": "relevant", "section": "Image/Foundation-model-based"}\n'
    [label] = read_labels(text, "x", paths)
    assert (label.arxiv_id, label.section) == ("2501.00001", f"{ROOT} / Image / Foundation-model-based")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--list", str(LIST), "--config", str(_config(tmp_path))]) == 2
    assert "--data PATH, --from-list, or --offline" in capsys.readouterr().err
    assert main(["eval", "--data", "x.jsonl", "--from-list"]) == 2
    assert main(["eval", "--data", str(tmp_path / "missing.jsonl"), "--list", str(LIST)]) == 2


def test_papers_without_metadata_are_errors_and_the_rest_is_measured(
    services: tuple[ArxivServer, OpenAIServer], tmp_path: Path
) -> None:
    data = _data(tmp_path)
    with data.open("a", encoding="utf-8") as handle:
        handle.write('{"arxiv_id": "2599.99999", "label": "irrelevant"}\n')
    code, report = _eval(
        tmp_path,
        "--data",
        str(data),
        "--list",
        str(LIST),
        "--config",
        str(_config(tmp_path)),
        "--llm",
        "openai",
    )
    assert code == 1
    assert report["n"] == 13
    assert report["errors"] == [{"arxiv_id": "2599.99999", "stage": "fetch", "message": "not found on arXiv"}]
    assert report["relevance"]["tn"] == 4  # the other twelve are scored as before


def test_offline_eval_replays_the_bundled_recordings_the_readme_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figures of README's "How good is it?"; every bundled eval recording is replayed."""
    from triagebot.offline import bundle_dir

    monkeypatch.chdir(tmp_path)
    audit = tmp_path / "exchanges.jsonl"
    code, report = _eval(tmp_path, "--offline", "--audit", str(audit))
    assert code == 0, report["errors"]
    assert report["n"] == 98 and report["llm"]["model"] == "scripted-from-labels"
    relevance = report["relevance"]
    assert (relevance["tp"], relevance["fp"], relevance["fn"], relevance["tn"]) == (25, 0, 0, 73)
    assert report["section"] == {"correct": 25, "total": 25, "accuracy": 1.0}
    assert report["leave_one_out"] == {"held_out": 2, "rounds": 1}
    assert report["llm"]["calls"] == 10 and report["llm"]["cost_usd"] == 0.0
    assert {row["stage"] for row in report["papers"]} == {"prefilter", "screen", "classify"}

    code, listed = _eval(tmp_path, "--offline", "--from-list", "--audit", str(audit))
    assert code == 1  # 42 of the list's 44 papers have no recorded arXiv metadata
    assert listed["n"] == 44 + 73 and len(listed["errors"]) == 42
    assert {e["stage"] for e in listed["errors"]} == {"fetch"}
    relevance = listed["relevance"]
    assert (relevance["tp"], relevance["fp"], relevance["fn"], relevance["tn"]) == (2, 0, 0, 73)

    root = bundle_dir() / "eval-recordings"
    assert served_recordings(audit, root) == set(root.rglob("*.json")), (
        "eval recordings and the offline eval disagree; rebuild: python -m tests.tools.make_offline_bundle"
    )


def test_offline_with_a_real_backend_measures_that_model_on_the_bundled_labels(
    services: tuple[ArxivServer, OpenAIServer], tmp_path: Path
) -> None:
    _, model = services
    code, report = _eval(tmp_path, "--offline", "--llm", "openai", "--data", str(_data(tmp_path)))
    assert code == 0, report["errors"]
    assert report["llm"]["model"] == "gpt-4o-mini"  # the bundled config's model, not the recordings' name
    assert {r.body["model"] for r in model.requests} == {"gpt-4o-mini"}
    assert (report["relevance"]["tp"], report["relevance"]["fp"]) == (4, 2)  # the flipping model again


def test_a_cap_reached_leaves_papers_without_prediction_counted_as_errors(
    services: tuple[ArxivServer, OpenAIServer], tmp_path: Path
) -> None:
    config = _config(tmp_path, "max_papers = 2\n")  # [llm] max_papers: two full classifications per pass
    code, report = _eval(
        tmp_path, "--data", str(_data(tmp_path)), "--list", str(LIST), "--config", str(config)
    )
    assert code == 1
    assert report["errors"] and all("raise it for the eval" in e["message"] for e in report["errors"])
    relevance = report["relevance"]
    assert relevance["tp"] + relevance["fp"] + relevance["fn"] + relevance["tn"] == 12 - len(report["errors"])
    assert sum(1 for row in report["papers"] if row["predicted_relevant"] is None) == len(report["errors"])


def test_an_empty_labels_file_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "labels.jsonl"
    data.write_text("\n", encoding="utf-8")
    assert main(["eval", "--data", str(data), "--list", str(LIST), "--config", str(_config(tmp_path))]) == 2
