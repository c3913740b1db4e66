"""Reading a list file: bytes to text, with a one-line error for anything that is not a text list."""

from __future__ import annotations

from pathlib import Path

from triagebot.errors import ListError

# Real awesome lists are well under 1 MB (a 10,000-entry list is about 2 MB). Above this a parse
# would cost a minute or more and gigabytes (50 MB of entries: ~1 min, 2.4 GB): refuse before reading.
MAX_LIST_BYTES = 10_000_000


def read_list_file(path: Path) -> str:
    """The UTF-8 text of the list at ``path``, byte for byte (a BOM is kept as ``\\ufeff``).

    Raises ListError when the path is missing, a directory, unreadable, empty, binary, not UTF-8 or
    larger than MAX_LIST_BYTES.
    """
    if path.is_dir():
        raise ListError(f"{path}: is a directory, not a list file")
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise ListError(
                f"{path}: is {size / 1e6:.1f} MB, too large for a Markdown list "
                f"(the limit is {MAX_LIST_BYTES // 1_000_000} MB)"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ListError(f"{path}: no such file") from None
    except OSError as err:
        raise ListError(f"{path}: cannot be read ({err.strerror or err})") from None
    if not data.strip():
        raise ListError(f"{path}: is empty")
    if b"\x00" in data:
        raise ListError(f"{path}: is a binary file, not a Markdown list")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ListError(f"{path}: is not UTF-8 text (invalid byte at offset {err.start})") from None
