"""Pull requests on GitHub through PyGithub; the only module that imports ``github``.

Safe to rerun without local state: a proposal's branch (``triagebot/<arxiv id>``) and the hidden
``<!-- triagebot:arxiv=<id> -->`` markers in PR bodies find the bot's pull requests, open or
closed. Before opening anything the branch's PRs are looked up: open -> left alone (refreshed only
when GitHub says it no longer merges cleanly); merged -> done; closed without merge -> REJECTED,
never proposed again. A leftover branch without a PR is reused. The change is always composed
against the list as it is on the base branch at that moment (``proposal.apply``), committed with
the contents API on the bot's branch; a 409 (the file moved under us) re-reads and retries.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Self, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry

from triagebot.config import PublishConfig, secret
from triagebot.errors import ConfigError, PublishAccessError, PublishError
from triagebot.models import ExistingPR, Proposal, PRState, PublishResult, PublishStatus, UpkeepHistory
from triagebot.pr_convention import BRANCH_PREFIX, UPKEEP_BRANCH, id_from_branch, markers_in, upkeep_keys

log = logging.getLogger(__name__)

T = TypeVar("T")

SCOPE_HINT = (
    "give the token 'contents: write' and 'pull-requests: write' (the workflow's permissions: block, "
    "or a fine-grained token with both on this repository)"
)
ACTIONS_HINT = (
    'turn on the repository setting "Allow GitHub Actions to create and approve pull requests" '
    "(Settings > Actions > General > Workflow permissions)"
)
_PRECEDENCE = {PRState.OPEN: 0, PRState.MERGED: 1, PRState.CLOSED: 2}


@dataclass(frozen=True)
class Tuning:
    """Client behaviour: PyGithub's throttling and retries (tests set the waits to 0)."""

    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    retries: int = 4  # per request: 5xx, rate limits (Retry-After honoured)
    backoff_factor: float = 1.0
    secondary_rate_wait: float = 60.0  # when a secondary rate limit gives no Retry-After
    max_wait: int = 300  # longest Retry-After honoured, seconds
    timeout: int = 30
    conflict_retries: int = 3  # re-read and recompose after a 409


def _message(err: GithubException) -> str:
    data = err.data if isinstance(err.data, dict) else {}
    parts = [str(data.get("message") or err.message or "")]
    for item in data.get("errors") or []:
        if isinstance(item, dict) and item.get("message"):
            parts.append(str(item["message"]))
    return ": ".join(p for p in parts if p) or "no message"


def _is(err: GithubException, status: int, *words: str) -> bool:
    text = _message(err).casefold()
    return err.status == status and all(word in text for word in words)


def publish_error(err: GithubException | requests.RequestException, action: str) -> PublishError:
    """A one-line error naming what failed and, for refusals, the fix."""
    if isinstance(err, requests.RequestException):
        return PublishError(f"GitHub could not be reached while {action}: {type(err).__name__}: {err}")
    status, text = err.status, _message(err)
    if status == 401:
        return PublishAccessError(
            f"GitHub rejected the token (401 {text}) while {action}",
            hint="set GITHUB_TOKEN (or the variable named by publish.token_env) to a valid token",
        )
    if status == 403 and "not permitted to create or approve pull requests" in text.casefold():
        return PublishAccessError(
            f"GitHub refused to let Actions open a pull request (403 {text})", hint=ACTIONS_HINT
        )
    if status in (403, 429) and ("rate limit" in text.casefold() or "retry" in text.casefold()):
        return PublishError(f"GitHub rate limit while {action}, after retries (403 {text}); try again later")
    if status == 403 or (status == 404 and "not accessible" in text.casefold()):
        return PublishAccessError(f"GitHub refused {action} ({status} {text})", hint=SCOPE_HINT)
    return PublishError(f"GitHub answered {status} while {action}: {text}")


def _call(action: str, fn: Callable[[], T]) -> T:
    """``fn()``, with PyGithub's and requests' errors turned into PublishError."""
    try:
        return fn()
    except (GithubException, requests.RequestException) as err:
        raise publish_error(err, action) from err


def _state(pr: Any) -> PRState:
    if pr.merged_at is not None:
        return PRState.MERGED
    return PRState.OPEN if pr.state == "open" else PRState.CLOSED


def _ids_of(pr: Any) -> list[str]:
    """The papers a PR proposes: its body's markers, else what its branch name says."""
    ids = markers_in(pr.body)
    branch_id = id_from_branch(pr.head.ref)
    if branch_id and branch_id not in ids:
        ids.append(branch_id)
    return ids


def _from_repo(pr: Any, repo_name: str) -> bool:
    """Whether ``pr`` comes from a branch of this repository (anyone can open one from a fork,
    only writers push here): what the bot's PRs are told apart by, before branch and marker."""
    head_repo = pr.head.repo
    return head_repo is not None and str(head_repo.full_name).casefold() == repo_name.casefold()


def _is_bots(pr: Any, repo_name: str) -> bool:
    """A PR of the bot: from a branch of this repository, named ``triagebot/…`` or carrying the
    bot's marker."""
    return _from_repo(pr, repo_name) and bool(pr.head.ref.startswith(BRANCH_PREFIX) or markers_in(pr.body))


class GitHubPublisher:
    """Pull requests on one repository."""

    def __init__(
        self,
        *,
        token: str,
        repo: str,
        base_branch: str | None = None,
        api_url: str | None = None,
        tuning: Tuning | None = None,
        commit_prefix: str = "triagebot: ",
    ) -> None:
        self.repo_name = repo
        self.base_branch = base_branch
        self.commit_prefix = commit_prefix
        self.tuning = tuning or Tuning()
        t = self.tuning
        retry = GithubRetry(
            total=t.retries,
            backoff_factor=t.backoff_factor,
            secondary_rate_wait=t.secondary_rate_wait,
            retry_after_max=t.max_wait,
            raise_on_status=False,
        )
        self.client = Github(
            auth=Auth.Token(token),
            base_url=(api_url or "https://api.github.com").rstrip("/"),
            timeout=t.timeout,
            per_page=100,
            retry=retry,
            seconds_between_requests=t.seconds_between_requests or None,
            seconds_between_writes=t.seconds_between_writes or None,
        )

    @classmethod
    def from_config(cls, config: PublishConfig, *, tuning: Tuning | None = None) -> Self:
        """Token from ``token_env``, API URL from GITHUB_API_URL, repo from config or GITHUB_REPOSITORY;
        pacing, backoff and timeout from the config unless ``tuning`` is given."""
        token = secret(config.token_env)
        if token is None:
            raise ConfigError(
                f"publishing to GitHub needs a token in ${config.token_env}",
                hint=f"export {config.token_env}=... (in Actions: env: {config.token_env}: "
                "${{ secrets.GITHUB_TOKEN }}), or use --publish dir:PATH for previews",
            )
        repo = config.resolved_repo()
        if not repo or repo.count("/") != 1:
            raise ConfigError(
                f"publishing to GitHub needs the repository as owner/name, got {repo!r}",
                hint="set publish.repo in triagebot.toml or GITHUB_REPOSITORY",
            )
        if tuning is None:
            tuning = Tuning(
                seconds_between_requests=config.delay_seconds,
                seconds_between_writes=config.write_delay_seconds,
                backoff_factor=config.backoff_seconds,
                timeout=config.timeout,
            )
        return cls(
            token=token.get_secret_value(),
            repo=repo,
            base_branch=config.base_branch,
            api_url=os.environ.get("GITHUB_API_URL") or None,
            tuning=tuning,
        )

    # ------------------------------------------------------------ reading

    @cached_property
    def _repo(self) -> Any:
        return _call(f"reading the repository {self.repo_name}", lambda: self.client.get_repo(self.repo_name))

    @property
    def owner(self) -> str:
        return self.repo_name.split("/", 1)[0]

    def base(self, proposal: Proposal | None = None) -> str:
        """The base branch: the proposal's, the configured one, else the repository's default."""
        if proposal is not None and proposal.base:
            return proposal.base
        return self.base_branch or str(self._repo.default_branch)

    def _read(self, path: str, ref: str) -> tuple[str, str] | None:
        """(text, blob sha) of ``path`` at ``ref``; None when the file is not there."""
        try:
            content = self._repo.get_contents(path, ref=ref)
        except GithubException as err:
            if err.status == 404:
                return None
            raise publish_error(err, f"reading {path} at {ref}") from err
        except requests.RequestException as err:
            raise publish_error(err, f"reading {path} at {ref}") from err
        if isinstance(content, list):
            raise PublishError(f"{path} is a folder in {self.repo_name}, not the list file")
        try:
            if content.encoding == "base64":
                data = content.decoded_content
            else:  # over 1 MB the contents API sends no content: read the blob (up to 100 MB)
                blob = _call(f"reading {path} at {ref}", lambda: self._repo.get_git_blob(content.sha))
                data = base64.b64decode(blob.content)
            return data.decode("utf-8"), str(content.sha)
        except UnicodeDecodeError:
            raise PublishError(f"{path} in {self.repo_name} is not UTF-8 text") from None

    def read_list(self, path: str) -> str:
        base = self.base()
        found = self._read(path, base)
        if found is None:
            raise PublishError(f"{path} not found on branch {base} of {self.repo_name}")
        return found[0]

    def _pulls(self, **filters: str) -> Iterable[Any]:
        return _call("listing pull requests", lambda: list(self._repo.get_pulls(**filters)))

    def existing(self, arxiv_ids: Sequence[str]) -> dict[str, ExistingPR]:
        """The bot's PRs for these papers, by body marker or branch name; open beats merged beats closed."""
        wanted = set(arxiv_ids)
        found: dict[str, ExistingPR] = {}
        if not wanted:
            return found
        for pr in self._pulls(state="all", sort="created", direction="desc"):
            if not _is_bots(pr, self.repo_name):
                continue
            for arxiv_id in _ids_of(pr):
                if arxiv_id not in wanted:
                    continue
                candidate = ExistingPR(arxiv_id, pr.number, _state(pr), pr.html_url, pr.head.ref)
                kept = found.get(arxiv_id)
                if kept is None or _PRECEDENCE[candidate.state] < _PRECEDENCE[kept.state]:
                    found[arxiv_id] = candidate
        return found

    def open_count(self) -> int:
        """Open paper PRs of the bot (the upkeep PR of ``verify`` does not hold papers back)."""
        return sum(
            1
            for pr in self._pulls(state="open")
            if _is_bots(pr, self.repo_name) and pr.head.ref != UPKEEP_BRANCH
        )

    # ------------------------------------------------------------ publishing

    def publish(self, proposal: Proposal) -> PublishResult:
        base = self.base(proposal)
        found = self._branch_pulls(proposal.branch)
        if found:
            return self._existing(found[0], proposal, base)
        return self._open(proposal, base)

    def _branch_pulls(self, branch: str) -> list[Any]:
        """PRs whose head is ``branch``: open first, then merged, then closed."""
        pulls = list(self._pulls(state="all", head=f"{self.owner}:{branch}"))
        return sorted(pulls, key=lambda pr: _PRECEDENCE[_state(pr)])

    def _result(self, proposal: Proposal, status: PublishStatus, pr: Any, message: str) -> PublishResult:
        return PublishResult(proposal.arxiv_ids, status, url=pr.html_url, number=pr.number, message=message)

    def _existing(self, pr: Any, proposal: Proposal, base: str) -> PublishResult:
        state = _state(pr)
        if state is PRState.MERGED:
            return self._result(proposal, PublishStatus.MERGED, pr, f"PR #{pr.number} was merged")
        if state is PRState.CLOSED:
            return self._result(
                proposal,
                PublishStatus.REJECTED,
                pr,
                f"PR #{pr.number} was closed without merging: never again",
            )
        full = _call(f"reading PR #{pr.number}", lambda: self._repo.get_pull(pr.number))
        if full.mergeable is not False:
            return self._result(
                proposal, PublishStatus.EXISTS_OPEN, pr, f"PR #{pr.number} is open; left as is"
            )
        log.info("PR #%s no longer merges cleanly; recomposing it on %s", pr.number, base)
        outcome = self._compose_on_branch(proposal, base, reset=True)
        if outcome == "no_change":
            message = f"PR #{pr.number} is open; {base} already holds the entry, so it was left as is"
        else:
            message = f"PR #{pr.number} is open; refreshed because it no longer merged cleanly"
        return self._result(proposal, PublishStatus.EXISTS_OPEN, pr, message)

    def _open(self, proposal: Proposal, base: str) -> PublishResult:
        if self._compose_on_branch(proposal, base, reset=False) == "no_change":
            return PublishResult(
                proposal.arxiv_ids, PublishStatus.NO_CHANGE, message=f"{base} already holds it"
            )
        pr = self._create_pull(proposal, base)
        if pr is None:  # 422 "already exists": someone (a parallel run) opened it first
            found = self._branch_pulls(proposal.branch)
            if not found:
                raise PublishError(f"GitHub says a PR for {proposal.branch} exists, but none was found")
            return self._existing(found[0], proposal, base)
        message = f"opened PR #{pr.number}"
        try:
            _call(f"labelling PR #{pr.number}", lambda: pr.add_to_labels(*proposal.labels))
        except PublishError as err:  # the PR stands; the labels are a convenience for people
            log.warning("PR #%s opened, but labelling failed: %s", pr.number, err)
            message += f" (labels not added: {err})"
        return self._result(proposal, PublishStatus.OPENED, pr, message)

    def _create_pull(self, proposal: Proposal, base: str) -> Any | None:
        """The new PR, or None when GitHub says one already exists for the branch."""
        draft = proposal.draft
        for _ in range(2):
            try:
                return self._repo.create_pull(
                    base=base, head=proposal.branch, title=proposal.title, body=proposal.body, draft=draft
                )
            except GithubException as err:
                if _is(err, 422, "already exists"):
                    log.info("a PR for %s already exists; taking it", proposal.branch)
                    return None
                if draft and _is(err, 422, "draft"):
                    log.warning("draft PRs are not available on %s; opening a normal PR", self.repo_name)
                    draft = False
                    continue
                raise publish_error(err, f"opening the PR for {proposal.branch}") from err
            except requests.RequestException as err:
                raise publish_error(err, f"opening the PR for {proposal.branch}") from err
        raise PublishError(f"GitHub would not open the PR for {proposal.branch}")

    def _compose_on_branch(self, proposal: Proposal, base: str, *, reset: bool) -> str:
        """Commit ``proposal.apply(list on base now)`` to the proposal's branch.

        Returns "no_change" (the base already has it), "unchanged" (the branch already holds
        exactly this) or "committed". A 409 (the file moved) re-reads everything and retries.
        """
        attempts = self.tuning.conflict_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                return self._compose_once(proposal, base, reset=reset)
            except GithubException as err:
                if err.status != 409 or attempt == attempts:
                    raise publish_error(err, f"committing to {proposal.branch}") from err
                log.info(
                    "%s moved while committing (409); re-reading (try %d)", proposal.list_path, attempt + 1
                )
            except requests.RequestException as err:
                raise publish_error(err, f"committing to {proposal.branch}") from err
        raise AssertionError("unreachable")

    def _compose_once(self, proposal: Proposal, base: str, *, reset: bool) -> str:
        path, branch = proposal.list_path, proposal.branch
        base_sha = str(self._repo.get_branch(base).commit.sha)
        found = self._read(path, base_sha)
        if found is None:
            raise PublishError(f"{path} not found on branch {base} of {self.repo_name}")
        base_text, base_blob = found
        new_text = proposal.apply(base_text)
        if new_text == base_text:
            return "no_change"
        if not self._branch_exists(branch):
            try:
                self._repo.create_git_ref(ref=f"refs/heads/{branch}", sha=base_sha)
            except GithubException as err:
                if not _is(err, 422, "already exists"):
                    raise
                reset = True  # created meanwhile (a parallel run): start it again from the base
        else:
            on_branch = self._read(path, branch)
            if on_branch is not None and on_branch[0] == new_text and not reset:
                log.info("reusing leftover branch %s, which already holds the change", branch)
                return "unchanged"
            reset = True
        if reset:
            log.info("resetting %s to %s at %s", branch, base, base_sha[:7])
            ref = self._repo.get_git_ref(f"heads/{branch}")
            log.debug("%s was at %s", branch, ref.object.sha)  # loads the ref: its canonical URL
            ref.edit(sha=base_sha, force=True)
        self._repo.update_file(
            path, self.commit_prefix + proposal.title, new_text.encode("utf-8"), sha=base_blob, branch=branch
        )
        return "committed"

    def _branch_exists(self, branch: str) -> bool:
        try:
            self._repo.get_branch(branch)
        except GithubException as err:
            if err.status == 404:
                return False
            raise
        return True


def repo_relative(list_path: Path) -> str:
    """The list's path inside the repository (POSIX); an absolute path is a ConfigError."""
    if list_path.is_absolute():
        raise ConfigError(f"list path {list_path} must be relative to the repository root for github")
    return list_path.as_posix()


# ---------------------------------------------------------------- upkeep (triagebot verify)


class GitHubUpkeepPublisher(GitHubPublisher):
    """The one upkeep PR (``triagebot verify --publish github``), found again without state.

    Its branch is fixed (``triagebot/upkeep``) and its body carries a marker listing the keys of
    the changes it proposes. A closed, unmerged upkeep PR declines its changes for good; an open
    one is the only one: a new set of changes updates it (branch recomposed on the base, body
    rewritten) instead of opening a second PR.
    """

    def upkeep_history(self, branch: str) -> UpkeepHistory:
        open_pr: Any = None
        open_keys: frozenset[str] = frozenset()
        rejected: dict[str, int] = {}
        for pr in self._pulls(state="all", sort="created", direction="desc"):
            if not _from_repo(pr, self.repo_name):
                continue
            keys = upkeep_keys(pr.body)
            if keys is None and pr.head.ref != branch:
                continue
            state = _state(pr)
            if state is PRState.OPEN and open_pr is None:
                open_pr, open_keys = pr, frozenset(keys or ())
            elif state is PRState.CLOSED:
                for key in keys or ():
                    rejected.setdefault(key, pr.number)
        return UpkeepHistory(
            open_number=open_pr.number if open_pr is not None else None,
            open_url=open_pr.html_url if open_pr is not None else None,
            open_keys=open_keys,
            rejected=rejected,
        )

    def publish_upkeep(self, proposal: Proposal, history: UpkeepHistory) -> PublishResult:
        base = self.base(proposal)
        keys = frozenset(upkeep_keys(proposal.body) or ())
        number = history.open_number
        if number is not None and keys == history.open_keys:
            return PublishResult(
                proposal.arxiv_ids,
                PublishStatus.EXISTS_OPEN,
                url=history.open_url,
                number=number,
                message=f"upkeep PR #{number} is open and proposes the same changes; left as is",
            )
        if number is not None:
            outcome = self._compose_on_branch(proposal, base, reset=True)
            pr = _call(f"reading PR #{number}", lambda: self._repo.get_pull(number))
            _call(f"updating PR #{number}", lambda: pr.edit(title=proposal.title, body=proposal.body))
            note = "" if outcome != "no_change" else f" ({base} already holds every change)"
            return self._result(proposal, PublishStatus.EXISTS_OPEN, pr, f"updated upkeep PR #{number}{note}")
        return self._open(proposal, base)
