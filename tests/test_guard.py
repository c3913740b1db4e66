"""The suite itself: no test may reach the network, only 127.0.0.1."""

from __future__ import annotations

import socket
import threading

import pytest

from tests.conftest import NetworkBlocked


def test_outside_connection_is_refused() -> None:
    with pytest.raises(NetworkBlocked), socket.create_connection(("export.arxiv.org", 443), timeout=1):
        pass


def test_outside_ip_is_refused() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock, pytest.raises(NetworkBlocked):
        sock.connect(("1.1.1.1", 443))


def test_loopback_is_allowed() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()[0]))
    thread.start()
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    thread.join(timeout=2)
    server.close()
    for conn in accepted:
        conn.close()
    assert accepted
