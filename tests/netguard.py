"""The network guard, one rule for the test process and the CLI processes the tests start: only
loopback (127.0.0.0/8, ::1, localhost) may be connected to or looked up; anything else raises."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def is_loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def install(refuse: Callable[[str], Exception]) -> None:
    """Guard every socket of this process; ``refuse(description)`` makes the error to raise."""

    def check(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if sock.family != socket.AF_UNIX and not is_loopback(host):
            raise refuse(f"tried to reach {address!r}: tests may only talk to 127.0.0.1")

    def connect(self: socket.socket, address: Any) -> None:
        check(self, address)
        _real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(self, address)
        return _real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not is_loopback(host):
            raise refuse(f"tried to resolve {host!r}: tests may only talk to 127.0.0.1")
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
