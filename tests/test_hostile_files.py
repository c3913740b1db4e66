"""Bad configuration and hostile list files through the real run: a one-line error and exit 2, or
correct processing; never a traceback. Papers and the run itself as in ``test_hostile_text.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.servers.github_server import GitHubServer
from tests.test_hostile_text import FAST_CONFIG, Night, Result, hostile_paper, new_entry
from triagebot.awesome import parse
from triagebot.models import Outcome, Paper

SECTION = "Image / Foundation-model-based"


@pytest.fixture
def files_night(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Night:
    return Night(tmp_path, capsys)


def paper(n: int = 1) -> Paper:
    return hostile_paper(
        n, title=f"Visual anomaly localization number {n}", abstract="We detect anomalies in images."
    )


def relevant(night: Night, *papers: Paper, section: str = SECTION) -> str:
    return night.decisions([{"arxiv_id": p.arxiv_id, "relevant": True, "section": section} for p in papers])


def assert_one_line_error(result: Result, *words: str) -> None:
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert result.code == 2, (result.code, result.err)
    assert len(lines) == 1 and lines[0].startswith("triagebot: error: "), lines
    for word in words:
        assert word in lines[0], lines[0]


# ---------------------------------------------------------------- configuration

BAD_CONFIGS = [
    ("unknown-section-key", '[list.sections]\n"No Such / Section" = "x"\n', "No Such / Section"),
    (
        "all-protected",
        '[list]\nprotected = ["Explainable 2D Anomaly Detection Methods", "Datasets"]\n',
        "section",
    ),
    ("zero-batch", "[llm]\nclassify_batch = 0\n", "llm.classify_batch"),
    ("unknown-key", "[publish]\nmax_new_pr = 1\n", "publish.max_new_pr"),
    ("not-toml", "[list\npath = 'README.md'\n", "TOML"),
    ("wrong-type", "[list]\nprotected = 'Datasets'\n", "list.protected"),
]


@pytest.mark.parametrize(("case", "toml", "named"), BAD_CONFIGS, ids=[c[0] for c in BAD_CONFIGS])
def test_bad_configuration_is_one_line_and_exit_2(
    files_night: Night, case: str, toml: str, named: str
) -> None:
    files_night.config_path.write_text(toml, encoding="utf-8")
    result = files_night.run([paper()], relevant(files_night, paper()))
    assert_one_line_error(result, named)
    assert not (files_night.root / "state").exists()  # nothing was decided


def test_a_binary_config_file_is_one_line_and_exit_2(files_night: Night) -> None:
    files_night.config_path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe" * 100)
    assert_one_line_error(files_night.run([paper()], relevant(files_night, paper())), "config")


def test_a_decision_naming_an_unknown_section_is_an_error_outcome_and_nothing_is_written(
    files_night: Night,
) -> None:
    good, bad = paper(1), paper(2)
    llm = files_night.decisions(
        [
            {"arxiv_id": good.arxiv_id, "relevant": True, "section": SECTION},
            {"arxiv_id": bad.arxiv_id, "relevant": True, "section": "Audio / Made-up"},
        ]
    )
    result = files_night.run([good, bad], llm)
    assert result.code == 1 and "Traceback" not in result.err
    assert result.outcome(bad.arxiv_id) == Outcome.ERROR and bad.arxiv_id not in result.previews
    assert "Audio / Made-up" in result.out  # the error line names it
    assert result.outcome(good.arxiv_id) == Outcome.PROPOSED  # the other paper went on
    new_entry(files_night, result.previews[good.arxiv_id], good.arxiv_id)


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\x02 binary", b'{"arxiv_id": "2508.00001", "relevant": "maybe"}\n', b"not json at all\n"],
    ids=["binary", "bad-value", "not-json"],
)
def test_bad_fixture_decisions_are_one_line_and_exit_2(files_night: Night, content: bytes) -> None:
    path = files_night.root / "decisions.jsonl"
    path.write_bytes(content)
    assert_one_line_error(files_night.run([paper()], f"fixture:{path}"), str(path))


def test_a_saved_arxiv_response_that_is_garbage_is_one_line_and_exit_2(files_night: Night) -> None:
    garbage = files_night.root / "garbage.xml"
    garbage.write_bytes(b"\xff\xfe<html>\x00 not arXiv")
    result = files_night.run([paper()], relevant(files_night, paper()), "--source", str(garbage))
    assert_one_line_error(result, "garbage.xml")


# ---------------------------------------------------------------- the list file


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


BAD_LISTS: dict[str, Callable[[Path], Path]] = {
    "binary": lambda root: _write(root / "list.md", bytes(range(256)) * 64),
    "not-utf8": lambda root: _write(root / "list.md", "# Liste\n\n## Méthodes\n- [é](x)\n".encode("latin-1")),
    "utf16": lambda root: _write(root / "list.md", "# List\n\n## Methods\n".encode("utf-16")),
    "empty": lambda root: _write(root / "list.md", b""),
    "blank": lambda root: _write(root / "list.md", b" \n\n\t\n"),
    "directory": lambda root: root,
    "missing": lambda root: root / "nope.md",
    "no-sections": lambda root: _write(root / "list.md", b"Just a paragraph, no headings, no entries.\n"),
}


@pytest.mark.parametrize("case", sorted(BAD_LISTS))
def test_an_unusable_list_file_is_one_line_and_exit_2(files_night: Night, case: str) -> None:
    list_path = BAD_LISTS[case](files_night.root)
    result = files_night.run([paper()], relevant(files_night, paper()), list_path=list_path)
    assert_one_line_error(result)


def test_a_huge_list_file_is_refused_before_it_is_read(files_night: Night) -> None:
    """50 MB of list-like text: parsing it would take minutes and gigabytes; it is refused at once."""
    huge = files_night.root / "huge.md"
    line = b"- **[X]** A title of a paper about anomalies. | **CVPR 2020** | [[pdf]](https://arxiv.org/pdf/2001.00001.pdf)\n"
    with huge.open("wb") as out:
        out.write(b"# Awesome\n\n## Methods\n\n### Image\n\n")
        for _ in range(50):
            out.write(line * (1_000_000 // len(line) + 1))
    assert huge.stat().st_size > 50_000_000
    result = files_night.run([paper()], relevant(files_night, paper(), section="Image"), list_path=huge)
    assert_one_line_error(result, "huge.md", "MB")


def test_a_list_without_paper_entries_is_refused_in_one_line_naming_list(files_night: Night) -> None:
    """A file with headings but no paper entry is not taken for the list: its headings would become
    the taxonomy (a project's own README was, in a clone of this repository). The error says how to
    name the list; nothing is fetched, decided or written."""
    empty = _write(
        files_night.root / "new-list.md",
        b"# Awesome Things\n\nA new list.\n\n## Methods\n\n### Image\n\n### Video\n\n## Datasets\n",
    )
    p = paper()
    result = files_night.run([p], relevant(files_night, p, section="Methods / Image"), list_path=empty)
    assert result.code == 2, (result.out, result.err)
    (line,) = result.err.strip().splitlines()
    assert line.startswith(f"triagebot: error: {empty}: has no paper entries") and "--list" in line
    assert result.report is None and not result.previews
    assert not (files_night.root / "state").exists()


def _ten_thousand_entries(xad: str) -> str:
    """Awesome-XAD with 1,000 more entries in each of its ten method sections, in its own style."""
    doc = parse(xad)
    lines = xad.splitlines(keepends=True)
    sections = [s for s in doc.sections if s.entries and not s.path.startswith("Datasets")]
    assert len(sections) == 10
    number = 0
    for section in sorted(sections, key=lambda s: s.line, reverse=True):
        block = []
        for _ in range(1000):
            number += 1
            block.append(
                f"- **[S{number}]** Synthetic study q{number}z of defects. | **CVPR 2020** | "
                f"[[pdf]](https://arxiv.org/pdf/2001.{number:05d}.pdf)\n"
            )
        at = section.entries[-1].end_line
        lines[at:at] = block
    return "".join(lines)


def test_a_ten_thousand_entry_list_is_processed_correctly(files_night: Night) -> None:
    big = _ten_thousand_entries(files_night.list_path.read_text(encoding="utf-8"))
    files_night.list_path.write_text(big, encoding="utf-8")
    before = parse(big)
    assert len(before.entries) >= 10_000
    new = paper(1)
    listed = hostile_paper(2, title="Anything at all", abstract="We detect anomalies in images.")
    listed = listed.model_copy(update={"arxiv_id": "2001.04242"})  # already in the list (synthetic entry)
    result = files_night.run([new, listed], relevant(files_night, new, listed))
    assert result.code == 0, (result.out, result.err)
    assert result.outcome(listed.arxiv_id) == Outcome.DUPLICATE
    entry = new_entry(files_night, result.previews[new.arxiv_id], new.arxiv_id)
    assert entry.title == new.title and entry.section.endswith(SECTION)


def test_a_list_over_1_mb_on_github_is_read_through_the_blobs_api(
    files_night: Night, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = _ten_thousand_entries(files_night.list_path.read_text(encoding="utf-8"))
    assert len(big.encode("utf-8")) > 1_000_000
    with GitHubServer(files={"README.md": big}) as gh:
        # the fake answers like api.github.com: over 1 MB, contents come without content
        monkeypatch.setenv("GITHUB_TOKEN", gh.token)
        monkeypatch.setenv("GITHUB_API_URL", gh.base_url)
        monkeypatch.setenv("GITHUB_REPOSITORY", gh.full_name)
        monkeypatch.chdir(files_night.root)
        files_night.config_path.write_text(
            FAST_CONFIG + "timeout = 5\ndelay_seconds = 0\nwrite_delay_seconds = 0\nbackoff_seconds = 0\n",
            encoding="utf-8",
        )
        p = paper()
        result = files_night.run([p], relevant(files_night, p), "--list", "README.md", "--publish", "github")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.code == 0, result.err
    assert result.outcome(p.arxiv_id) == Outcome.PUBLISHED
