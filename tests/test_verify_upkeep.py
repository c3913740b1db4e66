"""The upkeep pull request of ``triagebot verify --publish``: a preview folder, or one PR on the
fake GitHub (real PyGithub) that is found again by branch and marker, never proposes what a
closed upkeep PR declined, and stays the only open one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers.arxiv_server import ArxivServer
from tests.servers.github_server import GitHubServer
from tests.verify_world import WRONG_LINKS, catalogue, original_list, specimen, wrong_list
from triagebot.cli import main
from triagebot.pr_convention import UPKEEP_BRANCH, upkeep_keys

FIXED = [w for w in WRONG_LINKS if w.kind == "wrong-arxiv-link"]


@pytest.fixture
def arxiv(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArxivServer]:
    with ArxivServer(catalogue()) as server:
        monkeypatch.setenv("TRIAGEBOT_ARXIV_API_URL", server.api_url)
        yield server


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "triagebot.toml"
    path.write_text(
        "[arxiv]\ndelay_seconds = 0\nbackoff_seconds = 0.01\nmax_retries = 1\n"
        '[publish]\nrepo = "acme/awesome"\ndelay_seconds = 0\nwrite_delay_seconds = 0\n'
        "backoff_seconds = 0\n" + extra,
        encoding="utf-8",
    )
    return path


def _changed(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) pairs of a line-for-line edit."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


def test_dir_preview_fixes_exactly_the_wrong_links_in_place(arxiv: ArxivServer, tmp_path: Path) -> None:
    listed = tmp_path / "README.md"
    listed.write_text(wrong_list(), encoding="utf-8", newline="")
    previews = tmp_path / "previews"
    code = main(
        ["verify", "--config", str(_config(tmp_path)), "--list", str(listed), "--publish", f"dir:{previews}"]
    )
    assert code == 0
    folder = previews / UPKEEP_BRANCH.replace("/", "__")
    pr = json.loads((folder / "pr.json").read_text(encoding="utf-8"))
    assert pr["branch"] == UPKEEP_BRANCH
    assert sorted(upkeep_keys(pr["body"]) or []) == sorted(
        f"wrong-arxiv-link:{w.linked}:{w.right}" for w in FIXED
    )
    assert "Gradcon: Backpropagated Gradient Representations for Anomaly Detection" in pr["body"]
    assert "title-mismatch" in pr["body"]  # the finding it cannot fix is listed as a suggestion
    diff = (folder / "changes.diff").read_text(encoding="utf-8")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert len(removed) == len(added) == len(FIXED)
    for old, new in zip(removed, added, strict=True):  # each line: only the id, every other byte kept
        [wrong] = [w for w in FIXED if f"/{w.linked}." in old]
        assert old[1:].replace(wrong.linked, wrong.right) == new[1:]
    # applied, the diff gives back the real list except EVAL (no better match: left for a person)
    fixed = _apply(wrong_list(), diff)
    assert [(x.split("|")[0], y.split("|")[0]) for x, y in _changed(original_list(), fixed)] == [
        ("- **[EVAL]** Eval: Explainable video anomaly localization. ",) * 2
    ]
    assert listed.read_text(encoding="utf-8") == wrong_list()  # the list itself is never touched


def _apply(text: str, diff: str) -> str:
    """Apply a diff whose hunks only replace lines one for one."""
    lines = text.splitlines(keepends=True)
    removed = [
        line[1:] for line in diff.splitlines(keepends=True) if line.startswith("-") and line[1:3] != "--"
    ]
    added = [
        line[1:] for line in diff.splitlines(keepends=True) if line.startswith("+") and line[1:3] != "++"
    ]
    for old, new in zip(removed, added, strict=True):
        lines[lines.index(old)] = new
    return "".join(lines)


# ------------------------------------------------------------------ GitHub


@pytest.fixture
def gh(monkeypatch: pytest.MonkeyPatch) -> Iterator[GitHubServer]:
    with GitHubServer({"README.md": wrong_list()}) as server:
        monkeypatch.setenv("GITHUB_TOKEN", server.token)
        monkeypatch.setenv("GITHUB_API_URL", server.base_url)
        yield server


def _verify(tmp_path: Path, *extra: str) -> int:
    return main(["verify", "--config", str(_config(tmp_path)), "--publish", "github", *extra])


def test_github_opens_one_upkeep_pr_and_finds_it_again_without_state(
    arxiv: ArxivServer, gh: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no local list: the list is read from the base branch
    assert _verify(tmp_path, "--report", "r.json") == 0
    [pr] = gh.open_pulls()
    assert pr.head == UPKEEP_BRANCH and pr.labels == ["triagebot"]
    after = gh.file("README.md", UPKEEP_BRANCH) or ""
    assert len(_changed(wrong_list(), after)) == len(FIXED)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["publish"]["status"] == "opened" and report["publish"]["number"] == pr.number
    writes = len(gh.writes())
    assert _verify(tmp_path, "--report", "r.json") == 0  # again: found, nothing written
    assert len(gh.writes()) == writes and len(gh.pulls) == 1
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["publish"]["status"] == "exists_open"


def test_a_closed_upkeep_prs_changes_are_not_proposed_again(
    arxiv: ArxivServer, gh: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _verify(tmp_path) == 0
    [first] = gh.open_pulls()
    first.state = "closed"  # a maintainer declined it
    assert _verify(tmp_path, "--report", "r.json") == 0
    assert gh.open_pulls() == [] and len(gh.pulls) == 1
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["publish"]["status"] == "nothing"
    # a new wrong link appears on the base: only that one is proposed
    text = gh.file("README.md") or ""
    gh.commit("main", "README.md", text.replace("pdf/2004.02232.pdf", "pdf/2207.07824.pdf"))
    assert _verify(tmp_path) == 0
    [second] = gh.open_pulls()
    assert second.number != first.number and second.head == UPKEEP_BRANCH
    assert upkeep_keys(second.body) == ["wrong-arxiv-link:2207.07824:2004.02232"]
    assert "not proposed again (closed upkeep PR #1)" in second.body
    changed = _changed(gh.file("README.md") or "", gh.file("README.md", UPKEEP_BRANCH) or "")
    assert len(changed) == 1 and "[Memory AD]" in changed[0][0]


def test_an_open_upkeep_pr_is_updated_in_place_never_a_second_one(
    arxiv: ArxivServer, gh: GitHubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert _verify(tmp_path) == 0
    [pr] = gh.open_pulls()
    text = gh.file("README.md") or ""
    gh.commit("main", "README.md", text.replace("pdf/2004.02232.pdf", "pdf/2207.07824.pdf"))
    assert _verify(tmp_path) == 0
    assert gh.open_pulls() == [pr] and len(gh.pulls) == 1
    assert "wrong-arxiv-link:2207.07824:2004.02232" in (upkeep_keys(pr.body) or [])
    assert len(upkeep_keys(pr.body) or []) == len(FIXED) + 1
    assert (
        len(_changed(gh.file("README.md") or "", gh.file("README.md", UPKEEP_BRANCH) or "")) == len(FIXED) + 1
    )


def test_protected_sections_are_reported_but_never_edited(
    arxiv: ArxivServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = tmp_path / "README.md"
    listed.write_text(wrong_list(), encoding="utf-8")
    config = _config(tmp_path, '[list]\nprotected = ["Image+Video"]\n')
    previews = tmp_path / "p"
    assert (
        main(["verify", "--config", str(config), "--list", str(listed), "--publish", f"dir:{previews}"]) == 0
    )
    body = json.loads((previews / "triagebot__upkeep" / "pr.json").read_text(encoding="utf-8"))["body"]
    keys = upkeep_keys(body) or []
    assert "wrong-arxiv-link:2007.09507:1911.08616" not in keys  # CAVGA sits in Image+Video
    assert len(keys) == len(FIXED) - 1
    assert "line 17, **wrong-arxiv-link**" in body  # still listed, for a person to fix


def test_venue_and_code_updates_go_in_the_same_pr_only_where_the_edit_is_unambiguous(
    arxiv: ArxivServer, tmp_path: Path
) -> None:
    listed = tmp_path / "README.md"
    listed.write_text(specimen(), encoding="utf-8")
    previews = tmp_path / "p"
    assert (
        main(
            [
                "verify",
                "--config",
                str(_config(tmp_path)),
                "--list",
                str(listed),
                "--publish",
                f"dir:{previews}",
            ]
        )
        == 0
    )
    pr = json.loads((previews / "triagebot__upkeep" / "pr.json").read_text(encoding="utf-8"))
    assert sorted(upkeep_keys(pr["body"]) or []) == [
        "code-available:2503.19357:https://github.com/farzad-bz/DeCo-Diff",  # its empty [[code]]() link
        "venue-update:2503.18325:CVPR 2025",
        "venue-update:2507.19949:ACM MM 2025",
        "venue-update:2508.02903:ICCVW 2025",
    ]
    # no code link to fill in: left as suggestions for a person
    assert "line 8, **code-available**" in pr["body"] and "line 5, **code-available**" in pr["body"]
    assert "The paper is accepted by ACM MM' 25" in pr["body"]  # the evidence
    fixed = _apply(specimen(), (previews / "triagebot__upkeep" / "changes.diff").read_text(encoding="utf-8"))
    changes = [(x.split("|", 1)[1], y.split("|", 1)[1]) for x, y in _changed(specimen(), fixed)]
    assert changes == [
        (
            " **arXiv 2025** | [[pdf]](https://arxiv.org/pdf/2507.19949.pdf)\n",
            " **ACM MM 2025** | [[pdf]](https://arxiv.org/pdf/2507.19949.pdf)\n",
        ),
        (
            " **arXiv 2025** | [[pdf]](https://arxiv.org/pdf/2508.02903.pdf) [[code]](https://github.com/mehrdadmoradi124/RDDPM)\n",
            " **ICCVW 2025** | [[pdf]](https://arxiv.org/pdf/2508.02903.pdf) [[code]](https://github.com/mehrdadmoradi124/RDDPM)\n",
        ),
        (
            " **arXiv 2025** | [[pdf]](https://arxiv.org/pdf/2503.18325.pdf) [[code]](https://github.com/zhang0jhon/LogSAD)\n",
            " **CVPR 2025** | [[pdf]](https://arxiv.org/pdf/2503.18325.pdf) [[code]](https://github.com/zhang0jhon/LogSAD)\n",
        ),
        (
            " **CVPR 2025** | [[pdf]](https://arxiv.org/pdf/2503.19357.pdf) [[code]]()\n",
            " **CVPR 2025** | [[pdf]](https://arxiv.org/pdf/2503.19357.pdf) [[code]](https://github.com/farzad-bz/DeCo-Diff)\n",
        ),
    ]


def test_a_refused_upkeep_pr_is_reported_and_exits_1(
    arxiv: ArxivServer,
    gh: GitHubServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.servers.github_server import actions_forbidden

    monkeypatch.chdir(tmp_path)
    gh.fail("POST", "/pulls", actions_forbidden())
    assert _verify(tmp_path, "--report", "r.json") == 1
    publish = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["publish"]
    assert publish["status"] == "failed" and "Allow GitHub Actions to create" in publish["message"]
    assert "upkeep PR: failed" in capsys.readouterr().out
    assert gh.open_pulls() == []
