"""The dir: publisher (golden pr.json and changes.diff), the none publisher and the factory."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from tests.publish_helpers import XAD, decision, paper, proposals
from triagebot.adapters.publishers.directory import DirPublisher
from triagebot.adapters.publishers.factory import NullPublisher, build_publisher
from triagebot.config import PublishConfig
from triagebot.errors import ConfigError
from triagebot.models import Proposal, PRState, PublishStatus
from triagebot.publish_caps import publish_all

GOLDEN = Path(__file__).parent / "golden_publish"
UPDATE = os.environ.get("TRIAGEBOT_UPDATE_GOLDEN") == "1"  # rewrite the golden files from this run


def _list(tmp_path: Path) -> Path:
    path = tmp_path / "README.md"
    path.write_bytes(XAD.encode("utf-8"))
    return path


def _proposals(case: str, list_path: Path) -> list[Proposal]:
    if case == "single":
        p = paper(1)
        batch = proposals([p], decisions={p.arxiv_id: decision(p, confidence=0.5)})
    else:
        batch = proposals([paper(1), paper(2)], PublishConfig(group=True))
    return [replace(b, list_path=str(list_path)) for b in batch]


@pytest.mark.parametrize("case", ["single", "group"])
def test_previews_match_the_golden_files(tmp_path: Path, case: str) -> None:
    list_path = _list(tmp_path)
    out = tmp_path / "previews"
    publisher = build_publisher(f"dir:{out}", PublishConfig(base_branch="main"), list_path=list_path)
    [result] = publish_all(publisher, _proposals(case, list_path), PublishConfig())
    assert result.status is PublishStatus.PREVIEWED
    [folder] = out.iterdir()
    assert result.url == folder.as_uri()
    golden = GOLDEN / case / folder.name
    for name in ("pr.json", "changes.diff"):
        got = (folder / name).read_text(encoding="utf-8")
        if UPDATE:
            golden.mkdir(parents=True, exist_ok=True)
            (golden / name).write_text(got, encoding="utf-8")
        assert got == (golden / name).read_text(encoding="utf-8"), (
            f"{case}/{name} differs from the golden file"
        )
    assert list_path.read_text(encoding="utf-8") == XAD  # the list itself is never changed


def test_the_diff_only_adds_lines(tmp_path: Path) -> None:
    list_path = _list(tmp_path)
    publisher = DirPublisher(tmp_path / "out")
    publisher.publish(_proposals("group", list_path)[0])
    diff = next((tmp_path / "out").glob("*/changes.diff")).read_text(encoding="utf-8").splitlines()
    body = [line for line in diff if not line.startswith(("---", "+++", "@@"))]
    assert not [line for line in body if line.startswith("-")]
    assert sum(1 for line in body if line.startswith("+")) == 2


def test_a_rerun_finds_its_previews_and_makes_no_duplicate(tmp_path: Path) -> None:
    list_path = _list(tmp_path)
    publisher = DirPublisher(tmp_path / "out")
    batch = _proposals("single", list_path)
    assert publisher.existing(["2503.10001"]) == {}
    publisher.publish(batch[0])
    found = publisher.existing(["2503.10001", "2503.10009"])
    assert list(found) == ["2503.10001"] and found["2503.10001"].state is PRState.PREVIEW
    assert publisher.open_count() == 1
    again = publisher.publish(batch[0])
    assert again.status is PublishStatus.PREVIEWED and again.message == "preview rewritten"
    assert len(list((tmp_path / "out").iterdir())) == 1
    assert not [p for p in (tmp_path / "out").rglob(".*")]  # no temp file left behind


def test_the_dir_publisher_respects_the_open_cap(tmp_path: Path) -> None:
    list_path = _list(tmp_path)
    publisher = DirPublisher(tmp_path / "out")
    batch = [replace(b, list_path=str(list_path)) for b in proposals([paper(1), paper(2)])]
    results = publish_all(publisher, batch, PublishConfig(max_open_prs=1))
    assert [r.status for r in results] == [PublishStatus.PREVIEWED, PublishStatus.PENDING]


def test_none_decides_and_records_only(tmp_path: Path) -> None:
    list_path = _list(tmp_path)
    publisher = build_publisher("none", PublishConfig(), list_path=list_path)
    assert isinstance(publisher, NullPublisher)
    assert publisher.read_list(str(list_path)) == XAD
    [result] = publish_all(publisher, proposals([paper(1)]), PublishConfig())
    assert result.status is PublishStatus.SKIPPED and result.arxiv_ids == ("2503.10001",)


@pytest.mark.parametrize("spec", ["gitlab", "dir:", ""])
def test_unknown_publisher_specs_are_config_errors(spec: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        build_publisher(spec, PublishConfig(), list_path=tmp_path / "README.md")


def test_a_corrupt_preview_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "triagebot__2503.10001"
    folder.mkdir(parents=True)
    (folder / "pr.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(Exception, match="not a readable preview"):
        DirPublisher(tmp_path / "out").existing(["2503.10001"])


def test_pr_json_has_the_documented_keys(tmp_path: Path) -> None:
    list_path = _list(tmp_path)
    DirPublisher(tmp_path / "out", base="main").publish(_proposals("single", list_path)[0])
    data = json.loads(next((tmp_path / "out").glob("*/pr.json")).read_text(encoding="utf-8"))
    assert list(data) == ["branch", "base", "title", "body", "labels", "draft", "arxiv_ids"]
    assert data["draft"] is True and data["labels"] == ["triagebot", "low-confidence"]
