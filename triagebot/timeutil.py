"""The one home of the UTC rule: a naive time is UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive ``moment`` is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def assume_utc(moment: datetime) -> datetime:
    """``moment`` with UTC as its zone when it has none; an aware ``moment`` keeps its offset (a
    feed's announcement day is the day in arXiv's own zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)
