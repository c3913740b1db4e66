"""The state directory: an append-only JSON-lines decision log and an atomically replaced cursor.

``decisions.jsonl``: one ``DecisionRecord`` per line, keys sorted, non-ASCII escaped (titles are
untrusted: no raw RTL or zero-width characters in a diff). Appends are one ``write`` of whole
lines followed by ``fsync``. A process killed mid-append leaves at most a partial *last* line:
``load`` ignores it with a warning, and the next ``append`` cuts it off before writing, so it
never becomes a bad line in the middle.

A bad line anywhere else cannot come from our writer (it only ever appends whole lines); it means
the file was edited by hand or merged badly (``<<<<<<<`` markers on the state branch). That is a
``StateError`` naming ``file:line``, not a silent skip: the log is the audit trail, and dropping
lines quietly would hide the damage forever while new lines pile up after it. The hint says how to
fix it; deleting the line (or the whole log) is harmless, because the list and the bot's PRs
already prevent duplicates and the log only saves model calls.

``cursor.json``: written to a temp file in the same directory, fsync'd, ``os.replace``'d over the
old one, then the directory is fsync'd, so a reader sees the old cursor or the new one, never half.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from triagebot.errors import StateError
from triagebot.fsutil import TEMP_SUFFIX, atomic_write, fsync_directory
from triagebot.models import Cursor, DecisionRecord
from triagebot.redact import redact

log = logging.getLogger(__name__)

DECISIONS = "decisions.jsonl"
CURSOR = "cursor.json"
_TMP_PREFIX = ".cursor."
_FIX_HINT = "delete that line (or the file): losing records is harmless, it only costs model calls"


def encode_record(record: DecisionRecord) -> bytes:
    """One log line: sorted keys, ASCII only, unset fields left out, secrets masked (an error
    reason can quote a service that echoed the key it rejected), newline-terminated."""
    data = record.model_dump(mode="json", exclude_none=True)
    return (redact(json.dumps(data, sort_keys=True, separators=(",", ":"))) + "\n").encode("ascii")


def _parse_line(line: bytes) -> DecisionRecord | None:
    """The record on ``line``, or None when it is not one (garbled, truncated, wrong shape)."""
    try:
        return DecisionRecord.model_validate_json(line)
    except ValidationError:
        return None


def _last_line(data: bytes) -> tuple[int, bytes]:
    """Where the last non-blank line of ``data`` starts, and that line (whitespace stripped)."""
    body = data.rstrip()
    start = body.rfind(b"\n") + 1
    return start, body[start:]


def parse_log(data: bytes, name: str) -> dict[str, DecisionRecord]:
    """The latest record per arXiv id, in file order. A bad last line is ignored with a warning;
    a bad line before it raises StateError naming ``name:line``. Blank lines are skipped."""
    latest: dict[str, DecisionRecord] = {}
    lines = data.rstrip().split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _parse_line(line)
        if record is None:
            if number == len(lines):
                log.warning(
                    "%s:%d: ignoring a truncated or garbled last line (%d bytes)", name, number, len(line)
                )
                continue
            raise StateError(f"{name}:{number}: not a decision record", hint=_FIX_HINT)
        latest[record.arxiv_id] = record
    return latest


class JsonlStateStore:
    """``ports.StateStore`` on a directory (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.decisions_path = self.directory / DECISIONS
        self.cursor_path = self.directory / CURSOR

    # ------------------------------------------------------------------ reading

    def load(self) -> dict[str, DecisionRecord]:
        data = self._read(self.decisions_path)
        return {} if data is None else parse_log(data, str(self.decisions_path))

    def cursor(self) -> Cursor | None:
        data = self._read(self.cursor_path)
        if data is None:
            return None
        try:
            return Cursor.model_validate_json(data)
        except ValidationError:
            raise StateError(
                f"{self.cursor_path}: not a valid cursor",
                hint="delete it; the next run then starts from the default window",
            ) from None

    def _read(self, path: Path) -> bytes | None:
        """The bytes of ``path``, or None when it (or the state directory) does not exist yet."""
        self._check_directory()
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as err:
            raise _os_error(path, "cannot read state", err) from None

    # ------------------------------------------------------------------ writing

    def append(self, records: Sequence[DecisionRecord]) -> None:
        if not records:
            return
        payload = b"".join(encode_record(record) for record in records)
        self._ensure_directory()
        created = not self.decisions_path.exists()
        try:
            fd = os.open(self.decisions_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as err:
            raise _os_error(self.decisions_path, "cannot write state", err) from None
        try:
            self._repair_tail(fd)
            _write_all(fd, payload)
            os.fsync(fd)
        except OSError as err:
            raise _os_error(self.decisions_path, "cannot write state", err) from None
        finally:
            os.close(fd)
        if created:
            fsync_directory(self.directory)

    def save_cursor(self, cursor: Cursor) -> None:
        self._ensure_directory()
        payload = (json.dumps(cursor.model_dump(mode="json"), sort_keys=True, indent=2) + "\n").encode()
        try:
            self._remove_stale_temps()
            atomic_write(self.cursor_path, payload, temp_prefix=_TMP_PREFIX)
        except OSError as err:
            raise _os_error(self.cursor_path, "cannot write state", err) from None

    # ------------------------------------------------------------------ helpers

    def _check_directory(self) -> None:
        if self.directory.exists() and not self.directory.is_dir():
            raise StateError(f"{self.directory}: state directory is not a directory")

    def _ensure_directory(self) -> None:
        self._check_directory()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _os_error(self.directory, "cannot create state directory", err) from None

    def _repair_tail(self, fd: int) -> None:
        """Before appending: cut off a partial last line left by a killed writer, or end a complete
        one that lacks its newline, so new lines never glue onto garbage."""
        offset, data = _read_tail(fd)
        start, last = _last_line(data)
        start += offset
        if not last:
            return
        if _parse_line(last) is None:
            log.warning("%s: dropping a truncated or garbled last line before appending", self.decisions_path)
            os.ftruncate(fd, start)
        elif not data.endswith(b"\n"):
            _write_all(fd, b"\n")

    def _remove_stale_temps(self) -> None:
        """Temp files of a cursor write that was killed before its rename."""
        for stale in self.directory.glob(f"{_TMP_PREFIX}*{TEMP_SUFFIX}"):
            stale.unlink(missing_ok=True)


def _os_error(path: Path, action: str, err: OSError) -> StateError:
    return StateError(f"{path}: {action}: {err.strerror or err}")


def _read_tail(fd: int, chunk: int = 1 << 16) -> tuple[int, bytes]:
    """The end of the file, from ``offset``, long enough to hold its whole last non-blank line."""
    size = os.fstat(fd).st_size
    while True:
        offset = max(0, size - chunk)
        data = os.pread(fd, size - offset, offset)
        if offset == 0 or b"\n" in data.rstrip():
            return offset, data
        chunk *= 2


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]
