"""GitHub misbehaving under the whole pipeline: no PR lost, none opened twice."""

from __future__ import annotations

import time

from tests.e2e.conftest import MakeWorld
from tests.e2e.harness import RELEVANT, SLOW, dropped, nth
from tests.servers.github_server import secondary_rate_limit, server_error
from triagebot.pr_convention import branch_for

PULLS = r"/repos/acme/awesome/pulls"


def test_transient_github_faults_are_retried_and_each_pr_opens_once(make_world: MakeWorld) -> None:
    world = make_world()
    gh = world.github
    gh.fail("POST", PULLS, secondary_rate_limit(retry_after=0))  # 403 secondary rate limit
    gh.fail("POST", PULLS, secondary_rate_limit(retry_after=0, status=429))
    gh.fail("GET", r"/contents/README\.md", server_error())
    gh.before("GET", r"/branches/main", nth(2, dropped))  # connection closed, no answer
    # The third PR: GitHub creates it but answers after the timeout; the client tries again
    # and must take the existing PR, not open a second one.
    gh.before("POST", PULLS, nth(5, lambda: time.sleep(SLOW)))
    first = world.run()
    assert first.code == 0, first.describe()
    # Every fault was met and retried: two rate-limited and one timed-out POST /pulls, one
    # dropped GET of the base branch (each PR reads it once).
    assert gh.calls().count(f"POST {PULLS}") == len(RELEVANT) + 3
    assert gh.calls().count("GET /repos/acme/awesome/branches/main") == len(RELEVANT) + 1
    assert len(gh.pulls) == len(RELEVANT)
    assert first.report is not None and first.report["published"] == len(RELEVANT)
    world.check()


def test_github_down_for_one_pr_leaves_it_as_an_error_and_the_rerun_opens_it_once(
    make_world: MakeWorld,
) -> None:
    world = make_world()
    gh = world.github
    # The second PR's creation answers 500 on every try (1 + 4 retries); the others go through.
    gh.before("POST", PULLS, nth(2, lambda: gh.fail("POST", PULLS, server_error(), times=5)))
    partial = world.run()
    assert partial.code == 1, partial.describe()
    assert partial.report is not None
    failed = [e["arxiv_id"] for e in partial.report["errors"]]
    assert len(failed) == 1 and failed[0] in RELEVANT
    assert partial.outcomes[failed[0]] == "error"
    assert len(gh.pulls) == len(RELEVANT) - 1
    assert branch_for(failed[0]) in gh.branches  # its branch was left behind, holding the entry
    settled = world.settle()
    assert settled.outcomes[failed[0]] == "published"  # on its leftover branch, as the only PR


def test_github_unreachable_for_the_pr_list_publishes_nothing_and_loses_nothing(
    make_world: MakeWorld,
) -> None:
    world = make_world()
    world.github.fail("GET", PULLS, server_error(), times=5)  # listing the bot's PRs fails every try
    blind = world.run()
    assert blind.code == 1, blind.describe()
    assert not world.github.pulls and not world.github.writes()
    assert all(blind.outcomes[i] == "pending" for i in RELEVANT)
    settled = world.settle()
    assert settled.model_calls == 0  # the pending decisions were reused
    assert len(world.github.pulls) == len(RELEVANT)


def test_caps_closed_and_merged_prs_settle_over_several_nights(make_world: MakeWorld) -> None:
    world = make_world(config={"publish": {"max_new_prs": 1}})
    gh = world.github
    closed = gh.add_pull(branch_for(RELEVANT[0]), body=f"<!-- triagebot:arxiv={RELEVANT[0]} -->")
    closed.state = "closed"
    merged = gh.add_pull(branch_for(RELEVANT[1]), body=f"<!-- triagebot:arxiv={RELEVANT[1]} -->")
    merged.state, merged.merged = "closed", True
    first = world.run()
    assert first.code == 0, first.describe()
    outcomes = first.outcomes
    assert outcomes[RELEVANT[0]] == "rejected_by_maintainer"  # closed without merge: never again
    assert outcomes[RELEVANT[1]] == "published"
    assert sorted(str(outcomes[i]) for i in RELEVANT[2:]) == ["pending", "published"]  # one new PR a night
    assert len(gh.pulls) == 3
    world.settle()
    assert len(gh.pulls) == 4 and closed.state == "closed"
