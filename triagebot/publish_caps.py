"""Publish a run's proposals within the caps; one result per proposal, whatever happens.

At most ``max_open_prs`` of the bot's pull requests may be open and at most ``max_new_prs`` are
opened per run; the rest come back PENDING (published on a later run, never dropped). One
proposal's failure never stops the others, except a refusal of the token or a repository setting
(:class:`PublishAccessError`), which would fail every proposal alike: those are not retried in
this run and all come back FAILED with the same message and hint.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from triagebot.config import PublishConfig
from triagebot.errors import PublishAccessError, TriagebotError
from triagebot.models import Proposal, PublishResult, PublishStatus
from triagebot.ports import Publisher

log = logging.getLogger(__name__)

# What counts against the caps: a PR opened, or (dry run) a preview of one written.
_NEW = frozenset({PublishStatus.OPENED, PublishStatus.PREVIEWED})


def _failed(proposal: Proposal, message: str) -> PublishResult:
    return PublishResult(proposal.arxiv_ids, PublishStatus.FAILED, message=message)


def publish_all(
    publisher: Publisher, proposals: Sequence[Proposal], config: PublishConfig
) -> list[PublishResult]:
    """Publish ``proposals`` in order; returns one result per proposal, in the same order.

    Statuses: what the publisher answered, PENDING when a cap held it back, FAILED (with the
    one-line reason in ``message``) when publishing it raised.
    """
    if not proposals:
        return []
    try:
        open_now = publisher.open_count()
    except TriagebotError as err:
        log.error("cannot count the bot's open pull requests; publishing nothing this run: %s", err)
        return [_failed(p, f"cannot count open bot pull requests: {err.with_hint()}") for p in proposals]
    results: list[PublishResult] = []
    opened = 0
    fatal: str | None = None
    for proposal in proposals:
        if fatal is not None:
            results.append(_failed(proposal, fatal))
            continue
        if opened >= config.max_new_prs or open_now >= config.max_open_prs:
            cap = (
                f"max_new_prs={config.max_new_prs} reached this run"
                if opened >= config.max_new_prs
                else f"max_open_prs={config.max_open_prs} bot pull requests are open"
            )
            results.append(
                PublishResult(proposal.arxiv_ids, PublishStatus.PENDING, message=f"pending: {cap}")
            )
            continue
        try:
            result = publisher.publish(proposal)
        except PublishAccessError as err:
            log.error("%s: %s", proposal.branch, err.with_hint())
            fatal = err.with_hint()
            results.append(_failed(proposal, fatal))
            continue
        except TriagebotError as err:
            log.error("%s: publishing failed: %s", proposal.branch, err.with_hint())
            results.append(_failed(proposal, err.with_hint()))
            continue
        except Exception as err:  # a bug must not cost the other papers their turn; it is recorded
            log.exception("%s: unexpected error while publishing", proposal.branch)
            results.append(_failed(proposal, f"internal error: {type(err).__name__}: {err}"))
            continue
        if result.status in _NEW:
            opened += 1
            open_now += 1
        results.append(result)
    return results
