"""Venue names: the dictionary of venues (and their workshop forms) and how the list spells them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical spelling (as awesome lists write it) -> other ways papers write it.
# Order matters only for display; matching always prefers the longest alias.
VENUES: dict[str, tuple[str, ...]] = {
    "CVPR": (
        "CVPR",
        "Conference on Computer Vision and Pattern Recognition",
        "Computer Vision and Pattern Recognition",
    ),
    "ICCV": ("ICCV", "International Conference on Computer Vision"),
    "ECCV": ("ECCV", "European Conference on Computer Vision"),
    "WACV": ("WACV", "Winter Conference on Applications of Computer Vision"),
    "BMVC": ("BMVC", "British Machine Vision Conference"),
    "ACCV": ("ACCV", "Asian Conference on Computer Vision"),
    "NeurIPS": ("NeurIPS", "NIPS", "Neural Information Processing Systems"),
    "ICLR": ("ICLR", "International Conference on Learning Representations"),
    "ICML": ("ICML", "International Conference on Machine Learning"),
    "AAAI": ("AAAI", "AAAI Conference on Artificial Intelligence"),
    "IJCAI": ("IJCAI", "International Joint Conference on Artificial Intelligence"),
    "ACM MM": ("ACM MM", "ACMMM", "ACM Multimedia", "ACM International Conference on Multimedia"),
    "ICME": (
        "ICME",
        "International Conference on Multimedia and Expo",
        "International Conference on Multimedia & Expo",
    ),
    "ICASSP": ("ICASSP",),
    "ICIP": ("ICIP", "International Conference on Image Processing"),
    "ICPR": ("ICPR", "International Conference on Pattern Recognition"),
    "KDD": ("KDD", "SIGKDD"),
    "CIKM": ("CIKM",),
    "ICDM": ("ICDM",),
    "MICCAI": ("MICCAI", "Medical Image Computing and Computer Assisted Intervention"),
    "IPMI": ("IPMI", "Information Processing in Medical Imaging"),
    "ISBI": ("ISBI",),
    "MIDL": ("MIDL",),
    "TPAMI": ("TPAMI", "T-PAMI", "IEEE Transactions on Pattern Analysis and Machine Intelligence"),
    "TIP": ("TIP", "IEEE Transactions on Image Processing", "Transactions on Image Processing"),
    "TNNLS": ("TNNLS", "IEEE Transactions on Neural Networks and Learning Systems"),
    "TCSVT": ("TCSVT", "IEEE Transactions on Circuits and Systems for Video Technology"),
    "TMM": ("TMM", "IEEE Transactions on Multimedia"),
    "IJCV": ("IJCV", "International Journal of Computer Vision"),
    "Pattern Recognition": ("Pattern Recognition",),
    "Medical Image Analysis": ("Medical Image Analysis", "MedIA"),
}

# Venues whose workshops the list writes as the name plus "W" (CVPRW, ICCVW, NIPSW …).
WORKSHOP_CAPABLE = frozenset(
    {"CVPR", "ICCV", "ECCV", "WACV", "NeurIPS", "ICLR", "ICML", "AAAI", "ACCV", "BMVC"}
)

_NOT_ACCEPTED = re.compile(
    r"\b(?:submitted|under\s+review|in\s+submission|under\s+submission|to\s+be\s+submitted|rejected"
    r"|technical\s+report|tech\.?\s+report)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)(\d{2})(?!\d)|'\s?(\d{2})\b")


@dataclass(frozen=True)
class VenueMatch:
    venue: str  # canonical spelling, "W" appended for workshops
    year: int | None


def _alias_patterns() -> list[tuple[re.Pattern[str], str]]:
    pairs = [(alias, name) for name, aliases in VENUES.items() for alias in aliases]
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)
    return [
        (re.compile(rf"(?<![A-Za-z]){re.escape(alias)}(?![A-Za-z])", re.IGNORECASE), name)
        for alias, name in pairs
    ]


_ALIASES = _alias_patterns()


def normalise_venue(text: str | None) -> str | None:
    """The canonical spelling of a venue name as a model or a person might write it, else None.

    >>> normalise_venue("NIPS Workshop")
    'NeurIPSW'
    >>> normalise_venue("cvprw")
    'CVPRW'
    """
    if not text or not text.strip():
        return None
    cleaned = re.sub(r"\b(?:19|20)\d{2}\b|'\d{2}\b", " ", text).strip()
    workshop = bool(re.search(r"workshops?\b", cleaned, re.IGNORECASE))
    if re.fullmatch(r"[A-Za-z]+W", cleaned, re.IGNORECASE):
        base = cleaned[:-1]
        if base.casefold() in {n.casefold() for n in WORKSHOP_CAPABLE} or base.upper() == "NIPS":
            cleaned, workshop = base, True
    for pattern, name in _ALIASES:
        if pattern.search(cleaned):
            return name + "W" if workshop and name in WORKSHOP_CAPABLE else name
    if cleaned.casefold() == "arxiv":
        return "arXiv"
    return None


def _year_after(text: str, start: int) -> int | None:
    match = _YEAR.search(text, start, start + 80)
    if match is None:
        return None
    two = match.group(1) or match.group(2)
    return 2000 + int(two) if int(two) < 70 else 1900 + int(two)


def venues_in(text: str | None) -> list[VenueMatch]:
    """Venues a comment or journal reference says the paper appeared at, in order.

    Clauses that say "submitted to" or "under review" are ignored; "workshop" near the name
    gives the workshop form (ICCV 2025 Workshop -> ICCVW).
    """
    found: list[VenueMatch] = []
    for clause in re.split(r"[;\n]|\.\s+(?=[A-Z])", text or ""):
        if _NOT_ACCEPTED.search(clause):
            continue
        taken: list[tuple[int, int]] = []
        for pattern, name in _ALIASES:
            for match in pattern.finditer(clause):
                if any(s <= match.start() < e for s, e in taken):
                    continue
                taken.append((match.start(), match.end()))
                window = clause[max(0, match.start() - 40) : match.end() + 60]
                workshop = bool(re.search(r"workshop", window, re.IGNORECASE))
                venue = name + "W" if workshop and name in WORKSHOP_CAPABLE else name
                match_ = VenueMatch(venue, _year_after(clause, match.start()))
                if match_ not in found:
                    found.append(match_)
    return found
