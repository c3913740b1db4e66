"""`triagebot lint` and the pure lint: every problem of the bundled list is found, files are checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from triagebot.awesome import Problem, lint, read_list_file
from triagebot.cli import main
from triagebot.errors import ListError

FIXTURE = Path(__file__).parent / "fixtures" / "awesome-xad-README.md"


@pytest.fixture
def problems(awesome_xad_text: str) -> list[Problem]:
    return lint(awesome_xad_text, "README.md")


def _at(problems: list[Problem], code: str) -> list[int]:
    return [p.line for p in problems if p.code == code]


def test_duplicate_under_two_acronyms(problems: list[Problem]) -> None:
    (dup,) = [p for p in problems if p.code == "duplicate-entry"]
    assert (dup.line, dup.severity) == (58, "error")
    assert "line 51" in dup.message and "[AnomalyClip]" in dup.message and "[AnomalyCLIP]" in dup.message


def test_empty_links(problems: list[Problem]) -> None:
    assert _at(problems, "empty-link") == [50, 50]
    assert {p.severity for p in problems if p.code == "empty-link"} == {"error"}


def test_entry_wrapped_onto_two_lines(problems: list[Problem]) -> None:
    assert _at(problems, "wrapped-entry") == [32]


def test_expiring_signed_url(problems: list[Problem]) -> None:
    (expiring,) = [p for p in problems if p.code == "expiring-url"]
    assert (expiring.line, expiring.severity) == (39, "error")


def test_code_link_to_a_paper(problems: list[Problem]) -> None:
    (bad,) = [p for p in problems if p.code == "code-link-not-code"]
    assert bad.line == 64 and "arxiv.org/pdf/2501.01767" in bad.message and bad.severity == "error"


def test_style_deviations_are_warnings(problems: list[Problem]) -> None:
    trailing = _at(problems, "trailing-whitespace")
    assert {16, 17, 31, 33, 65, 108} <= set(trailing)
    assert 18 not in trailing
    assert _at(problems, "blank-lines") == [10, 29, 88, 102]
    assert {
        p.severity for p in problems if p.code in ("trailing-whitespace", "blank-lines", "wrapped-entry")
    } == {"warning"}


def test_clean_list_has_no_problems() -> None:
    text = "# L\n\n## S\n- **[A]** One. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)\n"
    assert lint(text, "x.md") == []


def test_other_findings() -> None:
    text = (
        "## S\r\n"
        "- **[A]** One. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)\n"
        "- **[B]** Two. | **cvpr 2021** | [[pdf]](https://arxiv.org/abs/2101.00001)\n"
        "- **[C]** Three. | **CVPR 2022** | [[pdf]](https://arxiv.org/pdf/2201.00001.pdf)\n"
        "* **[D]** Fourth paper title. | **CVPR 2023** | [[pdf]](https://arxiv.org/pdf/2301.00001.pdf)\n"
        "- Four. and [a link](https://example.com) inside\n"
        "- **[E]** Fourth Paper Title | **CVPR 2024** | [[pdf]](https://arxiv.org/pdf/2401.00001.pdf)"
    )
    codes = {(p.line, p.code) for p in lint(text, "x.md")}
    assert {
        (1, "mixed-line-endings"),
        (3, "venue-spelling"),
        (3, "pdf-link-form"),
        (5, "bullet"),
        (6, "unparsed-entry"),
        (7, "duplicate-entry"),
        (7, "no-final-newline"),
    } <= codes


def test_cli_text_output_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(FIXTURE)]) == 1
    out = capsys.readouterr().out.splitlines()
    duplicate = next(line for line in out if ":58: duplicate-entry" in line)
    assert duplicate.startswith(f"{FIXTURE}:58: duplicate-entry same paper as line 51 (arXiv 2310.18961); ")
    assert all(line.startswith(f"{FIXTURE}:") for line in out)
    for code in ("empty-link", "wrapped-entry", "expiring-url", "code-link-not-code", "trailing-whitespace"):
        assert any(f": {code} " in line for line in out), code


def test_cli_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", str(FIXTURE), "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert {"path", "line", "code", "severity", "message"} == set(items[0])
    assert {i["code"] for i in items if i["severity"] == "error"} == {
        "duplicate-entry",
        "empty-link",
        "expiring-url",
        "code-link-not-code",
    }


def test_cli_exit_zero_with_warnings_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "README.md"
    path.write_text(
        "## S\n- **[A]** One. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)  \n"
    )
    assert main(["lint", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}:2: trailing-whitespace line ends with spaces or tabs\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("dir", "is a directory"),
        (b"", "is empty"),
        (b"\n  \n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"# caf\xe9\n", "not UTF-8"),
    ],
)
def test_unreadable_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | str | None, message: str
) -> None:
    path = tmp_path / "README.md"
    if content == "dir":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(ListError, match=message):
        read_list_file(path)
    assert main(["lint", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err and "Traceback" not in captured.err


def test_reader_keeps_bytes(tmp_path: Path) -> None:
    path = tmp_path / "README.md"
    data = "\ufeff# T\r\n- é\r\nno final newline".encode()
    path.write_bytes(data)
    assert read_list_file(path).encode() == data


def test_what_real_lists_do_on_purpose_is_no_alarm() -> None:
    text = (
        "## CVPR 2025\n"
        "1. [WinCLIP: zero-shot anomaly segmentation](https://arxiv.org/abs/2303.14814) (Mar., 2023)  \n"
        "   [![arXiv](https://img.shields.io/badge/arXiv-b31b1b.svg)](https://arxiv.org/abs/2303.14814)\n"
        "2. [Second paper title here](https://arxiv.org/abs/2304.00001) (Apr., 2023)\n"
        "3. [Third paper title here](https://arxiv.org/abs/2305.00001) (May, 2023)\n"
        "\n## Vision-language\n"
        "- [WinCLIP: zero-shot anomaly segmentation](https://arxiv.org/abs/2303.14814) (Mar., 2023)\n"
    )
    found = {(p.line, p.code, p.severity) for p in lint(text, "x.md")}
    assert found == {(8, "cross-listed", "warning")}, found


def test_the_same_paper_twice_in_one_section_is_an_error() -> None:
    text = (
        "## S\n"
        "- [A paper title here](https://arxiv.org/abs/2303.14814)\n"
        "- [A paper title here, again](https://arxiv.org/pdf/2303.14814v2)\n"
    )
    assert [(p.line, p.code, p.severity) for p in lint(text, "x.md")] == [(3, "duplicate-entry", "error")]


def test_a_section_with_links_and_no_entry_recognised_is_reported() -> None:
    text = "## Papers\n\nSee [the survey](https://example.com/survey) and [another](https://example.com/b).\n"
    assert [(p.line, p.code) for p in lint(text, "x.md")] == [(1, "no-entries-recognised")]


def test_cli_reports_entries_recognised_per_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "README.md"
    path.write_text(
        "# L\n\n## A\n- [One paper title](https://arxiv.org/abs/2001.00001)\n"
        "- [Two paper title](https://arxiv.org/abs/2001.00002)\n\n## B\nSee [x](https://example.com).\n"
    )
    assert main(["lint", str(path)]) == 0
    err = capsys.readouterr().err
    assert "     2  A (line 3)" in err and "     0  B (line 7)" in err
    assert "2 entries recognised, 0 error(s), 1 warning(s)" in err
