"""Section names: a full heading path (``A / B / C``) or any unique suffix of it (``B / C``)."""

from __future__ import annotations

from collections.abc import Sequence

from triagebot.errors import ListError

SEPARATOR = " / "


def _parts(name: str) -> list[str]:
    return [
        " ".join(part.split()).casefold() for part in name.replace("/", " / ").split(" / ") if part.strip()
    ]


def resolve_name(name: str, paths: Sequence[str]) -> str:
    """The one path in ``paths`` that ``name`` names (exactly, or as a unique suffix).

    Matching ignores case and spacing around ``/``. Raises ListError listing the candidates when
    the name is unknown or ambiguous.
    """
    wanted = _parts(name)
    if not wanted:
        raise ListError("empty section name")
    exact = [p for p in paths if _parts(p) == wanted]
    if len(exact) == 1:
        return exact[0]
    matches = [p for p in paths if _parts(p)[-len(wanted) :] == wanted]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ListError(f"unknown section '{name}'; sections are: {'; '.join(paths) or '(none)'}")
    raise ListError(f"ambiguous section '{name}'; it could be: {'; '.join(matches)}")


def is_protected(path: str, protected: Sequence[str]) -> bool:
    """True when a name in ``protected`` names ``path`` or a section above it (its parts appear in
    the path in a row), compared like :func:`resolve_name` (case, spacing around ``/``)."""
    parts = _parts(path)
    for name in protected:
        wanted = _parts(name)
        size = len(wanted)
        if size and any(parts[i : i + size] == wanted for i in range(len(parts) - size + 1)):
            return True
    return False


def shortest_unique_suffix(path: str, paths: Sequence[str]) -> str:
    """The shortest suffix of ``path`` that still names it uniquely among ``paths``."""
    parts = path.split(SEPARATOR)
    for size in range(1, len(parts) + 1):
        candidate = SEPARATOR.join(parts[-size:])
        try:
            if resolve_name(candidate, paths) == path:
                return candidate
        except ListError:
            continue
    return path
