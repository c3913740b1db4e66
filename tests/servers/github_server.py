"""A fake GitHub REST API on 127.0.0.1 for the real PyGithub client: one repository, in memory.

    with GitHubServer(files={"README.md": text}) as gh:
        client = Github(auth=Auth.Token(gh.token), base_url=gh.base_url,
                        seconds_between_requests=0, seconds_between_writes=0)
        ...
        gh.fail("POST", "/pulls", actions_forbidden())     # script a fault (once)
        assert gh.calls() == ["GET /repos/acme/awesome", ...]

Only the endpoints the publisher uses: the repository, branches, git refs, contents (get/put),
pulls (list with ``state``/``head`` and pagination, create, get, edit) and issue labels. State: commits
(each a full file snapshot), branches pointing at commits, pull requests with state and merged
flag. Every request is recorded (method, path, query, JSON body). Faults are queued per route
(method + path suffix) and served before the real handler; the helpers below build GitHub's own
error bodies (401, 403 for Actions, 422 already exists, 409, 500, secondary rate limit).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.servers.loopback import LoopbackServer, QuietHTTPServer

# ---------------------------------------------------------------- scripted replies


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


_DOCS = "https://docs.github.com/rest"
_PUT_CONTENTS = "/repos/contents#create-or-update-file-contents"
_CREATE_PULL = "/pulls/pulls#create-a-pull-request"


def github_error(status: int, message: str, docs: str = "", **extra: Any) -> Reply:
    """An error as api.github.com words it: ``message``, a documentation link, and any ``extra``."""
    return Reply(status, {"message": message, "documentation_url": _DOCS + docs, **extra})


def unauthorized() -> Reply:
    return github_error(401, "Bad credentials")


def actions_forbidden() -> Reply:
    return github_error(
        403, "GitHub Actions is not permitted to create or approve pull requests.", _CREATE_PULL
    )


def not_accessible() -> Reply:
    """403 of a token without the needed scope (Actions' GITHUB_TOKEN without contents: write)."""
    return github_error(403, "Resource not accessible by integration", _PUT_CONTENTS)


def pr_already_exists(owner: str, branch: str) -> Reply:
    error = {
        "resource": "PullRequest",
        "code": "custom",
        "message": f"A pull request already exists for {owner}:{branch}.",
    }
    return github_error(422, "Validation Failed", _CREATE_PULL, errors=[error])


def ref_already_exists() -> Reply:
    return github_error(422, "Reference already exists", "/git/refs#create-a-reference")


def conflict(path: str = "README.md") -> Reply:
    return github_error(409, f"{path} does not match {'0' * 40}", _PUT_CONTENTS)


def server_error() -> Reply:
    return Reply(500, {"message": "Server Error"})


def secondary_rate_limit(retry_after: int = 0, status: int = 403) -> Reply:
    message = (
        "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. "
        "Please retry your request again later."
    )
    reply = github_error(status, message, "/overview/rate-limits-for-the-rest-api")
    return Reply(reply.status, reply.body, {"Retry-After": str(retry_after)})


def not_found() -> Reply:
    return github_error(404, "Not Found")


# ---------------------------------------------------------------- what the server saw and holds


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class PullRequest:
    number: int
    head: str
    base: str
    title: str
    body: str
    draft: bool = False
    state: str = "open"  # open | closed
    merged: bool = False
    mergeable: bool | None = True
    labels: list[str] = field(default_factory=list)
    head_sha: str = ""
    head_repo: str | None = None  # "owner/name" of a fork; None: this repository


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    reply: Reply
    times: int


CONTENTS_LIMIT = 1_000_000  # the contents API returns no content for files larger than this


def blob_sha(text: str) -> str:
    """Git's blob id of ``text`` (what the contents API calls ``sha``)."""
    data = text.encode("utf-8")
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


Hook = Callable[["Seen"], None]


class GitHubServer(LoopbackServer):
    """The fake; a context manager binding port 0 on 127.0.0.1."""

    def __init__(
        self,
        files: dict[str, str] | None = None,
        *,
        owner: str = "acme",
        name: str = "awesome",
        default_branch: str = "main",
        token: str = "test-token",
    ) -> None:
        self.owner, self.name, self.default_branch, self.token = owner, name, default_branch, token
        self.commits: dict[str, dict[str, str]] = {}
        self.branches: dict[str, str] = {}
        self.pulls: dict[int, PullRequest] = {}
        self.requests: list[Seen] = []
        self._faults: list[_Fault] = []
        self._hooks: list[tuple[str, re.Pattern[str], Hook]] = []
        self._counter = 0
        self.lock = threading.RLock()
        self.branches[default_branch] = self._commit(dict(files or {"README.md": "# List\n"}))
        super().__init__(_Handler, "fake-github")

    # ------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return self.address

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def repo_path(self) -> str:
        return f"/repos/{self.owner}/{self.name}"

    # ------------------------------------------------------------ scripting

    def fail(self, method: str, path_suffix: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests ``method`` on a path ending with ``path_suffix`` (a regex)."""
        with self.lock:
            self._faults.append(_Fault(method.upper(), re.compile(f"{path_suffix}$"), reply, times))

    def before(self, method: str, path_suffix: str, hook: Hook) -> None:
        """Run ``hook(request)`` before serving matching requests (e.g. move the base branch)."""
        with self.lock:
            self._hooks.append((method.upper(), re.compile(f"{path_suffix}$"), hook))

    def commit(self, branch: str, path: str, text: str) -> str:
        """Commit ``text`` to ``path`` on ``branch`` as someone else would (the base moving)."""
        with self.lock:
            files = dict(self.commits[self.branches[branch]])
            files[path] = text
            self.branches[branch] = self._commit(files)
            return self.branches[branch]

    def create_branch(self, branch: str, source: str | None = None) -> None:
        with self.lock:
            self.branches[branch] = self.branches[source or self.default_branch]

    def add_pull(
        self,
        head: str,
        *,
        body: str = "",
        title: str = "Add a paper",
        state: str = "open",
        merged: bool = False,
        labels: tuple[str, ...] = ("triagebot",),
        head_repo: str | None = None,
    ) -> PullRequest:
        """An existing pull request (its head branch is created when missing; ``head_repo`` names a
        fork it comes from instead)."""
        with self.lock:
            if head not in self.branches:
                self.create_branch(head)
            pr = PullRequest(
                number=self._next_number(),
                head=head,
                base=self.default_branch,
                title=title,
                body=body,
                state=state,
                merged=merged,
                labels=list(labels),
                head_sha=self.branches[head],
                head_repo=head_repo,
            )
            self.pulls[pr.number] = pr
            return pr

    # ------------------------------------------------------------ inspection

    def file(self, path: str, branch: str | None = None) -> str | None:
        with self.lock:
            return self.commits[self.branches[branch or self.default_branch]].get(path)

    def calls(self) -> list[str]:
        """``"METHOD /path"`` of every request, in order."""
        with self.lock:
            return [str(seen) for seen in self.requests]

    def writes(self) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.requests if seen.method != "GET"]

    def open_pulls(self) -> list[PullRequest]:
        with self.lock:
            return [pr for pr in self.pulls.values() if pr.state == "open"]

    # ------------------------------------------------------------ internals

    def _next_number(self) -> int:
        return max(self.pulls, default=0) + 1

    def _commit(self, files: dict[str, str]) -> str:
        self._counter += 1
        sha = hashlib.sha1(f"commit {self._counter}".encode()).hexdigest()
        self.commits[sha] = files
        return sha

    def _answer(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            hooks = [
                hook
                for method, pattern, hook in self._hooks
                if method == seen.method and pattern.search(seen.path)
            ]
        for hook in hooks:
            hook(seen)
        with self.lock:
            for fault in self._faults:
                if fault.times > 0 and fault.method == seen.method and fault.path.search(seen.path):
                    fault.times -= 1
                    return fault.reply
            auth = seen.headers.get("authorization", "")
            if auth.split(" ", 1)[-1] != self.token:
                return unauthorized()
            return _Api(self).route(seen)


class _Api:
    """The REST handlers, run under the server's lock."""

    def __init__(self, server: GitHubServer) -> None:
        self.s = server
        self.url = server.base_url + server.repo_path

    def route(self, seen: Seen) -> Reply:
        prefix = self.s.repo_path
        if not seen.path.startswith(prefix):
            return not_found()
        rest = seen.path[len(prefix) :]
        routes: list[tuple[str, str, Callable[[Seen, re.Match[str]], Reply]]] = [
            ("GET", r"", self.repo),
            ("GET", r"/branches/(?P<branch>.+)", self.branch),
            ("GET", r"/git/ref/heads/(?P<branch>.+)", self.get_ref),
            ("POST", r"/git/refs", self.create_ref),
            ("PATCH", r"/git/refs/heads/(?P<branch>.+)", self.update_ref),
            ("GET", r"/contents/(?P<path>.+)", self.get_contents),
            ("GET", r"/git/blobs/(?P<sha>[0-9a-f]{40})", self.get_blob),
            ("PUT", r"/contents/(?P<path>.+)", self.put_contents),
            ("GET", r"/pulls", self.list_pulls),
            ("POST", r"/pulls", self.create_pull),
            ("GET", r"/pulls/(?P<number>\d+)", self.get_pull),
            ("PATCH", r"/pulls/(?P<number>\d+)", self.edit_pull),
            ("POST", r"/issues/(?P<number>\d+)/labels", self.add_labels),
        ]
        for method, pattern, handler in routes:
            match = re.fullmatch(pattern, rest)
            if method == seen.method and match:
                return handler(seen, match)
        return not_found()

    # -------------------------------------------------------- JSON shapes

    def repo(self, seen: Seen, match: re.Match[str]) -> Reply:
        s = self.s
        return Reply(
            200,
            {
                "id": 1,
                "name": s.name,
                "full_name": s.full_name,
                "owner": {"login": s.owner, "id": 1, "type": "User"},
                "private": False,
                "url": self.url,
                "html_url": f"https://github.com/{s.full_name}",
                "default_branch": s.default_branch,
                "permissions": {"admin": False, "push": True, "pull": True},
            },
        )

    def _ref_json(self, branch: str) -> dict[str, Any]:
        quoted = urllib.parse.quote(branch)
        sha = self.s.branches[branch]
        return {
            "ref": f"refs/heads/{branch}",
            "url": f"{self.url}/git/refs/heads/{quoted}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.url}/git/commits/{sha}"},
        }

    def branch(self, seen: Seen, match: re.Match[str]) -> Reply:
        name = urllib.parse.unquote(match["branch"])
        if name not in self.s.branches:
            return Reply(404, {"message": "Branch not found"})
        sha = self.s.branches[name]
        return Reply(
            200,
            {"name": name, "commit": {"sha": sha, "url": f"{self.url}/commits/{sha}"}, "protected": False},
        )

    def get_ref(self, seen: Seen, match: re.Match[str]) -> Reply:
        name = urllib.parse.unquote(match["branch"])
        if name not in self.s.branches:
            return not_found()
        return Reply(200, self._ref_json(name))

    def create_ref(self, seen: Seen, match: re.Match[str]) -> Reply:
        ref, sha = seen.body.get("ref", ""), seen.body.get("sha", "")
        if not ref.startswith("refs/heads/") or sha not in self.s.commits:
            return Reply(422, {"message": "Reference update failed"})
        name = ref.removeprefix("refs/heads/")
        if name in self.s.branches:
            return ref_already_exists()
        self.s.branches[name] = sha
        return Reply(201, self._ref_json(name))

    def update_ref(self, seen: Seen, match: re.Match[str]) -> Reply:
        name = urllib.parse.unquote(match["branch"])
        sha = seen.body.get("sha", "")
        if name not in self.s.branches:
            return Reply(422, {"message": "Reference does not exist"})
        if sha not in self.s.commits:
            return Reply(422, {"message": "Object does not exist"})
        self.s.branches[name] = sha
        for pr in self.s.pulls.values():
            if pr.head == name:
                pr.head_sha = sha
        return Reply(200, self._ref_json(name))

    def _content_json(self, path: str, text: str, ref: str) -> dict[str, Any]:
        """Like GitHub: files over 1 MB come without content (``encoding: none``); read their blob."""
        quoted = urllib.parse.quote(path)
        data = text.encode("utf-8")
        large = len(data) > CONTENTS_LIMIT
        return {
            "type": "file",
            "encoding": "none" if large else "base64",
            "size": len(data),
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "content": "" if large else base64.encodebytes(data).decode("ascii"),
            "sha": blob_sha(text),
            "url": f"{self.url}/contents/{quoted}?ref={urllib.parse.quote(ref)}",
        }

    def get_blob(self, seen: Seen, match: re.Match[str]) -> Reply:
        for files in self.s.commits.values():
            for text in files.values():
                if blob_sha(text) == match["sha"]:
                    data = text.encode("utf-8")
                    return Reply(
                        200,
                        {
                            "sha": match["sha"],
                            "size": len(data),
                            "encoding": "base64",
                            "content": base64.encodebytes(data).decode("ascii"),
                            "url": f"{self.url}/git/blobs/{match['sha']}",
                        },
                    )
        return not_found()

    def _resolve(self, ref: str) -> str | None:
        if ref in self.s.commits:
            return ref
        return self.s.branches.get(ref)

    def get_contents(self, seen: Seen, match: re.Match[str]) -> Reply:
        path = urllib.parse.unquote(match["path"])
        ref = seen.query.get("ref", self.s.default_branch)
        commit = self._resolve(ref)
        if commit is None:
            return Reply(404, {"message": f"No commit found for the ref {ref}"})
        text = self.s.commits[commit].get(path)
        if text is None:
            return not_found()
        return Reply(200, self._content_json(path, text, ref))

    def put_contents(self, seen: Seen, match: re.Match[str]) -> Reply:
        path = urllib.parse.unquote(match["path"])
        branch = seen.body.get("branch") or self.s.default_branch
        if branch not in self.s.branches:
            return Reply(404, {"message": f"Branch {branch} not found"})
        current = self.s.commits[self.s.branches[branch]].get(path)
        if current is not None and seen.body.get("sha") != blob_sha(current):
            return conflict(path)
        text = base64.b64decode(seen.body["content"]).decode("utf-8")
        sha = self.s.commit(branch, path, text)
        for pr in self.s.pulls.values():
            if pr.head == branch:
                pr.head_sha = sha
        return Reply(
            200,
            {
                "content": self._content_json(path, text, branch),
                "commit": {
                    "sha": sha,
                    "url": f"{self.url}/git/commits/{sha}",
                    "message": seen.body.get("message"),
                },
            },
        )

    def _pull_json(self, pr: PullRequest, *, full: bool) -> dict[str, Any]:
        s = self.s
        data: dict[str, Any] = {
            "number": pr.number,
            "id": 1000 + pr.number,
            "state": pr.state,
            "title": pr.title,
            "body": pr.body,
            "draft": pr.draft,
            "merged_at": "2025-01-01T00:00:00Z" if pr.merged else None,
            "closed_at": "2025-01-01T00:00:00Z" if pr.state == "closed" else None,
            "url": f"{self.url}/pulls/{pr.number}",
            "html_url": f"https://github.com/{s.full_name}/pull/{pr.number}",
            "issue_url": f"{self.url}/issues/{pr.number}",
            "labels": [{"name": label} for label in pr.labels],
            "head": {
                "ref": pr.head,
                "sha": pr.head_sha,
                "label": f"{(pr.head_repo or s.full_name).split('/')[0]}:{pr.head}",
                "repo": {
                    "full_name": pr.head_repo or s.full_name,
                    "name": (pr.head_repo or s.full_name).split("/")[1],
                },
            },
            "base": {"ref": pr.base, "sha": s.branches.get(pr.base, ""), "label": f"{s.owner}:{pr.base}"},
        }
        if full:
            data["merged"] = pr.merged
            data["mergeable"] = pr.mergeable if pr.state == "open" else None
        return data

    def list_pulls(self, seen: Seen, match: re.Match[str]) -> Reply:
        state = seen.query.get("state", "open")
        head = seen.query.get("head")
        pulls = sorted(self.s.pulls.values(), key=lambda p: p.number, reverse=True)
        if state != "all":
            pulls = [p for p in pulls if p.state == state]
        if head:
            pulls = [p for p in pulls if f"{self.s.owner}:{p.head}" == head]
        per_page = int(seen.query.get("per_page", "30"))
        page = int(seen.query.get("page", "1"))
        chunk = pulls[(page - 1) * per_page : page * per_page]
        headers: dict[str, str] = {}
        if page * per_page < len(pulls):
            query = dict(seen.query, page=str(page + 1))
            headers["Link"] = f'<{self.url}/pulls?{urllib.parse.urlencode(query)}>; rel="next"'
        return Reply(200, [self._pull_json(p, full=False) for p in chunk], headers)

    def create_pull(self, seen: Seen, match: re.Match[str]) -> Reply:
        body = seen.body
        head, base = body.get("head", ""), body.get("base", "")
        head = head.split(":", 1)[-1]
        if head not in self.s.branches or base not in self.s.branches:
            return Reply(
                422, {"message": "Validation Failed", "errors": [{"field": "head", "code": "invalid"}]}
            )
        if any(p.head == head and p.state == "open" for p in self.s.pulls.values()):
            return pr_already_exists(self.s.owner, head)
        if self.s.branches[head] == self.s.branches[base]:
            return Reply(
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": f"No commits between {base} and {head}",
                        }
                    ],
                },
            )
        pr = PullRequest(
            number=self.s._next_number(),
            head=head,
            base=base,
            title=body.get("title", ""),
            body=body.get("body") or "",
            draft=bool(body.get("draft", False)),
            labels=[],
            head_sha=self.s.branches[head],
        )
        self.s.pulls[pr.number] = pr
        return Reply(201, self._pull_json(pr, full=True))

    def get_pull(self, seen: Seen, match: re.Match[str]) -> Reply:
        pr = self.s.pulls.get(int(match["number"]))
        if pr is None:
            return not_found()
        return Reply(200, self._pull_json(pr, full=True))

    def edit_pull(self, seen: Seen, match: re.Match[str]) -> Reply:
        pr = self.s.pulls.get(int(match["number"]))
        if pr is None:
            return not_found()
        for name in ("title", "body", "state"):
            if name in (seen.body or {}):
                setattr(pr, name, seen.body[name])
        return Reply(200, self._pull_json(pr, full=True))

    def add_labels(self, seen: Seen, match: re.Match[str]) -> Reply:
        pr = self.s.pulls.get(int(match["number"]))
        if pr is None:
            return not_found()
        names = seen.body if isinstance(seen.body, list) else seen.body.get("labels", [])
        for name in names:
            if name not in pr.labels:
                pr.labels.append(name)
        return Reply(200, [{"name": label, "color": "ededed"} for label in pr.labels])


class _Handler(BaseHTTPRequestHandler):
    server: QuietHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _serve(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        seen = Seen(
            method=self.command,
            path=parsed.path,
            query=dict(urllib.parse.parse_qsl(parsed.query)),
            body=body,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        reply = self.server.owner._answer(seen)
        data = b"" if reply.body is None else json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _serve
    do_POST = _serve
    do_PUT = _serve
    do_PATCH = _serve
    do_DELETE = _serve
