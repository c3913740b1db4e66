"""Reading a list file: bytes to text, with a one-line error for anything that is not a text list."""

from __future__ import annotations

from pathlib import Path

from triagebot.errors import ListError


def read_list_file(path: Path) -> str:
    """The UTF-8 text of the list at ``path``, byte for byte (a BOM is kept as ``\\ufeff``).

    Raises ListError when the path is missing, a directory, unreadable, empty, binary or not UTF-8.
    """
    if path.is_dir():
        raise ListError(f"{path}: is a directory, not a list file")
    try:
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
