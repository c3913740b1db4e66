"""The one list of code hosts, and the two questions asked of it.

Reading a list: is this link a code link (``is_code_url``: on a code host)? Writing an entry: is
this a repository the bot may link (``is_repository_url``: http(s), on a code host, with an owner
and a name)?
"""

from __future__ import annotations

from urllib.parse import urlsplit

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


def _host(url: str) -> str:
    return (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")


def is_code_url(url: str) -> bool:
    """A link a list shows as code: one on a code host (a project page on ``*.github.io`` is not)."""
    return _host(url if "://" in url else f"https://{url}") in CODE_HOSTS


def is_repository_url(url: str) -> bool:
    """A repository link the bot may write: http(s), on a code host, ``/owner/name`` at least."""
    parts = urlsplit(url)
    path = [p for p in parts.path.split("/") if p]
    return parts.scheme in ("http", "https") and _host(url) in CODE_HOSTS and len(path) >= 2
