"""Loaded by every ``triagebot`` child process of the end-to-end suite (its PYTHONPATH starts here):
the same rule as the test process's guard, inside the child. Any connection or name lookup that is
not loopback fails with a line the harness looks for."""

from __future__ import annotations

import ipaddress
import socket
import sys
from typing import Any

BLOCKED = "e2e-netguard: blocked"
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: object) -> OSError:
    print(f"{BLOCKED} {what!r}", file=sys.stderr, flush=True)
    return OSError(f"{BLOCKED} {what!r}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family != socket.AF_UNIX and not _loopback(address[0] if isinstance(address, tuple) else address):
        raise _refuse(address)
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family != socket.AF_UNIX and not _loopback(address[0] if isinstance(address, tuple) else address):
        raise _refuse(address)
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _loopback(host):
        raise _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]
socket.getaddrinfo = _guarded_getaddrinfo
