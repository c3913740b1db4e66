"""The state directory: append-only decision log and atomic cursor, including kill -9 mid-write."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from triagebot.adapters.state.jsonl import CURSOR, DECISIONS, JsonlStateStore
from triagebot.errors import StateError
from triagebot.models import Cursor, Decision, DecisionRecord, Outcome
from triagebot.ports import StateStore

REPO_ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2025, 8, 20, 1, 17, tzinfo=UTC)


def record(arxiv_id: str, outcome: Outcome = Outcome.PROPOSED, **fields: object) -> DecisionRecord:
    return DecisionRecord.model_validate(
        {"arxiv_id": arxiv_id, "outcome": outcome, "run_id": "run-1", "time": WHEN, **fields}
    )


def three_records() -> list[DecisionRecord]:
    return [
        record("2501.00001", Outcome.REJECTED_BY_MODEL, model="m", prompt_version="p1", confidence=0.2),
        record("2501.00002", Outcome.PUBLISHED, section="Image / Attention-based", pr_url="https://x/pull/1"),
        record("2501.00003", Outcome.ERROR, stage="classify", reason="timeout"),
    ]


def test_is_a_state_store(tmp_path: Path) -> None:
    store: StateStore = JsonlStateStore(tmp_path)
    assert store.load() == {}
    assert store.cursor() is None


def test_round_trip_keeps_the_latest_record_per_paper(tmp_path: Path) -> None:
    store = JsonlStateStore(tmp_path / "state")
    first = three_records()
    store.append(first)
    later = record("2501.00003", Outcome.PUBLISHED, run_id="run-2", pr_url="https://x/pull/2")
    store.append([later])

    loaded = JsonlStateStore(tmp_path / "state").load()

    assert list(loaded) == ["2501.00001", "2501.00002", "2501.00003"]
    assert loaded["2501.00001"] == first[0]
    assert loaded["2501.00002"] == first[1]
    assert loaded["2501.00003"] == later


def test_a_full_decision_survives_the_round_trip(tmp_path: Path) -> None:
    decision = Decision(
        arxiv_id="2501.00004",
        relevant=True,
        section="Explainable 2D Anomaly Detection Methods / Video / Reasoning-based",
        acronym="VADX",
        evidence=("we explain anomalies in words",),
        confidence=0.9,
        model="openai/gpt-4o-mini",
        prompt_version="classify-v1",
    )
    rec = record("2501.00004", decision=decision, section=decision.section, confidence=0.9)
    store = JsonlStateStore(tmp_path)
    store.append([rec])
    assert store.load()["2501.00004"] == rec


def test_lines_are_diff_friendly_one_sorted_ascii_line_per_record(tmp_path: Path) -> None:
    hostile = "line one\nline two\u2028\u202eevil\u200b | ]** <script>"
    store = JsonlStateStore(tmp_path)
    store.append([record("2501.00001", reason=hostile), record("2501.00002")])

    raw = (tmp_path / DECISIONS).read_bytes()
    lines = raw.decode("ascii").splitlines()
    assert raw.endswith(b"\n")
    assert len(lines) == 2
    for line in lines:
        keys = list(json.loads(line))
        assert keys == sorted(keys)
    assert "null" not in lines[1]  # unset fields are left out
    assert store.load()["2501.00001"].reason == hostile


def test_directory_is_created_on_first_write_not_on_read(tmp_path: Path) -> None:
    state = tmp_path / "deep" / "state"
    store = JsonlStateStore(state)
    assert store.load() == {}
    assert store.cursor() is None
    assert not state.exists()
    store.save_cursor(Cursor(until=WHEN, run_id="run-1"))
    store.append([record("2501.00001")])
    assert sorted(p.name for p in state.iterdir()) == [CURSOR, DECISIONS]


def test_append_nothing_writes_nothing(tmp_path: Path) -> None:
    JsonlStateStore(tmp_path / "state").append([])
    assert not (tmp_path / "state").exists()


def test_cursor_is_replaced_atomically_and_stale_temps_are_removed(tmp_path: Path) -> None:
    store = JsonlStateStore(tmp_path)
    stale = tmp_path / ".cursor.abc123.tmp"
    stale.write_text("{half", encoding="utf-8")
    store.save_cursor(Cursor(until=WHEN, run_id="run-1"))
    store.save_cursor(Cursor(until=WHEN.replace(day=21), run_id="run-2"))

    assert JsonlStateStore(tmp_path).cursor() == Cursor(until=WHEN.replace(day=21), run_id="run-2")
    assert sorted(p.name for p in tmp_path.iterdir()) == [CURSOR]
    text = (tmp_path / CURSOR).read_text(encoding="utf-8")
    assert list(json.loads(text)) == ["run_id", "until"]


def test_garbled_cursor_is_a_one_line_state_error(tmp_path: Path) -> None:
    (tmp_path / CURSOR).write_text('{"until": "yesterday"', encoding="utf-8")
    with pytest.raises(StateError, match=r"cursor\.json: not a valid cursor") as info:
        JsonlStateStore(tmp_path).cursor()
    assert "\n" not in str(info.value)
    assert info.value.hint


@pytest.mark.parametrize("operation", ["load", "cursor", "append", "save_cursor"])
def test_state_dir_that_is_a_file_is_a_state_error(tmp_path: Path, operation: str) -> None:
    not_a_dir = tmp_path / "state"
    not_a_dir.write_text("oops", encoding="utf-8")
    store = JsonlStateStore(not_a_dir)
    calls = {
        "load": store.load,
        "cursor": store.cursor,
        "append": lambda: store.append([record("2501.00001")]),
        "save_cursor": lambda: store.save_cursor(Cursor(until=WHEN, run_id="r")),
    }
    with pytest.raises(StateError, match="is not a directory") as info:
        calls[operation]()
    assert "\n" not in str(info.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_state_is_a_state_error(tmp_path: Path) -> None:
    store = JsonlStateStore(tmp_path)
    store.append([record("2501.00001")])
    (tmp_path / DECISIONS).chmod(0)
    try:
        with pytest.raises(StateError, match="cannot read state"):
            store.load()
    finally:
        (tmp_path / DECISIONS).chmod(0o644)


def test_truncated_last_line_at_every_byte_is_ignored_then_repaired(tmp_path: Path) -> None:
    """A writer killed mid-append leaves any prefix of its last line: every one must load, and
    the next append must leave a file whose every line is a record."""
    records = three_records()
    full = b"".join(
        (json.dumps(r.model_dump(mode="json", exclude_none=True), sort_keys=True) + "\n").encode()
        for r in records
    )
    last_start = full.rindex(b"\n", 0, len(full) - 1) + 1
    for cut in range(last_start, len(full) + 1):
        state = tmp_path / f"cut{cut}"
        state.mkdir()
        (state / DECISIONS).write_bytes(full[:cut])

        expected = 3 if cut >= len(full) - 1 else 2  # only the newline missing: the record is whole
        assert len(JsonlStateStore(state).load()) == expected, cut

        store = JsonlStateStore(state)
        store.append([record("2501.00009")])
        lines = (state / DECISIONS).read_bytes().splitlines()
        assert all(DecisionRecord.model_validate_json(line) for line in lines), cut
        assert list(store.load()) == [r.arxiv_id for r in records[:expected]] + ["2501.00009"], cut


def test_garbled_last_line_with_newline_is_ignored_and_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = JsonlStateStore(tmp_path)
    store.append(three_records()[:1])
    with (tmp_path / DECISIONS).open("ab") as handle:
        handle.write(b"\x00\x00\x00\x00\n\n")  # what a power cut can leave behind
    assert list(store.load()) == ["2501.00001"]
    assert "ignoring a truncated or garbled last line" in caplog.text

    store.append([record("2501.00002")])
    assert list(JsonlStateStore(tmp_path).load()) == ["2501.00001", "2501.00002"]


def test_garbled_middle_line_is_a_state_error_naming_file_and_line(tmp_path: Path) -> None:
    store = JsonlStateStore(tmp_path)
    store.append(three_records()[:1])
    with (tmp_path / DECISIONS).open("ab") as handle:
        handle.write(b"<<<<<<< HEAD\n")
    store2 = JsonlStateStore(tmp_path / "other")
    store2.append(three_records()[1:2])
    with (tmp_path / DECISIONS).open("ab") as handle:
        handle.write((tmp_path / "other" / DECISIONS).read_bytes())

    with pytest.raises(StateError, match=r"decisions\.jsonl:2: not a decision record") as info:
        store.load()
    assert "\n" not in str(info.value)
    assert info.value.hint and "harmless" in info.value.hint


def test_blank_lines_and_unknown_fields_are_tolerated(tmp_path: Path) -> None:
    line = json.dumps({**record("2501.00001").model_dump(mode="json"), "added_in_v2": 1})
    (tmp_path / DECISIONS).write_text(f"\n{line}\n\n   \n", encoding="utf-8")
    assert list(JsonlStateStore(tmp_path).load()) == ["2501.00001"]


# ------------------------------------------------------------------ kill -9 at random points

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from triagebot.adapters.state.jsonl import JsonlStateStore
    from triagebot.models import Cursor, DecisionRecord

    store = JsonlStateStore(Path(sys.argv[1]))
    batch, size = int(sys.argv[2]), int(sys.argv[3])
    when = datetime(2025, 8, 20, tzinfo=UTC)
    while True:
        store.append([
            DecisionRecord(arxiv_id=f"{batch:05d}.{i:05d}", outcome="proposed", run_id=f"b{batch}",
                           time=when, reason="x" * 4000)
            for i in range(size)
        ])
        store.save_cursor(Cursor(until=when, run_id=f"b{batch}"))
        print(batch, flush=True)
        batch += 1
    """
)


def _ids(batch: int, size: int) -> list[str]:
    return [f"{batch:05d}.{i:05d}" for i in range(size)]


def test_writer_killed_at_random_points_loses_no_acknowledged_record(tmp_path: Path) -> None:
    """SIGKILL a process appending big batches and saving the cursor, reload, repeat.

    After each kill: every batch whose append returned is there in full, the batch in flight is
    there as a prefix (or not at all), the cursor is whole, and the file stays appendable.
    """
    rng = random.Random(6)
    size = 40  # ~160 kB per append: a kill often lands inside the write
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    expected: list[str] = []
    batch = 0
    for _round in range(12):
        acks_wanted = rng.randint(0, 3)
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), str(batch), str(size)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert child.stdout is not None
        acked: list[int] = []
        while len(acked) < acks_wanted:
            line = child.stdout.readline()
            assert line, child.stderr.read().decode() if child.stderr else "writer died"
            acked.append(int(line))
        time.sleep(rng.uniform(0, 0.03))  # land anywhere: building, writing, fsync, cursor rename
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        # The writer may have acknowledged more than we read: count what it printed.
        acked.extend(int(line) for line in child.stdout.read().split())
        child.stdout.close()
        if child.stderr:
            child.stderr.close()
        for done in acked:
            expected.extend(_ids(done, size))
        in_flight = batch + len(acked)

        store = JsonlStateStore(tmp_path)
        loaded = list(store.load())
        assert loaded[: len(expected)] == expected
        extra = loaded[len(expected) :]
        assert extra == _ids(in_flight, size)[: len(extra)]
        expected.extend(extra)

        cursor = store.cursor()
        if acked:
            assert cursor is not None
            assert cursor.run_id in {f"b{acked[-1]}", f"b{in_flight}"}
        batch = in_flight + 1  # never reuse the ids of a half-written batch

    final = JsonlStateStore(tmp_path)
    final.append([record("9999.99999")])
    assert list(JsonlStateStore(tmp_path).load()) == [*expected, "9999.99999"]
    final.save_cursor(Cursor(until=WHEN, run_id="after"))
    assert not list(tmp_path.glob(".cursor.*.tmp"))  # temps of killed cursor writes are swept


def test_state_dir_under_a_file_is_a_state_error_when_reading_and_writing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("", encoding="utf-8")
    store = JsonlStateStore(tmp_path / "file" / "state")
    with pytest.raises(StateError, match="cannot read state"):
        store.load()
    with pytest.raises(StateError, match="cannot create state directory"):
        store.append([record("2501.00001")])
