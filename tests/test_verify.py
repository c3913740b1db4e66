"""`triagebot verify` end to end: the real ``arxiv`` client against the fake arXiv on 127.0.0.1,
the Awesome-XAD world of ``tests/verify_world.py`` (real list, constructed wrong links), real
arXiv records for the venue and code checks, faults, the report and the exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import api_source
from tests.servers.arxiv_server import ArxivServer, Fault
from tests.verify_world import UNUSED_IDS, WRONG_LINKS, catalogue, original_list, real, specimen, wrong_list
from triagebot.adapters.sources.http import Transport
from triagebot.awesome import parse
from triagebot.cli import main
from triagebot.verify.check import Checker, CheckResult, FindingKind


@pytest.fixture
def arxiv() -> Iterator[ArxivServer]:
    with ArxivServer(catalogue()) as server:
        yield server


def check(server: ArxivServer, text: str) -> tuple[CheckResult, Transport, list[float]]:
    source, transport, sleeps = api_source(server, lookup_batch=20)
    return Checker(source, batch=20).check(parse(text).entries), transport, sleeps


def test_awesome_xad_every_wrong_link_is_found_with_the_right_id_and_nothing_else(arxiv: ArxivServer) -> None:
    result, transport, _ = check(arxiv, wrong_list())
    got = {(f.line, f.kind.value, f.arxiv_id, f.suggested_arxiv_id) for f in result.findings}
    expected = {
        (w.line, w.kind, w.linked, w.right if w.kind == "wrong-arxiv-link" else None) for w in WRONG_LINKS
    }
    assert got == expected  # no correct entry flagged, no venue or code finding on constructed records
    assert result.entries_checked == 45 and result.ids_looked_up == 44  # AnomalyCLIP is listed twice
    lookups = [r for r in arxiv.requests_of("api") if r.id_list]
    assert [len(r.id_list) for r in lookups] == [20, 20, 4, 2]  # batches, then the ids left out once more
    assert set(lookups[-1].id_list) == UNUSED_IDS
    searches = [r.search_query for r in arxiv.requests_of("api") if not r.id_list]
    assert len(searches) == result.title_searches == 6 and all(q.startswith("ti:") for q in searches)
    assert transport.pauses == []


def test_findings_carry_both_titles_as_evidence(arxiv: ArxivServer) -> None:
    result, _, _ = check(arxiv, wrong_list())
    cavga = next(f for f in result.findings if f.line == 17)
    assert cavga.entry_title == "Attention guided anomaly localization in images"
    assert cavga.arxiv_title == "Gradcon: Backpropagated Gradient Representations for Anomaly Detection"
    assert cavga.suggested_title == "CAVGA: Attention Guided Anomaly Localization in Images"
    missing = next(f for f in result.findings if f.line == 77)
    assert missing.arxiv_title is None and "arXiv has no paper 2401.05703" in missing.message
    eval_ = next(f for f in result.findings if f.line == 83)
    assert eval_.arxiv_title == real("2507.01999").title
    assert "no better match" in eval_.message


def test_the_unchanged_list_has_no_finding(arxiv: ArxivServer) -> None:
    arxiv.papers.append(
        next(p for p in catalogue() if p.arxiv_id == "2111.07677").model_copy(
            update={"arxiv_id": "2212.07900"}
        )
    )  # EVAL's id must resolve; its title differs, so only EVAL is flagged
    result, _, _ = check(arxiv, original_list())
    assert [(f.line, f.kind.value) for f in result.findings] == [(83, "title-mismatch")]


# ------------------------------------------------------------------ venue and code, real records


def test_venue_updates_and_code_links_only_where_real_metadata_supports_them(arxiv: ArxivServer) -> None:
    result, _, _ = check(arxiv, specimen())
    got = sorted(
        (f.arxiv_id, f.kind.value, f.suggested_venue or f.suggested_code_url) for f in result.findings
    )
    assert got == [
        ("2503.18325", "venue-update", "CVPR 2025"),
        ("2503.19357", "code-available", "https://github.com/farzad-bz/DeCo-Diff"),
        ("2503.24376", "code-available", "https://github.com/TencentARC/SEED-Bench-R1"),
        ("2507.19949", "code-available", "https://github.com/Faustinaqq/AF-CLIP"),
        ("2507.19949", "venue-update", "ACM MM 2025"),
        ("2508.02903", "venue-update", "ICCVW 2025"),
    ]
    af = next(f for f in result.findings if f.kind is FindingKind.VENUE_UPDATE and f.arxiv_id == "2507.19949")
    assert af.evidence == "The paper is accepted by ACM MM' 25"


# ------------------------------------------------------------------ faults only slow it down


def test_503_and_429_only_slow_it_down(arxiv: ArxivServer) -> None:
    arxiv.script(Fault.http(503), Fault.http(429, retry_after="7"), when=lambda r: bool(r.id_list))
    arxiv.script(Fault.http(503), when=lambda r: r.search_query.startswith("ti:"))
    result, transport, sleeps = check(arxiv, wrong_list())
    assert len(result.findings) == len(WRONG_LINKS)
    assert [(p.reason, p.seconds) for p in transport.pauses] == [
        ("backoff", 0.5),
        ("retry-after", 7.0),
        ("backoff", 0.5),
    ]
    assert sleeps == [0.5, 7.0, 0.5]
    assert arxiv.pending_faults == []


def test_a_lookup_that_keeps_failing_leaves_its_entries_unresolved_and_guesses_nothing(
    arxiv: ArxivServer,
) -> None:
    first_batch = lambda r: bool(r.id_list) and "1911.07389" in r.id_list  # noqa: E731
    arxiv.script(*[Fault.http(503)] * 3, when=first_batch)
    result, _, _ = check(arxiv, wrong_list())
    unresolved = [f for f in result.findings if f.kind is FindingKind.UNRESOLVED]
    assert len(unresolved) == 20  # the whole first batch of 20 ids, each entry named
    assert all("failed after retries" in f.message and f.suggested_arxiv_id is None for f in unresolved)
    assert {f.line for f in unresolved} >= {16, 17, 26}
    others = {(f.line, f.kind.value) for f in result.findings if f.kind is not FindingKind.UNRESOLVED}
    assert others == {(w.line, w.kind) for w in WRONG_LINKS if w.line > 42}


# ------------------------------------------------------------------ the command


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "triagebot.toml"
    path.write_text(
        "[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0.01\nmax_retries = 1\nlookup_batch = 50\n"
        '[publish]\nrepo = "acme/awesome"\ndelay_seconds = 0\nwrite_delay_seconds = 0\nbackoff_seconds = 0\n',
        encoding="utf-8",
    )
    return path


def _write_list(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_cli_writes_the_report_and_exits_0_with_findings(
    arxiv: ArxivServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", arxiv.api_url)
    listed = _write_list(tmp_path, wrong_list())
    report = tmp_path / "out" / "verify.json"
    code = main(
        ["verify", "--config", str(_config(tmp_path)), "--list", str(listed), "--report", str(report)]
    )
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["counts"] == {"wrong-arxiv-link": 5, "title-mismatch": 1}
    first = data["findings"][0]
    assert {k: first[k] for k in ("line", "kind", "arxiv_id", "suggested_arxiv_id")} == {
        "line": 17,
        "kind": "wrong-arxiv-link",
        "arxiv_id": "2007.09507",
        "suggested_arxiv_id": "1911.08616",
    }
    assert first["message"]
    out = capsys.readouterr().out
    assert f"{listed}:17: wrong-arxiv-link:" in out
    assert "45 entries with arXiv links checked" in out


def test_cli_exits_1_when_lookups_stay_unresolved(
    arxiv: ArxivServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", arxiv.api_url)
    arxiv.script(*[Fault.http(503)] * 2, when=lambda r: bool(r.id_list) and "1911.07389" in r.id_list)
    report = tmp_path / "r.json"
    listed = _write_list(tmp_path, wrong_list())
    code = main(
        ["verify", "--config", str(_config(tmp_path)), "--list", str(listed), "--report", str(report)]
    )
    assert code == 1
    assert json.loads(report.read_text(encoding="utf-8"))["counts"]["unresolved"] == 45


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--publish", "gitlab"], "unknown publisher 'gitlab'"),
        (["--publish", "github"], "needs a token"),
        (["--list", "missing.md"], "missing.md: no such file"),
    ],
)
def test_cli_exits_2_on_usage_and_config_errors_before_any_lookup(
    arxiv: ArxivServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", arxiv.api_url)
    monkeypatch.chdir(tmp_path)
    _write_list(tmp_path, wrong_list())
    assert main(["verify", "--config", str(_config(tmp_path)), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("triagebot: error:") and message in err[0]
    assert arxiv.requests == []


def test_a_title_search_that_keeps_failing_leaves_the_entry_unresolved(arxiv: ArxivServer) -> None:
    arxiv.script(*[Fault.http(503)] * 3, when=lambda r: "ti:attention" in r.search_query)
    result, _, _ = check(arxiv, wrong_list())
    [cavga] = [f for f in result.findings if f.line == 17]
    assert cavga.kind is FindingKind.UNRESOLVED and cavga.suggested_arxiv_id is None
    assert "title search failed after retries" in cavga.message
    assert cavga.arxiv_title == "Gradcon: Backpropagated Gradient Representations for Anomaly Detection"
    assert sum(1 for f in result.findings if f.kind is FindingKind.WRONG_ARXIV_LINK) == 4
