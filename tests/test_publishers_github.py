"""The GitHub publisher: real PyGithub against the fake GitHub server, every request asserted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.publish_helpers import FAST, XAD, decision, paper, proposals, publisher
from tests.servers.github_server import (
    GitHubServer,
    Seen,
    actions_forbidden,
    not_accessible,
    secondary_rate_limit,
    server_error,
    unauthorized,
)
from triagebot.adapters.publishers.factory import build_publisher
from triagebot.adapters.publishers.github import GitHubPublisher
from triagebot.config import PublishConfig
from triagebot.errors import ConfigError, PublishAccessError, PublishError
from triagebot.models import PRState, PublishStatus
from triagebot.pr_convention import marker
from triagebot.publish_caps import publish_all

REPO = "/repos/acme/awesome"


@pytest.fixture
def gh() -> Iterator[GitHubServer]:
    with GitHubServer(files={"README.md": XAD}) as server:
        yield server


def test_opens_one_pr_with_exactly_these_requests(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.OPENED
    assert (result.number, result.url) == (1, "https://github.com/acme/awesome/pull/1")
    assert gh.calls() == [
        f"GET {REPO}",
        f"GET {REPO}/pulls",
        f"GET {REPO}/branches/main",
        f"GET {REPO}/contents/README.md",
        f"GET {REPO}/branches/triagebot/2503.10001",
        f"POST {REPO}/git/refs",
        f"PUT {REPO}/contents/README.md",
        f"POST {REPO}/pulls",
        f"POST {REPO}/issues/1/labels",
    ]
    lookup = gh.requests[1]
    assert lookup.query == {"state": "all", "head": "acme:triagebot/2503.10001", "per_page": "100"}
    assert gh.requests[5].body == {"ref": "refs/heads/triagebot/2503.10001", "sha": gh.branches["main"]}
    put = gh.requests[6].body
    assert put["branch"] == "triagebot/2503.10001"
    assert put["message"] == "triagebot: Add AD01 (CVPR 2025) to Generative-model-based"
    create = gh.requests[7].body
    assert create == {
        "base": "main",
        "head": "triagebot/2503.10001",
        "title": proposal.title,
        "body": proposal.body,
        "draft": False,
    }
    assert gh.requests[8].body == ["triagebot"]
    assert gh.file("README.md", "triagebot/2503.10001") == proposal.apply(XAD)
    assert gh.file("README.md") == XAD  # the base is untouched
    assert all(r.headers["authorization"] == "token test-token" for r in gh.requests)


def test_running_the_same_proposals_twice_opens_each_pr_once(gh: GitHubServer) -> None:
    batch = proposals([paper(1), paper(2)])
    config = PublishConfig()
    first = publish_all(publisher(gh), batch, config)
    second = publish_all(publisher(gh), batch, config)
    assert [r.status for r in first] == [PublishStatus.OPENED, PublishStatus.OPENED]
    assert [r.status for r in second] == [PublishStatus.EXISTS_OPEN, PublishStatus.EXISTS_OPEN]
    assert sum(1 for r in gh.requests if str(r) == f"POST {REPO}/pulls") == 2
    assert len(gh.pulls) == 2


def test_a_closed_pr_is_never_reopened(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.add_pull("triagebot/2503.10001", body=marker("2503.10001"), state="closed")
    pub = publisher(gh)
    result = pub.publish(proposal)
    assert result.status is PublishStatus.REJECTED
    assert result.number == 1 and "never again" in result.message
    assert gh.writes() == []
    assert pub.existing(["2503.10001"])["2503.10001"].state is PRState.CLOSED


def test_a_merged_pr_is_done(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.add_pull("triagebot/2503.10001", body=marker("2503.10001"), state="closed", merged=True)
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.MERGED
    assert gh.writes() == []


def test_an_open_pr_is_left_alone_while_it_merges_cleanly(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    publisher(gh).publish(proposal)
    gh.requests.clear()
    gh.commit("main", "README.md", XAD + "\nA maintainer's note.\n")
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.EXISTS_OPEN and "left as is" in result.message
    assert gh.writes() == []


def test_an_open_pr_that_no_longer_merges_is_recomposed_on_the_base(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    publisher(gh).publish(proposal)
    edited = XAD.replace("Paper and dataset collection", "A paper and dataset collection")
    gh.commit("main", "README.md", edited)
    gh.pulls[1].mergeable = False
    gh.requests.clear()
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.EXISTS_OPEN and "refreshed" in result.message
    assert [str(w) for w in gh.writes()] == [
        f"PATCH {REPO}/git/refs/heads/triagebot/2503.10001",
        f"PUT {REPO}/contents/README.md",
    ]
    assert gh.writes()[0].body == {"sha": gh.branches["main"], "force": True}
    assert gh.file("README.md", "triagebot/2503.10001") == proposal.apply(edited)  # keeps the edit


def test_the_change_is_composed_against_the_base_as_it_is_now(gh: GitHubServer) -> None:
    edited = XAD.replace("Paper and dataset collection", "A curated paper and dataset collection")
    gh.commit("main", "README.md", edited)
    [proposal] = proposals([paper(1)])  # composed from the old text: apply() re-reads
    publisher(gh).publish(proposal)
    assert gh.file("README.md", "triagebot/2503.10001") == proposal.apply(edited)


def test_a_leftover_branch_without_a_pr_is_reused(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.create_branch("triagebot/2503.10001")
    gh.commit("triagebot/2503.10001", "README.md", proposal.apply(XAD))  # a crash after the commit
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.OPENED
    writes = [str(w) for w in gh.writes()]
    assert writes == [f"POST {REPO}/pulls", f"POST {REPO}/issues/1/labels"]


def test_a_stale_leftover_branch_is_reset_to_the_base(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.create_branch("triagebot/2503.10001")
    gh.commit("triagebot/2503.10001", "README.md", "junk from an old attempt\n")
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.OPENED
    assert [str(w) for w in gh.writes()][:2] == [
        f"PATCH {REPO}/git/refs/heads/triagebot/2503.10001",
        f"PUT {REPO}/contents/README.md",
    ]
    assert gh.file("README.md", "triagebot/2503.10001") == proposal.apply(XAD)


def test_a_409_rereads_and_retries(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    moved = {"done": False}

    def someone_pushes(seen: Seen) -> None:  # the file moves between our read and our write
        if not moved["done"]:
            moved["done"] = True
            gh.commit("triagebot/2503.10001", "README.md", XAD + "\npushed meanwhile\n")

    gh.before("PUT", "/contents/README.md", someone_pushes)
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.OPENED
    puts = [r for r in gh.requests if str(r) == f"PUT {REPO}/contents/README.md"]
    assert len(puts) == 2
    assert gh.file("README.md", "triagebot/2503.10001") == proposal.apply(XAD)


def test_409_every_time_becomes_a_publish_error(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.before(
        "PUT", "/contents/README.md", lambda seen: gh.commit("triagebot/2503.10001", "README.md", "x\n")
    )
    with pytest.raises(PublishError, match="409"):
        publisher(gh).publish(proposal)


def test_422_already_exists_takes_the_idempotent_path(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])

    def parallel_run_opens_it(seen: Seen) -> None:
        if not gh.pulls:
            gh.add_pull("triagebot/2503.10001", body=proposal.body)

    gh.before("POST", "/pulls", parallel_run_opens_it)
    result = publisher(gh).publish(proposal)
    assert result.status is PublishStatus.EXISTS_OPEN and result.number == 1
    assert len(gh.pulls) == 1


def test_401_names_the_fix_and_stops_the_run_without_more_calls(gh: GitHubServer) -> None:
    batch = proposals([paper(1), paper(2)])
    pub = GitHubPublisher(token="wrong", repo=gh.full_name, api_url=gh.base_url, tuning=FAST)
    with pytest.raises(PublishAccessError, match="401") as info:
        pub.publish(batch[0])
    assert info.value.hint is not None and "GITHUB_TOKEN" in info.value.hint
    gh.requests.clear()
    results = publish_all(pub, batch, PublishConfig())
    assert [r.status for r in results] == [PublishStatus.FAILED, PublishStatus.FAILED]
    assert all("401" in r.message for r in results)
    assert len(gh.requests) == 1  # open_count failed once; nothing else was tried


def test_403_for_actions_names_the_repository_setting(gh: GitHubServer) -> None:
    batch = proposals([paper(1), paper(2)])
    gh.fail("POST", "/pulls", actions_forbidden())
    results = publish_all(publisher(gh), batch, PublishConfig())
    assert [r.status for r in results] == [PublishStatus.FAILED, PublishStatus.FAILED]
    assert "Allow GitHub Actions to create and approve pull requests" in results[0].message
    assert results[1].message == results[0].message
    assert sum(1 for r in gh.requests if str(r) == f"POST {REPO}/pulls") == 1


def test_403_without_scope_names_the_token_permissions(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.fail("PUT", "/contents/README.md", not_accessible())
    with pytest.raises(PublishAccessError) as info:
        publisher(gh).publish(proposal)
    assert info.value.hint is not None
    assert "contents: write" in info.value.hint and "pull-requests: write" in info.value.hint


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_backs_off_and_retries(gh: GitHubServer, status: int) -> None:
    [proposal] = proposals([paper(1)])
    gh.fail("POST", "/pulls", secondary_rate_limit(retry_after=30, status=status))
    result = publisher(gh).publish(proposal)  # Retry-After capped at max_wait=0 in tests
    assert result.status is PublishStatus.OPENED
    assert sum(1 for r in gh.requests if str(r) == f"POST {REPO}/pulls") == 2


def test_rate_limit_that_does_not_lift_is_a_clear_error(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.fail("POST", "/pulls", secondary_rate_limit(), times=10)
    with pytest.raises(PublishError, match="rate limit"):
        publisher(gh).publish(proposal)


def test_a_500_is_retried(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.fail("PUT", "/contents/README.md", server_error())
    assert publisher(gh).publish(proposal).status is PublishStatus.OPENED


def test_one_failing_proposal_does_not_stop_the_others(gh: GitHubServer) -> None:
    batch = proposals([paper(1), paper(2)])
    gh.fail("POST", "/git/refs", server_error(), times=3)  # the first one's retries all fail
    results = publish_all(publisher(gh), batch, PublishConfig())
    assert [r.status for r in results] == [PublishStatus.FAILED, PublishStatus.OPENED]
    assert "500" in results[0].message
    assert results[1].arxiv_ids == ("2503.10002",)


def test_open_pr_cap_holds_and_the_rest_is_pending(gh: GitHubServer) -> None:
    for n in range(3):
        gh.add_pull(f"triagebot/2401.0000{n}", body=marker(f"2401.0000{n}"))
    gh.add_pull("feature/human", body="not the bot's", labels=())
    batch = proposals([paper(1), paper(2), paper(3)])
    results = publish_all(publisher(gh), batch, PublishConfig(max_open_prs=4, max_new_prs=5))
    assert [r.status for r in results] == [PublishStatus.OPENED, PublishStatus.PENDING, PublishStatus.PENDING]
    assert "max_open_prs=4" in results[1].message
    assert len(gh.open_pulls()) == 5  # 3 earlier bot PRs + 1 human + 1 new


def test_new_pr_cap_per_run(gh: GitHubServer) -> None:
    batch = proposals([paper(1), paper(2), paper(3)])
    results = publish_all(publisher(gh), batch, PublishConfig(max_new_prs=2))
    assert [r.status for r in results] == [PublishStatus.OPENED, PublishStatus.OPENED, PublishStatus.PENDING]
    assert results[2].message == "pending: max_new_prs=2 reached this run"
    later = publish_all(publisher(gh), batch, PublishConfig(max_new_prs=2))  # the next run
    assert [r.status for r in later] == [
        PublishStatus.EXISTS_OPEN,
        PublishStatus.EXISTS_OPEN,
        PublishStatus.OPENED,
    ]


def test_existing_finds_prs_by_marker_and_branch_across_pages(gh: GitHubServer) -> None:
    for n in range(120):
        gh.add_pull(f"feature/{n}", body="a human PR", labels=())
    gh.add_pull("triagebot/run-1", body=marker("2503.10001") + "\n" + marker("2503.10002"), state="closed")
    gh.add_pull("triagebot/2503.10002", body="marker edited away by a maintainer")
    gh.add_pull("triagebot/2503.10003", body=marker("2503.10003"), state="closed", merged=True)
    found = publisher(gh).existing(["2503.10001", "2503.10002", "2503.10003", "2503.10004"])
    assert {k: (v.state, v.number) for k, v in found.items()} == {
        "2503.10001": (PRState.CLOSED, 121),
        "2503.10002": (PRState.OPEN, 122),  # open beats the closed group PR
        "2503.10003": (PRState.MERGED, 123),
    }
    pages = [r.query.get("page", "1") for r in gh.requests if str(r) == f"GET {REPO}/pulls"]
    assert pages == ["1", "2"]


def test_a_pr_from_a_fork_cannot_pass_for_the_bots(gh: GitHubServer) -> None:
    """Anyone can open (and close) a PR with a copied marker from a fork; only the bot's branches
    in the repository itself count, so an outsider cannot make the bot skip a paper."""
    gh.add_pull("triagebot/2503.10001", body=marker("2503.10001"), state="closed", head_repo="mallory/list")
    gh.add_pull("patch-1", body=marker("2503.10002"), head_repo="mallory/list")
    bot = publisher(gh)
    assert bot.existing(["2503.10001", "2503.10002"]) == {}
    assert bot.open_count() == 0


def test_read_list_reads_the_base_branch_through_the_api(gh: GitHubServer) -> None:
    gh.create_branch("develop")
    gh.commit("develop", "README.md", "# Develop\n")
    assert publisher(gh).read_list("README.md") == XAD
    assert publisher(gh, base_branch="develop").read_list("README.md") == "# Develop\n"
    with pytest.raises(PublishError, match="not found on branch main"):
        publisher(gh).read_list("docs/missing.md")


def test_low_confidence_opens_a_draft_with_its_label(gh: GitHubServer) -> None:
    p = paper(1)
    [proposal] = proposals([p], decisions={p.arxiv_id: decision(p, confidence=0.4)})
    publisher(gh).publish(proposal)
    assert gh.pulls[1].draft is True
    assert gh.pulls[1].labels == ["triagebot", "low-confidence"]


def test_group_pr_publishes_once_for_all_papers(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1), paper(2)], PublishConfig(group=True))
    assert publisher(gh).publish(proposal).status is PublishStatus.OPENED
    assert publisher(gh).publish(proposal).status is PublishStatus.EXISTS_OPEN
    found = publisher(gh).existing(["2503.10001", "2503.10002"])
    assert {v.branch for v in found.values()} == {"triagebot/run-20250326T011700Z"}


def test_entry_already_on_the_base_is_no_change(gh: GitHubServer) -> None:
    [proposal] = proposals([paper(1)])
    gh.commit("main", "README.md", proposal.apply(XAD))
    assert publisher(gh).publish(proposal).status is PublishStatus.NO_CHANGE
    assert gh.writes() == []


def test_from_config_reads_token_api_url_and_repository_from_the_environment(
    gh: GitHubServer, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("MY_TOKEN", gh.token)
    monkeypatch.setenv("GITHUB_API_URL", gh.base_url)
    monkeypatch.setenv("GITHUB_REPOSITORY", gh.full_name)
    pub = GitHubPublisher.from_config(PublishConfig(token_env="MY_TOKEN"), tuning=FAST)
    assert pub.read_list("README.md") == XAD
    assert pub.base() == "main"


def test_build_publisher_github_needs_a_token_and_a_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    with pytest.raises(ConfigError, match=r"needs a token in \$GITHUB_TOKEN"):
        build_publisher("github", PublishConfig(), list_path=Path("README.md"))
    monkeypatch.setenv("GITHUB_TOKEN", "s3cr3t-token")
    with pytest.raises(ConfigError, match="owner/name"):
        build_publisher("github", PublishConfig(), list_path=Path("README.md"))
    publisher_ = build_publisher("github", PublishConfig(repo="acme/awesome"), list_path=Path("README.md"))
    assert isinstance(publisher_, GitHubPublisher)
    assert "s3cr3t" not in repr(publisher_) and "s3cr3t" not in repr(vars(publisher_))


def test_unauthorized_helper_is_served_as_401(gh: GitHubServer) -> None:
    gh.fail("GET", "/pulls", unauthorized())
    with pytest.raises(PublishAccessError, match="Bad credentials"):
        publisher(gh).existing(["2503.10001"])


def test_the_upkeep_pr_does_not_count_against_the_open_paper_pr_cap(gh: GitHubServer) -> None:
    """``triagebot verify`` keeps one upkeep PR open; it must not hold new papers back."""
    gh.add_pull("triagebot/upkeep", body="<!-- triagebot:upkeep {} -->")
    gh.add_pull("triagebot/2503.10001", body=marker("2503.10001"))
    assert publisher(gh).open_count() == 1
